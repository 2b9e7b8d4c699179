package authz_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

func TestAllowAll(t *testing.T) {
	ctx := context.Background()
	var a authz.AllowAll
	assert.False(t, a.RequireAuthorization())
	ps, err := a.Authorize(ctx, roles.NewUser("bob"), tblKsT)
	require.NoError(t, err)
	assert.Equal(t, tblKsT.Applicable(), ps)

	tests := []struct {
		name string
		call func() error
		msg  string
	}{
		{"grant", func() error {
			_, err := a.Grant(ctx, roles.System, resource.SetOf(resource.Select), tblKsT, "bob")
			return err
		}, "GRANT operation is not supported by AllowAllAuthorizer"},
		{"revoke", func() error {
			_, err := a.Revoke(ctx, roles.System, resource.SetOf(resource.Select), tblKsT, "bob")
			return err
		}, "REVOKE operation is not supported by AllowAllAuthorizer"},
		{"list", func() error {
			_, err := a.List(ctx, roles.System, resource.AllPermissions, resource.Resource{}, "")
			return err
		}, "LIST PERMISSIONS operation is not supported by AllowAllAuthorizer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.EqualError(t, err, tt.msg)
			require.ErrorIs(t, err, authz.ErrUnsupported)
			require.Equal(t, roles.CodeServerError, roles.CodeOf(err))
		})
	}
	require.NoError(t, a.RevokeAllFrom(ctx, "bob"))
	require.NoError(t, a.RevokeAllOn(ctx, tblKsT))
	assert.Empty(t, a.ProtectedResources())
	require.NoError(t, a.ValidateConfiguration())
	require.NoError(t, a.Setup(ctx))
}

func TestNewTableConfig(t *testing.T) {
	e := newEnv(t)
	_, err := authz.NewTable(authz.Config{Roles: e.roles})
	require.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	_, err = authz.NewTable(authz.Config{Store: e.st})
	require.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	_, err = authz.NewChecker(authz.CheckerConfig{Roles: e.roles})
	require.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	_, err = authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz})
	require.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
}

func TestTableAuthorize(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "alice", false)
	e.role(t, "staff", false)
	e.role(t, "readers", false)
	e.role(t, "admins", true)
	e.role(t, "ops", false)
	e.member(t, "staff", "alice")
	e.member(t, "readers", "staff")
	e.member(t, "admins", "ops")
	e.grant(t, "alice", tblKsT, resource.Modify)
	e.grant(t, "readers", tblKsT, resource.Select)
	e.grant(t, "staff", ksKs, resource.Alter)

	tests := []struct {
		name string
		user roles.User
		r    resource.Resource
		want resource.PermissionSet
	}{
		{"union over closure", roles.NewUser("alice"), tblKsT, resource.SetOf(resource.Select, resource.Modify)},
		{"exactly this resource", roles.NewUser("alice"), ksKs, resource.SetOf(resource.Alter)},
		{"no parent walking", roles.NewUser("alice"), allTblKs, 0},
		{"inherited only", roles.NewUser("staff"), tblKsT, resource.SetOf(resource.Select)},
		{"superuser via granted role", roles.NewUser("ops"), tblKsT, tblKsT.Applicable()},
		{"own superuser", roles.NewUser("admins"), resource.AllRoles, resource.AllRoles.Applicable()},
		{"unknown role", roles.NewUser("ghost"), tblKsT, 0},
		{"anonymous", roles.Anonymous, tblKsT, 0},
		{"system", roles.System, ksKs, ksKs.Applicable()},
		{"zero user", roles.User{}, tblKsT, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.authz.Authorize(ctx, tt.user, tt.r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "%v vs %v", tt.want, got)
		})
	}
}

func TestTableAuthorizeFailure(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "alice", false)
	e.st.broken.Store(true)
	_, err := e.authz.Authorize(ctx, roles.NewUser("alice"), tblKsT)
	require.EqualError(t, err, "Unable to perform authorization of permissions: storage node unreachable")
	require.ErrorIs(t, err, authz.ErrUndecided)
	require.ErrorIs(t, err, errStore)
	require.NotErrorIs(t, err, authz.ErrDenied)
	require.Equal(t, roles.CodeUnauthorized, roles.CodeOf(err))

	_, err = e.checker.Check(ctx, roles.NewUser("alice"), resource.Select, tblKsT)
	require.ErrorIs(t, err, authz.ErrUndecided)
	err = e.checker.Ensure(ctx, roles.NewUser("alice"), resource.Select, tblKsT)
	require.ErrorIs(t, err, authz.ErrUndecided)
}

