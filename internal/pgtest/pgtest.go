// Package pgtest runs a throwaway PostgreSQL server for tests: initdb and
// pg_ctl from the installed PostgreSQL binaries (Debian's postgresql
// package), a data directory in a temporary directory, a free port on the
// loopback interface, trust authentication, and fsync off. One server
// starts per test binary, on first use; every [Start] gets a fresh database
// on it.
//
// A package that uses it stops the server when its tests end with
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without that, or when the test binary dies (a -timeout panic, a kill), a
// watchdog process started with the server stops it (SIGQUIT, PostgreSQL's
// immediate shutdown) and removes its directory within about a second of
// the test binary's exit.
//
// When the binaries are missing, [Start] skips the test with a message that
// says how to install them, or fails it when the environment variable CI is
// "true": on CI a missing server is a failure, never a silent skip. A
// server that is installed but fails to start always fails the test.
//
// The binaries are looked up in $PGTEST_BINDIR when set, then in the newest
// /usr/lib/postgresql/<version>/bin, then on $PATH. PostgreSQL refuses to
// run as root: a test binary running as root runs the server as the
// "postgres" user (created by the Debian package), which owns the
// temporary directory.
//
// The package keeps one process-wide server behind a sync.Once: that is its
// job, and the only state it holds. Everything is safe for concurrent use
// by parallel tests.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// InstallHint is the message of a test skipped because PostgreSQL is not
// installed.
const InstallHint = "install the postgresql package (apt-get install postgresql) to run the PostgreSQL tests"

// shared is the process-wide server, started on first use.
var shared struct {
	once    sync.Once
	started atomic.Bool // once.Do has run: srv and err are set
	srv     *server
	err     error // a start failure; missing binaries are errMissing
	seq     atomic.Int64
}

// get starts the shared server once and returns it.
func get() (*server, error) {
	shared.once.Do(func() {
		shared.srv, shared.err = startServer()
		shared.started.Store(true)
	})
	return shared.srv, shared.err
}

// Start returns the connection string (a postgres:// URL) of a new, empty
// database on the test binary's PostgreSQL server, starting the server on
// first use. The database is dropped when t ends. Connect as the superuser
// "postgres" without a password; sslmode is disabled.
//
// When the PostgreSQL binaries are not installed, Start skips t with
// [InstallHint], or fails it when CI=true. Any other failure fails t.
func Start(t testing.TB) string {
	t.Helper()
	srv, err := get()
	if err != nil {
		skip, msg := startFailure(err, os.Getenv("CI"))
		if skip {
			t.Skip(msg)
		}
		t.Fatal(msg)
	}
	name := fmt.Sprintf("pgtest_%d_%d", os.Getpid(), shared.seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.admin(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := srv.admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return srv.dsn(name)
}

// startFailure decides what a failure to start the server means for a
// test: a skip when the binaries are missing, unless ci is "true"; a
// failure otherwise. msg says why, and how to install the binaries.
func startFailure(err error, ci string) (skip bool, msg string) {
	switch {
	case isMissing(err) && ci == "true":
		return false, fmt.Sprintf("pgtest: %v; CI=true, so a missing server is a failure: %s", err, InstallHint)
	case isMissing(err):
		return true, fmt.Sprintf("pgtest: %v; %s", err, InstallHint)
	}
	return false, "pgtest: " + err.Error()
}

// Main runs the package's tests, stops the server if one was started,
// and exits with the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if !shared.started.Load() {
		os.Exit(code)
	}
	if srv, err := get(); err == nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	os.Exit(code)
}
