package transport

import (
	"context"
	"crypto/md5"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/roles"
)

func TestDCLRoundTrip(t *testing.T) {
	_, addr := startServer(t, Config{})
	admin := dialClient(t, addr, V5)
	admin.mustLogin("cassandra", "cassandra")
	for i, stmt := range []string{
		"CREATE ROLE bob WITH PASSWORD = 'pw' AND LOGIN = true",
		"CREATE ROLE readers",
		"GRANT readers TO bob",
		"GRANT SELECT ON KEYSPACE shop TO readers",
	} {
		assert.Equal(t, &VoidResult{}, admin.query(int16(10+i), stmt), stmt)
	}
	// A repeated grant carries Cassandra's client warning.
	admin.send(20, &Query{Query: "GRANT SELECT ON KEYSPACE shop TO readers", Params: QueryParams{Consistency: One}})
	env := admin.recv()
	assert.Equal(t, &VoidResult{}, env.Message)
	assert.NotEmpty(t, env.Warnings)

	rows := admin.rows(21, "LIST ROLES")
	var names []string
	for _, r := range rows {
		names = append(names, r["role"].(string))
	}
	assert.Equal(t, []string{"bob", "cassandra", "readers"}, names)
	perms := admin.rows(22, "LIST ALL PERMISSIONS OF bob")
	require.Len(t, perms, 1)
	assert.Equal(t, map[string]any{"role": "readers", "username": "readers", "resource": "<keyspace shop>", "permission": "SELECT"}, perms[0])
	requireError(t, admin.query(23, "CREATE ROLE bob"), CodeInvalid, "bob already exists")
	requireError(t, admin.query(24, "CREATE ROLE"), CodeSyntaxError, "")
	requireError(t, admin.query(25, "INSERT INTO shop.orders (id) VALUES (1)"), CodeInvalid, "")

	bob := dialClient(t, addr, V4)
	bob.mustLogin("bob", "pw")
	requireError(t, bob.query(3, "CREATE ROLE eve"), CodeUnauthorized, "User bob does not have sufficient privileges to perform the requested operation")
	requireError(t, bob.query(4, "SELECT * FROM system_auth.roles"), CodeUnauthorized,
		"User bob has no SELECT permission on <table system_auth.roles> or any of its parents")
	// The grant made on another connection is visible at once.
	assert.Equal(t, &VoidResult{}, admin.query(26, "GRANT SELECT ON system_auth.roles TO bob"))
	_, ok := bob.query(5, "SELECT role FROM system_auth.roles").(*RowsResult)
	assert.True(t, ok)
}

