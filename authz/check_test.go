package authz_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

func TestCheckWalksParents(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	e.role(t, "readers", false)
	e.role(t, "root", true)
	e.member(t, "readers", "bob")
	e.grant(t, "readers", ksKs, resource.Select)
	e.grant(t, "bob", allTblKs, resource.Modify)
	e.grant(t, "bob", resource.AllKeyspaces, resource.Create)
	e.grant(t, "bob", resource.Role("alice"), resource.Alter)
	fn := mustFunction(t, "ks", "f", "int", "text")
	e.grant(t, "bob", resource.FunctionsIn("ks"), resource.Execute)

	// Three ways to walk: one AuthorizeChain call (the default without a
	// lookup), per resource leaf first, per resource root first.
	perResource, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles, Permissions: e.authz.Authorize})
	require.NoError(t, err)
	fromRoot, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles, Permissions: e.authz.Authorize,
		TraverseFromRoot: true})
	require.NoError(t, err)

	bob := roles.NewUser("bob")
	tests := []struct {
		name string
		user roles.User
		p    resource.Permission
		r    resource.Resource
		want bool
		msg  string
	}{
		{"keyspace grant through inherited role", bob, resource.Select, tblKsT, true, ""},
		{"all-tables grant", bob, resource.Modify, tblKsU, true, ""},
		{"root grant", bob, resource.Create, tblKsT, true, ""},
		{"not granted anywhere", bob, resource.Drop, tblKsT, false,
			"User bob has no DROP permission on <table ks.t> or any of its parents"},
		{"grant on child does not cover parent", bob, resource.Modify, ksKs, false,
			"User bob has no MODIFY permission on <keyspace ks> or any of its parents"},
		{"role resource", bob, resource.Alter, resource.Role("alice"), true, ""},
		{"role resource denied", bob, resource.Drop, resource.Role("alice"), false,
			"User bob has no DROP permission on <role alice> or any of its parents"},
		{"function through functions in ks", bob, resource.Execute, fn, true, ""},
		{"function denied", bob, resource.Alter, fn, false,
			"User bob has no ALTER permission on <function ks.f(int, text)> or any of its parents"},
		{"system function is always allowed", bob, resource.Execute, mustFunction(t, "system", "now"), true, ""},
		{"all functions in system", bob, resource.Execute, resource.FunctionsIn("system"), true, ""},
		{"functions root is checked", bob, resource.Execute, resource.AllFunctions, false,
			"User bob has no EXECUTE permission on <all functions> or any of its parents"},
		{"mbean", bob, resource.Select, mustMBean(t, "org.apache.cassandra.db:type=Tables,keyspace=ks"), false,
			"User bob has no SELECT permission on <mbean org.apache.cassandra.db:keyspace=ks,type=Tables> or any of its parents"},
		{"superuser", roles.NewUser("root"), resource.Drop, tblKsT, true, ""},
		{"superuser still needs an applicable permission", roles.NewUser("root"), resource.Select, resource.Role("x"), false,
			"User root has no SELECT permission on <role x> or any of its parents"},
		{"system", roles.System, resource.Drop, tblKsT, true, ""},
		{"system, not applicable", roles.System, resource.Select, resource.Role("x"), false,
			"User system has no SELECT permission on <role x> or any of its parents"},
		{"anonymous", roles.Anonymous, resource.Select, tblKsT, false,
			"User anonymous has no SELECT permission on <table ks.t> or any of its parents"},
		{"unknown user", roles.NewUser("ghost"), resource.Select, tblKsT, false,
			"User ghost has no SELECT permission on <table ks.t> or any of its parents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []*authz.Checker{e.checker, perResource, fromRoot} {
				ok, err := c.Check(ctx, tt.user, tt.p, tt.r)
				require.NoError(t, err)
				assert.Equal(t, tt.want, ok)
				err = c.Ensure(ctx, tt.user, tt.p, tt.r)
				if tt.want {
					require.NoError(t, err)
					require.NoError(t, c.EnsureRoleOp(ctx, tt.user, tt.p, tt.r))
					continue
				}
				requireDenied(t, err, tt.msg)
				requireDenied(t, c.EnsureRoleOp(ctx, tt.user, tt.p, tt.r),
					"User "+tt.user.Name()+" does not have sufficient privileges to perform the requested operation")
			}
		})
	}
	_, err = e.checker.Check(ctx, bob, resource.Select, resource.Resource{})
	require.ErrorIs(t, err, authz.ErrInvalidResource)
}

