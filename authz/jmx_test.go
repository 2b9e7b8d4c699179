package authz_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

func mustON(t *testing.T, s string) *resource.ObjectName {
	t.Helper()
	n, err := resource.ParseObjectName(s)
	require.NoError(t, err)
	return &n
}

func TestAuthorizeJMX(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for _, r := range []string{"bob", "ops", "describer", "viewer", "nobody"} {
		e.role(t, r, false)
	}
	e.role(t, "root", true)
	e.member(t, "ops", "bob")
	// bob: SELECT on one table bean; through ops EXECUTE on a pattern.
	e.grant(t, "bob", mustMBean(t, "org.apache.cassandra.db:type=Tables,keyspace=ks,table=t"), resource.Select)
	e.grant(t, "ops", mustMBean(t, "org.apache.cassandra.db:type=StorageService"), resource.Execute)
	e.grant(t, "ops", mustMBean(t, "org.apache.cassandra.db:type=Tables,*"), resource.Modify)
	e.grant(t, "bob", mustMBean(t, "org.apache.cassandra.metrics:type=ClientRequest,*"), resource.Describe)
	e.grant(t, "describer", resource.AllMBeans, resource.Describe)
	e.grant(t, "viewer", resource.AllMBeans, resource.Select)
	// A data grant never counts.
	e.grant(t, "nobody", tblKsT, resource.Select)

	registry := []*resource.ObjectName{
		mustON(t, "org.apache.cassandra.db:type=Tables,keyspace=ks,table=t"),
		mustON(t, "org.apache.cassandra.db:type=Tables,keyspace=ks,table=u"),
		mustON(t, "org.apache.cassandra.db:type=StorageService"),
		mustON(t, "org.apache.cassandra.metrics:type=ClientRequest,scope=Read,name=Latency"),
		mustON(t, "org.apache.cassandra.metrics:type=ClientRequest,scope=Write,name=Latency"),
	}
	names := func(p resource.ObjectName) []resource.ObjectName {
		var out []resource.ObjectName
		for _, n := range registry {
			if p.Apply(*n) {
				out = append(out, *n)
			}
		}
		return out
	}
	bob := roles.NewUser("bob")
	tests := []struct {
		name string
		req  authz.JMXRequest
		want bool
	}{
		{"local call", authz.JMXRequest{Local: true, Method: "createMBean"}, true},
		{"always denied even for superusers", authz.JMXRequest{User: roles.NewUser("root"), Method: "registerMBean"}, false},
		{"no principal", authz.JMXRequest{Method: "getDomains"}, false},
		{"superuser", authz.JMXRequest{User: roles.NewUser("root"), Method: "setAttribute",
			Target: mustON(t, "org.apache.cassandra.db:type=StorageService")}, true},
		{"exact name grant", authz.JMXRequest{User: bob, Method: "getAttribute",
			Target: mustON(t, "org.apache.cassandra.db:table=t,keyspace=ks,type=Tables")}, true},
		{"other bean", authz.JMXRequest{User: bob, Method: "getAttribute",
			Target: mustON(t, "org.apache.cassandra.db:type=Tables,keyspace=ks,table=u")}, false},
		{"wrong permission", authz.JMXRequest{User: bob, Method: "setAttribute",
			Target: mustON(t, "org.apache.cassandra.db:type=StorageService")}, false},
		{"inherited grant", authz.JMXRequest{User: bob, Method: "invoke",
			Target: mustON(t, "org.apache.cassandra.db:type=StorageService")}, true},
		{"pattern grant covers name", authz.JMXRequest{User: bob, Method: "setAttributes",
			Target: mustON(t, "org.apache.cassandra.db:type=Tables,keyspace=ks,table=u")}, true},
		{"pattern request covered by pattern grant", authz.JMXRequest{User: bob, Method: "setAttribute",
			Target: mustON(t, "org.apache.cassandra.db:type=Tables,keyspace=ks,*")}, true},
		{"pattern request not fully covered", authz.JMXRequest{User: bob, Method: "getAttribute",
			Target: mustON(t, "org.apache.cassandra.db:type=Tables,*")}, false},
		{"pattern request, describe on pattern", authz.JMXRequest{User: bob, Method: "queryNames",
			Target: mustON(t, "org.apache.cassandra.metrics:type=ClientRequest,scope=*,*")}, true},
		{"pattern matching nothing is covered", authz.JMXRequest{User: bob, Method: "getAttribute",
			Target: mustON(t, "org.example:type=None,*")}, true},
		{"root grant covers everything", authz.JMXRequest{User: roles.NewUser("viewer"), Method: "getAttributes",
			Target: mustON(t, "org.apache.cassandra.db:*")}, true},
		{"unmapped method", authz.JMXRequest{User: roles.NewUser("describer"), Method: "addNotificationListener",
			Target: mustON(t, "org.apache.cassandra.db:type=StorageService")}, false},
		{"describe methods", authz.JMXRequest{User: roles.NewUser("describer"), Method: "getMBeanInfo",
			Target: mustON(t, "org.apache.cassandra.db:type=StorageService")}, true},
		{"server method with root DESCRIBE", authz.JMXRequest{User: roles.NewUser("describer"), Method: "getDomains"}, true},
		{"server queryNames with null name", authz.JMXRequest{User: roles.NewUser("describer"), Method: "queryNames"}, true},
		{"server method not listed", authz.JMXRequest{User: roles.NewUser("describer"), Method: "getAttribute"}, false},
		{"server method needs DESCRIBE on the root itself", authz.JMXRequest{User: bob, Method: "getMBeanCount"}, false},
		{"server method needs DESCRIBE, not SELECT", authz.JMXRequest{User: roles.NewUser("viewer"), Method: "getDomains"}, false},
		{"no JMX grants", authz.JMXRequest{User: roles.NewUser("nobody"), Method: "getAttribute",
			Target: mustON(t, "org.apache.cassandra.db:type=StorageService")}, false},
		{"unknown role", authz.JMXRequest{User: roles.NewUser("ghost"), Method: "getDomains"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.checker.AuthorizeJMX(ctx, tt.req, names)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	allowAll, err := authz.NewChecker(authz.CheckerConfig{Authorizer: authz.AllowAll{}, Roles: e.roles})
	require.NoError(t, err)
	ok, err := allowAll.AuthorizeJMX(ctx, authz.JMXRequest{Method: "createMBean"}, nil)
	require.NoError(t, err)
	assert.True(t, ok, "authorization off allows before anything else")

	e.st.broken.Store(true)
	ok, err = e.checker.AuthorizeJMX(ctx, authz.JMXRequest{User: bob, Method: "getDomains"}, names)
	require.ErrorIs(t, err, authz.ErrUndecided)
	assert.False(t, ok)
}

func TestAuthorizeJMXGrantSource(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	target := mustON(t, "org.apache.cassandra.db:type=StorageService")
	bean := mustMBean(t, target.String())
	var grants []authz.PermissionDetails
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles,
		JMXPermissions: func(_ context.Context, role string) ([]authz.PermissionDetails, error) {
			assert.Equal(t, "bob", role)
			return grants, nil
		}})
	require.NoError(t, err)
	req := authz.JMXRequest{User: roles.NewUser("bob"), Method: "invoke", Target: target}

	// EXECUTE on a non-JMX resource never counts.
	grants = []authz.PermissionDetails{{Grantee: "bob", Resource: resource.AllFunctions, Permission: resource.Execute}}
	ok, err := c.AuthorizeJMX(ctx, req, nil)
	require.NoError(t, err)
	assert.False(t, ok)

	grants = append(grants, authz.PermissionDetails{Grantee: "ops", Resource: bean, Permission: resource.Execute})
	ok, err = c.AuthorizeJMX(ctx, req, nil)
	require.NoError(t, err)
	assert.True(t, ok)

	boom := errors.New("cache down")
	c, err = authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles,
		JMXPermissions: func(context.Context, string) ([]authz.PermissionDetails, error) { return nil, boom }})
	require.NoError(t, err)
	ok, err = c.AuthorizeJMX(ctx, authz.JMXRequest{User: roles.NewUser("bob"), Method: "getDomains"}, nil)
	require.ErrorIs(t, err, boom)
	assert.False(t, ok)
}

