package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runIn runs the program in process with the given environment
// variables and stdin, and returns the exit code, stdout and stderr.
func runIn(t *testing.T, vars map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{in: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), args, e)
	return code, out.String(), errOut.String()
}

// fast is the environment of in-process runs: a cheap bcrypt cost through
// a configuration file.
func fast(t *testing.T) map[string]string {
	return map[string]string{"CASSAUTH_CONFIG": writeConfig(t, testConfig), "HOME": t.TempDir()}
}

func TestExecLocal(t *testing.T) {
	data := t.TempDir()
	vars := fast(t)
	code, out, errOut := runIn(t, vars, "", "exec", "--data", data, "-u", "cassandra", "-p", "cassandra",
		"CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true; CREATE ROLE reader", "LIST ROLES")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "has the well-known default password", "the first run creates the default superuser, with the warning")
	assert.Equal(t, `
 role      | super | login | options | datacenters
-----------+-------+-------+---------+-------------
     alice | False |  True |      {} |         ALL
 cassandra |  True |  True |      {} |         ALL
    reader | False | False |      {} |         ALL

(3 rows)
`, out)

	script := filepath.Join(t.TempDir(), "grants.cql")
	require.NoError(t, os.WriteFile(script, []byte("GRANT reader TO alice;\n-- a comment\nDROP ROLE ghost;\nCREATE ROLE never;\n"), 0o600))
	code, _, errOut = runIn(t, vars, "", "exec", "--data", data, "-u", "cassandra", "-p", "cassandra", "-f", script)
	assert.Equal(t, exitFailed, code)
	assert.Equal(t, script+`:3: InvalidRequest: Error from server: code=2200 [Invalid query] message="ghost doesn't exist"`+"\n", errOut)

	code, out, _ = runIn(t, vars, "LIST ROLES OF alice;\n", "exec", "--data", data, "-u", "alice", "-p", "pw", "--json")
	require.Equal(t, exitOK, code)
	assert.Equal(t, `{"kind":"Rows","table":"roles","columns":["role","super","login","options","datacenters"],"types":["text","boolean","boolean","map<text, text>","text"],"rows":[["alice",false,true,{},"ALL"],["reader",false,false,{},"ALL"]]}`+"\n", out)

	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad password", []string{"-u", "alice", "-p", "nope", "LIST ROLES"}, exitError, "Provided username alice and/or password are incorrect"},
		{"no user", []string{"LIST ROLES"}, exitError, "log in with -u ROLE"},
		{"no password, no terminal", []string{"-u", "alice", "LIST ROLES"}, exitError, "a password is required"},
		{"args and file", []string{"-u", "alice", "-p", "pw", "-f", script, "LIST ROLES"}, exitError, "not both"},
		{"unauthorized", []string{"-u", "alice", "-p", "pw", "CREATE ROLE x"}, exitFailed, "code=2100 [Unauthorized]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runIn(t, vars, "", append([]string{"exec", "--data", data}, tt.args...)...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errOut, tt.msg)
		})
	}
}

