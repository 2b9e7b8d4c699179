package cassauth_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// goroutinesSettle waits, by yielding and without sleeping, until the
// number of goroutines is at most want, and returns the last count.
func goroutinesSettle(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 10000 && n > want; i++ {
		runtime.Gosched()
		n = runtime.NumGoroutine()
	}
	return n
}

// TestCloseLeavesNoGoroutine: every goroutine the caches (ristretto, the
// active-update timers, background reloads) and the coarse clock started
// is gone when Close returns.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	tests := []struct {
		name string
		cfg  cassauth.Config
		opts cassauth.Options
	}{
		{"defaults", cassauth.Config{}, cassauth.Options{}},
		{"everything cached, active update", func() cassauth.Config {
			c := passwordConfig(cassauth.CacheConfig{Validity: time.Hour, UpdateInterval: time.Minute, ActiveUpdate: true})
			c.NetworkAuthorizer, c.CIDRAuthorizer = cassauth.CassandraNetworkAuthorizer, cassauth.CassandraCIDRAuthorizer
			return c
		}(), cassauth.Options{}},
		{"coarse clock", passwordConfig(hour), cassauth.Options{ClockResolution: time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMem(t)
			before := goroutinesSettle(0)
			tt.opts.DisableDefaultSuperuser = true
			a, err := cassauth.New(tt.cfg, st, tt.opts)
			require.NoError(t, err)
			require.NoError(t, a.Setup(ctx))
			f := fixture{t, a}
			f.role("bob", true)
			f.check("bob", resource.Select, resource.Keyspace("ks"))
			_, _ = a.Roles().RoleDetails(ctx, "bob")
			require.NoError(t, a.Close())
			require.NoError(t, a.Close(), "Close is idempotent")
			// A goroutine of another test may still be on its way out
			// (a fired timer's, say): give the count time to settle. A
			// goroutine this Auth leaked never goes away.
			// (Not assert.Eventually: it runs its condition on goroutines
			// of its own.)
			after := goroutinesSettle(before)
			for deadline := time.Now().Add(5 * time.Second); after > before && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
				after = goroutinesSettle(before)
			}
			assert.LessOrEqual(t, after, before, "goroutines before New and after Close")
		})
	}
}

// TestClosed: after Close the operations fail instead of answering.
func TestClosed(t *testing.T) {
	a, err := cassauth.New(passwordConfig(hour), newMem(t), cassauth.Options{DisableDefaultSuperuser: true})
	require.NoError(t, err)
	require.NoError(t, a.Setup(ctx))
	require.NoError(t, a.Close())
	ok, err := a.Check(ctx, roles.NewUser("bob"), resource.Select, resource.Keyspace("ks"))
	assert.False(t, ok)
	assert.ErrorIs(t, err, cache.ErrClosed)
	assert.ErrorIs(t, a.Setup(ctx), cassauth.ErrClosed)
	assert.ErrorIs(t, a.ReconfigureCache(cassauth.RolesCache, cache.DefaultSettings()), cache.ErrClosed)
	assert.NotNil(t, a.CacheStats())
	_, err = a.Check(ctx, roles.NewUser("bob"), resource.Select, resource.Resource{})
	assert.ErrorIs(t, err, roles.ErrServer, "a zero resource is refused first")
}

