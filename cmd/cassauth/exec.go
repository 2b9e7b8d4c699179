package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/internal/shell"
)

// sessionFlags are the flags of the commands that run statements.
type sessionFlags struct {
	target
	datacenter string
}

func (s *sessionFlags) add(f *flags) {
	s.addStoreFlags(f)
	s.addServerFlags(f)
	f.StringVar(&s.datacenter, "datacenter", "datacenter1", "the datacenter of the session, checked against ACCESS TO DATACENTERS (without --server)")
	f.BoolVar(&s.noDefaultSuperuser, "no-default-superuser", false, "do not create cassandra/cassandra in an empty store (without --server)")
}

// executor opens what statements run against and logs in: the server's API
// (with a token, so that a session costs one password check), or the store
// directly. The closer releases the store.
func (s *sessionFlags) executor(ctx context.Context, e *env) (shell.Executor, string, io.Closer, error) {
	if s.server != "" {
		c, err := s.client(e)
		if err != nil {
			return nil, "", nil, err
		}
		name := s.user
		if c.Token == "" {
			ar, err := c.Login(ctx)
			if err != nil {
				return nil, "", nil, err
			}
			name = ar.Role
		}
		return &shell.Remote{Client: c}, name, closerFunc(func() error { return nil }), nil
	}
	a, closer, err := s.openLocal(ctx, e, true)
	if err != nil {
		return nil, "", nil, err
	}
	u, err := s.login(ctx, e, a)
	if err != nil {
		return nil, "", nil, errors.Join(err, closer.Close())
	}
	return &shell.Local{Env: a.Env, Session: &dcl.Session{User: u, Datacenter: s.datacenter}}, u.Name(), closer, nil
}

const execDescription = `
Run statements, for scripts: the arguments (each may hold several statements
separated by semicolons; the last semicolon may be left out), or the file
given with -f ("-" for standard input), or standard input when there are
neither. Statements run in order as the user of -u; the first one that fails
stops the run, its error goes to stderr with its line, and the exit code is
1. Results are printed as cqlsh prints them, or with --json as one JSON
object per statement (the body of POST /v1/execute).

Without --server the store is opened directly (the server must not be
running on the same data directory); with it, the statements go through
the running server's HTTP API.`

func runExec(ctx context.Context, args []string, e *env) int {
	var s sessionFlags
	var file string
	var asJSON bool
	f := newFlags("exec", "exec [flags] [STATEMENT ...]", execDescription)
	s.add(f)
	f.StringVar(&file, "file", "", "run the statements of `file` (- for standard input)")
	f.alias("f", "file")
	f.BoolVar(&asJSON, "json", false, "print each result as one line of JSON")
	if err := s.parse(f, args, e); err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		return fail(e, "exec", err)
	}
	if file != "" && f.NArg() > 0 {
		return fail(e, "exec", errors.New("give statements as arguments or with -f, not both"))
	}
	stmts, err := execInput(f.Args(), file, e)
	if err != nil {
		return fail(e, "exec", err)
	}
	ex, _, closer, err := s.executor(ctx, e)
	if err != nil {
		return fail(e, "exec", err)
	}
	defer closer.Close()
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, st := range stmts {
		results, err := ex.Execute(ctx, st.text)
		for _, r := range results {
			if asJSON {
				err = errors.Join(err, enc.Encode(httpapi.ResponseOf(r, ex.Keyspace())))
			} else {
				err = errors.Join(err, shell.PrintResult(e.stdout, r))
			}
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "%s:%d: %s\n", st.source, st.line, shell.FormatError(err))
			return exitFailed
		}
	}
	return exitOK
}

// sourced is a statement and where it comes from.
type sourced struct {
	text, source string
	line         int
}

