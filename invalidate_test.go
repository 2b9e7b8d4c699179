package cassauth_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"net/netip"
	"strings"
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

// hour caches everything for an hour: nothing expires during these tests,
// so every change seen is an invalidation.
var hour = cassauth.CacheConfig{Validity: time.Hour}

// storesUnderTest runs a test twice: over a store without change feed
// (only the library's own invalidation) and over memstore with its feed.
func storesUnderTest(t *testing.T, run func(t *testing.T, st store.Store)) {
	t.Run("no feed", func(t *testing.T) { run(t, noFeed{newMem(t)}) })
	t.Run("feed", func(t *testing.T) { run(t, newMem(t)) })
}

func TestFanOutGrantOnGrandparent(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		a := newAuth(t, passwordConfig(hour), st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.chain("bob", "parent", "grandparent")
		tbl := resource.Table("ks", "t")
		require.False(t, f.check("bob", resource.Select, tbl))
		require.False(t, f.check("parent", resource.Select, tbl))

		f.grant("grandparent", resource.Keyspace("ks"), resource.Select)
		assert.True(t, f.check("bob", resource.Select, tbl), "a grant on a grandparent role, on a parent resource")
		assert.True(t, f.check("parent", resource.Select, tbl))
		assert.False(t, f.check("bob", resource.Modify, tbl))

		f.revoke("grandparent", resource.Keyspace("ks"), resource.Select)
		assert.False(t, f.check("bob", resource.Select, tbl))
		assert.False(t, f.check("parent", resource.Select, tbl))
	})
}

func TestFanOutMemberships(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		a := newAuth(t, passwordConfig(hour), st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.chain("bob", "parent")
		f.role("writers", false)
		f.grant("writers", resource.AllKeyspaces, resource.Modify)
		tbl := resource.Table("ks", "t")
		require.False(t, f.check("bob", resource.Modify, tbl))

		f.grantRole("writers", "parent")
		assert.True(t, f.check("bob", resource.Modify, tbl), "granting a role to a parent reaches its members")
		roleNames, err := a.Roles().Roles(ctx, "bob", true)
		require.NoError(t, err)
		assert.Equal(t, []string{"bob", "parent", "writers"}, roleNames)

		require.NoError(t, a.Roles().RevokeRole(ctx, roles.System, "writers", "parent"))
		assert.False(t, f.check("bob", resource.Modify, tbl))
		roleNames, err = a.Roles().Roles(ctx, "bob", true)
		require.NoError(t, err)
		assert.Equal(t, []string{"bob", "parent"}, roleNames)
	})
}

func TestFanOutSuperuser(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		a := newAuth(t, passwordConfig(hour), st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.chain("bob", "parent", "admins")
		bob := roles.NewUser("bob")
		tbl := resource.Table("ks", "t")
		require.False(t, f.check("bob", resource.Drop, tbl))
		super, err := a.Checker().IsSuperuser(ctx, bob)
		require.NoError(t, err)
		require.False(t, super)

		yes, no := true, false
		require.NoError(t, a.Roles().AlterRole(ctx, roles.System, "admins", roles.Options{Superuser: &yes}))
		assert.True(t, f.check("bob", resource.Drop, tbl), "superuser status is inherited")
		super, err = a.Checker().IsSuperuser(ctx, bob)
		require.NoError(t, err)
		assert.True(t, super)
		own, err := a.Roles().IsSuper(ctx, "bob")
		require.NoError(t, err)
		assert.False(t, own, "IsSuper is the role's own flag")

		require.NoError(t, a.Roles().AlterRole(ctx, roles.System, "admins", roles.Options{Superuser: &no}))
		assert.False(t, f.check("bob", resource.Drop, tbl))
	})
}

