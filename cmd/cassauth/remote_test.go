package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCLIAgainstServer runs exec, check, export, import and shell through
// a running server's API.
func TestCLIAgainstServer(t *testing.T) {
	s := startServer(t, "--data", t.TempDir())
	as := func(user, pass string, args ...string) []string {
		return append([]string{args[0], "--server", s.url, "-u", user, "-p", pass}, args[1:]...)
	}
	code, out, errOut := cli(t, "", as("cassandra", "cassandra", "exec",
		"CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
		"CREATE ROLE alice WITH PASSWORD = 'alice-pw' AND LOGIN = true; GRANT SELECT ON KEYSPACE shop TO alice",
		"LIST ALL PERMISSIONS OF alice")...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, " alice |    alice | <keyspace shop> |     SELECT\n")

	code, _, errOut = cli(t, "", as("alice", "alice-pw", "exec", "CREATE ROLE mallory")...)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, errOut, `argument 1:1: Unauthorized: Error from server: code=2100 [Unauthorized]`)

	// check: the caller's own role, another role (needs DESCRIBE), a token.
	code, out, _ = cli(t, "", as("alice", "alice-pw", "check", "alice", "SELECT", "data/shop/orders")...)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "allowed\n", out)
	code, out, _ = cli(t, "", as("alice", "alice-pw", "check", "--explain", "alice", "MODIFY", "data/shop/orders")...)
	assert.Equal(t, exitFailed, code)
	assert.True(t, strings.HasPrefix(out, "denied (not granted)\n  message    User alice has no MODIFY permission on <table shop.orders> or any of its parents\n"), out)
	code, _, errOut = cli(t, "", as("alice", "alice-pw", "check", "cassandra", "SELECT", "data")...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "User alice has no DESCRIBE permission on <role cassandra> or any of its parents")
	tok := strings.TrimPrefix(s.login("cassandra", "cassandra"), "Bearer ")
	code, out, errOut = cliEnv(t, []string{"CASSAUTH_TOKEN=" + tok}, "", "check", "--server", s.url, "alice", "SELECT", "data/shop")
	assert.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "allowed\n", out)
	code, _, errOut = cli(t, "", "check", "--server", s.url, "alice", "SELECT", "data/shop")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "log in with -u ROLE")

	// export, then import into another server (merging with its default
	// superuser), with a progress bar.
	dump := filepath.Join(t.TempDir(), "dump.json")
	code, _, errOut = cli(t, "", as("cassandra", "cassandra", "export", "-o", dump, "--progress")...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "exporting")
	code, _, errOut = cli(t, "", as("alice", "alice-pw", "export")...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "Only superusers may export the store")

	s2 := startServer(t, "--data", t.TempDir())
	as2 := func(args ...string) []string {
		return append([]string{args[0], "--server", s2.url, "-u", "cassandra", "-p", "cassandra"}, args[1:]...)
	}
	code, _, errOut = cli(t, "", as2("import", dump)...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "import with merge=true")
	code, out, errOut = cli(t, "", as2("import", "--merge", "--progress", dump)...)
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "imported "), out)
	assert.Contains(t, errOut, "uploading  [##############################] 100%")
	code, out, _ = cli(t, "", append([]string{"check", "--server", s2.url, "-u", "alice", "-p", "alice-pw"}, "alice", "SELECT", "data/shop/t")...)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "allowed\n", out)

	csv, err := filepath.Abs("../../store/dump/testdata/cassandra")
	require.NoError(t, err)
	code, out, errOut = cli(t, "", as2("import", "--merge", csv)...)
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "imported "), out)
}

// TestShellThroughPipes drives the shell binary through its standard input
// and output, on a data directory and through a server.
func TestShellThroughPipes(t *testing.T) {
	input := "CREATE ROLE alice\n  WITH PASSWORD = 'pw' AND LOGIN = true;\nLIST ROLES;\nDROP ROLE ghost;\nexit\nLIST ROLES;\n"
	table := `
 role      | super | login | options | datacenters
-----------+-------+-------+---------+-------------
     alice | False |  True |      {} |         ALL
 cassandra |  True |  True |      {} |         ALL

(2 rows)
`
	t.Run("data directory", func(t *testing.T) {
		cfg := writeConfig(t, testConfig)
		code, out, errOut := cli(t, input, "shell", "--config", cfg, "--data", t.TempDir(), "-u", "cassandra", "-p", "cassandra")
		assert.Equal(t, exitFailed, code, "a failed statement makes a non-interactive shell fail")
		assert.Equal(t, table, out, "no prompts without a terminal")
		assert.Contains(t, errOut, `InvalidRequest: Error from server: code=2200 [Invalid query] message="ghost doesn't exist"`)
	})
	t.Run("server with prompts", func(t *testing.T) {
		s := startServer(t, "--data", t.TempDir())
		home := t.TempDir()
		code, out, errOut := cliEnv(t, []string{"HOME=" + home}, input, "shell", "--server", s.url, "-u", "cassandra", "-p", "cassandra", "--tty")
		assert.Equal(t, exitFailed, code, errOut)
		assert.Equal(t, "Connected to cassauth at "+s.url+".\nUse HELP for help.\ncassandra@cassauth>    ... cassandra@cassauth> "+table+
			"cassandra@cassauth> cassandra@cassauth> ", out)
		hist, err := os.ReadFile(filepath.Join(home, ".cassauth_history"))
		require.NoError(t, err)
		assert.Equal(t, "CREATE ROLE alice\n  WITH PASSWORD = '*******' AND LOGIN = true;\nLIST ROLES;\nDROP ROLE ghost;\nexit\n", string(hist))
	})
}