func TestTableGrantRevoke(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	sel := resource.SetOf(resource.Select)
	selMod := resource.SetOf(resource.Select, resource.Modify)

	got, err := e.authz.Grant(ctx, roles.System, sel, tblKsT, "bob")
	require.NoError(t, err)
	assert.Equal(t, sel, got)
	got, err = e.authz.Grant(ctx, roles.System, selMod, tblKsT, "bob")
	require.NoError(t, err)
	assert.Equal(t, resource.SetOf(resource.Modify), got, "only the new one is reported")

	got, err = e.authz.Grant(ctx, roles.System, resource.SetOf(resource.Create, resource.Execute), tblKsT, "bob")
	require.NoError(t, err)
	assert.Equal(t, resource.NoPermissions, got, "inapplicable permissions are dropped")

	_, err = e.authz.Grant(ctx, roles.System, sel, tblKsT, "ghost")
	require.EqualError(t, err, "Role ghost doesn't exist")
	require.ErrorIs(t, err, authz.ErrNoSuchRole)
	require.Equal(t, roles.CodeInvalid, roles.CodeOf(err))

	_, err = e.authz.Grant(ctx, roles.System, sel, resource.Resource{}, "bob")
	require.ErrorIs(t, err, authz.ErrInvalidResource)

	got, err = e.authz.Revoke(ctx, roles.System, resource.SetOf(resource.Select, resource.Alter), tblKsT, "bob")
	require.NoError(t, err)
	assert.Equal(t, sel, got, "only what was held is reported")

	grantees, err := e.mem.ListGrantees(ctx, tblKsT.Name())
	require.NoError(t, err)
	assert.Equal(t, []string{"bob"}, grantees, "a partial revoke keeps the index row")

	got, err = e.authz.Revoke(ctx, roles.System, resource.AllPermissions, tblKsT, "bob")
	require.NoError(t, err)
	assert.Equal(t, resource.SetOf(resource.Modify), got)
	grantees, err = e.mem.ListGrantees(ctx, tblKsT.Name())
	require.NoError(t, err)
	assert.Empty(t, grantees)

	got, err = e.authz.Revoke(ctx, roles.System, sel, tblKsT, "ghost")
	require.NoError(t, err)
	assert.Equal(t, resource.NoPermissions, got)
}