func TestDropRole(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		a := newAuth(t, passwordConfig(hour), st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.chain("bob", "parent")
		f.grant("parent", resource.Keyspace("ks"), resource.Select)
		f.grant("bob", resource.Keyspace("own"), resource.Select)
		require.True(t, f.check("bob", resource.Select, resource.Keyspace("ks")))

		// DROP ROLE parent as the DCL layer runs it: the role manager, then
		// the hooks.
		require.NoError(t, a.Roles().DropRole(ctx, roles.System, "parent"))
		require.NoError(t, a.Hooks().OnDropRole(ctx, "parent"))
		assert.False(t, f.check("bob", resource.Select, resource.Keyspace("ks")), "bob lost parent's grants")
		assert.True(t, f.check("bob", resource.Select, resource.Keyspace("own")))

		// DROP ROLE bob; a new bob starts from nothing.
		require.NoError(t, a.Roles().DropRole(ctx, roles.System, "bob"))
		require.NoError(t, a.Hooks().OnDropRole(ctx, "bob"))
		assert.False(t, f.check("bob", resource.Select, resource.Keyspace("own")))
		assert.ErrorIs(t, a.Login(ctx, roles.NewUser("bob")), authn.ErrNotPermittedToLogin)
		f.role("bob", true)
		assert.False(t, f.check("bob", resource.Select, resource.Keyspace("own")))
		assert.NoError(t, a.Login(ctx, roles.NewUser("bob")))
	})
}

func TestPasswordChangeVisibleToNextLogin(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		cfg := passwordConfig(hour)
		cfg.VerifiedCredentialsCache = true
		a := newAuth(t, cfg, st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.role("bob", true, withPassword("one"))
		for range 2 {
			u, err := a.Authenticate(ctx, "bob", authn.NewSecret("one"))
			require.NoError(t, err)
			assert.Equal(t, "bob", u.Name())
		}
		pw := a.Authenticator().(*authn.Password)
		require.NotNil(t, pw.VerifiedCache())
		require.Equal(t, uint64(1), pw.VerifiedCache().Stats().Hits, "the repeat login skipped bcrypt")

		two := "two"
		require.NoError(t, a.Roles().AlterRole(ctx, roles.System, "bob", roles.Options{Password: &two}))
		_, err := a.Authenticate(ctx, "bob", authn.NewSecret("one"))
		assert.ErrorIs(t, err, authn.ErrIncorrectCredentials)
		assert.EqualError(t, err, "Provided username bob and/or password are incorrect")
		_, err = a.Authenticate(ctx, "bob", authn.NewSecret("two"))
		assert.NoError(t, err)

		// LOGIN off: the next login says so.
		no := false
		require.NoError(t, a.Roles().AlterRole(ctx, roles.System, "bob", roles.Options{Login: &no}))
		_, err = a.Authenticate(ctx, "bob", authn.NewSecret("two"))
		assert.EqualError(t, err, "bob is not permitted to log in")

		// SASL PLAIN through the one-call path; a dropped role cannot log in.
		yes := true
		require.NoError(t, a.Roles().AlterRole(ctx, roles.System, "bob", roles.Options{Login: &yes}))
		u, err := a.AuthenticateSASL(ctx, netip.Addr{}, nil, authn.EncodePlain("bob", authn.NewSecret("two")))
		require.NoError(t, err)
		assert.Equal(t, "bob", u.Name())
		require.NoError(t, a.Roles().DropRole(ctx, roles.System, "bob"))
		_, err = a.AuthenticateSASL(ctx, netip.Addr{}, nil, authn.EncodePlain("bob", authn.NewSecret("two")))
		assert.ErrorIs(t, err, authn.ErrIncorrectCredentials)
	})
}

func TestNetworkRestrictionChanges(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		cfg := passwordConfig(hour)
		cfg.NetworkAuthorizer = cassauth.CassandraNetworkAuthorizer
		a := newAuth(t, cfg, st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.chain("bob", "parent")
		bob := roles.NewUser("bob")
		require.NoError(t, a.ValidateLogin(ctx, bob, "dc2", netip.Addr{}))

		require.NoError(t, a.Network().SetRoleDatacenters(ctx, "bob", authz.DatacenterSubset("dc1")))
		err := a.ValidateLogin(ctx, bob, "dc2", netip.Addr{})
		assert.EqualError(t, err, "You do not have access to this datacenter (dc2)")
		assert.NoError(t, a.ValidateLogin(ctx, bob, "dc1", netip.Addr{}))

		yes := true
		require.NoError(t, a.Roles().AlterRole(ctx, roles.System, "parent", roles.Options{Superuser: &yes}))
		assert.NoError(t, a.ValidateLogin(ctx, bob, "dc2", netip.Addr{}), "superuser status through parent lifts the restriction")
		no := false
		require.NoError(t, a.Roles().AlterRole(ctx, roles.System, "parent", roles.Options{Superuser: &no}))
		assert.Error(t, a.ValidateLogin(ctx, bob, "dc2", netip.Addr{}))

		require.NoError(t, a.Network().Drop(ctx, "bob"))
		assert.NoError(t, a.ValidateLogin(ctx, bob, "dc2", netip.Addr{}))
	})
}

