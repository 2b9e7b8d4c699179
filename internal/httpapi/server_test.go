package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

func TestAuthenticate(t *testing.T) {
	e := newEnv(t, envOptions{})
	su := e.login("cassandra", "cassandra")
	e.exec(su, "CREATE ROLE nologin WITH PASSWORD = 'pw' AND LOGIN = false")

	tests := []struct {
		name       string
		user, pass string
		status     int
		code       int32
		msg        string
	}{
		{"default superuser", "cassandra", "cassandra", 200, 0, ""},
		{"wrong password", "cassandra", "nope", 401, 256, "Provided username cassandra and/or password are incorrect"},
		{"unknown user", "ghost", "cassandra", 401, 256, "Provided username ghost and/or password are incorrect"},
		{"empty username", "", "x", 401, 256, ""},
		{"no LOGIN", "nologin", "pw", 401, 256, "nologin is not permitted to log in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("/v1/authenticate", "", AuthenticateRequest{Username: tt.user, Password: tt.pass})
			require.Equal(t, tt.status, r.status, "%s", r.body)
			if tt.status == 200 {
				var ar AuthenticateResponse
				r.decode(t, &ar)
				assert.Equal(t, tt.user, ar.Role)
				assert.Len(t, ar.Token, 43)
				assert.Equal(t, int64(3600), ar.ExpiresIn)
				assert.NotContains(t, ar.String(), ar.Token)
				return
			}
			eb := r.errBody(t)
			assert.Equal(t, tt.code, eb.Code)
			assert.Equal(t, "BAD_CREDENTIALS", eb.Name)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, eb.Message)
			}
		})
	}
}

func TestCallerAuthentication(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.login("cassandra", "cassandra")
	tests := []struct {
		name   string
		auth   string
		status int
		msg    string
	}{
		{"bearer", tok, 200, ""},
		{"bearer lower-case scheme", "bearer " + strings.TrimPrefix(tok, "Bearer "), 200, ""},
		{"basic", basic("cassandra", "cassandra"), 200, ""},
		{"none", "", 401, MsgAuthRequired},
		{"unknown token", "Bearer " + big(43), 401, MsgInvalidToken},
		{"short token", "Bearer abc", 401, MsgInvalidToken},
		{"basic wrong password", basic("cassandra", "x"), 401, "Provided username cassandra and/or password are incorrect"},
		{"basic not base64", "Basic !!!", 401, MsgBadAuthorization},
		{"other scheme", "Digest x", 401, MsgBadAuthorization},
		{"basic huge username", basic(big(5000), "x"), 400, "Username is too long: 5000 bytes (at most 1024)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("/v1/execute", tt.auth, ExecuteRequest{Statement: "LIST ROLES"})
			require.Equal(t, tt.status, r.status, "%s", r.body)
			if tt.status == 401 {
				assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
				assert.Equal(t, tt.msg, r.errBody(t).Message)
				assert.Equal(t, int32(roles.CodeBadCredentials), r.errBody(t).Code)
			} else if tt.status != 200 {
				assert.Equal(t, tt.msg, r.errBody(t).Message)
			}
		})
	}
}

