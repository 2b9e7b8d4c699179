package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// fakeClock is a settable clock for token expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// faultyStore fails every role read while failing is set.
type faultyStore struct {
	store.Store
	failing atomic.Bool
}

var errStoreDown = errors.New("store unavailable")

func (f *faultyStore) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	if f.failing.Load() {
		return store.RoleRecord{}, &store.Error{Op: "GetRole", Key: name, Err: errStoreDown}
	}
	return f.Store.GetRole(ctx, name)
}

// Subscribe passes the inner store's change feed through.
func (f *faultyStore) Subscribe(fn func(store.Change)) func() {
	return f.Store.(store.ChangeFeed).Subscribe(fn)
}

// env is a test server: the Auth over a memstore with the default
// superuser cassandra/cassandra (bcrypt cost 4), the handler, and an
// httptest server in front of it.
type env struct {
	t     testing.TB
	st    store.Store
	auth  *cassauth.Auth
	srv   *Server
	http  *httptest.Server
	clock *fakeClock
}

type envOptions struct {
	store  store.Store
	cache  cassauth.CacheConfig
	config func(*Config)
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	st := o.store
	if st == nil {
		st = memstore.New()
	}
	cfg := cassauth.Config{
		Authenticator: cassauth.PasswordAuthenticator,
		Authorizer:    cassauth.CassandraAuthorizer,
		Permissions:   o.cache, Roles: o.cache, Credentials: o.cache,
		BcryptRounds: 4,
	}
	a, err := cassauth.New(cfg, st, cassauth.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	require.NoError(t, a.Setup(context.Background()))
	de := &dcl.Env{Roles: a.Roles(), Authorizer: a.Authorizer(), Checker: a.Checker(),
		Network: a.Network(), CIDR: a.CIDR(), Hooks: a.Hooks()}
	if c, ok := st.(store.Catalog); ok {
		de.Schema = dcl.NewStoreCatalog(c)
	}
	clk := &fakeClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	sc := Config{Auth: a, Env: de, Store: st, Now: clk.Now, Datacenter: "datacenter1"}
	if o.config != nil {
		o.config(&sc)
	}
	s, err := New(sc)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &env{t: t, st: st, auth: a, srv: s, http: hs, clock: clk}
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) errBody(t testing.TB) ErrorDetail {
	t.Helper()
	var eb ErrorBody
	require.NoError(t, json.Unmarshal(r.body, &eb), "body: %s", r.body)
	return eb.Error
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// request sends a raw request; auth is a full Authorization header value
// ("" for none).
func (e *env) request(method, path, contentType, auth string, body []byte) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, bytes.NewReader(body))
	require.NoError(e.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := e.http.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// post sends v as JSON.
func (e *env) post(path, auth string, v any) response {
	e.t.Helper()
	b, err := json.Marshal(v)
	require.NoError(e.t, err)
	return e.request(http.MethodPost, path, "application/json", auth, b)
}

// login returns a bearer Authorization header for user.
func (e *env) login(user, pass string) string {
	e.t.Helper()
	r := e.post("/v1/authenticate", "", AuthenticateRequest{Username: user, Password: pass})
	require.Equal(e.t, http.StatusOK, r.status, "login %s: %s", user, r.body)
	var ar AuthenticateResponse
	r.decode(e.t, &ar)
	return "Bearer " + ar.Token
}

// exec runs a statement and requires success.
func (e *env) exec(auth, stmt string) ExecuteResponse {
	e.t.Helper()
	r := e.post("/v1/execute", auth, ExecuteRequest{Statement: stmt})
	require.Equal(e.t, http.StatusOK, r.status, "%s: %s", stmt, r.body)
	var out ExecuteResponse
	r.decode(e.t, &out)
	return out
}

// roleNames lists the roles in the store.
func (e *env) roleNames() []string {
	e.t.Helper()
	rs, err := e.st.ListRoles(context.Background())
	require.NoError(e.t, err)
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	return names
}

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}

func big(n int) string { return strings.Repeat("a", n) }
