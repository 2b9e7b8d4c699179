package authz_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// explainEnv: alice -> staff -> readers (SELECT on data/ks), alice ->
// auditors (SELECT on data/ks too), ops -> admins (superuser).
func explainEnv(t *testing.T) *env {
	e := newEnv(t)
	for _, r := range []string{"alice", "staff", "readers", "auditors", "ops"} {
		e.role(t, r, false)
	}
	e.role(t, "admins", true)
	e.member(t, "staff", "alice")
	e.member(t, "readers", "staff")
	e.member(t, "auditors", "alice")
	e.member(t, "admins", "ops")
	e.grant(t, "readers", ksKs, resource.Select)
	e.grant(t, "auditors", ksKs, resource.Select)
	e.grant(t, "alice", tblKsT, resource.Modify)
	return e
}

func TestExplainGranted(t *testing.T) {
	ctx := context.Background()
	e := explainEnv(t)
	ex, err := e.checker.Explain(ctx, roles.NewUser("alice"), resource.Select, tblKsT)
	require.NoError(t, err)
	assert.True(t, ex.Allowed)
	assert.Equal(t, authz.ReasonGranted, ex.Reason)
	assert.Equal(t, []string{"alice", "auditors", "staff", "readers"}, ex.Roles)
	require.Len(t, ex.Grants, 2)
	assert.Equal(t, []string{"alice", "auditors"}, ex.Grants[0].Via)
	assert.Equal(t, []string{"alice", "staff", "readers"}, ex.Grants[1].Via)
	assert.Equal(t, "readers", ex.Grants[1].Role())
	assert.Equal(t, ksKs, ex.Grants[1].Resource)
	require.Len(t, ex.Consulted, 3)
	assert.Equal(t, []resource.Resource{tblKsT, allTblKs, ksKs},
		[]resource.Resource{ex.Consulted[0].Resource, ex.Consulted[1].Resource, ex.Consulted[2].Resource})
	assert.Equal(t, resource.SetOf(resource.Modify), ex.Consulted[0].Permissions)
	assert.Empty(t, ex.Message)
	assert.Equal(t, "allowed (granted): SELECT on <keyspace ks> granted to auditors via alice -> auditors; "+
		"SELECT on <keyspace ks> granted to readers via alice -> staff -> readers", ex.String())

	b, err := json.Marshal(ex)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"allowed": true, "reason": "granted", "user": "alice", "permission": "SELECT",
		"resource": "<table ks.t>", "resource_name": "data/ks/t",
		"roles": ["alice", "auditors", "staff", "readers"],
		"grants": [
			{"via": ["alice", "auditors"], "role": "auditors", "resource": "<keyspace ks>", "resource_name": "data/ks", "permission": "SELECT"},
			{"via": ["alice", "staff", "readers"], "role": "readers", "resource": "<keyspace ks>", "resource_name": "data/ks", "permission": "SELECT"}
		],
		"consulted": [
			{"resource": "<table ks.t>", "resource_name": "data/ks/t", "permissions": ["MODIFY"]},
			{"resource": "<all tables in ks>", "resource_name": "data/ks/*", "permissions": []},
			{"resource": "<keyspace ks>", "resource_name": "data/ks", "permissions": ["SELECT"]}
		]
	}`, string(b))
}

func TestExplainSuperuserAndDenied(t *testing.T) {
	ctx := context.Background()
	e := explainEnv(t)

	ex, err := e.checker.Explain(ctx, roles.NewUser("ops"), resource.Drop, tblKsT)
	require.NoError(t, err)
	assert.True(t, ex.Allowed)
	assert.Equal(t, authz.ReasonSuperuser, ex.Reason)
	require.Len(t, ex.Grants, 1)
	assert.Equal(t, []string{"ops", "admins"}, ex.Grants[0].Via)
	assert.Equal(t, tblKsT, ex.Grants[0].Resource)
	assert.Equal(t, "allowed (superuser): admins has superuser status via ops -> admins", ex.String())

	ex, err = e.checker.Explain(ctx, roles.NewUser("alice"), resource.Drop, tblKsT)
	require.NoError(t, err)
	assert.False(t, ex.Allowed)
	assert.Equal(t, authz.ReasonNotGranted, ex.Reason)
	assert.Equal(t, "User alice has no DROP permission on <table ks.t> or any of its parents", ex.Message)
	assert.Len(t, ex.Consulted, 4)
	assert.Empty(t, ex.Grants)
	assert.Equal(t, "denied (not granted): User alice has no DROP permission on <table ks.t> or any of its parents", ex.String())

	ex, err = e.checker.Explain(ctx, roles.System, resource.Drop, tblKsT)
	require.NoError(t, err)
	assert.True(t, ex.Allowed)
	assert.Equal(t, authz.ReasonSystemUser, ex.Reason)

	ex, err = e.checker.Explain(ctx, roles.NewUser("alice"), resource.Execute, mustFunction(t, "system", "now"))
	require.NoError(t, err)
	assert.Equal(t, authz.ReasonBuiltinFunction, ex.Reason)
	assert.True(t, ex.Allowed)

	allowAll, err := authz.NewChecker(authz.CheckerConfig{Authorizer: authz.AllowAll{}, Roles: e.roles})
	require.NoError(t, err)
	ex, err = allowAll.Explain(ctx, roles.Anonymous, resource.Drop, tblKsT)
	require.NoError(t, err)
	assert.Equal(t, authz.ReasonNotRequired, ex.Reason)
	assert.Equal(t, "allowed (authorization not required)", ex.String())

	_, err = e.checker.Explain(ctx, roles.NewUser("alice"), resource.Drop, resource.Resource{})
	require.ErrorIs(t, err, authz.ErrInvalidResource)

	e.st.broken.Store(true)
	_, err = e.checker.Explain(ctx, roles.NewUser("alice"), resource.Drop, tblKsT)
	require.ErrorIs(t, err, authz.ErrUndecided)
}

// An authorizer without RolePermissions still explains, without grants.
type unionOnly struct{ authz.Authorizer }

func TestExplainWithoutAttribution(t *testing.T) {
	ctx := context.Background()
	e := explainEnv(t)
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: unionOnly{e.authz}, Roles: e.roles, TraverseFromRoot: true})
	require.NoError(t, err)
	ex, err := c.Explain(ctx, roles.NewUser("alice"), resource.Select, tblKsT)
	require.NoError(t, err)
	assert.True(t, ex.Allowed)
	assert.Equal(t, authz.ReasonGranted, ex.Reason)
	assert.Empty(t, ex.Grants)
	require.Len(t, ex.Consulted, 2, "root first: data, then data/ks")
	assert.Equal(t, resource.AllKeyspaces, ex.Consulted[0].Resource)
}

func TestGrantPathJSON(t *testing.T) {
	b, err := json.Marshal(authz.GrantPath{Via: []string{"a", "b"}, Resource: tblKsT, Permission: resource.Select})
	require.NoError(t, err)
	assert.JSONEq(t, `{"via":["a","b"],"role":"b","resource":"<table ks.t>","resource_name":"data/ks/t","permission":"SELECT"}`, string(b))
	b, err = json.Marshal(authz.Consulted{Resource: ksKs, Permissions: resource.SetOf(resource.Select, resource.Alter)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"resource":"<keyspace ks>","resource_name":"data/ks","permissions":["ALTER","SELECT"]}`, string(b))
	assert.Equal(t, "", authz.GrantPath{}.Role())
}