func TestTableList(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for _, r := range []string{"alice", "bob", "readers", "auditor", "carol"} {
		e.role(t, r, false)
	}
	e.role(t, "root", true)
	e.member(t, "readers", "alice")
	e.grant(t, "alice", tblKsT, resource.Modify, resource.Select)
	e.grant(t, "alice", ksKs, resource.Alter)
	e.grant(t, "readers", tblKsT, resource.Select)
	e.grant(t, "bob", tblKsU, resource.Drop)
	e.grant(t, "auditor", resource.AllRoles, resource.Describe)
	e.grant(t, "carol", resource.Role("bob"), resource.Describe)

	pd := func(g string, r resource.Resource, p resource.Permission) authz.PermissionDetails {
		return authz.PermissionDetails{Grantee: g, Resource: r, Permission: p}
	}
	tests := []struct {
		name      string
		performer roles.User
		perms     resource.PermissionSet
		r         resource.Resource
		grantee   string
		want      []authz.PermissionDetails
		err       string
	}{
		{"of alice, inherited rows attributed", roles.NewUser("alice"), resource.AllPermissions, resource.Resource{}, "alice",
			[]authz.PermissionDetails{
				pd("alice", ksKs, resource.Alter), pd("alice", tblKsT, resource.Select), pd("alice", tblKsT, resource.Modify),
				pd("readers", tblKsT, resource.Select)}, ""},
		{"of alice on the table, SELECT only", roles.NewUser("alice"), resource.SetOf(resource.Select), tblKsT, "alice",
			[]authz.PermissionDetails{pd("alice", tblKsT, resource.Select), pd("readers", tblKsT, resource.Select)}, ""},
		{"own granted role", roles.NewUser("alice"), resource.AllPermissions, resource.Resource{}, "readers",
			[]authz.PermissionDetails{pd("readers", tblKsT, resource.Select)}, ""},
		{"everyone on a resource by superuser", roles.NewUser("root"), resource.AllPermissions, tblKsT, "",
			[]authz.PermissionDetails{pd("alice", tblKsT, resource.Select), pd("alice", tblKsT, resource.Modify),
				pd("readers", tblKsT, resource.Select)}, ""},
		{"everything by DESCRIBE on all roles", roles.NewUser("auditor"), resource.SetOf(resource.Drop, resource.Describe), resource.Resource{}, "",
			[]authz.PermissionDetails{pd("auditor", resource.AllRoles, resource.Describe), pd("bob", tblKsU, resource.Drop),
				pd("carol", resource.Role("bob"), resource.Describe)}, ""},
		{"DESCRIBE on the role", roles.NewUser("carol"), resource.AllPermissions, resource.Resource{}, "bob",
			[]authz.PermissionDetails{pd("bob", tblKsU, resource.Drop)}, ""},
		{"system", roles.System, resource.AllPermissions, tblKsU, "",
			[]authz.PermissionDetails{pd("bob", tblKsU, resource.Drop)}, ""},
		{"nothing matches", roles.NewUser("root"), resource.SetOf(resource.Execute), resource.Resource{}, "", nil, ""},
		{"unknown grantee", roles.NewUser("root"), resource.AllPermissions, resource.Resource{}, "ghost", nil, ""},
		{"someone else", roles.NewUser("bob"), resource.AllPermissions, resource.Resource{}, "alice", nil,
			"You are not authorized to view alice's permissions"},
		{"everyone without DESCRIBE", roles.NewUser("bob"), resource.AllPermissions, resource.Resource{}, "", nil,
			"You are not authorized to view everyone's permissions"},
		{"DESCRIBE on another role", roles.NewUser("carol"), resource.AllPermissions, resource.Resource{}, "alice", nil,
			"You are not authorized to view alice's permissions"},
		{"anonymous", roles.Anonymous, resource.AllPermissions, resource.Resource{}, "alice", nil,
			"You are not authorized to view alice's permissions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.authz.List(ctx, tt.performer, tt.perms, tt.r, tt.grantee)
			if tt.err != "" {
				requireDenied(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPermissionDetailsOrder(t *testing.T) {
	a := authz.PermissionDetails{Grantee: "b", Resource: ksKs, Permission: resource.Select}
	rows := []authz.PermissionDetails{
		{Grantee: "b", Resource: tblKsT, Permission: resource.Create},
		{Grantee: "b", Resource: ksKs, Permission: resource.Modify},
		a,
		{Grantee: "a", Resource: tblKsU, Permission: resource.Drop},
		{Grantee: "B", Resource: tblKsU, Permission: resource.Drop},
	}
	authz.SortPermissionDetails(rows)
	assert.Equal(t, []string{"B", "a", "b", "b", "b"}, []string{rows[0].Grantee, rows[1].Grantee, rows[2].Grantee, rows[3].Grantee, rows[4].Grantee})
	assert.Equal(t, a, rows[2], "data/ks before data/ks/t, then by ordinal")
	assert.Equal(t, resource.Modify, rows[3].Permission)
	assert.Equal(t, "<PermissionDetails grantee:b resource:data/ks permission:SELECT>", a.String())
}

func TestTableRevokeAll(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "a", false)
	e.role(t, "b", false)
	e.grant(t, "a", tblKsT, resource.Select)
	e.grant(t, "a", ksKs, resource.Select)
	e.grant(t, "b", tblKsT, resource.Select)

	require.NoError(t, e.authz.RevokeAllOn(ctx, tblKsT))
	gs, err := e.mem.ListGrants(ctx, "")
	require.NoError(t, err)
	require.Len(t, gs, 1)
	assert.Equal(t, "data/ks", gs[0].Resource)

	require.NoError(t, e.authz.RevokeAllFrom(ctx, "a"))
	gs, err = e.mem.ListGrants(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, gs)

	require.ErrorIs(t, e.authz.RevokeAllOn(ctx, resource.Resource{}), authz.ErrInvalidResource)
	e.st.broken.Store(true)
	err = e.authz.RevokeAllOn(ctx, tblKsT)
	require.ErrorIs(t, err, errStore)
	require.Equal(t, roles.CodeServerError, roles.CodeOf(err))

	assert.Equal(t, []resource.Resource{resource.Table("system_auth", "role_permissions")}, e.authz.ProtectedResources())
	assert.True(t, e.authz.RequireAuthorization())
	require.NoError(t, e.authz.ValidateConfiguration())
	require.NoError(t, e.authz.Setup(ctx))
}

func TestTableBulkLoad(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "alice", false)
	e.role(t, "root", true)
	e.role(t, "bob", false)
	nologin := false
	require.NoError(t, e.roles.CreateRole(ctx, roles.System, "readers", roles.Options{Login: &nologin}))
	e.member(t, "readers", "alice")
	e.grant(t, "readers", ksKs, resource.Select)
	e.grant(t, "alice", ksKs, resource.Modify)
	e.grant(t, "alice", tblKsT, resource.Alter)
	e.grant(t, "root", tblKsT, resource.Select)

	entries, err := e.authz.BulkLoad(ctx)
	require.NoError(t, err)
	assert.Equal(t, []authz.PermissionsEntry{
		{User: roles.NewUser("alice"), Resource: ksKs, Permissions: resource.SetOf(resource.Select, resource.Modify)},
		{User: roles.NewUser("alice"), Resource: tblKsT, Permissions: resource.SetOf(resource.Alter)},
	}, entries, "no entries for roles without LOGIN, nor for superusers")
	for _, en := range entries {
		ps, err := e.authz.Authorize(ctx, en.User, en.Resource)
		require.NoError(t, err)
		assert.Equal(t, ps, en.Permissions, "an entry is what Authorize returns")
	}
	e.st.broken.Store(true)
	_, err = e.authz.BulkLoad(ctx)
	require.ErrorIs(t, err, authz.ErrUndecided)
}
