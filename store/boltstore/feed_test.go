package boltstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

func TestFeedReportsWrites(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	var got []store.Change
	cancel := s.Subscribe(func(c store.Change) { got = append(got, c) })
	defer cancel()

	type step struct {
		name string
		do   func() error
		want []store.Change // nil: the write reports nothing
	}
	perm := func(role, res string, p resource.PermissionSet) func() error {
		return func() error { _, err := s.AddPermissions(ctx, role, res, p); return err }
	}
	steps := []step{
		{"create", func() error { return s.CreateRole(ctx, store.RoleRecord{Name: "a"}) },
			[]store.Change{{Kind: store.ChangeRole, Roles: []string{"a"}}}},
		{"create b", func() error { return s.CreateRole(ctx, store.RoleRecord{Name: "b"}) },
			[]store.Change{{Kind: store.ChangeRole, Roles: []string{"b"}}}},
		{"failed create", func() error { return s.CreateRole(ctx, store.RoleRecord{Name: "a"}) }, nil},
		{"empty update", func() error { return s.UpdateRole(ctx, "a", store.RoleUpdate{}) }, nil},
		{"grant", func() error { return s.GrantRole(ctx, "a", "b") },
			[]store.Change{{Kind: store.ChangeMembership, Roles: []string{"b", "a"}}}},
		{"grant again", func() error { return s.GrantRole(ctx, "a", "b") }, nil},
		{"add", perm("a", "data", resource.SetOf(resource.Select)),
			[]store.Change{{Kind: store.ChangePermissions, Roles: []string{"a"}, Resources: []string{"data"}}}},
		{"add held", perm("a", "data", resource.SetOf(resource.Select)), nil},
		{"add other", perm("a", "data/ks", resource.SetOf(resource.Select)),
			[]store.Change{{Kind: store.ChangePermissions, Roles: []string{"a"}, Resources: []string{"data/ks"}}}},
		{"revoke all from", func() error { return s.RevokeAllFrom(ctx, "a") },
			[]store.Change{{Kind: store.ChangePermissions, Roles: []string{"a"}, Resources: []string{"data", "data/ks"}}}},
		{"identity", func() error { return s.AddIdentity(ctx, "id", "a") },
			[]store.Change{{Kind: store.ChangeIdentity, Identities: []string{"id"}}}},
		{"drop", func() error { return s.DropRole(ctx, "a") },
			[]store.Change{{Kind: store.ChangeRole, Roles: []string{"a", "b"}, Identities: []string{"id"}}}},
		{"cidr group", func() error { return s.SetCIDRGroup(ctx, "g", nil) }, []store.Change{{Kind: store.ChangeCIDR}}},
		{"dcs", func() error { return s.SetDatacenters(ctx, "b", []string{"dc1"}) },
			[]store.Change{{Kind: store.ChangeNetwork, Roles: []string{"b"}}}},
		{"same dcs", func() error { return s.SetDatacenters(ctx, "b", []string{"dc1", "dc1"}) }, nil},
	}
	for _, st := range steps {
		got = nil
		_ = st.do() // the callback has run when the call returns
		assert.Equal(t, st.want, got, st.name)
	}
	cancel()
	cancel() // idempotent
	got = nil
	require.NoError(t, s.DropRole(ctx, "b"))
	assert.Nil(t, got, "nothing after cancel")
}

func TestFeedOneAtATime(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	var running atomic.Int32
	var mu sync.Mutex
	var seen []string
	s.Subscribe(func(c store.Change) {
		if running.Add(1) != 1 {
			t.Error("two callbacks ran at once")
		}
		mu.Lock()
		seen = append(seen, c.Resources[0])
		mu.Unlock()
		running.Add(-1)
	})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 25 {
				res := resource.Table("ks", fmt.Sprintf("t%d_%d", g, i)).Name()
				_, err := s.AddPermissions(ctx, "r", res, resource.SetOf(resource.Select))
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	grants, err := s.ListGrants(ctx, "r")
	require.NoError(t, err)
	require.Len(t, grants, 100)
	assert.ElementsMatch(t, resourcesOf(grants), seen, "every write reported exactly once")
}

func resourcesOf(gs []store.Grant) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Resource
	}
	return out
}

func TestSubscribeSeesOnlyLaterCommits(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "before"}))
	var got []store.Change
	s.Subscribe(func(c store.Change) { got = append(got, c) })
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "after"}))
	assert.Equal(t, []store.Change{{Kind: store.ChangeRole, Roles: []string{"after"}}}, got)
	assert.NotPanics(t, func() { s.Subscribe(nil)() })
}