func TestCheckLocal(t *testing.T) {
	data := t.TempDir()
	vars := fast(t)
	code, _, errOut := runIn(t, vars, "", "exec", "--data", data, "-u", "cassandra", "-p", "cassandra",
		"CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
		"CREATE ROLE reader", "GRANT SELECT ON KEYSPACE shop TO reader", "CREATE ROLE alice", "GRANT reader TO alice")
	require.Equal(t, exitOK, code, errOut)
	tests := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"allowed", []string{"alice", "SELECT", "data/shop/orders"}, exitOK, "allowed\n", ""},
		{"denied", []string{"alice", "MODIFY", "data/shop/orders"}, exitFailed, "denied\n", ""},
		{"explained", []string{"--explain", "alice", "select", "data/shop/orders"}, exitOK,
			"allowed (granted)\n  roles      alice, reader\n  grant      alice -> reader: SELECT on <keyspace shop>\n" +
				"  consulted  <table shop.orders>: -\n             <all tables in shop>: -\n             <keyspace shop>: SELECT\n", ""},
		{"superuser", []string{"--explain", "cassandra", "DROP", "data/shop"}, exitOK,
			"allowed (superuser)\n  roles      cassandra\n  superuser  cassandra\n  consulted  <keyspace shop>: CREATE ALTER DROP SELECT MODIFY AUTHORIZE UNMASK SELECT_MASKED\n", ""},
		{"json", []string{"--json", "alice", "MODIFY", "data/shop"}, exitFailed, `{"allowed":false,"explanation":{"allowed":false,"reason":"not granted"`, ""},
		{"unknown role", []string{"ghost", "SELECT", "data"}, exitError, "", "<role ghost> doesn't exist"},
		{"unknown permission", []string{"alice", "SELEKT", "data"}, exitError, "", `unknown permission "SELEKT"`},
		{"bad resource", []string{"alice", "SELECT", "tables/x"}, exitError, "", "Name tables/x is not valid for any resource type"},
		{"missing argument", []string{"alice", "SELECT"}, exitError, "", "want ROLE PERMISSION RESOURCE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runIn(t, vars, "", append([]string{"check", "--data", data}, tt.args...)...)
			assert.Equal(t, tt.code, code, errOut)
			if strings.HasPrefix(tt.out, "{") {
				assert.True(t, strings.HasPrefix(out, tt.out), out)
			} else {
				assert.Equal(t, tt.out, out)
			}
			assert.Contains(t, errOut, tt.err)
		})
	}
}

func TestExportImportLocal(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	vars := fast(t)
	code, _, errOut := runIn(t, vars, "", "exec", "--data", src, "-u", "cassandra", "-p", "cassandra",
		"CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true", "GRANT SELECT ON ALL KEYSPACES TO alice")
	require.Equal(t, exitOK, code, errOut)

	file := filepath.Join(t.TempDir(), "dump.json")
	code, _, errOut = runIn(t, vars, "", "export", "--data", src, "-o", file)
	require.Equal(t, exitOK, code, errOut)
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	code, stdoutDump, _ := runIn(t, vars, "", "export", "--data", src)
	require.Equal(t, exitOK, code)
	written, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(written), stdoutDump)

	code, out, errOut := runIn(t, vars, "", "import", "--data", dst, "--progress", file)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "imported 5 rows: 2 roles, 0 memberships, 2 grants, 0 network, 1 CIDR permissions, 0 CIDR groups, 0 identities, 0 schema objects\n", out)
	assert.Contains(t, errOut, "importing  [##############################] 100%  5 rows / 5 rows")
	assert.Contains(t, errOut, "reading    [##############################] 100%")

	// The imported store answers as the original did.
	code, out, _ = runIn(t, vars, "", "check", "--data", dst, "alice", "SELECT", "data/ks/t")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "allowed\n", out)

	// Again without --merge: refused, nothing written.
	code, _, errOut = runIn(t, vars, "", "import", "--data", dst, file)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "store is not empty")
	code, _, errOut = runIn(t, vars, "", "import", "--data", dst, "--merge", file)
	assert.Equal(t, exitOK, code, errOut)

	// Bad input changes nothing and says where.
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(string(written), `"SELECT"`, `"SELEKT"`, 1)), 0o600))
	empty := t.TempDir()
	code, _, errOut = runIn(t, vars, "", "import", "--data", empty, bad)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, bad+":")
	assert.Contains(t, errOut, `unknown permission "SELEKT"`)
	code, out, _ = runIn(t, vars, "", "export", "--data", empty)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, `"roles": []`)
}

