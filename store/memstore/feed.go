package memstore

import (
	"slices"
	"sync"

	"github.com/cassauth/cassauth/store"
)

// subscription is one registered callback.
type subscription struct {
	fn func(store.Change)
}

// change returns the Change to deliver for a write, or nil when nobody
// listens. s.mu held for writing.
func (s *Store) change(kind store.ChangeKind, roles, resources, identities []string) *store.Change {
	if !s.notifying() {
		return nil
	}
	return &store.Change{Kind: kind, Roles: roles, Resources: resources, Identities: identities}
}

// changeOf is change for a write that touched at most two roles, one
// resource and one identity ("" for none; no key is empty). Unlike change,
// it allocates nothing when nobody listens. s.mu held for writing.
func (s *Store) changeOf(kind store.ChangeKind, role1, role2, res, id string) *store.Change {
	if !s.notifying() {
		return nil
	}
	ch := &store.Change{Kind: kind}
	for _, r := range [...]string{role1, role2} {
		if r != "" {
			ch.Roles = append(ch.Roles, r)
		}
	}
	if res != "" {
		ch.Resources = []string{res}
	}
	if id != "" {
		ch.Identities = []string{id}
	}
	return ch
}

// Subscribe registers fn to receive every change committed through this
// store after Subscribe returns (a memstore sees no other writers, so it
// never reports [store.ChangeReset]). fn runs on the writing goroutine,
// after the store's lock is released and before the writing method returns.
// Changes reach every subscriber in commit order, one at a time: a slow fn
// delays the next writer. A write that changes nothing reports nothing.
//
// What each write reports: CreateRole, UpdateRole: [store.ChangeRole] with
// the role. DropRole: see [Store.DropRole]. GrantRole, RevokeRole:
// [store.ChangeMembership] with the grantee, then the role.
// AddPermissions, RemovePermissions, RevokeAllFrom, RevokeAllOn:
// [store.ChangePermissions] with every role and resource whose grants
// changed. SetDatacenters, DropDatacenters: [store.ChangeNetwork] with the
// role. SetCIDRPermissions, DropCIDRPermissions: [store.ChangeCIDR] with the
// role; SetCIDRGroup, DropCIDRGroup: [store.ChangeCIDR] without roles.
// AddIdentity, DropIdentity: [store.ChangeIdentity] with the identity.
//
// The returned cancel unregisters fn; it is idempotent, and once it
// returns fn is not running and will not be called again. fn must not call
// the store, cancel or Close (they would deadlock), must not block, and must
// not modify the Change; a panic in fn reaches the writer, after the write
// has committed. On a closed store, or for a nil fn, Subscribe registers
// nothing and returns a no-op cancel.
func (s *Store) Subscribe(fn func(store.Change)) (cancel func()) {
	sub := &subscription{fn: fn}
	s.mu.Lock()
	if s.closed || fn == nil {
		s.mu.Unlock()
		return func() {}
	}
	s.feedMu.Lock()
	s.subs = append(s.subs, sub)
	s.feedMu.Unlock()
	s.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { s.unsubscribe(sub) }) }
}

// unsubscribe removes sub, waiting for a delivery in progress to end.
func (s *Store) unsubscribe(sub *subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	if i := slices.Index(s.subs, sub); i >= 0 {
		s.subs = slices.Delete(s.subs, i, i+1)
	}
}
