package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { Main(m) }

// TestStart connects to a started database, checks that it is empty,
// local and fresh per call, and that two calls share one server.
func TestStart(t *testing.T) {
	dsn1 := Start(t)
	dsn2 := Start(t)
	require.NotEqual(t, dsn1, dsn2, "each Start gets its own database")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	conn, err := pgx.Connect(ctx, dsn1)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var addr string
	var tables int
	require.NoError(t, conn.QueryRow(ctx, "SELECT host(inet_server_addr())").Scan(&addr))
	assert.Equal(t, "127.0.0.1", addr, "the server listens on loopback only")
	require.NoError(t, conn.QueryRow(ctx,
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&tables))
	assert.Zero(t, tables, "a fresh database is empty")
	_, err = conn.Exec(ctx, "CREATE TABLE t (x int)")
	require.NoError(t, err)

	conn2, err := pgx.Connect(ctx, dsn2)
	require.NoError(t, err)
	defer conn2.Close(ctx)
	require.NoError(t, conn2.QueryRow(ctx,
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&tables))
	assert.Zero(t, tables, "the second database does not see the first one's table")

	var port1, port2 int
	require.NoError(t, conn.QueryRow(ctx, "SELECT inet_server_port()").Scan(&port1))
	require.NoError(t, conn2.QueryRow(ctx, "SELECT inet_server_port()").Scan(&port2))
	assert.Equal(t, port1, port2, "one server per test binary")

	var fsync string
	require.NoError(t, conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync))
	assert.Equal(t, "off", fsync)
}

// TestDatabaseDroppedAtCleanup checks that a subtest's database is gone
// once the subtest has ended.
func TestDatabaseDroppedAtCleanup(t *testing.T) {
	var name string
	t.Run("user", func(t *testing.T) {
		dsn := Start(t)
		cfg, err := pgx.ParseConfig(dsn)
		require.NoError(t, err)
		name = cfg.Database
	})
	require.NotEmpty(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, Start(t))
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n))
	assert.Zero(t, n, "database %s should have been dropped", name)
}

func TestStartFailure(t *testing.T) {
	missing := fmt.Errorf("%w in /nowhere", errMissing)
	broken := errors.New("initdb: exit status 1")
	for _, k := range []struct {
		name     string
		err      error
		ci       string
		wantSkip bool
		wantMsg  string
	}{
		{"missing, not on CI", missing, "", true, InstallHint},
		{"missing, CI=false", missing, "false", true, InstallHint},
		{"missing on CI", missing, "true", false, "CI=true, so a missing server is a failure"},
		{"installed but broken", broken, "", false, "initdb: exit status 1"},
		{"installed but broken on CI", broken, "true", false, "initdb: exit status 1"},
	} {
		t.Run(k.name, func(t *testing.T) {
			skip, msg := startFailure(k.err, k.ci)
			assert.Equal(t, k.wantSkip, skip)
			assert.Contains(t, msg, k.wantMsg)
		})
	}
}

func TestFindBinDir(t *testing.T) {
	t.Run("PGTEST_BINDIR without binaries", func(t *testing.T) {
		t.Setenv("PGTEST_BINDIR", t.TempDir())
		_, err := findBinDir()
		require.Error(t, err)
		assert.False(t, isMissing(err), "a wrong PGTEST_BINDIR is a configuration error, not a missing install")
	})
	t.Run("PGTEST_BINDIR with binaries", func(t *testing.T) {
		dir := fakeBinDir(t, t.TempDir())
		t.Setenv("PGTEST_BINDIR", dir)
		got, err := findBinDir()
		require.NoError(t, err)
		assert.Equal(t, dir, got)
	})
}

func TestNewestDir(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "15", "13"} {
		fakeBinDir(t, filepath.Join(root, v, "bin"))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "16", "bin"), 0o755)) // no binaries
	dirs, err := filepath.Glob(filepath.Join(root, "*", "bin"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "15", "bin"), newestDir(dirs))
	assert.Empty(t, newestDir(nil))
}

func TestParseVersion(t *testing.T) {
	for _, k := range []struct {
		in   string
		want []int
	}{
		{"15", []int{15}},
		{"9.6", []int{9, 6}},
		{"devel", []int{-1}},
	} {
		assert.Equal(t, k.want, parseVersion(k.in), k.in)
	}
}

// fakeBinDir creates dir with executable files named like the server
// binaries.
func fakeBinDir(t *testing.T, dir string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, n := range []string{"initdb", "pg_ctl", "postgres"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755))
	}
	return dir
}

// TestWatchdogStopsOrphanedServer runs a child test binary that starts a
// server and exits without stopping it, as a binary killed by -timeout
// would, and checks that the watchdog stops the server and removes its
// directory.
func TestWatchdogStopsOrphanedServer(t *testing.T) {
	if os.Getenv("PGTEST_ORPHAN_CHILD") == "1" {
		srv, err := get()
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
		fmt.Println("SERVER", srv.pid, srv.dir)
		os.Exit(0) // no stop: the watchdog must clean up
	}
	Start(t) // skips or fails like every user when there is no server
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchdogStopsOrphanedServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PGTEST_ORPHAN_CHILD=1")
	out, err := cmd.Output()
	require.NoError(t, err, "child: %s", out)
	var pid int
	var dir string
	_, err = fmt.Sscanf(strings.TrimSpace(string(out)), "SERVER %d %s", &pid, &dir)
	require.NoError(t, err, "child said %q", out)
	require.True(t, strings.Contains(dir, "pgtest-"), "child's directory %q", dir)
	require.Eventually(t, func() bool {
		_, statErr := os.Stat(dir)
		return !processAlive(pid) && os.IsNotExist(statErr)
	}, 20*time.Second, 100*time.Millisecond, "the orphaned server (pid %d, %s) was not stopped and removed", pid, dir)
}

// processAlive reports whether pid is a live process (not a zombie).
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// The state follows the command name in parentheses.
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}
