package cassauth_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// The universe of the property tests: few enough names that random
// operations collide often.
var (
	propRoles     = []string{"r0", "r1", "r2", "r3"}
	propResources = []resource.Resource{
		resource.AllKeyspaces, resource.Keyspace("ks"), resource.AllTables("ks"),
		resource.Table("ks", "t"), resource.Table("ks", "u"), resource.Keyspace("other"),
	}
	propPerms = []resource.Permission{resource.Select, resource.Modify, resource.Drop}
)

// oracle answers checks without any cache, straight from the store.
type oracle struct {
	checker *authz.Checker
	roles   roles.Manager
}

func newOracle(t tb, st store.Store) oracle {
	t.Helper()
	rm, err := roles.NewTable(roles.Config{Store: st, DisableDefaultSuperuser: true})
	if err != nil {
		t.Fatalf("%v", err)
	}
	az, err := authz.NewTable(authz.Config{Store: st, Roles: rm})
	if err != nil {
		t.Fatalf("%v", err)
	}
	ch, err := authz.NewChecker(authz.CheckerConfig{Authorizer: az, Roles: rm})
	if err != nil {
		t.Fatalf("%v", err)
	}
	return oracle{checker: ch, roles: rm}
}

// answers is every decision of the universe, in a fixed order.
type answers []bool

func (o oracle) answers(t tb) answers {
	t.Helper()
	var out answers
	for _, u := range propRoles {
		for _, r := range propResources {
			for _, p := range propPerms {
				ok, err := o.checker.Check(ctx, roles.NewUser(u), p, r)
				if err != nil {
					t.Fatalf("oracle: %v", err)
				}
				out = append(out, ok)
			}
		}
	}
	return out
}

func cachedAnswers(t tb, a *cassauth.Auth) answers {
	t.Helper()
	var out answers
	for _, u := range propRoles {
		for _, r := range propResources {
			for _, p := range propPerms {
				ok, err := a.Check(ctx, roles.NewUser(u), p, r)
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				out = append(out, ok)
			}
		}
	}
	return out
}

// consistent returns an error naming the first check on which the cached
// Auth and the oracle disagree, and compares role closures and LOGIN.
func consistent(t tb, a *cassauth.Auth, o oracle) error {
	t.Helper()
	got, want := cachedAnswers(t, a), o.answers(t)
	i := 0
	for _, u := range propRoles {
		for _, r := range propResources {
			for _, p := range propPerms {
				if got[i] != want[i] {
					return fmt.Errorf("Check(%s, %s, %s) = %v from the cache, %v from the store", u, p, r, got[i], want[i])
				}
				i++
			}
		}
	}
	for _, u := range propRoles {
		c, err := a.Roles().Roles(ctx, u, true)
		if err != nil {
			return err
		}
		w, err := o.roles.Roles(ctx, u, true)
		if err != nil {
			return err
		}
		if !slices.Equal(c, w) && (len(c) != 0 || len(w) != 0) {
			return fmt.Errorf("closure of %s: %v cached, %v stored", u, c, w)
		}
		cl, err := a.Roles().CanLogin(ctx, u)
		if err != nil {
			return err
		}
		wl, err := o.roles.CanLogin(ctx, u)
		if err != nil {
			return err
		}
		if cl != wl {
			return fmt.Errorf("CanLogin(%s): %v cached, %v stored", u, cl, wl)
		}
	}
	return nil
}

// libraryActions are random writes through the library's cached parts; a
// write the parts refuse (a cycle, a missing role) is simply refused.
func libraryActions(a *cassauth.Auth) map[string]func(*rapid.T) {
	role := rapid.SampledFrom(propRoles)
	res := rapid.SampledFrom(propResources)
	perms := rapid.SliceOfN(rapid.SampledFrom(propPerms), 1, 3)
	return map[string]func(*rapid.T){
		"create": func(t *rapid.T) {
			login, super := rapid.Bool().Draw(t, "login"), rapid.Bool().Draw(t, "super")
			_ = a.Roles().CreateRole(ctx, roles.System, role.Draw(t, "role"), roles.Options{Login: &login, Superuser: &super})
		},
		"alter": func(t *rapid.T) {
			login, super := rapid.Bool().Draw(t, "login"), rapid.Bool().Draw(t, "super")
			_ = a.Roles().AlterRole(ctx, roles.System, role.Draw(t, "role"), roles.Options{Login: &login, Superuser: &super})
		},
		"drop": func(t *rapid.T) {
			r := role.Draw(t, "role")
			_ = a.Roles().DropRole(ctx, roles.System, r)
			_ = a.Hooks().OnDropRole(ctx, r)
		},
		"grantRole": func(t *rapid.T) {
			_ = a.Roles().GrantRole(ctx, roles.System, role.Draw(t, "role"), role.Draw(t, "grantee"))
		},
		"revokeRole": func(t *rapid.T) {
			_ = a.Roles().RevokeRole(ctx, roles.System, role.Draw(t, "role"), role.Draw(t, "revokee"))
		},
		"grant": func(t *rapid.T) {
			_, _ = a.Authorizer().Grant(ctx, roles.System, resource.SetOf(perms.Draw(t, "perms")...), res.Draw(t, "resource"), role.Draw(t, "grantee"))
		},
		"revoke": func(t *rapid.T) {
			_, _ = a.Authorizer().Revoke(ctx, roles.System, resource.SetOf(perms.Draw(t, "perms")...), res.Draw(t, "resource"), role.Draw(t, "revokee"))
		},
		"revokeAllOn": func(t *rapid.T) {
			_ = a.Authorizer().RevokeAllOn(ctx, res.Draw(t, "resource"))
		},
		"revokeAllFrom": func(t *rapid.T) {
			_ = a.Authorizer().RevokeAllFrom(ctx, role.Draw(t, "role"))
		},
	}
}