func TestCIDRRestrictionChanges(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		cfg := passwordConfig(hour)
		cfg.CIDRAuthorizer = cassauth.CassandraCIDRAuthorizer
		cfg.CIDR.Mode = authz.CIDREnforce
		a := newAuth(t, cfg, st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.role("bob", true)
		bob := roles.NewUser("bob")
		office, home := addr("10.1.2.3"), addr("192.0.2.7")
		require.NoError(t, st.SetCIDRGroup(ctx, "office", []netip.Prefix{prefix("10.0.0.0/8")}))
		require.NoError(t, a.CIDR().LoadCIDRGroupsCache(ctx))
		require.NoError(t, a.ValidateLogin(ctx, bob, "dc1", home))

		require.NoError(t, a.CIDR().SetCIDRGroupsForRole(ctx, "bob", authz.CIDRGroupSubset("office")))
		assert.EqualError(t, a.ValidateLogin(ctx, bob, "dc1", home), "You do not have access from this IP 192.0.2.7")
		assert.NoError(t, a.ValidateLogin(ctx, bob, "dc1", office))

		require.NoError(t, a.CIDR().DropCIDRPermissionsForRole(ctx, "bob"))
		assert.NoError(t, a.ValidateLogin(ctx, bob, "dc1", home))

		ok, err := a.CIDR().InvalidateCIDRPermissionsCache("bob")
		require.NoError(t, err)
		assert.True(t, ok, "bob's entry was cached")
		ok, err = a.CIDR().InvalidateCIDRPermissionsCache("bob")
		require.NoError(t, err)
		assert.False(t, ok)
		ok, err = a.CIDR().InvalidateCIDRPermissionsCache("")
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

func TestIdentitiesCache(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		cfg := cassauth.Config{Authenticator: cassauth.MutualTLSAuthenticator,
			AuthenticatorParameters: map[string]string{"validator_class_name": cassauth.CommonNameCertificateValidator},
			ClientEncryption:        authn.ClientEncryption{Enabled: true, RequireClientAuth: authn.ClientAuthRequired},
			Roles:                   hour, Credentials: hour}
		a := newAuth(t, cfg, st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.role("svc", true)
		cert := []*x509.Certificate{{Subject: pkix.Name{CommonName: "client-1"}}}
		_, err := a.AuthenticateSASL(ctx, addr("10.0.0.1"), cert, nil)
		assert.ErrorIs(t, err, authn.ErrIdentityNotAuthorized)

		require.NoError(t, a.Roles().AddIdentity(ctx, "client-1", "svc"))
		u, err := a.AuthenticateSASL(ctx, addr("10.0.0.1"), cert, nil)
		require.NoError(t, err)
		assert.Equal(t, "svc", u.Name())
		role, err := a.Roles().RoleForIdentity(ctx, "client-1")
		require.NoError(t, err)
		assert.Equal(t, "svc", role)

		require.NoError(t, a.Roles().DropIdentity(ctx, "client-1"))
		_, err = a.AuthenticateSASL(ctx, addr("10.0.0.1"), cert, nil)
		assert.ErrorIs(t, err, authn.ErrIdentityNotAuthorized)

		require.NoError(t, a.Roles().AddIdentity(ctx, "client-1", "svc"))
		_, err = a.AuthenticateSASL(ctx, addr("10.0.0.1"), cert, nil)
		require.NoError(t, err)
		require.NoError(t, a.Roles().DropRole(ctx, roles.System, "svc"))
		_, err = a.AuthenticateSASL(ctx, addr("10.0.0.1"), cert, nil)
		assert.ErrorIs(t, err, authn.ErrIdentityNotAuthorized, "dropping the role drops its identities")

		_, err = a.Authenticate(ctx, "svc", authn.NewSecret("x"))
		assert.EqualError(t, err, authn.MsgLegacyMutualTLS)
	})
}

func TestRevokeAllOnResource(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		a := newAuth(t, passwordConfig(hour), st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.chain("bob", "parent")
		f.role("eve", true)
		tbl := resource.Table("ks", "t")
		f.grant("parent", tbl, resource.Select)
		f.grant("eve", resource.Keyspace("ks"), resource.Select)
		require.True(t, f.check("bob", resource.Select, tbl))
		require.True(t, f.check("eve", resource.Select, tbl))

		require.NoError(t, a.Hooks().OnDropTable(ctx, "ks", "t"))
		assert.False(t, f.check("bob", resource.Select, tbl))
		assert.True(t, f.check("eve", resource.Select, tbl), "eve's grant is on the keyspace")

		require.NoError(t, a.Hooks().OnDropKeyspace(ctx, "ks"))
		assert.False(t, f.check("eve", resource.Select, tbl))

		// A creator's auto-grant is visible at once.
		require.NoError(t, a.Hooks().OnCreateKeyspace(ctx, roles.NewUser("bob"), "ks"))
		assert.True(t, f.check("bob", resource.Drop, tbl))
	})
}

