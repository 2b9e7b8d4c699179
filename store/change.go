package store

// ChangeKind says which table a [Change] touched.
type ChangeKind uint8

// The kinds of change a [ChangeFeed] reports.
const (
	// ChangeReset means changes may have been missed (a feed reconnected or
	// overflowed): a subscriber must drop everything it derived.
	ChangeReset ChangeKind = iota
	// ChangeRole: a role row was created, altered or dropped. Roles names it;
	// a drop also changes the memberships of the role's members.
	ChangeRole
	// ChangeMembership: a role was granted or revoked. Roles holds the
	// grantee first, then the granted role.
	ChangeMembership
	// ChangePermissions: grants changed. Roles and Resources name them.
	ChangePermissions
	// ChangeNetwork: network_permissions of Roles changed.
	ChangeNetwork
	// ChangeCIDR: cidr_permissions of Roles changed, or cidr_groups (Roles
	// empty) changed.
	ChangeCIDR
	// ChangeIdentity: identity_to_role changed for Identities.
	ChangeIdentity
	// ChangeSchema: the Catalog's schema object names changed; Resources
	// names them. Grants are not affected by it.
	ChangeSchema
)

var changeKindNames = [...]string{"reset", "role", "membership", "permissions", "network", "cidr", "identity", "schema"}

// String returns a lower-case name of the kind.
func (k ChangeKind) String() string {
	if int(k) < len(changeKindNames) {
		return changeKindNames[k]
	}
	return "unknown"
}

// Change describes one committed change. Subscribers use it to invalidate
// what they derived from the rows concerned; for roles they must also
// invalidate every role that inherits from them. Kinds may be added in later
// versions: a subscriber ignores kinds it does not know.
type Change struct {
	Kind       ChangeKind
	Roles      []string
	Resources  []string // canonical resource names
	Identities []string
}

// ChangeFeed is an optional capability of a [Store]: it reports committed
// changes, including those made by other processes when the backend can see
// them. Callers find it with a type assertion.
type ChangeFeed interface {
	// Subscribe registers fn and returns a function that unregisters it
	// (idempotent). fn receives every change committed after Subscribe
	// returns. For a change made through this process, fn runs before the
	// writing call returns, so a cache invalidated by fn never serves the
	// old value afterwards; for changes seen from elsewhere it runs on the
	// feed's goroutine. fn must be quick, must not block and must not call
	// the store. The Change and its slices must not be modified.
	Subscribe(fn func(Change)) (cancel func())
}