func TestSystemTables(t *testing.T) {
	node := NodeInfo{ClusterName: "cassauth test", HostID: UUID{1, 2, 3}}
	srv, addr := startServer(t, Config{Node: node})
	_ = srv
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	rows := cl.rows(3, "SELECT * FROM system.local WHERE key='local'")
	require.Len(t, rows, 1)
	local := rows[0]
	ap := netip.MustParseAddrPort(addr)
	assert.Equal(t, "local", local["key"])
	assert.Equal(t, "cassauth test", local["cluster_name"])
	assert.Equal(t, DefaultDataCenter, local["data_center"])
	assert.Equal(t, DefaultRack, local["rack"])
	assert.Equal(t, UUID{1, 2, 3}, local["host_id"])
	assert.Equal(t, ap.Addr(), local["rpc_address"])
	assert.Equal(t, ap.Addr(), local["broadcast_address"])
	assert.Equal(t, int32(ap.Port()), local["rpc_port"])
	assert.Equal(t, int32(ap.Port()), local["native_port"])
	assert.Equal(t, DefaultReleaseVersion, local["release_version"])
	assert.Equal(t, "5", local["native_protocol_version"])
	assert.Equal(t, []any{"0"}, local["tokens"])
	assert.Equal(t, murmur3Partitioner, local["partitioner"])
	assert.Nil(t, local["truncated_at"])

	// Every query text of shared/spec/cql-drivers.md section 1.
	queries := map[string]int{
		"SELECT * FROM system.peers_v2": 0,
		"SELECT * FROM system.peers":    0,
		"SELECT host_id, peer, peer_port, data_center, rack, native_address, native_port, release_version, schema_version FROM system.peers_v2": 0,
		"SELECT host_id, cluster_name, data_center, rack, partitioner, release_version, schema_version FROM system.local WHERE key='local'":     1,
		"SELECT rpc_address FROM system.local WHERE key='local'":                                                                                1,
		"SELECT schema_version FROM system.local WHERE key='local'":                                                                             1,
		"SELECT * FROM system.local WHERE key = 'other'":                                                                                        0,
		"SELECT * FROM system.local LIMIT 1;":                                                                                                   1,
		"select key as k from SYSTEM.local where KEY = 'local' allow filtering":                                                                 1,
		"/* c */ SELECT \"key\" FROM system.\"local\" -- trailing":                                                                              1,
		"SELECT * FROM system_schema.tables WHERE keyspace_name = 'ks' AND table_name = 't'":                                                    0,
		"SELECT * FROM system.local WHERE cluster_name = 'cassauth test' ALLOW FILTERING":                                                       1,
		"SELECT * FROM system.local WHERE gossip_generation = 0 ALLOW FILTERING":                                                                0,
	}
	for _, tb := range []string{"keyspaces", "tables", "columns", "types", "functions", "aggregates", "triggers", "indexes", "views"} {
		queries["SELECT * FROM system_schema."+tb] = 0
	}
	for _, tb := range []string{"keyspaces", "tables", "columns"} {
		queries["SELECT * from system_virtual_schema."+tb] = 0
	}
	stream := int16(10)
	for q, n := range queries {
		t.Run(q, func(t *testing.T) {
			stream++
			assert.Len(t, cl.rows(stream, q), n)
		})
	}
	proj := cl.query(50, "SELECT key as k, rpc_address FROM system.local").(*RowsResult)
	assert.Equal(t, []string{"k", "rpc_address"}, []string{proj.Metadata.Columns[0].Name, proj.Metadata.Columns[1].Name})
	assert.Equal(t, Type{ID: TypeInet}, proj.Metadata.Columns[1].Type)

	errs := []struct {
		q    string
		code ErrorCode
		msg  string
	}{
		{"SELECT * FROM system.nope", CodeInvalid, "unconfigured table nope"},
		{"SELECT * FROM nope.t", CodeInvalid, "keyspace nope does not exist"},
		{"SELECT * FROM local", CodeInvalid, "No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename"},
		{"SELECT nope FROM system.local", CodeInvalid, "Undefined column name nope"},
		{"SELECT * FROM system.local WHERE nope = 1", CodeInvalid, "Undefined column name nope"},
		{"SELECT * FROM system.local WHERE rack = 'r'", CodeInvalid, "Cannot execute this query as it might involve data filtering and thus may have an unpredictable performance. If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING"},
		{"SELECT * FROM system.local WHERE key = 1", CodeInvalid, `Invalid INTEGER constant (1) for "key" of type text`},
		{"SELECT * FROM system.local WHERE key = 'a' AND key = 'b'", CodeInvalid, "key cannot be restricted by more than one relation if it includes an Equal"},
		{"SELECT * FROM system.local LIMIT 0", CodeInvalid, "LIMIT must be strictly positive"},
		{"SELECT count(*) FROM system.local", CodeInvalid, "function count() is not supported on this table"},
		{"SELECT * FROM system.local WHERE key IN ('local')", CodeInvalid, "a restriction other than = is not supported on this table"},
		{"SELECT FROM system.local", CodeSyntaxError, "line 1:7 no viable alternative at input 'FROM'"},
		{"SELECT * FROM system.local WHERE key = 'local' garbage", CodeSyntaxError, "line 1:47 extraneous input 'garbage' expecting EOF"},
		{"SELECT * FROM system.local WHERE key = 'unterminated", CodeSyntaxError, "line 1:39 unterminated string"},
		{"", CodeSyntaxError, "line 0:-1 no viable alternative at input '<EOF>'"},
	}
	for _, e := range errs {
		t.Run(e.q, func(t *testing.T) {
			stream++
			requireError(t, cl.query(stream, e.q), e.code, e.msg)
		})
	}
}

