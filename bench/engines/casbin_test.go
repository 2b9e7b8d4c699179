package engines_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/bench/engines"
	"github.com/cassauth/cassauth/bench/workload"
)

// TestCasbinCachedStaleAfterRevoke reproduces what STYLE.md warns about:
// after a role is revoked through casbin's own RBAC API, the plain
// Enforcer denies but the CachedEnforcer keeps allowing until its cache is
// cleared by hand. (cassauth invalidates on every write made through it.)
func TestCasbinCachedStaleAfterRevoke(t *testing.T) {
	ctx := context.Background()
	pol, err := workload.Generate(workload.Params{Roles: 40, Depth: 2, Keyspaces: 2, Tables: 2, SuperRoles: -1, ExtraParent: -1, Seed: 3})
	require.NoError(t, err)
	m := workload.NewModel(pol)

	// A user allowed only through its single parent.
	var q workload.Query
	var parent string
	for _, r := range pol.Roles {
		if r.Layer != 0 || len(pol.GrantsOf(r.Name)) > 0 {
			continue
		}
		for _, g := range pol.GrantsOf(r.Parents[0]) {
			q = workload.Query{Role: r.Name, Perm: g.Perms.Slice()[0], Resource: g.Resource}
			parent = r.Parents[0]
			break
		}
		if parent != "" {
			break
		}
	}
	require.NotEmpty(t, parent, "a user whose parent holds a grant")
	require.True(t, m.Decide(q))

	cb, err := engines.NewCasbin(pol, 0)
	require.NoError(t, err)
	decide := func(e engines.Engine) bool {
		r, err := e.Prepare(q)
		require.NoError(t, err)
		ok, err := r.Decide(ctx)
		require.NoError(t, err)
		return ok
	}
	require.True(t, decide(cb.Cached()), "cached now")

	removed, err := cb.RevokeRole(q.Role, parent)
	require.NoError(t, err)
	require.True(t, removed)
	assert.False(t, decide(cb.Plain()), "the Enforcer sees the revoke")
	assert.True(t, decide(cb.Cached()), "the CachedEnforcer still allows: stale")

	require.NoError(t, cb.ClearCache())
	assert.False(t, decide(cb.Cached()), "only a manual clear fixes it")
}