// TestPropertyCachedEqualsUncached: after any sequence of writes through
// the library, every cached check equals the uncached answer, with caches
// that never expire during the test (so only invalidation keeps them
// exact). Run over a store without change feed (the library's own
// invalidation) and over memstore's feed.
func TestPropertyCachedEqualsUncached(t *testing.T) {
	for _, feed := range []bool{false, true} {
		t.Run(fmt.Sprintf("feed=%v", feed), func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				mem := newMemFor(rt)
				var st store.Store = noFeed{mem}
				if feed {
					st = mem
				}
				a, err := cassauth.New(passwordConfig(hour), st, cassauth.Options{Clock: cache.NewFakeClock(start), DisableDefaultSuperuser: true})
				if err != nil {
					rt.Fatalf("%v", err)
				}
				defer a.Close()
				o := newOracle(rt, mem)
				actions := libraryActions(a)
				actions[""] = func(rt *rapid.T) {
					if err := consistent(rt, a, o); err != nil {
						rt.Fatalf("%v", err)
					}
				}
				rt.Repeat(actions)
			})
		})
	}
}

// TestPlantedBugIsCaught shows that the property above fails when the
// cache is not told about a change: the revoke below goes to the store
// behind the library's back (no feed), exactly what "revoke forgets the
// cache" would do, and the invariant reports the stale answer.
func TestPlantedBugIsCaught(t *testing.T) {
	mem := newMem(t)
	a := newAuth(t, passwordConfig(hour), noFeed{mem}, cache.NewFakeClock(start))
	o := newOracle(t, mem)
	f := fixture{t, a}
	f.role("r0", true)
	f.grant("r0", resource.Keyspace("ks"), resource.Select)
	require.NoError(t, consistent(t, a, o))
	_, err := mem.RemovePermissions(ctx, "r0", "data/ks", resource.SetOf(resource.Select))
	require.NoError(t, err)
	err = consistent(t, a, o)
	require.Error(t, err)
	require.Contains(t, err.Error(), "Check(r0, SELECT, <keyspace ks>) = true from the cache, false from the store")
}

// TestPropertyBoundedStaleness: writes made directly in a store without
// change feed, interleaved with the clock moving on. Every answer served
// must be one the store gave at some instant of the last validity period,
// and once a whole validity period has passed without writes, answers are
// current.
func TestPropertyBoundedStaleness(t *testing.T) {
	const validity, interval = 10 * time.Second, 3 * time.Second
	rapid.Check(t, func(rt *rapid.T) {
		mem := newMemFor(rt)
		clk := cache.NewFakeClock(start)
		a, err := cassauth.New(passwordConfig(cassauth.CacheConfig{Validity: validity, UpdateInterval: interval}),
			noFeed{mem}, cassauth.Options{Clock: clk, DisableDefaultSuperuser: true})
		if err != nil {
			rt.Fatalf("%v", err)
		}
		defer a.Close()
		o := newOracle(rt, mem)
		type snapshot struct {
			at  time.Time
			ans answers
		}
		history := []snapshot{{clk.Now(), o.answers(rt)}}
		record := func() { history = append(history, snapshot{clk.Now(), o.answers(rt)}) }
		role := rapid.SampledFrom(propRoles)
		res := rapid.SampledFrom(propResources)
		perm := rapid.SampledFrom(propPerms)
		rt.Repeat(map[string]func(*rapid.T){
			"create": func(rt *rapid.T) {
				login := rapid.Bool().Draw(rt, "login")
				_ = mem.CreateRole(ctx, store.RoleRecord{Name: role.Draw(rt, "role"), CanLogin: login})
				record()
			},
			"grantRole": func(rt *rapid.T) {
				r, g := role.Draw(rt, "role"), role.Draw(rt, "grantee")
				if r != g {
					_ = mem.GrantRole(ctx, r, g)
				}
				record()
			},
			"revokeRole": func(rt *rapid.T) {
				_ = mem.RevokeRole(ctx, role.Draw(rt, "role"), role.Draw(rt, "revokee"))
				record()
			},
			"grant": func(rt *rapid.T) {
				_, _ = mem.AddPermissions(ctx, role.Draw(rt, "role"), res.Draw(rt, "resource").Name(), resource.SetOf(perm.Draw(rt, "perm")))
				record()
			},
			"revoke": func(rt *rapid.T) {
				_, _ = mem.RemovePermissions(ctx, role.Draw(rt, "role"), res.Draw(rt, "resource").Name(), resource.SetOf(perm.Draw(rt, "perm")))
				record()
			},
			"advance": func(rt *rapid.T) {
				clk.Advance(time.Duration(rapid.IntRange(0, 12000).Draw(rt, "ms")) * time.Millisecond)
			},
			"check": func(rt *rapid.T) {
				got := cachedAnswers(rt, a)
				now := clk.Now()
				// Allowed: the state in effect at the start of the window
				// and every state recorded within it.
				ok := false
				for i := len(history) - 1; i >= 0 && !ok; i-- {
					ok = slices.Equal(got, history[i].ans)
					if !history[i].at.After(now.Add(-validity)) {
						break
					}
				}
				if !ok {
					rt.Fatalf("at %v an answer older than the validity was served", now.Sub(start))
				}
			},
			"settle": func(rt *rapid.T) {
				clk.Advance(validity)
				if got, want := cachedAnswers(rt, a), o.answers(rt); !slices.Equal(got, want) {
					rt.Fatalf("a validity period after the last write, answers are still stale")
				}
			},
		})
	})
}

// newMemFor returns a memstore for one rapid run.
func newMemFor(rt *rapid.T) *memstore.Store {
	st := memstore.New()
	rt.Cleanup(func() { st.Close() })
	return st
}