// TestSetupOrder: the role manager (default superuser) is set up before
// the CIDR authorizer (group mapping), and warming runs last.
func TestSetupOrder(t *testing.T) {
	rec := &recordingStore{Store: noFeed{newMem(t)}}
	cfg := passwordConfig(hour)
	cfg.CIDRAuthorizer = cassauth.CassandraCIDRAuthorizer
	cfg.AuthCacheWarmingEnabled = true
	a, err := cassauth.New(cfg, rec, cassauth.Options{Clock: cache.NewFakeClock(start)})
	require.NoError(t, err)
	defer a.Close()
	require.Equal(t, -1, rec.indexOf("GetRole"), "New does not touch the store")
	require.NoError(t, a.Setup(ctx))
	roleSetup, cidrSetup, warm := rec.indexOf("GetRole"), rec.indexOf("ListCIDRGroups"), rec.indexOf("ListGrants")
	require.NotEqual(t, -1, roleSetup)
	assert.Less(t, roleSetup, cidrSetup, "role manager before CIDR authorizer")
	assert.Less(t, cidrSetup, warm, "warming after the parts' setup")

	// The default superuser exists and may log in.
	u, err := a.Authenticate(ctx, roles.DefaultSuperuserName, authn.NewSecret(roles.DefaultSuperuserPassword))
	require.NoError(t, err)
	ok, err := a.Check(ctx, u, resource.Drop, resource.AllKeyspaces)
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestWarming: with auth_cache_warming_enabled the caches that have bulk
// loaders are filled by Setup, and the first checks are hits.
func TestWarming(t *testing.T) {
	mem := newMem(t)
	require.NoError(t, mem.CreateRole(ctx, store.RoleRecord{Name: "bob", CanLogin: true, SaltedHash: "$2a$04$abcdefghijklmnopqrstuuJSAvOLAJ4uXsXEZ5iKTvDSFQz3ytbB6"}))
	require.NoError(t, mem.CreateRole(ctx, store.RoleRecord{Name: "parent"}))
	require.NoError(t, mem.GrantRole(ctx, "parent", "bob"))
	_, err := mem.AddPermissions(ctx, "parent", "data/ks", resource.SetOf(resource.Select))
	require.NoError(t, err)
	require.NoError(t, mem.AddIdentity(ctx, "spiffe://bob", "bob"))

	cfg := passwordConfig(hour)
	cfg.AuthCacheWarmingEnabled = true
	a := newAuth(t, cfg, noFeed{mem}, cache.NewFakeClock(start))
	stats := a.CacheStats()
	assert.Equal(t, 2, stats[cassauth.RolesCache].Size)
	assert.Equal(t, 1, stats[cassauth.CredentialsCache].Size)
	assert.Equal(t, 1, stats[cassauth.PermissionsCache].Size)
	assert.Equal(t, 1, stats[cassauth.IdentitiesCache].Size)

	f := fixture{t, a}
	assert.True(t, f.check("bob", resource.Select, resource.Keyspace("ks")))
	assert.Equal(t, uint64(1), a.CacheStats()[cassauth.PermissionsCache].Hits, "served from the warmed entry")
	names, err := a.Roles().Roles(ctx, "bob", true)
	require.NoError(t, err)
	assert.Equal(t, []string{"bob", "parent"}, names)
	assert.Zero(t, a.CacheStats()[cassauth.RolesCache].Misses)

	// Warmed entries do not know their closures: any role change drops
	// them, so they are never served stale.
	f.revoke("parent", resource.Keyspace("ks"), resource.Select)
	assert.False(t, f.check("bob", resource.Select, resource.Keyspace("ks")))
}

// TestWarmingFailureIsLogged: a bulk load that keeps failing is retried,
// then logged; Setup still succeeds.
func TestWarmingFailureIsLogged(t *testing.T) {
	fs := &faultyStore{Store: noFeed{newMem(t)}}
	var logs bytes.Buffer
	cfg := passwordConfig(hour)
	cfg.AuthCacheWarmingEnabled = true
	a, err := cassauth.New(cfg, fs, cassauth.Options{Clock: cache.NewFakeClock(start), DisableDefaultSuperuser: true,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), WarmingMaxRetries: 2, WarmingRetryInterval: -1})
	require.NoError(t, err)
	defer a.Close()
	fs.failing.Store(true)
	require.NoError(t, a.Setup(ctx))
	assert.Contains(t, logs.String(), "Failed to pre-warm RolesCache cache")
	assert.Equal(t, uint64(3), a.CacheStats()[cassauth.RolesCache].LoadFailures, "one try and two retries")
}

// TestSetupFailure: a failing part's setup is reported with its name.
func TestSetupFailure(t *testing.T) {
	fs := &faultyStore{Store: noFeed{newMem(t)}}
	a, err := cassauth.New(passwordConfig(hour), fs, cassauth.Options{})
	require.NoError(t, err)
	defer a.Close()
	fs.failing.Store(true)
	err = a.Setup(ctx)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "cassauth: role manager setup: "), err.Error())
	assert.True(t, errors.Is(err, errStoreDown))
}

