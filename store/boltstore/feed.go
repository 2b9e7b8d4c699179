package boltstore

import (
	"slices"
	"sync"

	"github.com/cassauth/cassauth/store"
)

// subscription is one registered callback.
type subscription struct {
	fn func(store.Change)
}

// Subscribe registers fn to receive every change committed through this
// Store after Subscribe returns. fn runs on the writing goroutine, after
// the transaction has committed (and been synced) and bbolt's lock has
// been released, before the writing method returns. Changes reach every
// subscriber in commit order, one at a time: a slow fn delays the next
// writer. A write that changes nothing reports nothing. Another process
// cannot write the file while this Store has it open, so the feed never
// reports [store.ChangeReset].
//
// What each write reports is what store/memstore reports: CreateRole,
// UpdateRole: [store.ChangeRole] with the role. DropRole: see
// [Store.DropRole]. GrantRole, RevokeRole: [store.ChangeMembership] with
// the grantee, then the role. AddPermissions, RemovePermissions,
// RevokeAllFrom, RevokeAllOn: [store.ChangePermissions] with every role
// and resource whose grants changed, sorted. SetDatacenters,
// DropDatacenters: [store.ChangeNetwork] with the role.
// SetCIDRPermissions, DropCIDRPermissions: [store.ChangeCIDR] with the
// role; SetCIDRGroup, DropCIDRGroup: [store.ChangeCIDR] without roles.
// AddIdentity, DropIdentity: [store.ChangeIdentity] with the identity.
//
// The returned cancel unregisters fn; it is idempotent, and once it
// returns fn is not running and will not be called again. fn must not call
// the store, cancel or Close (they would deadlock), must not block, and
// must not modify the Change. On a closed store, or with a nil fn,
// Subscribe registers nothing and returns a no-op cancel.
func (s *Store) Subscribe(fn func(store.Change)) (cancel func()) {
	if fn == nil {
		return func() {}
	}
	sub := &subscription{fn: fn}
	s.wmu.Lock()
	if s.closed.Load() {
		s.wmu.Unlock()
		return func() {}
	}
	s.feedMu.Lock()
	s.subs = append(s.subs, sub)
	s.feedMu.Unlock()
	s.wmu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { s.unsubscribe(sub) }) }
}

// unsubscribe removes sub, waiting for a delivery in progress to end.
func (s *Store) unsubscribe(sub *subscription) {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	if i := slices.Index(s.subs, sub); i >= 0 {
		s.subs = slices.Delete(s.subs, i, i+1)
	}
}
