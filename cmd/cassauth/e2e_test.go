package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickStart is README.md's curl session against the real binary:
// authenticate as cassandra, create a role, grant, check with the
// explanation, then replace the default superuser.
func TestQuickStart(t *testing.T) {
	s := startServer(t, "--data", t.TempDir())
	assert.Contains(t, s.logs.String(), "Created default superuser role 'cassandra'")
	assert.Contains(t, s.logs.String(), `"level":"WARN","msg":"Default superuser role 'cassandra' has the well-known default password`)

	su := s.login("cassandra", "cassandra")
	s.exec(su, "CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
	s.exec(su, "CREATE ROLE reader")
	s.exec(su, "GRANT SELECT ON KEYSPACE shop TO reader")
	s.exec(su, "CREATE ROLE alice WITH PASSWORD = 'alice-pw' AND LOGIN = true")
	s.exec(su, "GRANT reader TO alice")

	status, body := s.call(http.MethodPost, "/v1/check", su, map[string]string{"role": "alice", "permission": "SELECT", "resource": "data/shop/orders"})
	require.Equal(t, 200, status, "%s", body)
	var cr struct {
		Allowed     bool
		Explanation struct {
			Reason string
			Grants []struct {
				Via      []string
				Resource string
			}
		}
	}
	require.NoError(t, json.Unmarshal(body, &cr))
	assert.True(t, cr.Allowed)
	assert.Equal(t, "granted", cr.Explanation.Reason)
	require.Len(t, cr.Explanation.Grants, 1)
	assert.Equal(t, []string{"alice", "reader"}, cr.Explanation.Grants[0].Via)
	assert.Equal(t, "<keyspace shop>", cr.Explanation.Grants[0].Resource)

	status, body = s.call(http.MethodPost, "/v1/check", su, map[string]string{"role": "alice", "permission": "MODIFY", "resource": "data/shop/orders"})
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), `"allowed":false`)
	assert.Contains(t, string(body), "User alice has no MODIFY permission on <table shop.orders> or any of its parents")

	// Replace the default superuser: a new one logs in, drops cassandra;
	// cassandra's token and password are dead.
	s.exec(su, "CREATE ROLE admin WITH SUPERUSER = true AND LOGIN = true AND PASSWORD = 'a-long-secret'")
	admin := s.login("admin", "a-long-secret")
	s.exec(admin, "DROP ROLE cassandra")
	status, _ = s.call(http.MethodPost, "/v1/execute", su, map[string]string{"statement": "LIST ROLES"})
	assert.Equal(t, http.StatusUnauthorized, status, "the dropped role's token died")
	status, body = s.call(http.MethodPost, "/v1/authenticate", "", map[string]string{"username": "cassandra", "password": "cassandra"})
	assert.Equal(t, http.StatusUnauthorized, status)
	code, msg := errorOf(t, body)
	assert.Equal(t, int32(256), code)
	assert.Equal(t, "Provided username cassandra and/or password are incorrect", msg)

	status, body = s.raw(http.MethodGet, "/healthz", "", "", nil)
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"status":"ok"}`, string(body))
	status, body = s.raw(http.MethodGet, "/metrics", "", "", nil)
	assert.Equal(t, 200, status)
	assert.Contains(t, string(body), `cassauth_decisions_total{result="allowed"} 1`)
	assert.Contains(t, string(body), `cassauth_logins_total{method="password",outcome="bad_credentials"} 1`)

	assert.Equal(t, 0, s.stop(syscall.SIGTERM))
	assert.Contains(t, s.logs.String(), `"msg":"stopped"`)
}

// TestErrorClasses drives every class of error over the network and checks
// that none changes the store.
func TestErrorClasses(t *testing.T) {
	s := startServer(t, "--data", t.TempDir())
	su := s.login("cassandra", "cassandra")
	s.exec(su, "CREATE ROLE bob WITH PASSWORD = 'bob-pw' AND LOGIN = true")
	s.exec(su, "CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
	bob := s.login("bob", "bob-pw")
	roles := func() string { return string(s.exec(su, "LIST ROLES")) }
	before := roles()
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name   string
		method string
		path   string
		auth   string
		ct     string
		body   string
		status int
		code   int32
	}{
		{"bad password", "POST", "/v1/authenticate", "", "application/json", `{"username":"cassandra","password":"x"}`, 401, 0x0100},
		{"no credentials", "POST", "/v1/execute", "", "application/json", `{"statement":"CREATE ROLE m"}`, 401, 0x0100},
		{"bad token", "POST", "/v1/execute", "Bearer " + strings.Repeat("A", 43), "application/json", `{"statement":"CREATE ROLE m"}`, 401, 0x0100},
		{"syntax", "POST", "/v1/execute", su, "application/json", `{"statement":"CREATE ROL m"}`, 400, 0x2000},
		{"unauthorized", "POST", "/v1/execute", bob, "application/json", `{"statement":"CREATE ROLE m"}`, 403, 0x2100},
		{"invalid", "POST", "/v1/execute", su, "application/json", `{"statement":"DROP ROLE ghost"}`, 400, 0x2200},
		{"already exists", "POST", "/v1/execute", su, "application/json", `{"statement":"CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"}`, 409, 0x2400},
		{"check another role", "POST", "/v1/check", bob, "application/json", `{"role":"cassandra","permission":"SELECT","resource":"data"}`, 403, 0x2100},
		{"malformed JSON", "POST", "/v1/execute", su, "application/json", `{"statement":`, 400, 0x000A},
		{"unknown member", "POST", "/v1/execute", su, "application/json", `{"statement":"CREATE ROLE m","user":"x"}`, 400, 0x000A},
		{"wrong content type", "POST", "/v1/execute", su, "text/plain", `{"statement":"CREATE ROLE m"}`, 415, 0x000A},
		{"over 1 MiB", "POST", "/v1/execute", su, "application/json", `{"statement":"CREATE ROLE m` + strings.Repeat(" ", 1<<20) + `"}`, 413, 0x000A},
		{"long role name", "POST", "/v1/execute", su, "application/json", `{"statement":"CREATE ROLE ` + long + `"}`, 400, 0x2200},
		{"long check role", "POST", "/v1/check", su, "application/json", `{"role":"` + long + `","permission":"SELECT","resource":"data"}`, 400, 0x2200},
		{"unknown path", "GET", "/v2/nothing", "", "", "", 404, 0x000A},
		{"wrong method", "PUT", "/v1/check", su, "application/json", `{}`, 405, 0x000A},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.raw(tt.method, tt.path, tt.auth, tt.ct, strings.NewReader(tt.body))
			require.Equal(t, tt.status, status, "%s", body)
			code, msg := errorOf(t, body)
			assert.Equal(t, tt.code, code)
			assert.NotEmpty(t, msg)
			assert.Equal(t, before, roles(), "the store changed")
		})
	}
}

// TestTokenExpiry uses a one-second token lifetime: the token works at
// once and is refused (401) once it has expired.
func TestTokenExpiry(t *testing.T) {
	s := startServer(t, "--data", t.TempDir(), "--token-ttl", "1s")
	tok := s.login("cassandra", "cassandra")
	status, _ := s.call(http.MethodPost, "/v1/check", tok, map[string]string{"permission": "SELECT", "resource": "data"})
	require.Equal(t, 200, status)
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, body := s.call(http.MethodPost, "/v1/check", tok, map[string]string{"permission": "SELECT", "resource": "data"})
		if status == http.StatusUnauthorized {
			_, msg := errorOf(t, body)
			assert.Equal(t, "Invalid or expired token", msg)
			break
		}
		require.Equal(t, 200, status)
		require.True(t, time.Now().Before(deadline), "the token never expired")
		time.Sleep(100 * time.Millisecond)
	}
	// Basic credentials still work, and a new login gives a new token.
	status, _ = s.call(http.MethodPost, "/v1/check", basicAuth("cassandra", "cassandra"), map[string]string{"permission": "SELECT", "resource": "data"})
	assert.Equal(t, 200, status)
}

// TestRestart stops the server and starts it again on the same data
// directory: nothing is lost, the default superuser is not re-created,
// and tokens (held in memory) are gone.
func TestRestart(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, "--data", data)
	su := s.login("cassandra", "cassandra")
	s.exec(su, "CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
	s.exec(su, "CREATE ROLE admin WITH SUPERUSER = true AND LOGIN = true AND PASSWORD = 'admin-pw'")
	s.exec(su, "CREATE ROLE alice WITH PASSWORD = 'alice-pw' AND LOGIN = true")
	s.exec(su, "GRANT MODIFY ON KEYSPACE shop TO alice")
	admin := s.login("admin", "admin-pw")
	s.exec(admin, "DROP ROLE cassandra")
	listed := s.exec(admin, "LIST ALL PERMISSIONS")
	assert.Equal(t, 0, s.stop(syscall.SIGINT), "SIGINT stops gracefully too")

	s2 := startServer(t, "--data", data)
	assert.NotContains(t, s2.logs.String(), "Created default superuser", "an existing store gets no default superuser")
	status, _ := s2.call(http.MethodPost, "/v1/execute", admin, map[string]string{"statement": "LIST ROLES"})
	assert.Equal(t, http.StatusUnauthorized, status, "tokens do not survive a restart")
	admin2 := s2.login("admin", "admin-pw")
	assert.Equal(t, string(listed), string(s2.exec(admin2, "LIST ALL PERMISSIONS")))
	alice := s2.login("alice", "alice-pw")
	status, body := s2.call(http.MethodPost, "/v1/check", alice, map[string]string{"permission": "MODIFY", "resource": "data/shop/t"})
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), `"allowed":true`)
	status, _ = s2.call(http.MethodPost, "/v1/authenticate", "", map[string]string{"username": "cassandra", "password": "cassandra"})
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestNoDefaultSuperuser(t *testing.T) {
	s := startServer(t, "--data", t.TempDir(), "--no-default-superuser")
	assert.NotContains(t, s.logs.String(), "Created default superuser")
	status, _ := s.call(http.MethodPost, "/v1/authenticate", "", map[string]string{"username": "cassandra", "password": "cassandra"})
	assert.Equal(t, http.StatusUnauthorized, status)
}

// TestDataDirectoryLocked: the commands that open the store directly say
// so when a server holds it, and change nothing.
func TestDataDirectoryLocked(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, "--data", data)
	code, _, stderr := cli(t, "", "exec", "--data", data, "-u", "cassandra", "-p", "cassandra", "CREATE ROLE x")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "is locked (is cassauth serve running on it?")
	code, out, stderr := cli(t, "", "exec", "--server", s.url, "-u", "cassandra", "-p", "cassandra", "LIST ROLES")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "(1 rows)")
}

func basicAuth(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}
