package store

import (
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"slices"

	"github.com/cassauth/cassauth/resource"
)

// RoleRecord is a row of system_auth.roles.
type RoleRecord struct {
	Name        string
	IsSuperuser bool
	CanLogin    bool
	// SaltedHash is the bcrypt hash of the role's password; "" means none.
	// It is redacted from String, GoString and slog output.
	SaltedHash string
	// MemberOf holds the roles granted to this role (its parents), sorted
	// and without duplicates.
	MemberOf []string
	// Options holds custom options (Cassandra's OPTIONS map). Cassandra's
	// own role manager never stores any; custom role managers may.
	Options map[string]string
}

// Clone returns a deep copy of r, so a backend can hand out records without
// sharing its slices and maps.
func (r RoleRecord) Clone() RoleRecord {
	r.MemberOf = slices.Clone(r.MemberOf)
	r.Options = maps.Clone(r.Options)
	return r
}

func (r RoleRecord) redacted() string {
	hash := "<none>"
	if r.SaltedHash != "" {
		hash = "<redacted>"
	}
	return fmt.Sprintf("{Name:%q IsSuperuser:%t CanLogin:%t SaltedHash:%s MemberOf:%q Options:%v}",
		r.Name, r.IsSuperuser, r.CanLogin, hash, r.MemberOf, r.Options)
}

// String formats r with the salted hash redacted.
func (r RoleRecord) String() string { return r.redacted() }

// GoString formats r for %#v with the salted hash redacted.
func (r RoleRecord) GoString() string { return "store.RoleRecord" + r.redacted() }

// LogValue makes slog print r without its salted hash.
func (r RoleRecord) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", r.Name),
		slog.Bool("superuser", r.IsSuperuser),
		slog.Bool("login", r.CanLogin),
		slog.Bool("has_password", r.SaltedHash != ""),
		slog.Any("member_of", r.MemberOf),
	)
}

// RoleUpdate lists the columns an ALTER ROLE changes; nil fields are left
// as they are.
type RoleUpdate struct {
	IsSuperuser *bool
	CanLogin    *bool
	// SaltedHash replaces the hash; a pointer to "" removes the password.
	SaltedHash *string
	// Options replaces the custom options when non-nil.
	Options map[string]string
}

// IsEmpty reports whether u changes nothing.
func (u RoleUpdate) IsEmpty() bool {
	return u.IsSuperuser == nil && u.CanLogin == nil && u.SaltedHash == nil && u.Options == nil
}

// Grant is a row of system_auth.role_permissions: the permissions granted to
// Role on the resource with canonical name Resource ("data/ks/t").
type Grant struct {
	Role        string
	Resource    string
	Permissions resource.PermissionSet
}

// CIDRGroup is a row of system_auth.cidr_groups.
type CIDRGroup struct {
	Name  string
	CIDRs []netip.Prefix
}