func TestExecute(t *testing.T) {
	e := newEnv(t, envOptions{})
	su := e.login("cassandra", "cassandra")
	out := e.exec(su, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
	assert.Equal(t, "Void", out.Kind)
	assert.Equal(t, []string{}, out.Columns)
	assert.Equal(t, [][]any{}, out.Rows)

	out = e.exec(su, "LIST ROLES")
	assert.Equal(t, "Rows", out.Kind)
	assert.Equal(t, "roles", out.Table)
	assert.Equal(t, []string{"role", "super", "login", "options", "datacenters"}, out.Columns)
	assert.Equal(t, []string{"text", "boolean", "boolean", "map<text, text>", "text"}, out.Types)
	assert.Equal(t, [][]any{
		{"alice", false, true, map[string]any{}, "ALL"},
		{"cassandra", true, true, map[string]any{}, "ALL"},
	}, out.Rows)

	out = e.exec(su, "CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
	assert.Equal(t, "Schema_change", out.Kind)
	require.NotNil(t, out.SchemaChange)
	assert.Equal(t, "CREATED", out.SchemaChange.Change)
	out = e.exec(su, "USE shop")
	assert.Equal(t, "Set_keyspace", out.Kind)
	assert.Equal(t, "shop", out.Keyspace)

	// The session keyspace comes from the request.
	r := e.post("/v1/execute", su, ExecuteRequest{Statement: "CREATE TABLE orders (id int PRIMARY KEY)", Keyspace: "shop"})
	require.Equal(t, 200, r.status, "%s", r.body)
	e.exec(su, "GRANT SELECT ON shop.orders TO alice")
	out = e.exec(su, "GRANT SELECT ON shop.orders TO alice")
	assert.Equal(t, []string{"Role 'alice' was already granted SELECT on <table shop.orders>"}, out.Warnings)

	alice := e.login("alice", "pw")
	tests := []struct {
		name   string
		auth   string
		stmt   string
		status int
		code   int32
		msg    string
	}{
		{"syntax error", su, "CREATE ROLLE x", 400, 0x2000, ""},
		{"unauthorized", alice, "CREATE ROLE mallory", 403, 0x2100, "User alice does not have sufficient privileges to perform the requested operation"},
		{"exists", su, "CREATE ROLE alice", 400, 0x2200, "alice already exists"},
		{"missing role", su, "DROP ROLE ghost", 400, 0x2200, "ghost doesn't exist"},
		{"two statements", su, "LIST ROLES; LIST USERS", 400, 0x2200, "Expected exactly one statement, got 2"},
		{"empty", su, "  ", 400, 0x2200, "Expected exactly one statement, got 0"},
		{"unsupported", su, "SELECT * FROM shop.orders", 400, 0x2200, ""},
		{"keyspace exists", su, "CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", 409, 0x2400, ""},
		{"long role name", su, "CREATE ROLE " + big(2000), 400, 0x2200, "Role name is too long: 2000 bytes (at most 1024)"},
		{"long identity", su, "ADD IDENTITY '" + big(1500) + "' TO ROLE alice", 400, 0x2200, "Identity is too long: 1500 bytes (at most 1024)"},
		{"long grantee", su, "GRANT SELECT ON KEYSPACE shop TO " + big(1025), 400, 0x2200, "Role name is too long: 1025 bytes (at most 1024)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.roleNames()
			r := e.post("/v1/execute", tt.auth, ExecuteRequest{Statement: tt.stmt})
			require.Equal(t, tt.status, r.status, "%s", r.body)
			eb := r.errBody(t)
			assert.Equal(t, tt.code, eb.Code)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, eb.Message)
			}
			assert.Equal(t, before, e.roleNames(), "a failed statement changed the roles")
		})
	}
}

