package pgstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cassauth/cassauth/store"
)

// subscription is one registered callback.
type subscription struct {
	fn func(store.Change)
}

// Subscribe registers fn to receive every change committed after
// Subscribe returns, through this Store or, with the feed on, through any
// other Store on the same schema and channel, in this process or another.
//
// A change made through this Store reaches fn on the writing goroutine,
// after the commit and before the writing method returns (also when the
// COMMIT's outcome is unknown, since a needless invalidation is harmless).
// Another Store's changes arrive by LISTEN/NOTIFY and reach fn on the feed's
// goroutine, typically within a millisecond of their commit. One delivery
// runs at a time: a slow fn delays writers and the feed.
//
// [store.ChangeReset] means changes may have been missed: fn must drop
// everything it derived. The feed delivers one when its connection drops
// (then it reconnects with backoff, and delivers another once it listens
// again, for what committed while it was away), when a notification does
// not decode, and in place of a change whose notification would exceed
// PostgreSQL's 8000-byte payload limit (the writing process itself still
// gets the full change). While the feed is down, the caches' validity and
// refresh intervals bound how stale they get, as in Cassandra.
//
// What each write reports is what store/memstore reports: CreateRole,
// UpdateRole: [store.ChangeRole] with the role. DropRole: see
// [Store.DropRole]. GrantRole, RevokeRole: [store.ChangeMembership] with
// the grantee, then the role. AddPermissions, RemovePermissions,
// RevokeAllFrom, RevokeAllOn: [store.ChangePermissions] with every role and
// resource whose grants changed, sorted. SetDatacenters, DropDatacenters:
// [store.ChangeNetwork] with the role. SetCIDRPermissions,
// DropCIDRPermissions: [store.ChangeCIDR] with the role; SetCIDRGroup,
// DropCIDRGroup: [store.ChangeCIDR] without roles. AddIdentity,
// DropIdentity: [store.ChangeIdentity] with the identity. Catalog writes:
// [store.ChangeSchema] with the name. A write that changes nothing reports
// nothing.
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
	s.feedMu.Lock()
	if s.closed.Load() {
		s.feedMu.Unlock()
		return func() {}
	}
	s.subs = append(s.subs, sub)
	s.feedMu.Unlock()
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

// maxPayload is the largest notification payload PostgreSQL accepts: it
// must be shorter than 8000 bytes.
const maxPayload = 7999

// wireVersion is the version of the notification payload format.
const wireVersion = 1

// wireChange is a Change as a notification carries it, in compact JSON:
// {"v":1,"o":"<origin>","s":"<schema>","k":3,"r":[roles],"p":[resources],"i":[identities]}.
type wireChange struct {
	Version    int      `json:"v"`
	Origin     string   `json:"o"`
	Schema     string   `json:"s"`
	Kind       uint8    `json:"k"`
	Roles      []string `json:"r,omitempty"`
	Resources  []string `json:"p,omitempty"`
	Identities []string `json:"i,omitempty"`
}

// encodePayload returns the notification payload of ch sent by origin for
// schema: ch itself, or a ChangeReset when ch would not fit in a
// notification.
func encodePayload(origin, schema string, ch store.Change) string {
	w := wireChange{Version: wireVersion, Origin: origin, Schema: schema, Kind: uint8(ch.Kind),
		Roles: ch.Roles, Resources: ch.Resources, Identities: ch.Identities}
	b, err := json.Marshal(w)
	if err != nil || len(b) > maxPayload {
		// Marshal cannot fail on these types; a reset is correct anyway.
		b, _ = json.Marshal(wireChange{Version: wireVersion, Origin: origin, Schema: schema, Kind: uint8(store.ChangeReset)})
	}
	return string(b)
}

// payload returns the notification payload of a change made through s.
func (s *Store) payload(ch store.Change) string { return encodePayload(s.origin, s.schema, ch) }

// errPayload is the error of a notification payload that does not decode.
var errPayload = errors.New("pgstore: bad notification payload")

// decodePayload parses a notification payload. A payload of a newer
// format version decodes as a ChangeReset of an unknown origin, so that an
// older reader drops what it derived rather than misread it.
func decodePayload(payload string) (origin, schema string, ch store.Change, err error) {
	var w wireChange
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		return "", "", store.Change{}, fmt.Errorf("%w: %w", errPayload, err)
	}
	switch {
	case w.Version > wireVersion:
		return "", w.Schema, store.Change{Kind: store.ChangeReset}, nil
	case w.Version < 1 || w.Origin == "":
		return "", "", store.Change{}, fmt.Errorf("%w: version %d, origin %q", errPayload, w.Version, w.Origin)
	}
	return w.Origin, w.Schema, store.Change{Kind: store.ChangeKind(w.Kind), Roles: w.Roles,
		Resources: w.Resources, Identities: w.Identities}, nil
}
