package dump

import (
	"net/netip"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// ImportOptions configures [Import], [ImportCassandraCSV] and
// [ImportCassandraDir]. The zero value imports into an empty store only.
type ImportOptions struct {
	// Merge allows importing into a store that already holds data. Rows of
	// the input then replace the rows with the same key: a role's flags,
	// hash and options; a role's network or CIDR permissions; a CIDR group;
	// an identity's role. Memberships and permissions are added to what the
	// store holds (set union). Nothing the input does not mention is
	// changed or deleted. Without Merge, a store holding any role, grant,
	// identity, CIDR group or schema object makes the import fail with
	// [ErrNotEmpty] before anything is written.
	Merge bool
	// Name names a JSON dump in errors and warnings; "" means "dump". The
	// CSV importers use the file names instead.
	Name string
}

// Summary counts the rows an import wrote, table by table, and lists its
// warnings.
type Summary struct {
	Roles           int // roles created (or, with Merge, updated)
	Memberships     int // roles granted to roles
	Grants          int // (role, resource) permission rows
	Network         int // network_permissions rows
	CIDRPermissions int // cidr_permissions rows
	CIDRGroups      int // cidr_groups rows
	Identities      int // identity_to_role rows
	SchemaObjects   int // catalog names (stores implementing store.Catalog)
	// Warnings lists what was accepted with a remark, or skipped, in the
	// order it was found.
	Warnings []Warning
}

// Rows returns the total number of rows written.
func (s Summary) Rows() int {
	return s.Roles + s.Memberships + s.Grants + s.Network + s.CIDRPermissions +
		s.CIDRGroups + s.Identities + s.SchemaObjects
}

// The plan is what both input formats turn into: validated rows, each with
// its location, ready to be checked against the store and written.

type planRole struct {
	rec        store.RoleRecord // MemberOf as given, sorted later
	loc        Location
	memberLocs []Location // location of each MemberOf entry
}

type planGrant struct {
	role  string
	res   string // canonical name
	perms resource.PermissionSet
	loc   Location
}

type planSet struct { // network_permissions and cidr_permissions rows
	role   string
	values []string
	loc    Location
}

type planGroup struct {
	name  string
	cidrs []netip.Prefix
	loc   Location
}

type planIdentity struct {
	identity, role string
	loc            Location
}

type planSchema struct {
	name string
	loc  Location
}

type plan struct {
	roles      []planRole
	grants     []planGrant
	network    []planSet
	cidrPerms  []planSet
	groups     []planGroup
	identities []planIdentity
	schema     []planSchema
	warnings   []Warning
}

func (p *plan) warn(loc Location, msg string) {
	p.warnings = append(p.warnings, Warning{Location: loc, Msg: msg})
}

// keyIndex detects duplicate keys, remembering where each key was first seen.
type keyIndex map[string]Location

// add records key at loc, or returns an ErrDuplicate InputError naming the
// first occurrence.
func (k keyIndex) add(key string, loc Location, what string) error {
	if first, ok := k[key]; ok {
		return inputErr(loc, ErrDuplicate, "duplicate %s (first at %s)", what, first.String())
	}
	k[key] = loc
	return nil
}
