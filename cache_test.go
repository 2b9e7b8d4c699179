package cassauth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// behind writes directly to the store, as another process would.
func behindGrant(t *testing.T, st store.Store, role string, r resource.Resource, ps ...resource.Permission) {
	t.Helper()
	_, err := st.AddPermissions(ctx, role, r.Name(), resource.SetOf(ps...))
	require.NoError(t, err)
}

func behindRevoke(t *testing.T, st store.Store, role string, r resource.Resource, ps ...resource.Permission) {
	t.Helper()
	_, err := st.RemovePermissions(ctx, role, r.Name(), resource.SetOf(ps...))
	require.NoError(t, err)
}

// TestValidityWithoutFeed: a change made behind the library's back in a
// store without change feed is served stale until validity, never longer.
func TestValidityWithoutFeed(t *testing.T) {
	mem := newMem(t)
	st := noFeed{mem}
	clk := cache.NewFakeClock(start)
	a := newAuth(t, passwordConfig(cassauth.CacheConfig{Validity: 10 * time.Second}), st, clk)
	f := fixture{t, a}
	f.role("bob", true)
	ks := resource.Keyspace("ks")
	assert.False(t, f.check("bob", resource.Select, ks))

	behindGrant(t, st, "bob", ks, resource.Select)
	clk.Advance(9 * time.Second)
	assert.False(t, f.check("bob", resource.Select, ks), "within validity the old answer may be served")
	clk.Advance(time.Second)
	assert.True(t, f.check("bob", resource.Select, ks), "at validity the entry expires")
}

// TestUpdateIntervalRefresh: past the update interval a read still gets the
// old value and starts one background reload; the next read sees the new
// value.
func TestUpdateIntervalRefresh(t *testing.T) {
	st := noFeed{newMem(t)}
	clk := cache.NewFakeClock(start)
	a := newAuth(t, passwordConfig(cassauth.CacheConfig{Validity: time.Hour, UpdateInterval: 2 * time.Second}), st, clk)
	f := fixture{t, a}
	f.role("bob", true)
	ks := resource.Keyspace("ks")
	require.False(t, f.check("bob", resource.Select, ks))
	loads := a.CacheStats()[cassauth.PermissionsCache].Loads

	behindGrant(t, st, "bob", ks, resource.Select)
	clk.Advance(time.Second)
	assert.False(t, f.check("bob", resource.Select, ks), "younger than the update interval: no reload")
	clk.Advance(time.Second)
	assert.False(t, f.check("bob", resource.Select, ks), "the read that triggers the reload gets the old value")
	clk.Advance(0) // runs the reload
	assert.True(t, f.check("bob", resource.Select, ks))
	assert.Equal(t, loads+1, a.CacheStats()[cassauth.PermissionsCache].Loads, "exactly one background reload")
}

// TestActiveUpdate: with *_cache_active_update every cached key is
// refreshed once per update interval, without reads.
func TestActiveUpdate(t *testing.T) {
	st := noFeed{newMem(t)}
	clk := cache.NewFakeClock(start)
	a := newAuth(t, passwordConfig(cassauth.CacheConfig{Validity: time.Hour, UpdateInterval: 5 * time.Second, ActiveUpdate: true}), st, clk)
	f := fixture{t, a}
	f.role("bob", true)
	ks := resource.Keyspace("ks")
	require.False(t, f.check("bob", resource.Select, ks))
	behindGrant(t, st, "bob", ks, resource.Select)
	clk.Advance(4 * time.Second)
	assert.False(t, f.check("bob", resource.Select, ks))
	clk.Advance(time.Second) // the refresh pass runs
	hits := a.CacheStats()[cassauth.PermissionsCache].Hits
	assert.True(t, f.check("bob", resource.Select, ks))
	assert.Equal(t, hits+1, a.CacheStats()[cassauth.PermissionsCache].Hits, "served from the refreshed entry")
}