func TestUseKeyspace(t *testing.T) {
	_, addr := startServer(t, Config{})
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	assert.Equal(t, &SetKeyspaceResult{Keyspace: "system"}, cl.query(3, `USE "system"`))
	assert.Len(t, cl.rows(4, "SELECT key FROM local"), 1)
	// v5 requests may name their keyspace.
	v5 := dialClient(t, addr, V5)
	v5.mustLogin("cassandra", "cassandra")
	resp := v5.call(3, &Query{Query: "SELECT role FROM roles", Params: QueryParams{Consistency: One, Flags: QueryKeyspace, Keyspace: "system_auth"}})
	r, ok := resp.(*RowsResult)
	require.True(t, ok, "%v", resp)
	assert.Len(t, r.Rows, 1)
}

func TestAuthTables(t *testing.T) {
	_, addr := startServer(t, Config{})
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	for i, s := range []string{"CREATE ROLE a", "CREATE ROLE b WITH LOGIN = true", "GRANT a TO b", "GRANT SELECT ON KEYSPACE ks TO a", "GRANT MODIFY ON KEYSPACE ks TO a", "GRANT DESCRIBE ON ALL ROLES TO b"} {
		require.Equal(t, &VoidResult{}, cl.query(int16(3+i), s), s)
	}
	roles := cl.rows(20, "SELECT * FROM system_auth.roles")
	assert.Equal(t, []map[string]any{
		{"role": "a", "can_login": false, "is_superuser": false, "member_of": nil, "salted_hash": nil},
		{"role": "b", "can_login": true, "is_superuser": false, "member_of": []any{"a"}, "salted_hash": nil},
		{"role": "cassandra", "can_login": true, "is_superuser": true, "member_of": nil, "salted_hash": nil},
	}, roles)
	assert.Equal(t, []map[string]any{{"role": "b", "member_of": []any{"a"}}},
		cl.rows(21, "SELECT role, member_of FROM system_auth.roles WHERE role = 'b'"))
	assert.Empty(t, cl.rows(22, "SELECT * FROM system_auth.roles WHERE role = 'nobody'"))
	assert.Equal(t, []map[string]any{{"role": "a", "member": "b"}}, cl.rows(23, "SELECT * FROM system_auth.role_members"))
	assert.Equal(t, []map[string]any{
		{"role": "a", "resource": "data/ks", "permissions": []any{"MODIFY", "SELECT"}},
		{"role": "b", "resource": "roles", "permissions": []any{"DESCRIBE"}},
		// The creator's automatic grants (spec 10.4).
		{"role": "cassandra", "resource": "roles/a", "permissions": []any{"ALTER", "AUTHORIZE", "DESCRIBE", "DROP"}},
		{"role": "cassandra", "resource": "roles/b", "permissions": []any{"ALTER", "AUTHORIZE", "DESCRIBE", "DROP"}},
	}, cl.rows(24, "SELECT * FROM system_auth.role_permissions"))
	assert.Len(t, cl.rows(25, "SELECT * FROM system_auth.role_permissions WHERE role = 'b'"), 1)
}

