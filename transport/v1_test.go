package transport

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProtocolV1Credentials follows the Python driver's protocol-v1
// example: Cluster(auth_provider=lambda host: {'username': ..., 'password':
// ...}, protocol_version=1) sends CREDENTIALS after AUTHENTICATE, in v1
// framing, then queries the system tables.
func TestProtocolV1Credentials(t *testing.T) {
	_, addr := startServer(t, Config{EnableProtocolV1: true})
	cl := dialClient(t, addr, V1)
	sup := cl.call(0, &Options{}).(*Supported)
	assert.Equal(t, []string{"1/v1", "4/v4", "5/v5"}, sup.Options["PROTOCOL_VERSIONS"])
	a, ok := cl.startup().(*Authenticate)
	require.True(t, ok)
	assert.Equal(t, "org.apache.cassandra.auth.PasswordAuthenticator", a.Authenticator)
	requireError(t, cl.call(2, &Credentials{Credentials: map[string]string{"username": "cassandra", "password": "nope"}}),
		CodeBadCredentials, "Provided username cassandra and/or password are incorrect")
	requireError(t, cl.query(3, "LIST ROLES"), CodeProtocolError, "Unexpected message QUERY, expecting CREDENTIALS")
	assert.Equal(t, &Ready{}, cl.call(4, &Credentials{Credentials: map[string]string{"username": "cassandra", "password": "cassandra"}}))
	assert.Equal(t, &Ready{}, cl.call(5, &Register{EventTypes: []string{EventTopologyChange, EventStatusChange, EventSchemaChange}}))

	r, ok := cl.query(6, "SELECT * FROM system.local WHERE key='local'").(*RowsResult)
	require.True(t, ok)
	require.Len(t, r.Rows, 1)
	for i, c := range r.Metadata.Columns {
		if c.Name == "tokens" {
			// v1/v2 collections: [short] count, [short bytes] elements.
			assert.Equal(t, []byte{0, 1, 0, 1, '0'}, r.Rows[0][i])
		}
	}
	rows, ok := cl.query(7, "LIST ROLES").(*RowsResult)
	require.True(t, ok)
	assert.Len(t, rows.Rows, 1)
	// PREPARE does not exist in this codec's v1: a protocol error, and the
	// connection goes on.
	b, err := Header{Version: V1, Stream: 8, Opcode: OpPrepare}.AppendBinary(nil)
	require.NoError(t, err)
	cl.sendRaw(b)
	requireError(t, cl.recv().Message, CodeProtocolError, "Opcode 9 (PREPARE) is not supported in protocol version 1/v1")
	_, ok = cl.query(9, "SELECT key FROM system.local").(*RowsResult)
	assert.True(t, ok)
}

func TestProtocolV1Disabled(t *testing.T) {
	_, addr := startServer(t, Config{})
	cl := dialClient(t, addr, V1)
	cl.send(0, &Options{})
	env := cl.recv()
	assert.Equal(t, V1, env.Version)
	requireError(t, env.Message, CodeProtocolError, "Invalid or unsupported protocol version (1); supported versions are (4/v4, 5/v5)")
	cl.requireClosed()
}

func TestLegacyCell(t *testing.T) {
	set := SetOf(Type{ID: TypeVarchar})
	v3, err := Marshal(set, []string{"a", "bc"})
	require.NoError(t, err)
	got, err := legacyCell(nil, set, v3, 0)
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 2, 0, 1, 'a', 0, 2, 'b', 'c'}, got)
	m := MapOf(Type{ID: TypeVarchar}, ListOf(Type{ID: TypeInt}))
	v3, err = Marshal(m, map[string][]int32{"k": {7}})
	require.NoError(t, err)
	got, err = legacyCell(nil, m, v3, 0)
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 1, 0, 1, 'k', 0, 8, 0, 1, 0, 4, 0, 0, 0, 7}, got)
	for _, bad := range [][]byte{{0, 0}, {0, 0, 0, 1}, {0, 0, 0, 1, 0, 0, 0, 9, 'x'}, {0xff, 0xff, 0xff, 0xff}} {
		_, err := legacyCell(nil, set, bad, 0)
		assert.Error(t, err, "%x", bad)
	}
	text, err := legacyCell(nil, Type{ID: TypeVarchar}, []byte("x"), 0)
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), text)
}
