package interop

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badCredentialsMessage is what the Python driver reports for a wrong
// password: Cassandra's text inside the driver's AuthenticationFailed.
const badCredentialsMessage = `Error from server: code=0100 [Bad credentials] ` +
	`message="Provided username cassandra and/or password are incorrect"`

// assertBadCredentials checks that a connect failed with the driver's
// AuthenticationFailed carrying Cassandra's message.
func assertBadCredentials(t *testing.T, res pyResult) {
	t.Helper()
	require.False(t, res.OK, "connected with a bad credential")
	he := res.Error.hostError(t)
	assert.Equal(t, "AuthenticationFailed", he.Class)
	assert.Equal(t, "cassandra", he.Module)
	assert.Contains(t, he.Message, badCredentialsMessage)
}

// TestPythonAuthentication runs the authentication setups of the Python
// driver's security documentation against PasswordAuthenticator, each
// with the right and a wrong password, at protocol v4 and with the
// driver's default negotiation (which settles on v5 after the DSE probes).
func TestPythonAuthentication(t *testing.T) {
	requirePython(t)
	srv := startServer(t, serverConfig{v1: true})
	listRoles := []pyStmt{{CQL: "LIST ROLES"}}
	tests := []struct {
		name     string
		protocol *int
		auth     pyAuth
		wantOK   bool
		wantV    int
	}{
		{"plain text v4", intPtr(4), pyAuth{Kind: "plain", Username: "cassandra", Password: "cassandra"}, true, 4},
		{"plain text v4 bad password", intPtr(4), pyAuth{Kind: "plain", Username: "cassandra", Password: "wrong"}, false, 0},
		{"plain text negotiated", nil, pyAuth{Kind: "plain", Username: "cassandra", Password: "cassandra"}, true, 5},
		{"plain text negotiated bad password", nil, pyAuth{Kind: "plain", Username: "cassandra", Password: "wrong"}, false, 0},
		{"sasl", nil, pyAuth{Kind: "sasl", Username: "cassandra", Password: "cassandra"}, true, 5},
		{"sasl bad password", nil, pyAuth{Kind: "sasl", Username: "cassandra", Password: "wrong"}, false, 0},
		{"sasl v4 with authorization id", intPtr(4), pyAuth{Kind: "sasl", Username: "cassandra", Password: "cassandra",
			AuthzID: strPtr("someone-else")}, true, 4},
		{"sasl with authorization id bad password", nil, pyAuth{Kind: "sasl", Username: "cassandra", Password: "wrong",
			AuthzID: strPtr("cassandra")}, false, 0},
		{"protocol v1 credentials", intPtr(1), pyAuth{Kind: "v1", Username: "cassandra", Password: "cassandra"}, true, 1},
		{"protocol v1 credentials bad password", intPtr(1), pyAuth{Kind: "v1", Username: "cassandra", Password: "wrong"}, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runPython(t, pySpec{Port: srv.port, Protocol: tc.protocol, Auth: tc.auth, Statements: listRoles})
			if !tc.wantOK {
				assertBadCredentials(t, res)
				return
			}
			require.True(t, res.OK, "connect failed: %+v", res.Error)
			assert.Equal(t, tc.wantV, res.ProtocolVersion)
			rows := res.rowsOf(t, 0)
			require.NotEmpty(t, rows)
			assert.Equal(t, map[string]any{"role": "cassandra", "super": true, "login": true,
				"options": map[string]any{}, "datacenters": "ALL"}, rows[0])
		})
	}
}

// TestPythonNoAuthProvider: a server that requires authentication and a
// client without an auth provider.
func TestPythonNoAuthProvider(t *testing.T) {
	requirePython(t)
	srv := startServer(t, serverConfig{})
	res := runPython(t, pySpec{Port: srv.port, Protocol: intPtr(4)})
	require.False(t, res.OK)
	he := res.Error.hostError(t)
	assert.Equal(t, "AuthenticationFailed", he.Class)
	assert.Contains(t, he.Message, "Remote end requires authentication")
}

// TestPythonDCL creates roles and grants as the superuser, lists them,
// then logs in as the new role and gets Cassandra's Unauthorized errors as
// the driver's cassandra.Unauthorized exception.
func TestPythonDCL(t *testing.T) {
	requirePython(t)
	srv := startServer(t, serverConfig{})
	admin := pyAuth{Kind: "plain", Username: "cassandra", Password: "cassandra"}
	res := mustConnect(t, pySpec{Port: srv.port, Protocol: intPtr(4), Auth: admin, Statements: []pyStmt{
		{CQL: "CREATE ROLE py_alice WITH PASSWORD = 'alice-pw' AND LOGIN = true"},
		{CQL: "CREATE ROLE py_readers"},
		{CQL: "GRANT SELECT ON ALL KEYSPACES TO py_readers"},
		{CQL: "GRANT py_readers TO py_alice"},
		{CQL: "LIST ROLES"},
		{CQL: "LIST ALL PERMISSIONS OF py_alice"},
		{CQL: "SELECT role, is_superuser, can_login, member_of FROM system_auth.roles WHERE role = ?",
			Prepare: true, Params: []any{"py_alice"}},
		{CQL: "CREATE ROLE py_alice"},
	}})
	for i := 0; i < 4; i++ {
		assert.Empty(t, res.rowsOf(t, i), "statement %d returns no rows", i)
	}
	roles := res.rowsOf(t, 4)
	assert.Equal(t, []any{"cassandra", "py_alice", "py_readers"}, column(roles, "role"))
	assert.Equal(t, []any{true, false, false}, column(roles, "super"))
	assert.Equal(t, []any{true, true, false}, column(roles, "login"))
	assert.Equal(t, []map[string]any{{"role": "py_readers", "username": "py_readers",
		"resource": "<all keyspaces>", "permission": "SELECT"}}, res.rowsOf(t, 5))
	assert.Equal(t, []map[string]any{{"role": "py_alice", "is_superuser": false, "can_login": true,
		"member_of": []any{"py_readers"}}}, res.rowsOf(t, 6))
	invalid := res.Results[7].Error
	require.NotNil(t, invalid, "creating an existing role must fail")
	assert.Equal(t, "InvalidRequest", invalid.Class)
	assert.Equal(t, `Error from server: code=2200 [Invalid query] message="py_alice already exists"`, invalid.Message)

	// As py_alice (negotiated protocol): she sees her own roles only and
	// may not create roles or grant.
	res = mustConnect(t, pySpec{Port: srv.port, Auth: pyAuth{Kind: "plain", Username: "py_alice", Password: "alice-pw"},
		Statements: []pyStmt{
			{CQL: "LIST ROLES"},
			{CQL: "CREATE ROLE py_eve"},
			{CQL: "GRANT SELECT ON ALL KEYSPACES TO py_alice"},
			{CQL: "LIST ALL PERMISSIONS OF cassandra"},
		}})
	assert.Equal(t, []any{"py_alice", "py_readers"}, column(res.rowsOf(t, 0), "role"))
	for i, want := range map[int]string{
		1: "User py_alice does not have sufficient privileges to perform the requested operation",
		2: "User py_alice has no AUTHORIZE permission on <all keyspaces> or any of its parents",
		3: "You are not authorized to view cassandra's permissions",
	} {
		e := res.Results[i].Error
		require.NotNil(t, e, "statement %d must fail", i)
		assert.Equal(t, "Unauthorized", e.Class)
		assert.Equal(t, "cassandra", e.Module)
		assert.Equal(t, `Error from server: code=2100 [Unauthorized] message="`+want+`"`, e.Message)
	}
}
