package httpapi

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// noFeed hides the change feed of the store it wraps, so that tokens read
// the role on every use.
type noFeed struct{ store.Store }

func TestTokenLifecycle(t *testing.T) {
	for _, feed := range []bool{true, false} {
		name := "with change feed"
		var st store.Store = memstore.New()
		if !feed {
			name, st = "without change feed", noFeed{st}
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, envOptions{store: st})
			su := basic("cassandra", "cassandra")
			e.exec(su, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
			e.exec(su, "CREATE ROLE other")
			ok := func(tok string) int {
				return e.post("/v1/check", tok, CheckRequest{Permission: "SELECT", Resource: "data"}).status
			}
			tests := []struct {
				name   string
				change string // run as the superuser after login; "" for none
				after  time.Duration
				status int
			}{
				{"fresh token", "", 0, 200},
				{"unrelated grant keeps it", "GRANT SELECT ON ALL KEYSPACES TO alice", 0, 200},
				{"role granted keeps it", "GRANT other TO alice", 0, 200},
				{"superuser flag keeps it", "ALTER ROLE alice WITH SUPERUSER = false", 0, 200},
				{"another role's password keeps it", "ALTER ROLE other WITH PASSWORD = 'x'", 0, 200},
				{"just before expiry", "", time.Hour - time.Second, 200},
				{"expired", "", time.Hour, 401},
				{"password change kills it", "ALTER ROLE alice WITH PASSWORD = 'pw'", 0, 401},
				{"LOGIN change kills it", "ALTER ROLE alice WITH LOGIN = false", 0, 401},
				{"LOGIN off and on again kills it", "ALTER ROLE alice WITH LOGIN = false", 0, 401},
				{"LOGIN set to its value keeps it", "ALTER ROLE alice WITH LOGIN = true", 0, 200},
				{"drop kills it", "DROP ROLE alice", 0, 401},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if _, err := e.st.GetRole(context.Background(), "alice"); err != nil {
						e.exec(su, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
					}
					e.exec(su, "ALTER ROLE alice WITH LOGIN = true")
					tok := e.login("alice", "pw")
					require.Equal(t, 200, ok(tok))
					if tt.change != "" {
						e.exec(su, tt.change)
					}
					if tt.name == "LOGIN off and on again kills it" {
						e.exec(su, "ALTER ROLE alice WITH LOGIN = true")
					}
					e.clock.Advance(tt.after)
					assert.Equal(t, tt.status, ok(tok))
					if tt.status == 401 {
						// Dead for good, even if the change is undone.
						e.exec(su, "DROP ROLE IF EXISTS alice")
						e.exec(su, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
						assert.Equal(t, 401, ok(tok))
					}
				})
			}
		})
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.login("cassandra", "cassandra")
	r := e.request(http.MethodPost, "/v1/logout", "", tok, nil)
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = e.post("/v1/execute", tok, ExecuteRequest{Statement: "LIST ROLES"})
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = e.request(http.MethodPost, "/v1/logout", "", basic("cassandra", "cassandra"), nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
}

func TestTokenStoreBounded(t *testing.T) {
	clk := &fakeClock{now: time.Unix(0, 0)}
	st := memstore.New()
	require.NoError(t, st.CreateRole(context.Background(), store.RoleRecord{Name: "r", CanLogin: true, SaltedHash: "h"}))
	ts, err := newTokens(st, time.Minute, 10, clk.Now)
	require.NoError(t, err)
	defer ts.close()
	var toks []string
	for range 25 {
		tok, _, err := ts.issue(context.Background(), "r", false)
		require.NoError(t, err)
		toks = append(toks, tok)
		clk.Advance(time.Millisecond)
	}
	assert.LessOrEqual(t, ts.count(), 10)
	_, _, err = ts.verify(context.Background(), toks[len(toks)-1])
	assert.NoError(t, err, "the newest token survives")
	_, _, err = ts.verify(context.Background(), toks[0])
	assert.ErrorIs(t, err, errTokenUnknown, "the oldest was dropped")

	// Expired tokens are swept on a later issue.
	clk.Advance(2 * time.Minute)
	_, _, err = ts.issue(context.Background(), "r", false)
	require.NoError(t, err)
	assert.Equal(t, 1, ts.count())
}

func TestTokensConcurrent(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	require.NoError(t, st.CreateRole(ctx, store.RoleRecord{Name: "r", CanLogin: true, SaltedHash: "h1"}))
	ts, err := newTokens(st, time.Hour, 1000, time.Now)
	require.NoError(t, err)
	defer ts.close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				tok, _, err := ts.issue(ctx, "r", false)
				if err != nil {
					continue // the role may be momentarily changed
				}
				_, _, _ = ts.verify(ctx, tok)
				if i == 0 && j%10 == 0 {
					_ = st.UpdateRole(ctx, "r", store.RoleUpdate{SaltedHash: ptr("h2")})
					_ = st.UpdateRole(ctx, "r", store.RoleUpdate{SaltedHash: ptr("h1")})
				}
			}
		}()
	}
	wg.Wait()
	// After the churn, a token issued now verifies, and a change kills it.
	tok, _, err := ts.issue(ctx, "r", false)
	require.NoError(t, err)
	_, _, err = ts.verify(ctx, tok)
	require.NoError(t, err)
	require.NoError(t, st.UpdateRole(ctx, "r", store.RoleUpdate{SaltedHash: ptr("h3")}))
	_, _, err = ts.verify(ctx, tok)
	assert.ErrorIs(t, err, errTokenRevoked)
}

