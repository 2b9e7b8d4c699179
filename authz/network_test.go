package authz_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/roles"
)

func TestDCPermissions(t *testing.T) {
	tests := []struct {
		name      string
		p         authz.DCPermissions
		str       string
		restricts bool
		dc1, dc3  bool
	}{
		{"all", authz.AllDatacenters(), "ALL", false, true, true},
		{"none", authz.NoDatacenters(), "n/a", true, false, false},
		{"zero value is none", authz.DCPermissions{}, "n/a", true, false, false},
		{"subset", authz.DatacenterSubset("dc2", "dc1", "dc2"), "dc1, dc2", true, true, false},
		{"empty subset is all", authz.DatacenterSubset(), "ALL", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.str, tt.p.String())
			assert.Equal(t, tt.restricts, tt.p.RestrictsAccess())
			assert.Equal(t, tt.dc1, tt.p.CanAccess("dc1"))
			assert.Equal(t, tt.dc3, tt.p.CanAccess("dc3"))
		})
	}
	assert.Equal(t, []string{"dc1", "dc2"}, authz.DatacenterSubset("dc2", "dc1").Datacenters())
	assert.True(t, authz.DatacenterSubset("a", "b").Equal(authz.DatacenterSubset("b", "a")))
	assert.False(t, authz.AllDatacenters().Equal(authz.NoDatacenters()))
	assert.True(t, authz.NoDatacenters().IsNone())
	assert.True(t, authz.AllDatacenters().IsAll())

	err := authz.DatacenterSubset("dc1", "dcX", "dcA").Validate([]string{"dc1", "dc2"})
	require.EqualError(t, err, "Invalid value(s) for DATACENTERS '[dc1, dcA, dcX]',All values must be valid datacenters")
	require.Equal(t, roles.CodeInvalid, roles.CodeOf(err))
	require.NoError(t, authz.DatacenterSubset("dc1").Validate([]string{"dc1", "dc2"}))
	require.NoError(t, authz.AllDatacenters().Validate(nil))
}

func TestDCPermissionsBuilder(t *testing.T) {
	var b authz.DCPermissionsBuilder
	assert.False(t, b.Modified())
	assert.True(t, b.Build().IsAll())
	require.NoError(t, b.Add("dc1"))
	require.NoError(t, b.Add("dc2"))
	assert.True(t, b.Modified())
	err := b.All()
	require.EqualError(t, err, "DCs have already been set")
	assert.Equal(t, "dc1, dc2", b.Build().String())

	var a authz.DCPermissionsBuilder
	require.NoError(t, a.All())
	require.EqualError(t, a.Add("dc1"), "All has been set")
	assert.True(t, a.Build().IsAll())
	assert.True(t, a.Modified())
}

func TestAllowAllNetwork(t *testing.T) {
	ctx := context.Background()
	var n authz.AllowAllNetwork
	assert.False(t, n.RequireAuthorization())
	p, err := n.Authorize(ctx, "bob")
	require.NoError(t, err)
	assert.True(t, p.IsAll())
	err = n.SetRoleDatacenters(ctx, "bob", authz.DatacenterSubset("dc1"))
	require.EqualError(t, err, "ACCESS TO DATACENTERS operations not supported by AllowAllNetworkAuthorizer")
	require.ErrorIs(t, err, authz.ErrUnsupported)
	require.Equal(t, roles.CodeInvalid, roles.CodeOf(err))
	require.NoError(t, n.Drop(ctx, "bob"))
	require.NoError(t, n.ValidateConfiguration())
	require.NoError(t, n.Setup(ctx))
}

func TestTableNetwork(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	_, err := authz.NewTableNetwork(authz.NetworkConfig{Store: e.st})
	require.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	n, err := authz.NewTableNetwork(authz.NetworkConfig{Store: e.st, Roles: e.roles})
	require.NoError(t, err)
	assert.True(t, n.RequireAuthorization())

	e.role(t, "bob", false)
	e.role(t, "root", true)
	e.role(t, "ops", false)
	e.role(t, "carol", false)
	e.member(t, "root", "ops")
	nologin := false
	require.NoError(t, e.roles.CreateRole(ctx, roles.System, "group", roles.Options{Login: &nologin}))

	require.NoError(t, n.SetRoleDatacenters(ctx, "bob", authz.DatacenterSubset("dc1")))
	require.NoError(t, n.SetRoleDatacenters(ctx, "ops", authz.DatacenterSubset("dc1")))
	require.NoError(t, n.SetRoleDatacenters(ctx, "carol", authz.AllDatacenters()))
	require.NoError(t, n.SetRoleDatacenters(ctx, "group", authz.DatacenterSubset("dc1")))
	require.Equal(t, roles.CodeInvalid, roles.CodeOf(n.SetRoleDatacenters(ctx, "bob", authz.NoDatacenters())))

	for _, tt := range []struct{ role, want string }{
		{"bob", "dc1"}, {"root", "ALL"}, {"ops", "ALL"}, {"carol", "ALL"}, {"group", "n/a"}, {"ghost", "n/a"},
	} {
		p, err := n.Authorize(ctx, tt.role)
		require.NoError(t, err)
		assert.Equal(t, tt.want, p.String(), tt.role)
	}
	require.NoError(t, n.Drop(ctx, "bob"))
	require.NoError(t, n.Drop(ctx, "bob"), "dropping twice is fine")
	p, err := n.Authorize(ctx, "bob")
	require.NoError(t, err)
	assert.True(t, p.IsAll(), "no row means all")

	e.st.broken.Store(true)
	_, err = n.Authorize(ctx, "bob")
	require.ErrorIs(t, err, authz.ErrUndecided)
	require.ErrorIs(t, err, errStore)
	require.Equal(t, roles.CodeUnauthorized, roles.CodeOf(err))
	require.NoError(t, n.ValidateConfiguration())
	require.NoError(t, n.Setup(ctx))
}