// TestRefreshFailures: a failing store keeps the old value served until
// validity; then checks fail with an error, never an allow.
func TestRefreshFailures(t *testing.T) {
	fs := &faultyStore{Store: newMem(t)}
	clk := cache.NewFakeClock(start)
	a := newAuth(t, passwordConfig(cassauth.CacheConfig{Validity: 10 * time.Second, UpdateInterval: 2 * time.Second}), noFeed{fs}, clk)
	f := fixture{t, a}
	f.role("bob", true)
	f.role("eve", true)
	ks := resource.Keyspace("ks")
	f.grant("bob", ks, resource.Select)
	require.True(t, f.check("bob", resource.Select, ks))
	require.False(t, f.check("eve", resource.Select, ks))

	fs.failing.Store(true)
	clk.Advance(3 * time.Second)
	assert.True(t, f.check("bob", resource.Select, ks), "stale but valid")
	clk.Advance(0) // the reload fails
	assert.True(t, f.check("bob", resource.Select, ks), "a failed reload keeps the old value")
	assert.False(t, f.check("eve", resource.Select, ks))
	assert.NotZero(t, a.CacheStats()[cassauth.PermissionsCache].LoadFailures)

	clk.Advance(7 * time.Second) // validity reached
	for _, user := range []string{"bob", "eve"} {
		ok, err := a.Check(ctx, roles.NewUser(user), resource.Select, ks)
		require.Error(t, err, user)
		assert.False(t, ok, "a failure never allows")
		assert.ErrorIs(t, err, authz.ErrUndecided)
		assert.ErrorIs(t, err, errStoreDown)
		assert.ErrorIs(t, err, roles.ErrUnauthorized)
		assert.Equal(t, "Unable to perform authorization of permissions: store: GetRole: store unavailable", err.Error())
		err = a.Ensure(ctx, roles.NewUser(user), resource.Select, ks)
		assert.ErrorIs(t, err, authz.ErrUndecided)
		assert.NotErrorIs(t, err, authz.ErrDenied)
	}
	// The uncached paths fail closed too.
	_, err := a.Authenticate(ctx, "bob", authn.NewSecret("x"))
	assert.ErrorIs(t, err, authn.ErrUnavailable)
	assert.Error(t, a.Login(ctx, roles.NewUser("bob")))
	_, err = a.Roles().IsSuper(ctx, "bob")
	assert.ErrorIs(t, err, roles.ErrUnauthorized)
	_, err = a.Explain(ctx, roles.NewUser("bob"), resource.Select, ks)
	assert.Error(t, err)
	err = a.ValidateLogin(ctx, roles.NewUser("bob"), "dc1", addr("10.0.0.1"))
	assert.NoError(t, err, "AllowAll network and CIDR authorizers read nothing")

	fs.failing.Store(false)
	assert.True(t, f.check("bob", resource.Select, ks), "recovers once the store does")
}

// TestValidityZeroDisablesCaching: Cassandra's `*_validity: 0`.
func TestValidityZeroDisablesCaching(t *testing.T) {
	st := noFeed{newMem(t)}
	a := newAuth(t, passwordConfig(cassauth.CacheConfig{Validity: cassauth.Disabled}), st, cache.NewFakeClock(start))
	f := fixture{t, a}
	f.role("bob", true)
	ks := resource.Keyspace("ks")
	require.False(t, f.check("bob", resource.Select, ks))
	behindGrant(t, st, "bob", ks, resource.Select)
	assert.True(t, f.check("bob", resource.Select, ks), "nothing is cached")
	st0 := a.CacheStats()[cassauth.PermissionsCache]
	assert.Zero(t, st0.Hits)
	assert.Zero(t, st0.Size)
}

// TestReconfigureCache is nodetool setauthcacheconfig.
func TestReconfigureCache(t *testing.T) {
	st := noFeed{newMem(t)}
	clk := cache.NewFakeClock(start)
	a := newAuth(t, passwordConfig(cassauth.CacheConfig{Validity: time.Hour}), st, clk)
	f := fixture{t, a}
	f.role("bob", true)
	ks := resource.Keyspace("ks")
	require.False(t, f.check("bob", resource.Select, ks))
	behindGrant(t, st, "bob", ks, resource.Select)
	require.False(t, f.check("bob", resource.Select, ks))

	require.NoError(t, a.ReconfigureCache(cassauth.PermissionsCache, cache.Settings{Validity: time.Second, MaxEntries: 10}))
	s, active, err := a.CacheSettings(cassauth.PermissionsCache)
	require.NoError(t, err)
	assert.True(t, active)
	assert.Equal(t, cache.Settings{Validity: time.Second, MaxEntries: 10}, s)
	clk.Advance(time.Second)
	assert.True(t, f.check("bob", resource.Select, ks), "the shorter validity applies to the cached entry at once")

	// The other caches of the group keep their settings.
	s, _, err = a.CacheSettings(cassauth.JmxPermissionsCache)
	require.NoError(t, err)
	assert.Equal(t, time.Hour, s.Validity)

	// Deprecated aliases.
	require.NoError(t, a.ReconfigureCache("JMXPermissionsCache", cache.Settings{Validity: time.Minute, MaxEntries: 5}))
	s, _, err = a.CacheSettings(cassauth.JmxPermissionsCache)
	require.NoError(t, err)
	assert.Equal(t, time.Minute, s.Validity)
	_, _, err = a.CacheSettings("NetworkAuthCache")
	assert.NoError(t, err)

	// Errors.
	err = a.ReconfigureCache("KeyCache", cache.Settings{})
	assert.ErrorIs(t, err, cassauth.ErrUnknownCache)
	assert.ErrorIs(t, err, roles.ErrInvalid)
	assert.EqualError(t, err, "Unknown auth cache: KeyCache")
	err = a.ReconfigureCache(cassauth.RolesCache, cache.Settings{Validity: time.Second, MaxEntries: -1})
	assert.ErrorIs(t, err, cache.ErrInvalidOptions)
	err = a.ReconfigureCache(cassauth.RolesCache, cache.Settings{Validity: time.Second, MaxEntries: 1, ActiveUpdate: true, UpdateInterval: time.Microsecond})
	assert.ErrorIs(t, err, cache.ErrInvalidOptions)
	assert.ErrorIs(t, a.InvalidateCache("nope"), cassauth.ErrUnknownCache)
}