func TestCheckAllowAll(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: authz.AllowAll{}, Roles: e.roles})
	require.NoError(t, err)
	ok, err := c.Check(ctx, roles.Anonymous, resource.Drop, tblKsT)
	require.NoError(t, err)
	assert.True(t, ok, "AllowAll allows even what is not applicable")
	ok, err = c.Check(ctx, roles.Anonymous, resource.Select, resource.Role("r"))
	require.NoError(t, err)
	assert.True(t, ok)
}

// walkOrder records the resources a checker looks up.
func TestCheckOrderAndLookup(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var seen []string
	lookup := func(_ context.Context, _ roles.User, r resource.Resource) (resource.PermissionSet, error) {
		seen = append(seen, r.Name())
		return 0, nil
	}
	for _, fromRoot := range []bool{false, true} {
		seen = nil
		c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles, Permissions: lookup, TraverseFromRoot: fromRoot})
		require.NoError(t, err)
		ok, err := c.Check(ctx, roles.NewUser("bob"), resource.Select, tblKsT)
		require.NoError(t, err)
		assert.False(t, ok)
		want := []string{"data/ks/t", "data/ks/*", "data/ks", "data"}
		if fromRoot {
			want = []string{"data", "data/ks", "data/ks/*", "data/ks/t"}
		}
		assert.Equal(t, want, seen)
	}

	boom := errors.New("cache exploded")
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles,
		Permissions: func(context.Context, roles.User, resource.Resource) (resource.PermissionSet, error) { return 0, boom }})
	require.NoError(t, err)
	ok, err := c.Check(ctx, roles.NewUser("bob"), resource.Select, tblKsT)
	require.ErrorIs(t, err, boom)
	assert.False(t, ok, "never allow on error")
}

func TestCheckDoesNotAllocate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	lookup := func(_ context.Context, _ roles.User, r resource.Resource) (resource.PermissionSet, error) {
		if r.Level() == resource.KeyspaceLevel {
			return resource.SetOf(resource.Select), nil
		}
		return 0, nil
	}
	for _, fromRoot := range []bool{false, true} {
		c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles, Permissions: lookup, TraverseFromRoot: fromRoot})
		require.NoError(t, err)
		user := roles.NewUser("bob")
		allocs := testing.AllocsPerRun(100, func() {
			if ok, err := c.Check(ctx, user, resource.Select, tblKsT); !ok || err != nil {
				t.Fatal("expected allow")
			}
			if err := c.Ensure(ctx, user, resource.Select, tblKsT); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "fromRoot=%v", fromRoot)
	}
}

func TestIsSuperuser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "root", true)
	e.role(t, "ops", false)
	e.role(t, "bob", false)
	e.member(t, "root", "ops")
	for _, tt := range []struct {
		user roles.User
		want bool
	}{
		{roles.NewUser("root"), true}, {roles.NewUser("ops"), true}, {roles.NewUser("bob"), false},
		{roles.NewUser("ghost"), false}, {roles.System, true}, {roles.Anonymous, false}, {roles.User{}, false},
	} {
		got, err := e.checker.IsSuperuser(ctx, tt.user)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, tt.user.Name())
	}
	e.st.broken.Store(true)
	_, err := e.checker.IsSuperuser(ctx, roles.NewUser("bob"))
	require.EqualError(t, err, "Unable to perform authorization of super-user permission: storage node unreachable")
	require.ErrorIs(t, err, authz.ErrUndecided)
	require.Equal(t, roles.CodeUnauthorized, roles.CodeOf(err))
}

