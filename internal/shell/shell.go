// Package shell is cassauth's interactive DCL shell, modelled on cqlsh: a
// prompt "user@cassauth> " (with ":ks" after USE), statements that span
// lines until a semicolon, history, results printed as cqlsh prints them
// and errors in the Python driver's words. It reads and writes plain
// streams, so that it runs, and is tested, without a terminal; on a
// terminal the program gives it a TerminalReader for line editing.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Shell runs statements typed by a user. Set Reader, Out, Err and Exec;
// the zero value of the others is usable.
type Shell struct {
	// Reader supplies the lines.
	Reader LineReader
	// Out receives results, Err errors.
	Out, Err io.Writer
	// Exec runs the statements.
	Exec Executor
	// User is the name in the prompt ("" shows none).
	User string
	// Banner, when not empty, is printed once before the first prompt.
	Banner string
	// StopOnError ends Run at the first failed statement (for scripts).
	StopOnError bool
}

// Prompt returns the prompt for the next line: "user@cassauth> ", with
// ":keyspace" after USE, or the continuation prompt "   ... " when a
// statement is pending.
func (s *Shell) Prompt(pending bool) string {
	if pending {
		return "   ... "
	}
	p := "cassauth"
	if s.User != "" {
		p = s.User + "@" + p
	}
	if ks := s.Exec.Keyspace(); ks != "" {
		p += ":" + ks
	}
	return p + "> "
}

// ErrStatementFailed is returned by Run with StopOnError when a statement
// failed (the error has been printed).
var ErrStatementFailed = errors.New("shell: a statement failed")

// Run reads and runs statements until the input ends, EXIT or QUIT is
// typed, or ctx is done, and returns the number of statements that failed.
// An unterminated statement at the end of the input is run as if it ended
// with a semicolon. Errors: ErrStatementFailed (StopOnError), the reader's
// (other than io.EOF), ctx's.
func (s *Shell) Run(ctx context.Context) (failed int, err error) {
	if s.Banner != "" {
		fmt.Fprintln(s.Out, s.Banner)
	}
	var sp Splitter
	for {
		if err := ctx.Err(); err != nil {
			return failed, err
		}
		line, err := s.Reader.ReadLine(s.Prompt(sp.Pending()))
		if err == io.EOF {
			if rest := sp.Rest(); rest.Text != "" {
				if !s.run(ctx, rest) {
					failed++
					if s.StopOnError {
						return failed, ErrStatementFailed
					}
				}
			}
			return failed, nil
		}
		if err != nil {
			return failed, err
		}
		if !sp.Pending() {
			switch cmd := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ";"))); cmd {
			case "exit", "quit":
				return failed, nil
			case "help", "?":
				fmt.Fprint(s.Out, helpText)
				continue
			}
		}
		for _, st := range sp.Feed(line) {
			if !s.run(ctx, st) {
				failed++
				if s.StopOnError {
					return failed, ErrStatementFailed
				}
			}
		}
	}
}

// run runs one statement and prints its results or its error; it reports
// success.
func (s *Shell) run(ctx context.Context, st Statement) bool {
	results, err := s.Exec.Execute(ctx, st.Text)
	for _, r := range results {
		if werr := PrintResult(s.Out, r); werr != nil {
			fmt.Fprintln(s.Err, "error writing the result:", werr)
			return false
		}
	}
	if err != nil {
		fmt.Fprintln(s.Err, FormatError(err))
		return false
	}
	return true
}

const helpText = `
Statements end with a semicolon and may span lines. cassauth runs CQL's
role and permission statements:

  CREATE ROLE / USER     ALTER ROLE / USER      DROP ROLE / USER
  GRANT / REVOKE perms   GRANT / REVOKE role    LIST PERMISSIONS
  LIST ROLES             LIST USERS             LIST SUPERUSERS
  ADD IDENTITY           DROP IDENTITY          USE

and, to declare names for grants, CREATE / DROP KEYSPACE, TABLE and
FUNCTION. Shell commands: HELP, EXIT, QUIT. Up and down walk the history.

`
