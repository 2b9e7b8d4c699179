package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostileInput sends every kind of malformed request to every JSON
// endpoint and checks for a clear 4xx and an unchanged store.
func TestHostileInput(t *testing.T) {
	e := newEnv(t, envOptions{})
	su := e.login("cassandra", "cassandra")
	const create = `{"statement": "CREATE ROLE mallory"}`
	tests := []struct {
		name   string
		method string
		path   string
		ct     string
		body   string
		status int
		msg    string
	}{
		{"malformed JSON", "POST", "/v1/execute", "application/json", `{"statement": "CREATE ROLE mallory"`, 400, "Malformed JSON: unexpected end of input"},
		{"not JSON", "POST", "/v1/execute", "application/json", `CREATE ROLE mallory`, 400, "Malformed JSON at byte 0: invalid character 'C' looking for beginning of value"},
		{"unknown member", "POST", "/v1/execute", "application/json", `{"statement": "CREATE ROLE mallory", "as": "cassandra"}`, 400, `Unknown member "as" in the request body`},
		{"duplicate member", "POST", "/v1/execute", "application/json", `{"statement": "LIST ROLES", "statement": "CREATE ROLE mallory"}`, 400, `Malformed JSON: duplicate member "statement"`},
		{"trailing data", "POST", "/v1/execute", "application/json", create + ` {}`, 400, "Malformed JSON: unexpected data after the object at byte 37"},
		{"array", "POST", "/v1/execute", "application/json", `[` + create + `]`, 400, "Malformed JSON: the request body must be a JSON object"},
		{"wrong type", "POST", "/v1/execute", "application/json", `{"statement": 42}`, 400, `Malformed JSON: member "statement" must be a JSON string, not number`},
		{"empty body", "POST", "/v1/execute", "application/json", ``, 400, "Request body is empty: a JSON object is required"},
		{"invalid UTF-8", "POST", "/v1/execute", "application/json", "{\"statement\": \"CREATE ROLE \xff\"}", 400, "Request body is not valid UTF-8"},
		{"deep nesting", "POST", "/v1/check", "application/json", `{"role": ` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}`, 400, "Malformed JSON: nested deeper than 8 levels"},
		{"no content type", "POST", "/v1/execute", "", create, 415, "Content-Type must be application/json"},
		{"text/plain", "POST", "/v1/execute", "text/plain", create, 415, `Content-Type must be application/json, not "text/plain"`},
		{"form", "POST", "/v1/execute", "application/x-www-form-urlencoded", "statement=CREATE+ROLE+mallory", 415, `Content-Type must be application/json, not "application/x-www-form-urlencoded"`},
		{"latin-1", "POST", "/v1/execute", "application/json; charset=iso-8859-1", create, 415, `Content-Type charset must be utf-8, not "iso-8859-1"`},
		{"over 1 MiB", "POST", "/v1/execute", "application/json", `{"statement": "CREATE ROLE mallory` + strings.Repeat(" ", 1<<20) + `"}`, 413, "Request body is larger than 1048576 bytes"},
		{"wrong method", "GET", "/v1/execute", "", "", 405, "Method GET is not allowed on /v1/execute: use POST"},
		{"unknown path", "POST", "/v1/nope", "application/json", create, 404, "No such endpoint: /v1/nope"},
		{"long username", "POST", "/v1/authenticate", "application/json", `{"username": "` + big(4096) + `", "password": "x"}`, 400, "Username is too long: 4096 bytes (at most 1024)"},
		{"long keyspace", "POST", "/v1/execute", "application/json", `{"statement": "LIST ROLES", "keyspace": "` + big(2048) + `"}`, 400, "Keyspace name is too long: 2048 bytes (at most 1024)"},
		{"check long permission", "POST", "/v1/check", "application/json", `{"permission": "` + big(100) + `", "resource": "data"}`, 400, "Permission is too long: 100 bytes (at most 64)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.roleNames()
			auth := su
			if tt.path == "/v1/authenticate" {
				auth = ""
			}
			r := e.request(tt.method, tt.path, tt.ct, auth, []byte(tt.body))
			require.Equal(t, tt.status, r.status, "%s", r.body)
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			eb := r.errBody(t)
			assert.Equal(t, tt.msg, eb.Message)
			if tt.status != 400 || strings.HasPrefix(tt.msg, "Malformed") || strings.HasPrefix(tt.msg, "Unknown member") {
				assert.Equal(t, int32(CodeProtocolError), eb.Code)
				assert.Equal(t, "PROTOCOL_ERROR", eb.Name)
			}
			assert.Equal(t, before, e.roleNames())
		})
	}
	assert.NotContains(t, e.roleNames(), "mallory")
}

func TestMethodNotAllowedSetsAllow(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.request(http.MethodDelete, "/v1/check", "", "", nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, "POST", r.header.Get("Allow"))
}

func TestMemberNamesAreExact(t *testing.T) {
	for _, body := range []string{
		`{"Statement": "CREATE ROLE mallory"}`,
		`{"statement": "LIST ROLES", "STATEMENT": "CREATE ROLE mallory"}`,
	} {
		var req ExecuteRequest
		err := decodeJSON([]byte(body), &req)
		require.NotNil(t, err, body)
		assert.Contains(t, err.Msg, "Unknown member")
	}
}