func TestValidateLogin(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	e.role(t, "root", true)
	nw, err := authz.NewTableNetwork(authz.NetworkConfig{Store: e.st, Roles: e.roles})
	require.NoError(t, err)
	require.NoError(t, nw.SetRoleDatacenters(ctx, "bob", authz.DatacenterSubset("dc1")))
	require.NoError(t, nw.SetRoleDatacenters(ctx, "root", authz.DatacenterSubset("dc1")))
	require.NoError(t, e.mem.SetCIDRGroup(ctx, "office", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}))
	cidr, err := authz.NewTableCIDR(authz.CIDRConfig{Store: e.st, Roles: e.roles, Mode: authz.CIDREnforce})
	require.NoError(t, err)
	require.NoError(t, cidr.SetCIDRGroupsForRole(ctx, "bob", authz.CIDRGroupSubset("office")))
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles, Network: nw, CIDR: cidr})
	require.NoError(t, err)

	office := netip.MustParseAddr("10.1.2.3")
	tests := []struct {
		name string
		user roles.User
		dc   string
		ip   netip.Addr
		msg  string
	}{
		{"ok", roles.NewUser("bob"), "dc1", office, ""},
		{"no address given", roles.NewUser("bob"), "dc1", netip.Addr{}, ""},
		{"not logged in", roles.User{}, "dc1", office, "You have not logged in"},
		{"system", roles.System, "dc9", netip.MustParseAddr("192.0.2.1"), ""},
		{"datacenter", roles.NewUser("bob"), "dc2", office, "You do not have access to this datacenter (dc2)"},
		{"superuser ignores datacenters", roles.NewUser("root"), "dc2", netip.MustParseAddr("192.0.2.1"), ""},
		{"ip v4", roles.NewUser("bob"), "dc1", netip.MustParseAddr("192.0.2.1"), "You do not have access from this IP 192.0.2.1"},
		{"ip v6 as Java prints it", roles.NewUser("bob"), "dc1", netip.MustParseAddr("2001:db9::1"),
			"You do not have access from this IP 2001:db9:0:0:0:0:0:1"},
		{"ip v6 in group", roles.NewUser("bob"), "dc1", netip.MustParseAddr("2001:db8::1"), ""},
		{"role without login has no datacenter", roles.NewUser("ghost"), "dc1", office, "You do not have access to this datacenter (dc1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.ValidateLogin(ctx, tt.user, tt.dc, tt.ip)
			if tt.msg == "" {
				require.NoError(t, err)
				return
			}
			requireDenied(t, err, tt.msg)
		})
	}
	// Without network and CIDR authorizers only the login is checked.
	require.NoError(t, e.checker.ValidateLogin(ctx, roles.NewUser("bob"), "dc2", netip.MustParseAddr("192.0.2.1")))
}

func TestEnsureAccessChange(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	e.role(t, "root", true)
	requireDenied(t, e.checker.EnsureAccessChange(ctx, roles.NewUser("bob"), "bob", authz.AccessDatacenters),
		"You aren't allowed to alter ACCESS TO DATACENTERS")
	requireDenied(t, e.checker.EnsureAccessChange(ctx, roles.NewUser("bob"), "bob", authz.AccessCIDRs),
		"You aren't allowed to alter ACCESS FROM CIDRS")
	require.NoError(t, e.checker.EnsureAccessChange(ctx, roles.NewUser("bob"), "alice", authz.AccessCIDRs))
	require.NoError(t, e.checker.EnsureAccessChange(ctx, roles.NewUser("root"), "root", authz.AccessDatacenters))
	require.NoError(t, e.checker.EnsureAccessChange(ctx, roles.System, "system", authz.AccessDatacenters))
}

func TestEnsureNotAnonymousAndSuperuser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	e.role(t, "root", true)
	noAddr := netip.Addr{}
	require.NoError(t, e.checker.EnsureNotAnonymous(ctx, roles.NewUser("bob"), "dc1", noAddr))
	requireDenied(t, e.checker.EnsureNotAnonymous(ctx, roles.Anonymous, "dc1", noAddr),
		"You have to be logged in and not anonymous to perform this request")
	requireDenied(t, e.checker.EnsureNotAnonymous(ctx, roles.User{}, "dc1", noAddr), "You have not logged in")

	requireDenied(t, e.checker.EnsureSuperuser(ctx, roles.NewUser("bob"), authz.CreateTriggerMessage),
		"Only superusers are allowed to perform CREATE TRIGGER queries")
	requireDenied(t, e.checker.EnsureSuperuser(ctx, roles.NewUser("bob"), authz.DropTriggerMessage),
		"Only superusers are allowed to perfrom DROP TRIGGER queries")
	require.NoError(t, e.checker.EnsureSuperuser(ctx, roles.NewUser("root"), authz.CreateTriggerMessage))
	require.NoError(t, e.checker.EnsureSuperuser(ctx, roles.Anonymous, authz.CreateTriggerMessage),
		"without authentication everyone is a superuser")
	require.NoError(t, e.checker.EnsureSuperuser(ctx, roles.System, authz.CreateTriggerMessage))
	requireDenied(t, e.checker.EnsureSuperuser(ctx, roles.User{}, authz.CreateTriggerMessage),
		"Only superusers are allowed to perform CREATE TRIGGER queries")
	e.st.broken.Store(true)
	require.ErrorIs(t, e.checker.EnsureSuperuser(ctx, roles.NewUser("bob"), authz.CreateTriggerMessage), authz.ErrUndecided)
}