func TestImportCassandraDirLocal(t *testing.T) {
	data := t.TempDir()
	vars := fast(t)
	dir, err := filepath.Abs("../../store/dump/testdata/cassandra")
	require.NoError(t, err)
	code, out, errOut := runIn(t, vars, "", "import", "--data", data, dir)
	require.Equal(t, exitOK, code, errOut)
	assert.True(t, strings.HasPrefix(out, "imported "), out)
	code, _, errOut = runIn(t, vars, "", "import", "--data", data, "--format", "dump", dir)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "format dump wants a file")
}

func TestFlagsEnvAndConfig(t *testing.T) {
	flagDir, envDir, fileDir := t.TempDir(), t.TempDir(), t.TempDir()
	cfg := writeConfig(t, testConfig+"cassauth:\n  data: "+fileDir+"\n")
	create := func(vars map[string]string, args ...string) {
		t.Helper()
		code, _, errOut := runIn(t, vars, "", append([]string{"exec", "-u", "cassandra", "-p", "cassandra"}, append(args, "CREATE ROLE here")...)...)
		require.Equal(t, exitOK, code, errOut)
	}
	has := func(dir string) bool {
		code, _, _ := runIn(t, fast(t), "", "check", "--data", dir, "here", "SELECT", "data")
		return code != exitError
	}
	create(map[string]string{"CASSAUTH_CONFIG": cfg})
	assert.True(t, has(fileDir), "the file's cassauth: section sets --data")
	create(map[string]string{"CASSAUTH_CONFIG": cfg, "CASSAUTH_DATA": envDir})
	assert.True(t, has(envDir), "the environment wins over the file")
	create(map[string]string{"CASSAUTH_CONFIG": cfg, "CASSAUTH_DATA": envDir}, "--data", flagDir)
	assert.True(t, has(flagDir), "the flag wins over the environment")

	bad := writeConfig(t, "cassauth:\n  listen: 127.0.0.1:1\n")
	code, _, errOut := runIn(t, nil, "", "exec", "--config", bad, "LIST ROLES")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "unknown key(s) in the cassauth: section of the configuration file: listen")

	code, _, errOut = runIn(t, map[string]string{"CASSAUTH_TOKEN_TTL": "soon"}, "", "serve")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, `invalid value "soon" for $CASSAUTH_TOKEN_TTL`)

	badYAML := writeConfig(t, "authenticator: [unclosed\n")
	code, _, errOut = runIn(t, nil, "", "check", "--config", badYAML, "a", "SELECT", "data")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, badYAML)

	badAuth := writeConfig(t, "authenticator: NoSuchAuthenticator\n")
	code, _, errOut = runIn(t, nil, "", "serve", "--config", badAuth, "--data", t.TempDir())
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "Unable to find class NoSuchAuthenticator")
}

func TestHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			code, out, _ := runIn(t, nil, "", c.name, "--help")
			assert.Equal(t, exitOK, code)
			assert.True(t, strings.HasPrefix(out, "Usage: cassauth "+c.name), out)
			assert.Contains(t, out, "[$CASSAUTH_")
		})
	}
	code, out, _ := runIn(t, nil, "", "help")
	assert.Equal(t, exitOK, code)
	for _, c := range commands() {
		assert.Contains(t, out, "  "+c.name+" ")
	}
	code, _, errOut := runIn(t, nil, "", "frobnicate")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, `unknown command "frobnicate"`)
	code, _, _ = runIn(t, nil, "")
	assert.Equal(t, exitError, code)
}

func TestReadOnlyCommandsNeedAStore(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo")
	for _, args := range [][]string{
		{"check", "--data", missing, "a", "SELECT", "data"},
		{"export", "--data", missing},
	} {
		code, _, errOut := runIn(t, fast(t), "", args...)
		assert.Equal(t, exitError, code)
		assert.Contains(t, errOut, "no store at "+filepath.Join(missing, "cassauth.db"))
		_, err := os.Stat(missing)
		assert.True(t, os.IsNotExist(err), "nothing was created")
	}
}
