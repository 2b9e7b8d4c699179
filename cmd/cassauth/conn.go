package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/internal/app"
	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/internal/shell"
	"github.com/cassauth/cassauth/roles"
)

// defaultDataDir is where the embedded store lives unless --data says
// otherwise.
const defaultDataDir = "./cassauth-data"

// defaultCLILockTimeout is how long the commands other than serve wait for
// the data directory's lock.
const defaultCLILockTimeout = 500 * time.Millisecond

// target is where a command works: the store (a data directory or a store
// URL) opened directly, or a running server; and who it works as.
type target struct {
	data, store, config string
	server              string
	user, password      string
	noDefaultSuperuser  bool
	lockTimeout         time.Duration
	file                fileConfig
}

// addStoreFlags adds --data, --store and --config.
func (t *target) addStoreFlags(f *flags) {
	f.StringVar(&t.data, "data", defaultDataDir, "the data `directory` of the embedded store")
	f.StringVar(&t.store, "store", "", "the store `URL`: a directory, bolt:///path, postgres://user:pw@host/db, or memory: (overrides --data)")
	f.StringVar(&t.config, "config", "", "a YAML `file` with cassandra.yaml's auth keys and a cassauth: section of flag values")
}

// addServerFlags adds --server, -u/--user and -p/--password.
func (t *target) addServerFlags(f *flags) {
	f.StringVar(&t.server, "server", "", "work through the running server at `URL` (e.g. http://127.0.0.1:8181) instead of opening the store")
	f.StringVar(&t.user, "user", "", "log in as `role` (with --server, $CASSAUTH_TOKEN may replace the login)")
	f.alias("u", "user")
	f.StringVar(&t.password, "password", "", "the `password`; prompted for on a terminal when missing")
	f.alias("p", "password")
}

// parse parses args with the configuration file's cassauth: section as
// the lowest layer, and loads the file's auth keys.
func (t *target) parse(f *flags, args []string, e *env) error {
	fc, err := loadConfig(preScan(args, e))
	if err != nil {
		return err
	}
	if err := checkSection(f, fc.flags); err != nil {
		return err
	}
	t.file = fc
	return f.parse(args, e, fc.values)
}

// logger returns the logger of a command that is not the server: warnings
// and errors, as text on stderr.
func cliLogger(e *env) *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openLocal opens the store and builds the auth subsystem over it. With
// superuser, an empty store gets the default superuser (unless
// --no-default-superuser), as when the server starts; without, the command
// only reads, and a store that does not exist is an error rather than
// created. The closer closes both.
func (t *target) openLocal(ctx context.Context, e *env, superuser bool) (*app.App, io.Closer, error) {
	spec, err := app.ParseSpec(t.store, t.data)
	if err != nil {
		return nil, nil, err
	}
	logger := cliLogger(e)
	st, closer, err := app.OpenStore(ctx, spec, app.StoreOptions{LockTimeout: t.lockTimeoutOr(), MustExist: !superuser})
	if err != nil {
		return nil, nil, err
	}
	a, err := app.Build(ctx, st, app.Options{
		Config:                  app.ServerConfig(t.file.auth),
		DisableDefaultSuperuser: !superuser || t.noDefaultSuperuser,
		Logger:                  logger,
	})
	if err != nil {
		return nil, nil, errors.Join(err, closer.Close())
	}
	return a, closerFunc(func() error { return errors.Join(a.Close(), closer.Close()) }), nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// password returns the password: --password, or a prompt on the terminal.
func (t *target) passwordOrPrompt(e *env) (string, error) {
	if t.password != "" {
		return t.password, nil
	}
	if e.stdin == nil {
		return "", errors.New("a password is required: use -p or $CASSAUTH_PASSWORD")
	}
	f, ok := e.stderr.(*os.File)
	if !ok {
		f = os.Stderr
	}
	return shell.ReadPassword(e.stdin, f, "Password: ")
}

// client returns an HTTP API client for --server: a token from
// $CASSAUTH_TOKEN, or the user's credentials (as HTTP Basic; call Login to
// exchange them for a token when several calls follow).
func (t *target) client(e *env) (*httpapi.Client, error) {
	if !strings.Contains(t.server, "://") {
		return nil, fmt.Errorf("--server must be a URL such as http://127.0.0.1:8181, not %q", t.server)
	}
	c := &httpapi.Client{BaseURL: t.server, HTTP: &http.Client{Timeout: 5 * time.Minute}}
	if tok := e.getenv("CASSAUTH_TOKEN"); tok != "" && t.user == "" {
		c.Token = tok
		return c, nil
	}
	if t.user == "" {
		return nil, errors.New("log in with -u ROLE (and -p PASSWORD), or set $CASSAUTH_TOKEN")
	}
	pw, err := t.passwordOrPrompt(e)
	if err != nil {
		return nil, err
	}
	c.Username, c.Password = t.user, pw
	return c, nil
}

// login authenticates the user against a local Auth (the authenticator
// and the LOGIN flag, as the server does).
func (t *target) login(ctx context.Context, e *env, a *app.App) (roles.User, error) {
	if t.user == "" {
		if !a.Auth.Authenticator().RequireAuthentication() {
			return roles.Anonymous, nil
		}
		return roles.User{}, errors.New("log in with -u ROLE (and -p PASSWORD)")
	}
	pw, err := t.passwordOrPrompt(e)
	if err != nil {
		return roles.User{}, err
	}
	return a.Auth.Authenticate(ctx, t.user, authn.NewSecret(pw))
}

// fail prints err for the command and returns exitError.
func fail(e *env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "cassauth %s: %s\n", cmd, errText(err))
	return exitError
}

// errText is an error's message for the user: Cassandra's text for errors
// that have one.
func errText(err error) string {
	var ae *httpapi.Error
	if errors.As(err, &ae) {
		return ae.Msg
	}
	var re *roles.Error
	if errors.As(err, &re) {
		return re.Msg
	}
	return err.Error()
}
