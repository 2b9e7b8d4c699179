package authz_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

func grantNames(t *testing.T, e *env) []string {
	t.Helper()
	gs, err := e.mem.ListGrants(context.Background(), "")
	require.NoError(t, err)
	var out []string
	for _, g := range gs {
		out = append(out, g.Role+" "+g.Resource+" "+g.Permissions.String())
	}
	return out
}

func TestOnCreate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	fn := mustFunction(t, "ks", "f", "int")

	require.NoError(t, e.hooks.OnCreateKeyspace(ctx, roles.NewUser("bob"), "ks"))
	require.NoError(t, e.hooks.OnCreate(ctx, roles.NewUser("bob"), tblKsT, fn, resource.Role("carol")))
	assert.Equal(t, []string{
		"bob data/ks [CREATE, ALTER, DROP, SELECT, MODIFY, AUTHORIZE, UNMASK, SELECT_MASKED]",
		"bob data/ks/t [ALTER, DROP, SELECT, MODIFY, AUTHORIZE, UNMASK, SELECT_MASKED]",
		"bob functions/ks [CREATE, ALTER, DROP, AUTHORIZE, EXECUTE]",
		"bob functions/ks/f[org.apache.cassandra.db.marshal.Int32Type] [ALTER, DROP, AUTHORIZE, EXECUTE]",
		"bob roles/carol [ALTER, DROP, AUTHORIZE, DESCRIBE]",
	}, grantNames(t, e))

	// Nobody to grant to: nothing happens.
	for _, u := range []roles.User{roles.Anonymous, roles.System, {}, roles.NewUser("ghost")} {
		require.NoError(t, e.hooks.OnCreate(ctx, u, tblKsU))
	}
	assert.Len(t, grantNames(t, e), 5)

	// An authorizer without grants is ignored.
	require.NoError(t, authz.SchemaHooks{Authorizer: authz.AllowAll{}}.OnCreate(ctx, roles.NewUser("bob"), tblKsU))

	e.st.broken.Store(true)
	require.ErrorIs(t, e.hooks.OnCreate(ctx, roles.NewUser("bob"), tblKsU), errStore)
}

func TestOnDrop(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	e.role(t, "alice", false)
	fn := mustFunction(t, "ks", "f", "int")
	other := mustFunction(t, "ks2", "f", "int")
	e.grant(t, "bob", tblKsT, resource.Select)
	e.grant(t, "alice", tblKsU, resource.Select)
	e.grant(t, "bob", allTblKs, resource.Select)
	e.grant(t, "bob", ksKs, resource.Select)
	e.grant(t, "bob", resource.FunctionsIn("ks"), resource.Execute)
	e.grant(t, "bob", fn, resource.Execute)
	e.grant(t, "bob", other, resource.Execute)
	e.grant(t, "bob", resource.Table("ks2", "t"), resource.Select)
	e.grant(t, "bob", resource.Keyspace("ks2"), resource.Select)
	e.grant(t, "alice", resource.Role("bob"), resource.Alter)
	e.grant(t, "bob", resource.Table("ksx", "t"), resource.Select) // "ksx" starts with "ks"

	require.NoError(t, e.hooks.OnDropTable(ctx, "ks2", "t"))
	require.NoError(t, e.hooks.OnDropFunction(ctx, other))
	require.ErrorIs(t, e.hooks.OnDropFunction(ctx, ksKs), authz.ErrInvalidResource)
	require.NoError(t, e.hooks.OnDropKeyspace(ctx, "ks"))
	assert.Equal(t, []string{
		"alice roles/bob [ALTER]",
		"bob data/ks2 [SELECT]",
		"bob data/ksx/t [SELECT]",
	}, grantNames(t, e))

	require.NoError(t, e.roles.DropRole(ctx, roles.System, "bob"))
	require.NoError(t, e.hooks.OnDropRole(ctx, "bob"))
	assert.Empty(t, grantNames(t, e), "grants to and on the dropped role are gone")

	require.NoError(t, authz.SchemaHooks{Authorizer: authz.AllowAll{}}.OnDropKeyspace(ctx, "ks"))
	e.st.broken.Store(true)
	require.ErrorIs(t, e.hooks.OnDropKeyspace(ctx, "ks"), errStore)
}

func TestOnDropRoleRestrictions(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	nw, err := authz.NewTableNetwork(authz.NetworkConfig{Store: e.st, Roles: e.roles})
	require.NoError(t, err)
	cidr, err := authz.NewTableCIDR(authz.CIDRConfig{Store: e.st, Roles: e.roles})
	require.NoError(t, err)
	require.NoError(t, nw.SetRoleDatacenters(ctx, "bob", authz.DatacenterSubset("dc1")))
	require.NoError(t, cidr.SetCIDRGroupsForRole(ctx, "bob", authz.CIDRGroupSubset("lab")))
	h := authz.SchemaHooks{Authorizer: e.authz, Network: nw, CIDR: cidr}
	require.NoError(t, h.OnDropRole(ctx, "bob"))
	_, err = e.mem.GetDatacenters(ctx, "bob")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = e.mem.GetCIDRPermissions(ctx, "bob")
	require.ErrorIs(t, err, store.ErrNotFound)

	e.st.broken.Store(true)
	require.NoError(t, nw.SetRoleDatacenters(ctx, "bob", authz.DatacenterSubset("dc1")))
	err = h.OnDropRole(ctx, "bob")
	require.ErrorIs(t, err, errStore, "revoke all on fails, the other steps still run")
	_, err = e.mem.GetDatacenters(ctx, "bob")
	require.ErrorIs(t, err, store.ErrNotFound)
}