func TestPrepareExecute(t *testing.T) {
	_, addr := startServer(t, Config{})
	for _, v := range []Version{V4, V5} {
		t.Run(v.String(), func(t *testing.T) {
			cl := dialClient(t, addr, v)
			cl.mustLogin("cassandra", "cassandra")
			const q = "SELECT key, rpc_address FROM system.local WHERE key = ?"
			resp := cl.call(3, &Prepare{Query: q})
			p, ok := resp.(*PreparedResult)
			require.True(t, ok, "%v", resp)
			sum := md5.Sum([]byte(q))
			assert.Equal(t, sum[:], p.ID)
			require.Len(t, p.Bind.Columns, 1)
			assert.Equal(t, ColumnSpec{Keyspace: "system", Table: "local", Name: "key", Type: Type{ID: TypeVarchar}}, p.Bind.Columns[0])
			assert.Equal(t, []uint16{0}, p.Bind.PKIndexes)
			require.Len(t, p.Result.Columns, 2)
			if v >= V5 {
				assert.Len(t, p.ResultMetadataID, 16)
			} else {
				assert.Nil(t, p.ResultMetadataID)
			}
			exec := &Execute{ID: p.ID, ResultMetadataID: p.ResultMetadataID, Params: QueryParams{Consistency: One,
				Flags: QueryValues | QuerySkipMetadata, Values: []Value{{Bytes: []byte("local")}}}}
			r, ok := cl.call(4, exec).(*RowsResult)
			require.True(t, ok)
			assert.True(t, r.Metadata.NoMetadata, "Skip_metadata is honoured")
			assert.Equal(t, 2, r.Metadata.ColumnCount)
			require.Len(t, r.Rows, 1)
			assert.Equal(t, []byte("local"), r.Rows[0][0])
			exec.Params.Values = []Value{{Bytes: []byte("other")}}
			r = cl.call(5, exec).(*RowsResult)
			assert.Empty(t, r.Rows)
			// Another connection executes the same id; a wrong number of values fails.
			other := dialClient(t, addr, v)
			other.mustLogin("cassandra", "cassandra")
			exec.Params.Values = nil
			exec.Params.Flags = 0
			requireError(t, other.call(3, exec), CodeInvalid, "There were 1 markers(?) in CQL but 0 bound variables")
			exec.Params.Flags = QueryValues
			exec.Params.Values = []Value{{}}
			requireError(t, other.call(4, exec), CodeInvalid, "Invalid null value in condition for column key")
			// Unknown ids are Unprepared, with the id.
			exec.ID = []byte{0xde, 0xad}
			resp = other.call(5, exec)
			requireError(t, resp, CodeUnprepared, "")
			assert.Equal(t, []byte{0xde, 0xad}, resp.(*ErrorResponse).UnpreparedID)
			// gocql prepares this one (checkSystemSchema) and ignores the result.
			_, ok = other.call(6, &Prepare{Query: "SELECT * FROM system_schema.keyspaces"}).(*PreparedResult)
			assert.True(t, ok)
			// Prepared DCL.
			pd, ok := other.call(7, &Prepare{Query: "LIST ROLES"}).(*PreparedResult)
			require.True(t, ok)
			rows, ok := other.call(8, &Execute{ID: pd.ID, ResultMetadataID: pd.ResultMetadataID, Params: QueryParams{Consistency: One}}).(*RowsResult)
			require.True(t, ok)
			assert.Len(t, rows.Rows, 1)
			requireError(t, other.call(9, &Prepare{Query: "SELECT * FROM system.nope"}), CodeInvalid, "unconfigured table nope")
		})
	}
	t.Run("named values and LIMIT marker", func(t *testing.T) {
		cl := dialClient(t, addr, V4)
		cl.mustLogin("cassandra", "cassandra")
		p := cl.call(3, &Prepare{Query: "SELECT key FROM system.local WHERE key = :k LIMIT ?"}).(*PreparedResult)
		require.Len(t, p.Bind.Columns, 2)
		assert.Equal(t, "k", p.Bind.Columns[0].Name)
		assert.Equal(t, "[limit]", p.Bind.Columns[1].Name)
		one, _ := Marshal(Type{ID: TypeInt}, 1)
		r := cl.call(4, &Execute{ID: p.ID, Params: QueryParams{Consistency: One, Flags: QueryValues | QueryNamesForValues,
			Names: []string{"[limit]", "k"}, Values: []Value{{Bytes: one}, {Bytes: []byte("local")}}}}).(*RowsResult)
		assert.Len(t, r.Rows, 1)
		// QUERY with bound values, as the protocol allows.
		r = cl.call(5, &Query{Query: "SELECT key FROM system.local WHERE key = ?", Params: QueryParams{Consistency: One,
			Flags: QueryValues, Values: []Value{{Bytes: []byte("local")}}}}).(*RowsResult)
		assert.Len(t, r.Rows, 1)
	})
}