func TestJMXPermissions(t *testing.T) {
	storesUnderTest(t, func(t *testing.T, st store.Store) {
		a := newAuth(t, passwordConfig(hour), st, cache.NewFakeClock(start))
		f := fixture{t, a}
		f.chain("bob", "jmx")
		name, err := resource.ParseObjectName("org.apache.cassandra.db:type=Tables,keyspace=ks,table=t")
		require.NoError(t, err)
		req := authz.JMXRequest{User: roles.NewUser("bob"), Method: "getAttribute", Target: &name}
		registered := func(resource.ObjectName) []resource.ObjectName { return []resource.ObjectName{name} }
		ok, err := a.Checker().AuthorizeJMX(ctx, req, registered)
		require.NoError(t, err)
		require.False(t, ok)

		mb, err := resource.MBean("org.apache.cassandra.db:type=Tables,*")
		require.NoError(t, err)
		f.grant("jmx", mb, resource.Select)
		ok, err = a.Checker().AuthorizeJMX(ctx, req, registered)
		require.NoError(t, err)
		assert.True(t, ok, "a grant on a pattern, through an inherited role")

		f.revoke("jmx", mb, resource.Select)
		ok, err = a.Checker().AuthorizeJMX(ctx, req, registered)
		require.NoError(t, err)
		assert.False(t, ok)

		f.grant("jmx", resource.AllMBeans, resource.Select)
		ok, _ = a.Checker().AuthorizeJMX(ctx, req, registered)
		require.True(t, ok)
		require.NoError(t, a.Authorizer().RevokeAllOn(ctx, resource.AllMBeans))
		ok, _ = a.Checker().AuthorizeJMX(ctx, req, registered)
		assert.False(t, ok, "REVOKE ALL ON the mbean root")
	})
}

// TestCIDRMonitorMode: MONITOR allows every address and logs Cassandra's
// lines, each at most once a minute.
func TestCIDRMonitorMode(t *testing.T) {
	st := newMem(t)
	var logs strings.Builder
	cfg := passwordConfig(hour)
	cfg.CIDRAuthorizer = cassauth.CassandraCIDRAuthorizer
	clk := cache.NewFakeClock(start)
	a, err := cassauth.New(cfg, st, cassauth.Options{Clock: clk, DisableDefaultSuperuser: true,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	require.NoError(t, err)
	defer a.Close()
	require.NoError(t, a.Setup(ctx))
	f := fixture{t, a}
	f.role("bob", true)
	require.NoError(t, st.SetCIDRGroup(ctx, "home", []netip.Prefix{prefix("192.0.2.0/24")}))
	require.NoError(t, a.CIDR().SetCIDRGroupsForRole(ctx, "bob", authz.CIDRGroupSubset("office")))
	bob := roles.NewUser("bob")
	for range 3 {
		require.NoError(t, a.ValidateLogin(ctx, bob, "dc1", addr("192.0.2.7")), "MONITOR allows")
	}
	const warn = "Role bob accessed from unauthorized IP 192.0.2.7, CIDR group [home]"
	assert.Equal(t, 1, strings.Count(logs.String(), warn), logs.String())
	clk.Advance(time.Minute)
	require.NoError(t, a.ValidateLogin(ctx, bob, "dc1", addr("192.0.2.7")))
	assert.Equal(t, 2, strings.Count(logs.String(), warn))
	require.NoError(t, a.ValidateLogin(ctx, bob, "dc1", addr("10.0.0.1")))
	assert.Contains(t, logs.String(), "Role bob accessed from IP 10.0.0.1, CIDR group null")
}