// TestPredicateDisabledCacheStaysOff: a cache whose "enabled only if"
// predicate failed records new settings but keeps caching nothing.
func TestPredicateDisabledCacheStaysOff(t *testing.T) {
	a := newAuth(t, cassauth.Config{}, newMem(t), cache.NewFakeClock(start))
	require.NoError(t, a.ReconfigureCache(cassauth.PermissionsCache, cache.Settings{Validity: time.Hour, MaxEntries: 10}))
	s, active, err := a.CacheSettings(cassauth.PermissionsCache)
	require.NoError(t, err)
	assert.False(t, active)
	assert.Equal(t, time.Hour, s.Validity)
	ok, err := a.Check(ctx, roles.Anonymous, resource.Drop, resource.Keyspace("ks"))
	require.NoError(t, err)
	assert.True(t, ok, "AllowAllAuthorizer allows")
	assert.Zero(t, a.CacheStats()[cassauth.PermissionsCache].Requests())
}

// TestOperatorInvalidation covers the nodetool invalidate* operations.
func TestOperatorInvalidation(t *testing.T) {
	st := noFeed{newMem(t)}
	a := newAuth(t, passwordConfig(cassauth.CacheConfig{Validity: time.Hour}), st, cache.NewFakeClock(start))
	f := fixture{t, a}
	f.chain("bob", "parent")
	f.role("eve", true)
	ks, tbl := resource.Keyspace("ks"), resource.Table("ks", "t")
	for _, u := range []string{"bob", "eve"} {
		require.False(t, f.check(u, resource.Select, tbl))
		require.False(t, f.check(u, resource.Select, ks))
	}
	behindGrant(t, st, "bob", ks, resource.Select)
	behindGrant(t, st, "eve", ks, resource.Select)

	a.InvalidatePermissionsCache("bob", tbl)
	assert.True(t, f.check("bob", resource.Select, tbl), "bob's entry on the table went")
	assert.False(t, f.check("bob", resource.Select, ks), "bob's entry on the keyspace stayed")
	a.InvalidatePermissionsCache("", ks)
	assert.True(t, f.check("bob", resource.Select, ks))
	assert.True(t, f.check("eve", resource.Select, tbl), "every user's entries on and below ks went")

	require.False(t, f.check("bob", resource.Modify, resource.Keyspace("other")))
	behindGrant(t, st, "parent", resource.Keyspace("other"), resource.Modify)
	assert.False(t, f.check("bob", resource.Modify, resource.Keyspace("other")), "cached")
	a.InvalidateRole("parent")
	assert.True(t, f.check("bob", resource.Modify, resource.Keyspace("other")), "InvalidateRole fans out to bob")

	behindRevoke(t, st, "bob", ks, resource.Select)
	a.InvalidatePermissionsCache("", resource.Resource{})
	assert.False(t, f.check("bob", resource.Select, ks))

	for _, fn := range []func(...string){a.InvalidateRolesCache, a.InvalidateNetworkPermissionsCache,
		a.InvalidateJmxPermissionsCache, a.InvalidateCidrPermissionsCache, a.InvalidateCredentialsCache} {
		fn("bob")
		fn()
	}
	for _, name := range a.CacheNames() {
		require.NoError(t, a.InvalidateCache(name))
		assert.Zero(t, a.CacheStats()[name].Size, name)
	}
	a.InvalidateAll()
}
