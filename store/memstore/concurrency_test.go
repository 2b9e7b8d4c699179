package memstore_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// TestConcurrentReadersAndWriters runs every kind of write beside readers
// and a subscriber (bounded, for -race) and checks the tables agree after.
func TestConcurrentReadersAndWriters(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	var changes atomic.Int64
	defer s.Subscribe(func(store.Change) { changes.Add(1) })()
	roles := []string{"a", "b", "c", "d", "e"}
	for _, r := range roles {
		require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: r}))
	}
	const rounds = 300
	var stop atomic.Bool
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for !stop.Load() {
				for _, r := range roles {
					if rec, err := s.GetRole(ctx, r); err == nil {
						assert.True(t, slices.IsSorted(rec.MemberOf), "member_of sorted")
					}
					_, err := s.GetPermissions(ctx, r, "data/ks")
					assert.NoError(t, err)
				}
				_, err := s.ListGrants(ctx, "")
				assert.NoError(t, err)
				_, err = s.ListIdentities(ctx)
				assert.NoError(t, err)
			}
		})
	}
	var writers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for i := range rounds {
				r1, r2 := roles[(i+w)%len(roles)], roles[(i*7+w+1)%len(roles)]
				p := resource.SetOf(resource.Permission(i % 10))
				var err error
				switch i % 9 {
				case 0:
					err = s.GrantRole(ctx, r1, r2)
				case 1:
					err = s.RevokeRole(ctx, r2, r1)
				case 2:
					_, err = s.AddPermissions(ctx, r1, "data/ks", p)
				case 3:
					_, err = s.RemovePermissions(ctx, r2, "data/ks", p)
				case 4:
					err = s.SetDatacenters(ctx, r1, []string{fmt.Sprint("dc", i%3)})
				case 5:
					err = s.AddIdentity(ctx, fmt.Sprint("id", i%5), r1)
				case 6:
					err = s.DropIdentity(ctx, fmt.Sprint("id", i%5))
				case 7:
					err = s.RevokeAllOn(ctx, "data/ks")
				case 8:
					err = s.UpdateRole(ctx, r1, store.RoleUpdate{CanLogin: new(i%2 == 0)})
				}
				if err != nil && !assert.ErrorIs(t, err, store.ErrExists) {
					return
				}
			}
		})
	}
	writers.Wait()
	stop.Store(true)
	readers.Wait()

	for _, r := range roles {
		rec, err := s.GetRole(ctx, r)
		require.NoError(t, err)
		for _, p := range rec.MemberOf {
			members, err := s.ListMembers(ctx, p)
			require.NoError(t, err)
			assert.Contains(t, members, r, "%s in member_of of %s but not in role_members", p, r)
		}
		members, err := s.ListMembers(ctx, r)
		require.NoError(t, err)
		for _, m := range members {
			mrec, err := s.GetRole(ctx, m)
			require.NoError(t, err)
			assert.Contains(t, mrec.MemberOf, r)
		}
	}
	grantees, err := s.ListGrantees(ctx, "data/ks")
	require.NoError(t, err)
	for _, g := range grantees {
		p, err := s.GetPermissions(ctx, g, "data/ks")
		require.NoError(t, err)
		assert.False(t, p.IsEmpty(), "index row of %s without permissions", g)
	}
	assert.Positive(t, changes.Load())
}