func TestPreparedCacheBound(t *testing.T) {
	a := newTestAuth(t, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a, MaxPrepared: 3})
	require.NoError(t, err)
	sess := &Session{Version: V4}
	sess.setUser(roles.NewUser("cassandra"))
	for i := range 10 {
		_, err := h.Prepare(context.Background(), sess, &Prepare{Query: "SELECT key FROM system.local LIMIT " + strconv.Itoa(i+1)})
		require.NoError(t, err)
	}
	h.prepared.mu.RLock()
	defer h.prepared.mu.RUnlock()
	assert.Len(t, h.prepared.m, 3)
}

func TestEmbeddingHandlerGetsTheRest(t *testing.T) {
	var got []string
	next := &funcHandler{
		query: func(_ context.Context, s *Session, q *Query) (Result, error) {
			got = append(got, q.Query)
			return &VoidResult{}, nil
		},
		prepare: func(_ context.Context, _ *Session, p *Prepare) (*PreparedResult, error) {
			return &PreparedResult{ID: []byte("mine")}, nil
		},
		execute: func(_ context.Context, _ *Session, e *Execute) (Result, error) {
			return &SetKeyspaceResult{Keyspace: string(e.ID)}, nil
		},
	}
	a := newTestAuth(t, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a, Next: next})
	require.NoError(t, err)
	_, addr := startServer(t, Config{Auth: a, Handler: h})
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	for i, q := range []string{
		"INSERT INTO shop.orders (id) VALUES (1)",
		"SELECT * FROM shop.orders",
		"CREATE TABLE shop.orders (id int PRIMARY KEY)",
		"TRUNCATE shop.orders",
	} {
		assert.Equal(t, &VoidResult{}, cl.query(int16(3+i), q), q)
	}
	assert.Equal(t, []string{"INSERT INTO shop.orders (id) VALUES (1)", "SELECT * FROM shop.orders",
		"CREATE TABLE shop.orders (id int PRIMARY KEY)", "TRUNCATE shop.orders"}, got)
	// cassauth's statements stay with cassauth.
	_, ok := cl.query(10, "LIST ROLES").(*RowsResult)
	assert.True(t, ok)
	requireError(t, cl.query(11, "CREATE ROLE"), CodeSyntaxError, "")
	p := cl.call(12, &Prepare{Query: "SELECT * FROM shop.orders WHERE id = ?"}).(*PreparedResult)
	assert.Equal(t, []byte("mine"), p.ID)
	assert.Equal(t, &SetKeyspaceResult{Keyspace: "mine"}, cl.call(13, &Execute{ID: p.ID, Params: QueryParams{Consistency: One}}))
}

func TestErrorResponseFor(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want *ErrorResponse
	}{
		{"roles error", invalidf("bad %d", 1), &ErrorResponse{Code: CodeInvalid, Message: "bad 1"}},
		{"unprepared", &UnpreparedError{ID: []byte{1}}, &ErrorResponse{Code: CodeUnprepared, UnpreparedID: []byte{1},
			Message: (&UnpreparedError{ID: []byte{1}}).Error()}},
		{"as is", &ErrorResponse{Code: CodeOverloaded, Message: "slow down"}, &ErrorResponse{Code: CodeOverloaded, Message: "slow down"}},
		{"other", context.Canceled, &ErrorResponse{Code: CodeServerError, Message: "context canceled"}},
		{"already exists", roles.Wrap(dcl.CodeAlreadyExists, &dcl.AlreadyExistsError{Keyspace: "ks", Table: "t"}, "Cannot add already existing table \"t\" to keyspace \"ks\""),
			&ErrorResponse{Code: CodeAlreadyExists, Message: "Cannot add already existing table \"t\" to keyspace \"ks\"", Keyspace: "ks", Table: "t"}},
		{"wrapped", fmt.Errorf("context: %w", roles.Errorf(roles.CodeUnauthorized, "no")), &ErrorResponse{Code: CodeUnauthorized, Message: "no"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, ErrorResponseFor(c.err)) })
	}
	assert.True(t, strings.HasPrefix((&UnpreparedError{ID: []byte{0xab}}).Error(), "Prepared query with ID ab not found"))
}