// execInput splits the arguments, or the file, into statements.
func execInput(args []string, file string, e *env) ([]sourced, error) {
	var out []sourced
	split := func(text, source string) {
		var sp shell.Splitter
		for _, line := range strings.Split(text, "\n") {
			for _, st := range sp.Feed(line) {
				out = append(out, sourced{st.Text, source, st.Line})
			}
		}
		if rest := sp.Rest(); rest.Text != "" {
			out = append(out, sourced{rest.Text, source, rest.Line})
		}
	}
	if len(args) > 0 {
		for i, a := range args {
			split(a, fmt.Sprintf("argument %d", i+1))
		}
		return out, nil
	}
	var data []byte
	var err error
	source := file
	switch file {
	case "", "-":
		data, err = io.ReadAll(io.LimitReader(e.in, 64<<20))
		source = "<stdin>"
	default:
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, err
	}
	split(string(data), source)
	return out, nil
}

const shellDescription = `
An interactive DCL shell, like cqlsh: statements end with a semicolon and
may span lines, results print as cqlsh prints them, the arrow keys walk the
history (kept in --history). EXIT or QUIT (or Ctrl-D) leaves.

It logs in as -u, prompting for the password without echo when -p is not
given. Without --server it opens the store directly; with --server it goes
through the running server's HTTP API with a bearer token.`

func runShell(ctx context.Context, args []string, e *env) int {
	var s sessionFlags
	var history string
	var noHistory, tty bool
	f := newFlags("shell", "shell [flags]", shellDescription)
	s.add(f)
	f.StringVar(&history, "history", "", "the history `file` (default ~/.cassauth_history, or in --data without a home directory)")
	f.BoolVar(&noHistory, "no-history", false, "keep no history file")
	f.BoolVar(&tty, "tty", false, "show prompts even when standard input is not a terminal")
	if err := s.parse(f, args, e); err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		return fail(e, "shell", err)
	}
	if f.NArg() > 0 {
		return fail(e, "shell", fmt.Errorf("unexpected arguments: %s (use exec to run statements)", strings.Join(f.Args(), " ")))
	}
	ex, name, closer, err := s.executor(ctx, e)
	if err != nil {
		return fail(e, "shell", err)
	}
	defer closer.Close()
	if !noHistory && history == "" {
		history = defaultHistory(e, s.data)
	}
	if noHistory {
		history = ""
	}
	h, err := shell.OpenHistory(history, 0)
	if err != nil {
		fmt.Fprintf(e.stderr, "cassauth shell: history: %v (going on without it)\n", err)
		h, _ = shell.OpenHistory("", 0)
	}
	interactive := e.stdin != nil && shell.IsTerminal(e.stdin)
	sh := &shell.Shell{Out: e.stdout, Err: e.stderr, Exec: ex, User: name}
	out, isFile := e.stdout.(*os.File)
	if interactive && isFile {
		sh.Reader = shell.NewTerminalReader(e.stdin, out, h)
	} else {
		r := shell.NewStreamReader(e.in)
		r.Out, r.Prompt, r.History = e.stdout, interactive || tty, h
		sh.Reader = r
	}
	if interactive || tty {
		where := s.server
		if where == "" {
			where = s.store
			if where == "" {
				where = s.data
			}
		}
		sh.Banner = fmt.Sprintf("Connected to cassauth at %s.\nUse HELP for help.", where)
	}
	failed, err := sh.Run(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fail(e, "shell", err)
	}
	if herr := h.Err(); herr != nil {
		fmt.Fprintf(e.stderr, "cassauth shell: could not write the history: %v\n", herr)
	}
	if failed > 0 && !interactive {
		return exitFailed
	}
	return exitOK
}

// defaultHistory is ~/.cassauth_history, or .cassauth_history in the data
// directory when there is no home directory.
func defaultHistory(e *env, data string) string {
	home := e.getenv("HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = h
		}
	}
	if home == "" {
		return filepath.Join(data, ".cassauth_history")
	}
	return filepath.Join(home, ".cassauth_history")
}
