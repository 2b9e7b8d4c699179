package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/roles"
)

// fakeReloader is a ReloadTLS hook that counts its calls and returns err.
type fakeReloader struct {
	calls atomic.Int32
	mu    sync.Mutex
	err   error
}

func (f *fakeReloader) reload(ctx context.Context) error {
	f.calls.Add(1)
	if ctx == nil {
		return errors.New("no context")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *fakeReloader) fail(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

func TestReloadSSL(t *testing.T) {
	rl := &fakeReloader{}
	e := newEnv(t, envOptions{config: func(c *Config) { c.ReloadTLS = rl.reload }})
	su := e.login("cassandra", "cassandra")
	e.exec(su, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
	e.exec(su, "CREATE ROLE admins WITH SUPERUSER = true")
	e.exec(su, "CREATE ROLE boss WITH PASSWORD = 'pw' AND LOGIN = true")
	e.exec(su, "GRANT admins TO boss")
	alice := e.login("alice", "pw")
	boss := e.login("boss", "pw")
	const path = "/v1/admin/reloadssl"
	const denied = "Only superusers may reload the TLS certificates"

	tests := []struct {
		name        string
		method      string
		auth        string
		contentType string
		body        string
		hookErr     error
		status      int
		code        roles.Code
		msg         string // exact, or a prefix ending in "..."
		called      bool
	}{
		{name: "superuser", auth: su, status: 200, called: true},
		{name: "superuser through a granted role", auth: boss, status: 200, called: true},
		{name: "HTTP Basic superuser", auth: basic("cassandra", "cassandra"), status: 200, called: true},
		{name: "empty JSON object", auth: su, contentType: "application/json", body: "{}", status: 200, called: true},
		{name: "not a superuser", auth: alice, status: 403, code: roles.CodeUnauthorized, msg: denied},
		{name: "not a superuser, Basic", auth: basic("alice", "pw"), status: 403, code: roles.CodeUnauthorized, msg: denied},
		{name: "no credentials", status: 401, code: roles.CodeBadCredentials, msg: MsgAuthRequired},
		{name: "wrong method", method: http.MethodGet, auth: su, status: 405, code: CodeProtocolError,
			msg: "Method GET is not allowed on /v1/admin/reloadssl: use POST"},
		{name: "unknown member", auth: su, contentType: "application/json", body: `{"force": true}`, status: 400,
			code: CodeProtocolError, msg: `Unknown member "force" in the request body`},
		{name: "body not JSON", auth: su, contentType: "text/plain", body: "now", status: 415, code: CodeProtocolError,
			msg: `Content-Type must be application/json, not "text/plain"`},
		{name: "no client TLS", auth: su, hookErr: fmt.Errorf("%w (serve CQL with TLS)", ErrTLSNotConfigured), status: 409,
			code: roles.CodeConfigError, msg: MsgReloadSSLPrefix + "client TLS is not configured (serve CQL with TLS)", called: true},
		{name: "bad files", auth: su, hookErr: errors.New("tls: failed to find any PEM data in key input"), status: 500,
			code: roles.CodeServerError, msg: MsgReloadSSLFailedPrefix + "tls: failed to find any PEM data in key input", called: true},
		{name: "cancelled", auth: su, hookErr: context.Canceled, status: 503, code: roles.CodeServerError,
			msg: MsgReloadSSLPrefix + "context canceled", called: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rl.fail(tt.hookErr)
			before := rl.calls.Load()
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			r := e.request(method, path, tt.contentType, tt.auth, []byte(tt.body))
			require.Equal(t, tt.status, r.status, "%s", r.body)
			assert.Equal(t, tt.called, rl.calls.Load() == before+1, "hook called")
			if tt.status == 200 {
				assert.JSONEq(t, `{"reloaded": true}`, string(r.body))
				return
			}
			eb := r.errBody(t)
			assert.Equal(t, int32(tt.code), eb.Code)
			assert.Equal(t, tt.msg, eb.Message)
		})
	}
}

func TestReloadSSLNotConfigured(t *testing.T) {
	e := newEnv(t, envOptions{}) // no ReloadTLS hook
	su := e.login("cassandra", "cassandra")
	r := e.request(http.MethodPost, "/v1/admin/reloadssl", "", su, nil)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	eb := r.errBody(t)
	assert.Equal(t, "CONFIG_ERROR", eb.Name)
	assert.Equal(t, MsgReloadSSLPrefix+"client TLS is not configured", eb.Message)

	// A non-superuser learns nothing about the configuration.
	e.exec(su, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
	r = e.request(http.MethodPost, "/v1/admin/reloadssl", "", e.login("alice", "pw"), nil)
	require.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, "UNAUTHORIZED", r.errBody(t).Name)
}

func TestReloadSSLTooLarge(t *testing.T) {
	rl := &fakeReloader{}
	e := newEnv(t, envOptions{config: func(c *Config) { c.ReloadTLS = rl.reload; c.MaxBodyBytes = 64 }})
	su := e.login("cassandra", "cassandra")
	r := e.request(http.MethodPost, "/v1/admin/reloadssl", "application/json", su, []byte(`{`+strings.Repeat(" ", 200)+`}`))
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status, "%s", r.body)
	assert.Zero(t, rl.calls.Load())
}

func TestReloadSSLMetrics(t *testing.T) {
	rl := &fakeReloader{}
	e := newEnv(t, envOptions{config: func(c *Config) { c.ReloadTLS = rl.reload }})
	su := e.login("cassandra", "cassandra")
	require.Equal(t, 200, e.request(http.MethodPost, "/v1/admin/reloadssl", "", su, nil).status)
	r := e.request(http.MethodGet, "/metrics", "", "", nil)
	assert.Contains(t, string(r.body), `cassauth_http_requests_total{code="200",route="/v1/admin/reloadssl"} 1`)
}
