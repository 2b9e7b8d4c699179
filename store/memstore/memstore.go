package memstore

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

var (
	_ store.Store      = (*Store)(nil)
	_ store.ChangeFeed = (*Store)(nil)
	_ store.Catalog    = (*Store)(nil)
)

// Store is the in-memory reference backend of [store.Store]. It also
// implements [store.ChangeFeed]. Create it with [New]; the zero value is not
// usable.
//
// A Store is safe for concurrent use by multiple goroutines. Reads take a
// shared lock and writes an exclusive one, each for the duration of one
// method call, so every method, including the multi-row ones, is atomic
// and every read sees a consistent state.
type Store struct {
	// mu guards closed, every table below, and (together with feedMu)
	// subs: writers of subs hold both, readers hold either.
	mu     sync.RWMutex
	closed bool
	// roles is system_auth.roles; each row also holds its role_members
	// partition. Keys are the rows' interned names.
	roles map[string]*roleRow
	// byRole is role_permissions, partitioned by role; byRes is the
	// resource index. A (role, resource) pair is in both or in neither,
	// and only with a non-empty permission set.
	byRole map[string]*roleGrants
	byRes  map[string]*resGrants
	// dcs is network_permissions and cidrPerms is cidr_permissions, by
	// bare role name; a present row with an empty, non-nil slice means all.
	// Slices are sorted, without duplicates, and never shared outside.
	dcs       map[string][]string
	cidrPerms map[string][]string
	// groups is cidr_groups: name -> sorted, distinct prefixes.
	groups map[string][]netip.Prefix
	// ids is identity_to_role.
	ids map[string]string
	// schema is the optional catalog of schema object names.
	schema map[string]struct{}

	// feedMu serialises the delivery of changes, so subscribers see
	// changes in commit order and cancel can wait for a running callback.
	// Lock order: mu before feedMu. A writer takes feedMu before it
	// releases mu and runs the callbacks holding feedMu only.
	feedMu sync.Mutex
	subs   []*subscription
}

// roleRow is a row of system_auth.roles plus its role_members partition.
type roleRow struct {
	name     string
	super    bool
	login    bool
	hash     string
	options  map[string]string // nil when there are none
	memberOf []string          // sorted names of the roles granted to this one
	members  strMap[struct{}]  // names of the roles this one is granted to
}

// roleGrants is the role_permissions partition of one role: resource name
// (interned from byRes) -> non-empty permission set.
type roleGrants struct {
	name  string
	perms strMap[resource.PermissionSet]
}

// resGrants is the index partition of one resource: the names (interned
// from byRole) of the roles holding permissions on it.
type resGrants struct {
	name  string
	roles strMap[struct{}]
}

// New returns an empty store.
func New() *Store {
	return &Store{
		roles:     make(map[string]*roleRow),
		byRole:    make(map[string]*roleGrants),
		byRes:     make(map[string]*resGrants),
		dcs:       make(map[string][]string),
		cidrPerms: make(map[string][]string),
		groups:    make(map[string][]netip.Prefix),
		ids:       make(map[string]string),
		schema:    make(map[string]struct{}),
	}
}

// Close releases the store's tables and unregisters every subscriber; it
// waits for a change delivery in progress to finish. Every later call of a
// [store.Store] method returns an error wrapping [store.ErrClosed], and
// Subscribe registers nothing. Close is idempotent and always returns nil.
// It must not be called from a [store.ChangeFeed] callback.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.roles, s.byRole, s.byRes = nil, nil, nil
	s.dcs, s.cidrPerms, s.groups, s.ids, s.schema = nil, nil, nil, nil, nil
	s.feedMu.Lock()
	s.subs = nil
	s.feedMu.Unlock()
	return nil
}

// opErr wraps err in the contract's error type.
func opErr(op, key string, err error) error {
	return &store.Error{Op: op, Key: key, Err: err}
}

// invalid returns an error wrapping store.ErrInvalid with the reason.
func invalid(op, key, why string) error {
	return opErr(op, key, fmt.Errorf("%w: %s", store.ErrInvalid, why))
}

// pairKey names a (role, resource) pair in errors.
func pairKey(role, resourceName string) string { return role + " on " + resourceName }

// rlock checks ctx and takes the read lock. On success the caller must
// call s.mu.RUnlock.
func (s *Store) rlock(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return opErr(op, key, err)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return opErr(op, key, store.ErrClosed)
	}
	return nil
}

// lock checks ctx and takes the write lock. On success the caller must
// release it with s.unlock.
func (s *Store) lock(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return opErr(op, key, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return opErr(op, key, store.ErrClosed)
	}
	return nil
}

// notifying reports whether a write should build a Change; s.mu held.
func (s *Store) notifying() bool { return len(s.subs) > 0 }

// unlock releases the write lock and, when ch is not nil, delivers it to
// the subscribers before returning, in commit order, without holding mu.
func (s *Store) unlock(ch *store.Change) {
	if ch == nil || len(s.subs) == 0 {
		s.mu.Unlock()
		return
	}
	s.feedMu.Lock()
	s.mu.Unlock()
	defer s.feedMu.Unlock()
	for _, sub := range s.subs {
		sub.fn(*ch)
	}
}

// intern returns a copy of s that does not share memory with the caller's
// string, so the store never keeps a larger buffer alive through a key.
func intern(s string) string { return strings.Clone(s) }
