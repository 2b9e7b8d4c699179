package memstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// recorder collects changes.
type recorder struct {
	mu      sync.Mutex
	changes []store.Change
}

func (r *recorder) add(c store.Change) {
	r.mu.Lock()
	r.changes = append(r.changes, c)
	r.mu.Unlock()
}

func (r *recorder) take() []store.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.changes
	r.changes = nil
	return out
}

func TestFeedReportsEachWrite(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	var rec recorder
	defer s.Subscribe(rec.add)()
	sel := resource.SetOf(resource.Select)
	ret := func(_ any, err error) error { return err }

	tests := []struct {
		name  string
		write func() error
		want  []store.Change
	}{
		{"create", func() error { return s.CreateRole(ctx, store.RoleRecord{Name: "a"}) },
			[]store.Change{{Kind: store.ChangeRole, Roles: []string{"a"}}}},
		{"create b", func() error { return s.CreateRole(ctx, store.RoleRecord{Name: "b"}) },
			[]store.Change{{Kind: store.ChangeRole, Roles: []string{"b"}}}},
		{"update", func() error { return s.UpdateRole(ctx, "a", store.RoleUpdate{CanLogin: new(true)}) },
			[]store.Change{{Kind: store.ChangeRole, Roles: []string{"a"}}}},
		{"update to the same value", func() error { return s.UpdateRole(ctx, "a", store.RoleUpdate{CanLogin: new(true)}) }, nil},
		{"grant", func() error { return s.GrantRole(ctx, "a", "b") },
			[]store.Change{{Kind: store.ChangeMembership, Roles: []string{"b", "a"}}}},
		{"grant again", func() error { return s.GrantRole(ctx, "a", "b") }, nil},
		{"add", func() error { return ret(s.AddPermissions(ctx, "a", "data/ks", sel)) },
			[]store.Change{{Kind: store.ChangePermissions, Roles: []string{"a"}, Resources: []string{"data/ks"}}}},
		{"add held", func() error { return ret(s.AddPermissions(ctx, "a", "data/ks", sel)) }, nil},
		{"add elsewhere", func() error { return ret(s.AddPermissions(ctx, "a", "data/ks/t", sel)) },
			[]store.Change{{Kind: store.ChangePermissions, Roles: []string{"a"}, Resources: []string{"data/ks/t"}}}},
		{"add other role", func() error { return ret(s.AddPermissions(ctx, "b", "data/ks/t", sel)) },
			[]store.Change{{Kind: store.ChangePermissions, Roles: []string{"b"}, Resources: []string{"data/ks/t"}}}},
		{"remove absent", func() error { return ret(s.RemovePermissions(ctx, "a", "data/x", sel)) }, nil},
		{"revoke all on", func() error { return s.RevokeAllOn(ctx, "data/ks/t") },
			[]store.Change{{Kind: store.ChangePermissions, Roles: []string{"a", "b"}, Resources: []string{"data/ks/t"}}}},
		{"revoke all from", func() error { return s.RevokeAllFrom(ctx, "a") },
			[]store.Change{{Kind: store.ChangePermissions, Roles: []string{"a"}, Resources: []string{"data/ks"}}}},
		{"revoke all from nothing", func() error { return s.RevokeAllFrom(ctx, "a") }, nil},
		{"dcs", func() error { return s.SetDatacenters(ctx, "a", []string{"dc1"}) },
			[]store.Change{{Kind: store.ChangeNetwork, Roles: []string{"a"}}}},
		{"same dcs", func() error { return s.SetDatacenters(ctx, "a", []string{"dc1", "dc1"}) }, nil},
		{"cidr", func() error { return s.SetCIDRPermissions(ctx, "a", nil) },
			[]store.Change{{Kind: store.ChangeCIDR, Roles: []string{"a"}}}},
		{"group", func() error { return s.SetCIDRGroup(ctx, "g", nil) }, []store.Change{{Kind: store.ChangeCIDR}}},
		{"identity", func() error { return s.AddIdentity(ctx, "id", "b") },
			[]store.Change{{Kind: store.ChangeIdentity, Identities: []string{"id"}}}},
		{"revoke", func() error { return s.RevokeRole(ctx, "a", "b") },
			[]store.Change{{Kind: store.ChangeMembership, Roles: []string{"b", "a"}}}},
		{"grant for drop", func() error { return s.GrantRole(ctx, "b", "a") },
			[]store.Change{{Kind: store.ChangeMembership, Roles: []string{"a", "b"}}}},
		{"drop", func() error { return s.DropRole(ctx, "b") },
			[]store.Change{{Kind: store.ChangeRole, Roles: []string{"b", "a"}, Identities: []string{"id"}}}},
		{"failed write", func() error { return s.DropRole(ctx, "b") }, nil},
	}
	for _, tt := range tests {
		err := tt.write()
		if tt.name != "failed write" {
			require.NoError(t, err, tt.name)
		}
		assert.Equal(t, tt.want, rec.take(), tt.name)
	}
}

func TestFeedOrderUnderConcurrentWriters(t *testing.T) {
	// Deliveries are serialised in commit order: every subscriber sees the
	// same sequence, and exactly one change per state-changing write.
	ctx := context.Background()
	s := memstore.New()
	var r1, r2 recorder
	defer s.Subscribe(r1.add)()
	defer s.Subscribe(r2.add)()
	const writers, rounds = 4, 200
	var writes atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			role := fmt.Sprintf("r%d", w)
			for i := range rounds {
				p := resource.SetOf(resource.Permission(i % 10))
				added, err := s.AddPermissions(ctx, role, "data/ks", p)
				if !assert.NoError(t, err) {
					return
				}
				if !added.IsEmpty() {
					writes.Add(1)
				}
				removed, err := s.RemovePermissions(ctx, "r0", "data/ks", p)
				if !assert.NoError(t, err) {
					return
				}
				if !removed.IsEmpty() {
					writes.Add(1)
				}
			}
		})
	}
	wg.Wait()
	c1, c2 := r1.take(), r2.take()
	assert.Len(t, c1, int(writes.Load()))
	assert.Equal(t, c1, c2, "both subscribers see the same order")
}

func TestFeedCancelWaitsForRunningCallback(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	entered := make(chan struct{})
	release := make(chan struct{})
	var after atomic.Bool
	cancel := s.Subscribe(func(store.Change) {
		close(entered)
		<-release
		after.Store(true)
	})
	go func() { _ = s.CreateRole(ctx, store.RoleRecord{Name: "a"}) }()
	<-entered
	cancelled := make(chan struct{})
	go func() {
		cancel()
		close(cancelled)
	}()
	select {
	case <-cancelled:
		t.Fatal("cancel returned while the callback was running")
	case <-time.After(20 * time.Millisecond): // give a broken cancel time to return
	}
	close(release)
	<-cancelled
	assert.True(t, after.Load(), "the callback had finished when cancel returned")
	cancel() // idempotent
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "b"}))
}

func TestSubscribeNil(t *testing.T) {
	s := memstore.New()
	cancel := s.Subscribe(nil)
	require.NoError(t, s.CreateRole(context.Background(), store.RoleRecord{Name: "a"}))
	cancel()
}