func TestCheck(t *testing.T) {
	e := newEnv(t, envOptions{})
	su := e.login("cassandra", "cassandra")
	for _, s := range []string{
		"CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
		"CREATE TABLE shop.orders (id int PRIMARY KEY)",
		"CREATE ROLE reader",
		"GRANT SELECT ON KEYSPACE shop TO reader",
		"CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true",
		"GRANT reader TO alice",
		"CREATE ROLE bob WITH PASSWORD = 'pw' AND LOGIN = true",
		"CREATE ROLE carol WITH PASSWORD = 'pw' AND LOGIN = true",
		"GRANT DESCRIBE ON ROLE alice TO carol",
	} {
		e.exec(su, s)
	}
	alice, bob, carol := e.login("alice", "pw"), e.login("bob", "pw"), e.login("carol", "pw")
	no := false
	tests := []struct {
		name    string
		auth    string
		req     CheckRequest
		status  int
		allowed bool
		msg     string
	}{
		{"own role, inherited grant", alice, CheckRequest{Permission: "SELECT", Resource: "data/shop/orders"}, 200, true, ""},
		{"own role named", alice, CheckRequest{Role: "alice", Permission: "select", Resource: "data/shop/orders"}, 200, true, ""},
		{"own role, denied", alice, CheckRequest{Permission: "MODIFY", Resource: "data/shop/orders"}, 200, false, ""},
		{"own role, no explanation", alice, CheckRequest{Permission: "SELECT", Resource: "data/shop", Explain: &no}, 200, true, ""},
		{"superuser checks another", su, CheckRequest{Role: "alice", Permission: "SELECT", Resource: "data/shop/orders"}, 200, true, ""},
		{"DESCRIBE on the role", carol, CheckRequest{Role: "alice", Permission: "SELECT", Resource: "data/shop/orders"}, 200, true, ""},
		{"another role without DESCRIBE", bob, CheckRequest{Role: "alice", Permission: "SELECT", Resource: "data/shop/orders"}, 403, false,
			"User bob has no DESCRIBE permission on <role alice> or any of its parents"},
		{"DESCRIBE on a different role", carol, CheckRequest{Role: "bob", Permission: "SELECT", Resource: "data/shop/orders"}, 403, false,
			"User carol has no DESCRIBE permission on <role bob> or any of its parents"},
		{"unknown role", su, CheckRequest{Role: "ghost", Permission: "SELECT", Resource: "data/shop"}, 400, false, "<role ghost> doesn't exist"},
		{"unknown permission", alice, CheckRequest{Permission: "SELEKT", Resource: "data/shop"}, 400, false, `Unknown permission "SELEKT"`},
		{"bad resource", alice, CheckRequest{Permission: "SELECT", Resource: "nosuch/x"}, 400, false, "Name nosuch/x is not valid for any resource type"},
		{"missing resource", alice, CheckRequest{Permission: "SELECT"}, 400, false, "Both permission and resource are required"},
		{"long role", su, CheckRequest{Role: big(1025), Permission: "SELECT", Resource: "data"}, 400, false, "Role name is too long: 1025 bytes (at most 1024)"},
		{"long resource", su, CheckRequest{Permission: "SELECT", Resource: "data/" + big(1100)}, 400, false, "Resource name is too long: 1105 bytes (at most 1024)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("/v1/check", tt.auth, tt.req)
			require.Equal(t, tt.status, r.status, "%s", r.body)
			if tt.status != 200 {
				assert.Equal(t, tt.msg, r.errBody(t).Message)
				return
			}
			var cr CheckResponse
			r.decode(t, &cr)
			assert.Equal(t, tt.allowed, cr.Allowed)
			if tt.req.Explain != nil {
				assert.Nil(t, cr.Explanation)
				return
			}
			var ex map[string]any
			require.NoError(t, json.Unmarshal(cr.Explanation, &ex))
			assert.Equal(t, tt.allowed, ex["allowed"])
			if !tt.allowed {
				assert.Contains(t, ex["message"], "has no "+strings.ToUpper(tt.req.Permission)+" permission")
			}
		})
	}

	t.Run("explanation names the grant path", func(t *testing.T) {
		r := e.post("/v1/check", su, CheckRequest{Role: "alice", Permission: "SELECT", Resource: "data/shop/orders"})
		var cr CheckResponse
		r.decode(t, &cr)
		var ex struct {
			Reason string `json:"reason"`
			Grants []struct {
				Via      []string `json:"via"`
				Resource string   `json:"resource"`
			} `json:"grants"`
		}
		require.NoError(t, json.Unmarshal(cr.Explanation, &ex))
		assert.Equal(t, "granted", ex.Reason)
		require.Len(t, ex.Grants, 1)
		assert.Equal(t, []string{"alice", "reader"}, ex.Grants[0].Via)
	})
}

func TestCheckStoreDownIsNotADenial(t *testing.T) {
	fs := &faultyStore{Store: memstore.New()}
	e := newEnv(t, envOptions{store: fs, cache: cassauth.CacheConfig{Validity: cassauth.Disabled}})
	su := basic("cassandra", "cassandra")
	e.exec(su, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
	tok := e.login("alice", "pw")
	fs.failing.Store(true)
	r := e.post("/v1/check", tok, CheckRequest{Permission: "SELECT", Resource: "data"})
	require.Equal(t, http.StatusServiceUnavailable, r.status, "%s", r.body)
	assert.NotContains(t, string(r.body), `"allowed"`)
	fs.failing.Store(false)
	r = e.post("/v1/check", tok, CheckRequest{Permission: "SELECT", Resource: "data"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
}
