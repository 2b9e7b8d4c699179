package resource

import (
	"errors"
	"fmt"
	"iter"
	"math/bits"
	"strings"
)

// Permission is one of Cassandra's permissions. The numeric value is the
// ordinal of Cassandra 5.0's Permission enum (declaration order), which is the
// order LIST PERMISSIONS sorts by.
type Permission uint8

// The permissions, in Cassandra's declaration order.
const (
	Create       Permission = iota // CREATE KEYSPACE/TABLE/FUNCTION/ROLE, ADD IDENTITY
	Alter                          // ALTER KEYSPACE/TABLE/ROLE, CREATE/DROP INDEX, ...
	Drop                           // DROP KEYSPACE/TABLE/FUNCTION/ROLE, DROP IDENTITY
	Select                         // SELECT; JMX getAttribute
	Modify                         // INSERT/UPDATE/DELETE/TRUNCATE; JMX setAttribute
	Authorize                      // GRANT/REVOKE on the resource, GRANT/REVOKE of a role
	Describe                       // LIST ROLES/PERMISSIONS; JMX metadata
	Execute                        // use of a function; JMX invoke
	Unmask                         // see clear values of masked columns (5.0+)
	SelectMasked                   // filter on masked columns (5.0+)

	numPermissions = iota
)

var permissionNames = [numPermissions]string{
	"CREATE", "ALTER", "DROP", "SELECT", "MODIFY", "AUTHORIZE", "DESCRIBE", "EXECUTE", "UNMASK", "SELECT_MASKED",
}

// ErrUnknownPermission is returned (wrapped) by [ParsePermission] for a name
// that is not one of Cassandra's permissions.
var ErrUnknownPermission = errors.New("unknown permission")

// String returns the permission's enum name as Cassandra stores and prints it,
// e.g. "SELECT". An out-of-range value prints as "Permission(n)".
func (p Permission) String() string {
	if int(p) < numPermissions {
		return permissionNames[p]
	}
	return fmt.Sprintf("Permission(%d)", uint8(p))
}

// Valid reports whether p is one of the defined permissions.
func (p Permission) Valid() bool { return int(p) < numPermissions }

// ParsePermission returns the permission with the given name, case-insensitive
// ("select", "SELECT_MASKED"). Unknown names return an error wrapping
// [ErrUnknownPermission].
func ParsePermission(name string) (Permission, error) {
	for i, n := range permissionNames {
		if strings.EqualFold(n, name) {
			return Permission(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownPermission, name)
}

// PermissionSet is a set of permissions stored as a bit set. The zero value is
// the empty set. It is a plain value: comparable, copyable, allocation-free.
type PermissionSet uint16

// AllPermissions is Cassandra's Permission.ALL: every permission, CREATE to
// SELECT_MASKED. GRANT ALL narrows it to what a resource supports (see
// [Resource.Applicable]).
const AllPermissions PermissionSet = 1<<numPermissions - 1

// NoPermissions is the empty set (Cassandra's Permission.NONE).
const NoPermissions PermissionSet = 0

// SetOf returns the set holding ps. Invalid permissions are ignored.
func SetOf(ps ...Permission) PermissionSet {
	var s PermissionSet
	for _, p := range ps {
		s = s.With(p)
	}
	return s
}

// Has reports whether p is in s.
func (s PermissionSet) Has(p Permission) bool { return p.Valid() && s&(1<<p) != 0 }

// With returns s with p added. An invalid permission leaves s unchanged.
func (s PermissionSet) With(p Permission) PermissionSet {
	if !p.Valid() {
		return s
	}
	return s | 1<<p
}

// Without returns s with p removed.
func (s PermissionSet) Without(p Permission) PermissionSet {
	if !p.Valid() {
		return s
	}
	return s &^ (1 << p)
}

// Union returns the permissions in s or t.
func (s PermissionSet) Union(t PermissionSet) PermissionSet { return (s | t) & AllPermissions }

// Intersect returns the permissions in both s and t.
func (s PermissionSet) Intersect(t PermissionSet) PermissionSet { return s & t & AllPermissions }

// Minus returns the permissions in s that are not in t.
func (s PermissionSet) Minus(t PermissionSet) PermissionSet { return s &^ t & AllPermissions }

// ContainsAll reports whether every permission of t is in s.
func (s PermissionSet) ContainsAll(t PermissionSet) bool { return t&^s == 0 }

// IsEmpty reports whether s holds no permission.
func (s PermissionSet) IsEmpty() bool { return s&AllPermissions == 0 }

// Len returns the number of permissions in s.
func (s PermissionSet) Len() int { return bits.OnesCount16(uint16(s & AllPermissions)) }

// All iterates over the permissions of s in declaration order.
func (s PermissionSet) All() iter.Seq[Permission] {
	return func(yield func(Permission) bool) {
		for p := Permission(0); p < numPermissions; p++ {
			if s.Has(p) && !yield(p) {
				return
			}
		}
	}
}

// Slice returns the permissions of s in declaration order.
func (s PermissionSet) Slice() []Permission {
	out := make([]Permission, 0, s.Len())
	for p := range s.All() {
		out = append(out, p)
	}
	return out
}

// Names returns the enum names of the permissions of s in declaration order,
// the form Cassandra stores in role_permissions.permissions.
func (s PermissionSet) Names() []string {
	out := make([]string, 0, s.Len())
	for p := range s.All() {
		out = append(out, p.String())
	}
	return out
}

// String formats s as Java prints a set of permissions: "[SELECT, MODIFY]".
func (s PermissionSet) String() string {
	return "[" + strings.Join(s.Names(), ", ") + "]"
}

// ParsePermissionSet parses enum names (case-insensitive) into a set. The
// first unknown name returns an error wrapping [ErrUnknownPermission].
func ParsePermissionSet(names []string) (PermissionSet, error) {
	var s PermissionSet
	for _, n := range names {
		p, err := ParsePermission(n)
		if err != nil {
			return 0, err
		}
		s = s.With(p)
	}
	return s, nil
}
