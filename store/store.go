package store

import (
	"context"
	"net/netip"

	"github.com/cassauth/cassauth/resource"
)

// Store is the complete storage contract: one backend holds every table of
// system_auth. Implementations must be safe for concurrent use by multiple
// goroutines, and every method must honour ctx (return ctx.Err(), wrapped,
// once it is done).
//
// Every implementation should carry a compile-time assertion
// (var _ store.Store = (*Store)(nil)) and pass conformance.TestStore.
type Store interface {
	Roles
	Memberships
	Permissions
	Network
	CIDR
	Identities
}

// Roles is system_auth.roles.
type Roles interface {
	// GetRole returns the role named name, or an error wrapping ErrNotFound.
	GetRole(ctx context.Context, name string) (RoleRecord, error)
	// ListRoles returns every role, sorted by name (byte order).
	ListRoles(ctx context.Context) ([]RoleRecord, error)
	// CreateRole inserts r. MemberOf must be empty (grants come later
	// through Memberships). It returns an error wrapping ErrExists if the
	// role exists, ErrInvalid for an empty name.
	CreateRole(ctx context.Context, r RoleRecord) error
	// UpdateRole applies u to the role, or returns ErrNotFound. An empty
	// update of an existing role succeeds and changes nothing.
	UpdateRole(ctx context.Context, name string, u RoleUpdate) error
	// DropRole deletes the role atomically with everything that refers to it
	// in the role tables: its row, its name in the member_of of every role it
	// was granted to (role_members rows in both directions) and the
	// identity_to_role rows mapping to it. Permissions, network and CIDR rows
	// are dropped separately through their interfaces, as Cassandra does.
	// It returns ErrNotFound if the role does not exist.
	DropRole(ctx context.Context, name string) error
}

// Memberships is role_members together with roles.member_of, kept in step.
type Memberships interface {
	// GrantRole records that grantee is a member of role: role is added to
	// grantee's member_of and (role, grantee) to role_members, atomically.
	// Both roles must exist (ErrNotFound otherwise). Granting twice is a
	// no-op; cycle detection is the role manager's job.
	GrantRole(ctx context.Context, role, grantee string) error
	// RevokeRole removes the membership atomically from both tables. A
	// membership that does not exist is a no-op.
	RevokeRole(ctx context.Context, role, revokee string) error
	// ListMembers returns the roles that role is granted to (the
	// role_members partition of role), sorted.
	ListMembers(ctx context.Context, role string) ([]string, error)
}

// Permissions is role_permissions with its resource index
// (resource_role_permissons_index). Resources are canonical names as
// returned by [resource.Resource.Name]. The index holds (resource, role)
// exactly when role_permissions holds a non-empty set for (role, resource).
type Permissions interface {
	// GetPermissions returns the permissions granted to role on exactly
	// the named resource; an empty set, not an error, when there are none.
	GetPermissions(ctx context.Context, role, resourceName string) (resource.PermissionSet, error)
	// AddPermissions adds perms to (role, resource) and the index row,
	// atomically, and returns the permissions that were not already there.
	AddPermissions(ctx context.Context, role, resourceName string, perms resource.PermissionSet) (added resource.PermissionSet, err error)
	// RemovePermissions removes perms from (role, resource), atomically,
	// and returns those that were there. A set that becomes empty deletes
	// the row and its index row; otherwise the index row stays.
	RemovePermissions(ctx context.Context, role, resourceName string, perms resource.PermissionSet) (removed resource.PermissionSet, err error)
	// ListGrants returns the non-empty grants of role, or of every role
	// when role is "", sorted by role then resource name (byte order).
	ListGrants(ctx context.Context, role string) ([]Grant, error)
	// ListGrantees returns the roles holding permissions on the named
	// resource, from the index, sorted.
	ListGrantees(ctx context.Context, resourceName string) ([]string, error)
	// RevokeAllFrom deletes every grant to role and their index rows,
	// atomically.
	RevokeAllFrom(ctx context.Context, role string) error
	// RevokeAllOn deletes every grant on the named resource and its index
	// partition, atomically.
	RevokeAllOn(ctx context.Context, resourceName string) error
}

// Network is network_permissions: the datacenters a role may use. Cassandra
// keys this table by "roles/<name>"; the contract uses the bare role name and
// leaves the key format to the backend.
type Network interface {
	// GetDatacenters returns the datacenters role is restricted to. An
	// empty, non-nil slice means all datacenters. ErrNotFound means no row
	// (also all datacenters).
	GetDatacenters(ctx context.Context, role string) ([]string, error)
	// SetDatacenters replaces the row; an empty dcs means all.
	SetDatacenters(ctx context.Context, role string, dcs []string) error
	// DropDatacenters deletes the row; no row is a no-op.
	DropDatacenters(ctx context.Context, role string) error
}

// CIDR is cidr_permissions and cidr_groups.
type CIDR interface {
	// GetCIDRPermissions returns the CIDR groups role may connect from;
	// empty means all; ErrNotFound means no row (also all).
	GetCIDRPermissions(ctx context.Context, role string) ([]string, error)
	// SetCIDRPermissions replaces the row; empty groups means all.
	SetCIDRPermissions(ctx context.Context, role string, groups []string) error
	// DropCIDRPermissions deletes the row; no row is a no-op.
	DropCIDRPermissions(ctx context.Context, role string) error
	// ListCIDRGroups returns every CIDR group, sorted by name.
	ListCIDRGroups(ctx context.Context) ([]CIDRGroup, error)
	// SetCIDRGroup creates or replaces a group.
	SetCIDRGroup(ctx context.Context, name string, cidrs []netip.Prefix) error
	// DropCIDRGroup deletes a group, or returns ErrNotFound.
	DropCIDRGroup(ctx context.Context, name string) error
}

// Identities is identity_to_role (mutual-TLS identities).
type Identities interface {
	// GetIdentity returns the role an identity maps to, or ErrNotFound.
	GetIdentity(ctx context.Context, identity string) (role string, err error)
	// ListIdentities returns every identity and its role.
	ListIdentities(ctx context.Context) (map[string]string, error)
	// AddIdentity maps identity to role, or returns ErrExists if the
	// identity is already mapped (to any role).
	AddIdentity(ctx context.Context, identity, role string) error
	// DropIdentity deletes the mapping; an unknown identity is a no-op.
	DropIdentity(ctx context.Context, identity string) error
}