func TestJMXPreCheck(t *testing.T) {
	diag := mustON(t, "com.sun.management:type=DiagnosticCommand")
	other := mustON(t, "org.apache.cassandra.db:type=StorageService")
	tests := []struct {
		req  authz.JMXRequest
		want string
	}{
		{authz.JMXRequest{Method: "getMBeanServer"}, "Access denied"},
		{authz.JMXRequest{Method: "invoke", Target: diag, Operation: "compilerDirectivesAdd"}, "Access is denied!"},
		{authz.JMXRequest{Method: "invoke", Target: diag, Operation: "jvmtiAgentLoad"}, "Access is denied!"},
		{authz.JMXRequest{Method: "invoke", Target: diag, Operation: "help"}, ""},
		{authz.JMXRequest{Method: "invoke", Target: other, TargetIsMLet: true, Operation: "addURL"}, "Access is denied!"},
		{authz.JMXRequest{Method: "invoke", Target: other, TargetIsMLet: true, Operation: "getMBeansFromURL"}, "Access is denied!"},
		{authz.JMXRequest{Method: "invoke", Target: other, Operation: "addURL"}, ""},
		{authz.JMXRequest{Method: "getAttribute", Target: diag}, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, authz.JMXPreCheck(tt.req), "%+v", tt.req)
	}
}

func TestJMXMethodPermission(t *testing.T) {
	for m, want := range map[string]resource.Permission{
		"getAttribute": resource.Select, "getAttributes": resource.Select,
		"setAttribute": resource.Modify, "setAttributes": resource.Modify,
		"invoke": resource.Execute, "getInstanceOf": resource.Describe, "getMBeanInfo": resource.Describe,
		"hashCode": resource.Describe, "isInstanceOf": resource.Describe, "isRegistered": resource.Describe,
		"queryMBeans": resource.Describe, "queryNames": resource.Describe,
	} {
		got, ok := authz.JMXMethodPermission(m)
		assert.True(t, ok, m)
		assert.Equal(t, want, got, m)
	}
	_, ok := authz.JMXMethodPermission("removeNotificationListener")
	assert.False(t, ok)
}
