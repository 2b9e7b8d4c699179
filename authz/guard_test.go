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

func TestEnsureData(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	e.role(t, "root", true)
	e.grant(t, "bob", resource.Keyspace("system_auth"), resource.Alter)
	e.grant(t, "bob", tblKsT, resource.Select)
	custom := resource.Table("app", "secrets")
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles,
		Protected: []resource.Resource{custom, resource.Table("system_auth", "roles")}})
	require.NoError(t, err)
	allowAll, err := authz.NewChecker(authz.CheckerConfig{Authorizer: authz.AllowAll{}, Roles: e.roles,
		Protected: []resource.Resource{custom}})
	require.NoError(t, err)

	bob, root := roles.NewUser("bob"), roles.NewUser("root")
	tests := []struct {
		name string
		c    *authz.Checker
		user roles.User
		p    resource.Permission
		r    resource.Resource
		msg  string // "" = allowed
		code roles.Code
	}{
		{"no keyspace", c, bob, resource.Select, resource.Table("", "t"),
			"You have not set a keyspace for this session", roles.CodeInvalid},
		{"no keyspace (keyspace level)", c, bob, resource.Create, resource.Keyspace(""),
			"You have not set a keyspace for this session", roles.CodeInvalid},
		{"system user", c, roles.System, resource.Drop, resource.Table("system", "local"), "", 0},
		{"not logged in", c, roles.User{}, resource.Select, tblKsT, "You have not logged in", roles.CodeUnauthorized},
		{"not logged in (root)", c, roles.User{}, resource.Create, resource.AllKeyspaces, "You have not logged in", roles.CodeUnauthorized},
		{"local system keyspace", c, root, resource.Drop, resource.Table("system", "local"),
			"system keyspace is not user-modifiable.", roles.CodeUnauthorized},
		{"local system keyspace, case-insensitive", c, root, resource.Alter, resource.Keyspace("System_Schema"),
			"System_Schema keyspace is not user-modifiable.", roles.CodeUnauthorized},
		{"virtual keyspace", c, root, resource.Create, resource.AllTables("system_views"),
			"system_views keyspace is not user-modifiable.", roles.CodeUnauthorized},
		{"replicated system table", c, root, resource.Drop, resource.Table("system_auth", "roles"),
			"Cannot DROP <table system_auth.roles>", roles.CodeUnauthorized},
		{"replicated system keyspace drop", c, root, resource.Drop, resource.Keyspace("system_distributed"),
			"Cannot DROP <keyspace system_distributed>", roles.CodeUnauthorized},
		{"replicated create table", c, root, resource.Create, resource.AllTables("system_traces"),
			"Cannot CREATE <all tables in system_traces>", roles.CodeUnauthorized},
		{"replicated alter table", c, root, resource.Alter, resource.Table("system_auth", "role_members"),
			"Cannot ALTER <table system_auth.role_members>", roles.CodeUnauthorized},
		{"replicated alter keyspace allowed with permission", c, bob, resource.Alter, resource.Keyspace("system_auth"), "", 0},
		{"replicated alter keyspace still checked", c, roles.NewUser("ghost"), resource.Alter, resource.Keyspace("system_auth"),
			"User ghost has no ALTER permission on <keyspace system_auth> or any of its parents", roles.CodeUnauthorized},
		{"select on system_auth is an ordinary check", c, bob, resource.Select, resource.Table("system_auth", "roles"),
			"User bob has no SELECT permission on <table system_auth.roles> or any of its parents", roles.CodeUnauthorized},
		{"readable system.local", c, bob, resource.Select, resource.Table("system", "local"), "", 0},
		{"readable system.peers_v2", c, bob, resource.Select, resource.Table("system", "peers_v2"), "", 0},
		{"readable system_schema", c, bob, resource.Select, resource.Table("system_schema", "tables"), "", 0},
		{"readable virtual schema", c, bob, resource.Select, resource.Table("system_virtual_schema", "columns"), "", 0},
		{"not readable system.size_estimates", c, bob, resource.Select, resource.Table("system", "size_estimates"),
			"User bob has no SELECT permission on <table system.size_estimates> or any of its parents", roles.CodeUnauthorized},
		{"modify on readable table is checked", c, bob, resource.Modify, resource.Table("system", "local"),
			"User bob has no MODIFY permission on <table system.local> or any of its parents", roles.CodeUnauthorized},
		{"protected", c, root, resource.Alter, custom, "<table app.secrets> schema is protected", roles.CodeUnauthorized},
		{"protected, even with AllowAll", allowAll, roles.Anonymous, resource.Drop, custom,
			"<table app.secrets> schema is protected", roles.CodeUnauthorized},
		{"protected allows SELECT", c, root, resource.Select, custom, "", 0},
		{"AllowAll skips the check", allowAll, roles.Anonymous, resource.Modify, tblKsT, "", 0},
		{"ordinary allow", c, bob, resource.Select, tblKsT, "", 0},
		{"ordinary deny", c, bob, resource.Modify, tblKsT,
			"User bob has no MODIFY permission on <table ks.t> or any of its parents", roles.CodeUnauthorized},
		{"root resource", c, bob, resource.Create, resource.AllKeyspaces,
			"User bob has no CREATE permission on <all keyspaces> or any of its parents", roles.CodeUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.EnsureData(ctx, tt.user, tt.p, tt.r)
			if tt.msg == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tt.msg)
				require.ErrorIs(t, err, authz.ErrDenied)
				assert.Equal(t, tt.code, roles.CodeOf(err))
			}
			ex, err := tt.c.ExplainData(ctx, tt.user, tt.p, tt.r)
			require.NoError(t, err)
			assert.Equal(t, tt.msg == "", ex.Allowed)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, ex.Message)
			}
		})
	}
	err = c.EnsureData(ctx, bob, resource.Select, resource.AllRoles)
	require.ErrorIs(t, err, authz.ErrInvalidResource)
	_, err = c.ExplainData(ctx, bob, resource.Select, resource.AllRoles)
	require.ErrorIs(t, err, authz.ErrInvalidResource)
}

func TestDefaultProtected(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "root", true)
	// The default set is the authorizer's and the role manager's; none of
	// them can be reached past the system-keyspace guard, which refuses
	// first, exactly as in Cassandra.
	err := e.checker.EnsureData(ctx, roles.NewUser("root"), resource.Drop, resource.Table("system_auth", "role_permissions"))
	require.EqualError(t, err, "Cannot DROP <table system_auth.role_permissions>")
}

func TestSystemKeyspaceHelpers(t *testing.T) {
	for _, ks := range []string{"system", "SYSTEM", "system_schema", "system_views", "system_virtual_schema"} {
		assert.True(t, authz.IsLocalSystemKeyspace(ks), ks)
		assert.False(t, authz.IsReplicatedSystemKeyspace(ks), ks)
	}
	for _, ks := range []string{"system_auth", "System_Traces", "system_distributed", "system_cluster_metadata"} {
		assert.True(t, authz.IsReplicatedSystemKeyspace(ks), ks)
		assert.False(t, authz.IsLocalSystemKeyspace(ks), ks)
	}
	assert.False(t, authz.IsLocalSystemKeyspace("ks"))
	assert.False(t, authz.IsAlwaysReadable(resource.Keyspace("system_schema")))
	assert.False(t, authz.IsAlwaysReadable(resource.Table("System", "local")), "readable tables match exactly")
}