func ptr[T any](v T) *T { return &v }

// tokenModel is the reference the property test compares the token store
// with: what each token was issued against, and whether it was seen dead.
type tokenModel struct {
	role    string
	hash    string
	login   bool
	expires time.Time
	dead    bool
}

// TestTokensModel runs random sequences of issues, uses, role changes
// behind the API's back (through the store, as another process would) and
// clock moves, with and without a change feed, and checks every use
// against the model: a token is valid while it has not expired and its
// role exists with the salted hash and LOGIN flag it had at issue; once a
// use fails, it stays dead.
func TestTokensModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		clk := &fakeClock{now: time.Unix(1000, 0)}
		mem := memstore.New()
		var st store.Store = mem
		if rapid.Bool().Draw(rt, "noFeed") {
			st = noFeed{mem}
		}
		ts, err := newTokens(st, time.Minute, 1000, clk.Now)
		if err != nil {
			rt.Fatal(err)
		}
		defer ts.close()
		roleNames := []string{"a", "b"}
		type roleState struct {
			exists bool
			hash   string
			login  bool
		}
		state := map[string]*roleState{}
		for _, r := range roleNames {
			state[r] = &roleState{exists: true, hash: "h0", login: true}
			if err := mem.CreateRole(ctx, store.RoleRecord{Name: r, CanLogin: true, SaltedHash: "h0"}); err != nil {
				rt.Fatal(err)
			}
		}
		var toks []string
		model := map[string]*tokenModel{}
		rt.Repeat(map[string]func(*rapid.T){
			"issue": func(rt *rapid.T) {
				r := rapid.SampledFrom(roleNames).Draw(rt, "role")
				tok, exp, err := ts.issue(ctx, r, false)
				if !state[r].exists {
					if !errors.Is(err, errNoSuchRole) {
						rt.Fatalf("issue for a missing role: %v", err)
					}
					return
				}
				if err != nil {
					rt.Fatal(err)
				}
				toks = append(toks, tok)
				model[tok] = &tokenModel{role: r, hash: state[r].hash, login: state[r].login, expires: exp}
			},
			"verify": func(rt *rapid.T) {
				if len(toks) == 0 {
					rt.Skip("no token")
				}
				tok := rapid.SampledFrom(toks).Draw(rt, "token")
				m := model[tok]
				s := state[m.role]
				want := !m.dead && clk.Now().Before(m.expires) && s.exists && s.hash == m.hash && s.login == m.login
				role, _, err := ts.verify(ctx, tok)
				if (err == nil) != want {
					rt.Fatalf("verify of a token of %s: err %v, want valid %v (model %+v, role %+v)", m.role, err, want, *m, *s)
				}
				if err == nil && role != m.role {
					rt.Fatalf("role %q, want %q", role, m.role)
				}
				if !want {
					m.dead = true
				}
			},
			"password": func(rt *rapid.T) {
				r := rapid.SampledFrom(roleNames).Draw(rt, "role")
				h := rapid.SampledFrom([]string{"h0", "h1", "h2"}).Draw(rt, "hash")
				if state[r].exists {
					state[r].hash = h
					_ = mem.UpdateRole(ctx, r, store.RoleUpdate{SaltedHash: &h})
				}
			},
			"login": func(rt *rapid.T) {
				r := rapid.SampledFrom(roleNames).Draw(rt, "role")
				l := rapid.Bool().Draw(rt, "login")
				if state[r].exists {
					state[r].login = l
					_ = mem.UpdateRole(ctx, r, store.RoleUpdate{CanLogin: &l})
				}
			},
			"superuser": func(rt *rapid.T) {
				r := rapid.SampledFrom(roleNames).Draw(rt, "role")
				su := rapid.Bool().Draw(rt, "super")
				if state[r].exists {
					_ = mem.UpdateRole(ctx, r, store.RoleUpdate{IsSuperuser: &su})
				}
			},
			"dropOrCreate": func(rt *rapid.T) {
				r := rapid.SampledFrom(roleNames).Draw(rt, "role")
				s := state[r]
				if s.exists {
					_ = mem.DropRole(ctx, r)
					s.exists = false
					return
				}
				_ = mem.CreateRole(ctx, store.RoleRecord{Name: r, CanLogin: true, SaltedHash: "h0"})
				*s = roleState{exists: true, hash: "h0", login: true}
			},
			"time": func(rt *rapid.T) {
				clk.Advance(time.Duration(rapid.IntRange(0, 40).Draw(rt, "seconds")) * time.Second)
			},
		})
	})
}
