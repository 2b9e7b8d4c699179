package conformance

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// Deliberately broken stores: each wraps memstore and plants one bug that a
// real backend could have. The suite must fail on every one of them.

// lostIndex reproduces Cassandra's revoke quirk: a partial revoke deletes
// the (resource, role) index row, so RevokeAllOn misses the rest of the
// grant.
type lostIndex struct {
	store.Store
	mu        sync.Mutex
	forgotten map[[2]string]bool // (resource, role)
}

func newLostIndex() store.Store {
	return &lostIndex{Store: memstore.New(), forgotten: map[[2]string]bool{}}
}

func (s *lostIndex) AddPermissions(ctx context.Context, role, res string, p resource.PermissionSet) (resource.PermissionSet, error) {
	added, err := s.Store.AddPermissions(ctx, role, res, p)
	if err == nil && !added.IsEmpty() {
		s.mu.Lock()
		delete(s.forgotten, [2]string{res, role})
		s.mu.Unlock()
	}
	return added, err
}

func (s *lostIndex) RemovePermissions(ctx context.Context, role, res string, p resource.PermissionSet) (resource.PermissionSet, error) {
	removed, err := s.Store.RemovePermissions(ctx, role, res, p)
	if err == nil && !removed.IsEmpty() {
		s.mu.Lock()
		s.forgotten[[2]string{res, role}] = true
		s.mu.Unlock()
	}
	return removed, err
}

func (s *lostIndex) ListGrantees(ctx context.Context, res string) ([]string, error) {
	roles, err := s.Store.ListGrantees(ctx, res)
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(roles, func(role string) bool { return s.forgotten[[2]string{res, role}] }), err
}

func (s *lostIndex) RevokeAllOn(ctx context.Context, res string) error {
	roles, err := s.ListGrantees(ctx, res)
	if err != nil {
		return err
	}
	for _, role := range roles {
		if _, err := s.Store.RemovePermissions(ctx, role, res, resource.AllPermissions); err != nil {
			return err
		}
	}
	return nil
}

// flatErrors loses the sentinels: it formats errors with %v instead of
// wrapping them with %w.
type flatErrors struct{ store.Store }

func flatten(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%v", err)
}

func (s flatErrors) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	r, err := s.Store.GetRole(ctx, name)
	return r, flatten(err)
}

func (s flatErrors) CreateRole(ctx context.Context, r store.RoleRecord) error {
	return flatten(s.Store.CreateRole(ctx, r))
}

func (s flatErrors) AddIdentity(ctx context.Context, id, role string) error {
	return flatten(s.Store.AddIdentity(ctx, id, role))
}

// danglingParents reproduces Cassandra's DropRole quirk: the dropped role
// stays in the role_members partitions of the roles it was granted.
type danglingParents struct {
	store.Store
	mu     sync.Mutex
	debris map[string][]string // parent -> dropped members
}

func newDanglingParents() store.Store {
	return &danglingParents{Store: memstore.New(), debris: map[string][]string{}}
}

func (s *danglingParents) DropRole(ctx context.Context, name string) error {
	r, err := s.Store.GetRole(ctx, name)
	if err == nil {
		s.mu.Lock()
		for _, p := range r.MemberOf {
			if p != name {
				s.debris[p] = append(s.debris[p], name)
			}
		}
		s.mu.Unlock()
	}
	return s.Store.DropRole(ctx, name)
}

func (s *danglingParents) ListMembers(ctx context.Context, role string) ([]string, error) {
	members, err := s.Store.ListMembers(ctx, role)
	if err != nil {
		return nil, err
	}
	if _, gone := s.Store.GetRole(ctx, role); gone != nil {
		return members, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.debris[role] {
		if !slices.Contains(members, d) {
			members = append(members, d)
		}
	}
	slices.Sort(members)
	return members, nil
}

// ignoresCtx answers whatever the context says.
type ignoresCtx struct{ store.Store }

func (s ignoresCtx) GetRole(_ context.Context, name string) (store.RoleRecord, error) {
	return s.Store.GetRole(context.Background(), name)
}

func (s ignoresCtx) CreateRole(_ context.Context, r store.RoleRecord) error {
	return s.Store.CreateRole(context.Background(), r)
}

// aliasing keeps the Options map the caller passed and hands it out again.
type aliasing struct {
	store.Store
	mu   sync.Mutex
	opts map[string]map[string]string
}

func newAliasing() store.Store {
	return &aliasing{Store: memstore.New(), opts: map[string]map[string]string{}}
}

func (s *aliasing) CreateRole(ctx context.Context, r store.RoleRecord) error {
	err := s.Store.CreateRole(ctx, r)
	if err == nil && r.Options != nil {
		s.mu.Lock()
		s.opts[r.Name] = r.Options
		s.mu.Unlock()
	}
	return err
}

func (s *aliasing) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	r, err := s.Store.GetRole(ctx, name)
	s.mu.Lock()
	if o, ok := s.opts[name]; ok && err == nil {
		r.Options = o
	}
	s.mu.Unlock()
	return r, err
}

// unsorted lists roles in reverse order.
type unsorted struct{ store.Store }

func (s unsorted) ListRoles(ctx context.Context) ([]store.RoleRecord, error) {
	rs, err := s.Store.ListRoles(ctx)
	slices.Reverse(rs)
	return rs, err
}

// hangs blocks in GetRole until release is closed, whatever the context.
type hangs struct {
	store.Store
	release chan struct{}
}

func (s hangs) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	<-s.release
	return s.Store.GetRole(ctx, name)
}

// asyncFeed delivers changes late, on another goroutine, after the writing
// call has returned.
type asyncFeed struct{ *memstore.Store }

func (s asyncFeed) Subscribe(fn func(store.Change)) func() {
	return s.Store.Subscribe(func(ch store.Change) {
		go func() {
			time.Sleep(20 * time.Millisecond)
			fn(ch)
		}()
	})
}

// forgetfulFeed reports a dropped role but not its members.
type forgetfulFeed struct{ *memstore.Store }

func (s forgetfulFeed) Subscribe(fn func(store.Change)) func() {
	return s.Store.Subscribe(func(ch store.Change) {
		if ch.Kind == store.ChangeRole && len(ch.Roles) > 1 {
			ch.Roles = ch.Roles[:1]
		}
		fn(ch)
	})
}