// TestCredentialsSettingsLog: Cassandra's INFO line when credentials
// settings are set for an authenticator that does not use them.
func TestCredentialsSettingsLog(t *testing.T) {
	for _, tt := range []struct {
		cfg  cassauth.Config
		logs bool
	}{
		{cassauth.Config{Credentials: cassauth.CacheConfig{Validity: time.Minute}}, true},
		{cassauth.Config{}, false},
		{cassauth.Config{Credentials: cassauth.CacheConfig{Validity: 2 * time.Second, MaxEntries: 1000}}, false},
		{cassauth.Config{Credentials: cassauth.CacheConfig{UpdateInterval: time.Second}}, true},
		{cassauth.Config{Authenticator: "PasswordAuthenticator", Credentials: cassauth.CacheConfig{MaxEntries: 5}}, false},
	} {
		var logs bytes.Buffer
		a, err := cassauth.New(tt.cfg, newMem(t), cassauth.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		require.NoError(t, err)
		a.Close()
		const line = "Configuration options credentials_update_interval, credentials_validity and credentials_cache_max_entries may not be applicable for the configured authenticator (org.apache.cassandra.auth.AllowAllAuthenticator)"
		assert.Equal(t, tt.logs, strings.Contains(logs.String(), line))
	}
}

// TestAllowAll: Cassandra's defaults: everyone is anonymous and allowed.
func TestAllowAll(t *testing.T) {
	a := newAuth(t, cassauth.Config{}, newMem(t), cache.NewFakeClock(start))
	u, err := a.Authenticate(ctx, "whoever", authn.NewSecret("whatever"))
	require.NoError(t, err)
	assert.True(t, u.IsAnonymous())
	u, err = a.AuthenticateSASL(ctx, netip.Addr{}, nil, nil)
	require.NoError(t, err)
	assert.True(t, u.IsAnonymous())
	require.NoError(t, a.Ensure(ctx, u, resource.Drop, resource.Table("ks", "t")))
	e, err := a.Explain(ctx, u, resource.Drop, resource.Table("ks", "t"))
	require.NoError(t, err)
	assert.True(t, e.Allowed)
	require.NoError(t, a.ValidateLogin(ctx, u, "dc1", addr("10.0.0.1")))
	require.Error(t, a.EnsureData(ctx, u, resource.Drop, resource.Keyspace("system")), "the system keyspace guard applies even with AllowAll")
	_, err = a.Authorizer().Grant(ctx, roles.System, resource.SetOf(resource.Select), resource.Keyspace("ks"), "bob")
	assert.EqualError(t, err, "GRANT operation is not supported by AllowAllAuthorizer")
	_, err = a.CIDR().InvalidateCIDRPermissionsCache("bob")
	assert.EqualError(t, err, "Invalidate CIDR permissions cache operation not supported by AllowAllCIDRAuthorizer")
}

// TestEnsureAndSystemFunctions covers the one-call check's shortcuts and
// Cassandra's denial text.
func TestEnsureAndSystemFunctions(t *testing.T) {
	a := newAuth(t, passwordConfig(hour), newMem(t), cache.NewFakeClock(start))
	f := fixture{t, a}
	f.role("bob", true)
	bob := roles.NewUser("bob")
	fn, err := resource.Function("system", "now")
	require.NoError(t, err)
	require.NoError(t, a.Ensure(ctx, bob, resource.Execute, fn), "builtin functions need no grant")
	err = a.Ensure(ctx, bob, resource.Select, resource.Table("ks", "t"))
	assert.EqualError(t, err, "User bob has no SELECT permission on <table ks.t> or any of its parents")
	assert.ErrorIs(t, err, roles.ErrUnauthorized)
	e, err := a.Explain(ctx, bob, resource.Select, resource.Table("ks", "t"))
	require.NoError(t, err)
	assert.Equal(t, err == nil, true)
	assert.Equal(t, "User bob has no SELECT permission on <table ks.t> or any of its parents", e.Message)
	ok, err := a.Check(ctx, roles.System, resource.Drop, resource.Table("ks", "t"))
	require.NoError(t, err)
	assert.True(t, ok, "the system user holds everything applicable")
	ok, err = a.Check(ctx, roles.Anonymous, resource.Select, resource.Table("ks", "t"))
	require.NoError(t, err)
	assert.False(t, ok)
}
