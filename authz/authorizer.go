package authz

import (
	"cmp"
	"context"
	"slices"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Authorizer is Cassandra's IAuthorizer (spec 1.3): it answers which
// permissions a user holds on exactly one resource, and stores grants.
// Walking a resource's parents is the caller's job ([Checker]).
//
// Implementations must be safe for concurrent use. Every error they return
// means "could not do it": an Authorize error is never a deny and never an
// allow, and callers fail closed. Errors a client may see are
// [*roles.Error] values with Cassandra's messages.
type Authorizer interface {
	// RequireAuthorization reports whether authorization is enforced.
	// False means every check passes without consulting Authorize
	// (Cassandra's AllowAllAuthorizer).
	RequireAuthorization() bool

	// Authorize returns every permission user holds on exactly r:
	// directly or through any role granted to it, transitively. A user
	// with superuser status holds r.Applicable(). Never an error for a
	// user or resource without grants (the empty set).
	Authorize(ctx context.Context, user roles.User, r resource.Resource) (resource.PermissionSet, error)

	// Grant grants perms on r to the role grantee and returns the
	// permissions that were newly granted (those already held are not in
	// it). performer is the user running the statement; the statement has
	// already checked its rights. Optional: may return an error wrapping
	// [ErrUnsupported].
	Grant(ctx context.Context, performer roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) (granted resource.PermissionSet, err error)

	// Revoke removes perms on r from the role revokee and returns the
	// permissions that were held and are now removed. Optional, like
	// Grant.
	Revoke(ctx context.Context, performer roles.User, perms resource.PermissionSet, r resource.Resource, revokee string) (revoked resource.PermissionSet, err error)

	// List returns the grants visible to performer, restricted to the
	// permissions in perms, to exactly r (the zero Resource: every
	// resource) and to grantee and every role it inherits (""; every
	// role), sorted as [ComparePermissionDetails] says. The
	// implementation runs LIST PERMISSIONS' visibility check (spec 9.6).
	// Optional, like Grant.
	List(ctx context.Context, performer roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) ([]PermissionDetails, error)

	// RevokeAllFrom removes every permission granted to role (DROP ROLE).
	RevokeAllFrom(ctx context.Context, role string) error

	// RevokeAllOn removes every permission granted on exactly r, to any
	// role (r was dropped).
	RevokeAllOn(ctx context.Context, r resource.Resource) error

	// ProtectedResources returns the resources no one may CREATE, ALTER or
	// DROP (the authorizer's own tables). The caller must not modify the
	// slice.
	ProtectedResources() []resource.Resource

	// ValidateConfiguration checks the authorizer's configuration.
	ValidateConfiguration() error

	// Setup runs once at startup, after the role manager's and the
	// authenticator's setup.
	Setup(ctx context.Context) error
}

// PermissionDetails is one row of LIST PERMISSIONS: a permission granted
// to a role on a resource (Cassandra's PermissionDetails). It is a
// comparable value.
type PermissionDetails struct {
	Grantee    string
	Resource   resource.Resource
	Permission resource.Permission
}

// String formats d as Cassandra's PermissionDetails.toString:
// "<PermissionDetails grantee:bob resource:data/ks permission:SELECT>".
func (d PermissionDetails) String() string {
	return "<PermissionDetails grantee:" + d.Grantee + " resource:" + d.Resource.Name() +
		" permission:" + d.Permission.String() + ">"
}

// ComparePermissionDetails orders rows as Cassandra sorts LIST PERMISSIONS
// (spec 4.4): by grantee (Java string order), then resource internal name
// (Java string order), then permission ordinal.
func ComparePermissionDetails(a, b PermissionDetails) int {
	if c := resource.CompareJava(a.Grantee, b.Grantee); c != 0 {
		return c
	}
	if c := resource.Compare(a.Resource, b.Resource); c != 0 {
		return c
	}
	return cmp.Compare(a.Permission, b.Permission)
}

// SortPermissionDetails sorts ds in place with [ComparePermissionDetails].
func SortPermissionDetails(ds []PermissionDetails) {
	slices.SortFunc(ds, ComparePermissionDetails)
}

// RolePermissions is an optional capability of an [Authorizer]: the
// permissions granted directly to one role on exactly one resource, without
// inheritance and without superuser status. [Checker.Explain] uses it to
// attribute a decision to the grants behind it; find it with a type
// assertion. The table-backed authorizer implements it.
type RolePermissions interface {
	// RolePermissions returns the permissions stored for (role, r); the
	// empty set if there are none. Errors mean the store failed.
	RolePermissions(ctx context.Context, role string, r resource.Resource) (resource.PermissionSet, error)
}

// ChainAuthorizer is an optional capability of an [Authorizer]: decide a
// whole access check in one call, so that the user's role closure is read
// once rather than once per resource of the chain. A [Checker] without a
// configured permissions lookup (nothing cached) uses it when present;
// find it with a type assertion. The table-backed authorizer implements
// it.
type ChainAuthorizer interface {
	// AuthorizeChain reports whether [Authorizer.Authorize] holds p for
	// user on r or on any of r's parents. Errors as Authorize.
	AuthorizeChain(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) (bool, error)
}

// PermissionsEntry is one precomputed answer of [Authorizer.Authorize]:
// what User holds on exactly Resource.
type PermissionsEntry struct {
	User        roles.User
	Resource    resource.Resource
	Permissions resource.PermissionSet
}

// BulkLoader is an optional capability of an [Authorizer]: the entries a
// permissions cache is warmed with at startup (Cassandra's bulkLoader).
// Find it with a type assertion. The table-backed authorizer implements it.
type BulkLoader interface {
	// BulkLoad returns entries that equal what Authorize would return for
	// them at the time of the call. Errors mean the store failed.
	BulkLoad(ctx context.Context) ([]PermissionsEntry, error)
}

// PermissionsFunc looks up the permissions user holds on exactly r, as
// [Authorizer.Authorize] does. A [Checker] calls it for each resource of
// the chain; an embedding layer plugs a cache in here.
type PermissionsFunc func(ctx context.Context, user roles.User, r resource.Resource) (resource.PermissionSet, error)
