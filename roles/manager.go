package roles

import (
	"context"

	"github.com/cassauth/cassauth/resource"
)

// Manager is the role manager (Cassandra's IRoleManager). Implementations
// are safe for concurrent use. Errors: see each method; any error not listed
// means the manager could not answer, and callers fail closed.
type Manager interface {
	// SupportedOptions returns the options CREATE/ALTER ROLE accept.
	SupportedOptions() OptionSet
	// AlterableOptions returns the options a non-superuser may change on
	// its own role.
	AlterableOptions() OptionSet

	// CreateRole creates role with opts (a subset of SupportedOptions).
	CreateRole(ctx context.Context, performer User, role string, opts Options) error
	// DropRole drops role and removes it from every membership.
	DropRole(ctx context.Context, performer User, role string) error
	// AlterRole changes role's options.
	AlterRole(ctx context.Context, performer User, role string, opts Options) error
	// GrantRole makes grantee a member of role; InvalidRequestError
	// "%s is a member of %s" for repeats, self-grants and cycles.
	GrantRole(ctx context.Context, performer User, role, grantee string) error
	// RevokeRole removes revokee from role; InvalidRequestError
	// "%s is not a member of %s" if it is not a direct member.
	RevokeRole(ctx context.Context, performer User, role, revokee string) error

	// Roles returns the grantee and the roles granted to it: directly, or
	// transitively when includeInherited. Unknown grantee: empty.
	Roles(ctx context.Context, grantee string, includeInherited bool) ([]string, error)
	// RoleDetails returns the closure of grantee with flags, the grantee
	// first. Unknown grantee: empty.
	RoleDetails(ctx context.Context, grantee string) ([]Role, error)
	// AllRoles returns every role name, sorted.
	AllRoles(ctx context.Context) ([]string, error)
	// IsSuper returns the role's own superuser flag (not inherited).
	IsSuper(ctx context.Context, role string) (bool, error)
	// CanLogin returns the role's own LOGIN flag.
	CanLogin(ctx context.Context, role string) (bool, error)
	// CustomOptions returns the role's custom options, never nil.
	CustomOptions(ctx context.Context, role string) (map[string]string, error)
	// IsExistingRole reports whether role exists.
	IsExistingRole(ctx context.Context, role string) (bool, error)

	// RoleForIdentity returns the role mapped to an mTLS identity, or ""
	// if none.
	RoleForIdentity(ctx context.Context, identity string) (string, error)
	// AuthorizedIdentities returns every identity and its role.
	AuthorizedIdentities(ctx context.Context) (map[string]string, error)
	// AddIdentity maps identity to role.
	AddIdentity(ctx context.Context, identity, role string) error
	// IsExistingIdentity reports whether identity is mapped.
	IsExistingIdentity(ctx context.Context, identity string) (bool, error)
	// DropIdentity removes the mapping of identity.
	DropIdentity(ctx context.Context, identity string) error

	// ProtectedResources returns resources users may not CREATE/ALTER/DROP.
	ProtectedResources() []resource.Resource
	// ValidateConfiguration checks the manager's configuration.
	ValidateConfiguration() error
	// Setup runs once at startup (the table-backed manager creates the
	// default superuser here).
	Setup(ctx context.Context) error
}
