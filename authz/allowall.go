package authz

import (
	"context"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// AllowAll is Cassandra's AllowAllAuthorizer (spec 1.4): authorization is
// off, every user holds every applicable permission, and grants cannot be
// stored. The zero value is ready to use and safe for concurrent use.
type AllowAll struct{}

var _ Authorizer = AllowAll{}

// RequireAuthorization returns false.
func (AllowAll) RequireAuthorization() bool { return false }

// Authorize returns r.Applicable() for any user.
func (AllowAll) Authorize(_ context.Context, _ roles.User, r resource.Resource) (resource.PermissionSet, error) {
	return r.Applicable(), nil
}

// Grant always fails with a CodeServerError [*roles.Error] "GRANT operation
// is not supported by AllowAllAuthorizer" wrapping [ErrUnsupported].
func (AllowAll) Grant(context.Context, roles.User, resource.PermissionSet, resource.Resource, string) (resource.PermissionSet, error) {
	return 0, unsupported("GRANT")
}

// Revoke always fails with "REVOKE operation is not supported by
// AllowAllAuthorizer", like Grant.
func (AllowAll) Revoke(context.Context, roles.User, resource.PermissionSet, resource.Resource, string) (resource.PermissionSet, error) {
	return 0, unsupported("REVOKE")
}

// List always fails with "LIST PERMISSIONS operation is not supported by
// AllowAllAuthorizer", like Grant. LIST PERMISSIONS reports it to the client
// as an InvalidRequest with the same text; the statement layer converts the
// code (test errors.Is(err, ErrUnsupported)).
func (AllowAll) List(context.Context, roles.User, resource.PermissionSet, resource.Resource, string) ([]PermissionDetails, error) {
	return nil, unsupported("LIST PERMISSIONS")
}

// RevokeAllFrom does nothing.
func (AllowAll) RevokeAllFrom(context.Context, string) error { return nil }

// RevokeAllOn does nothing.
func (AllowAll) RevokeAllOn(context.Context, resource.Resource) error { return nil }

// ProtectedResources returns nil: AllowAll owns no table.
func (AllowAll) ProtectedResources() []resource.Resource { return nil }

// ValidateConfiguration returns nil.
func (AllowAll) ValidateConfiguration() error { return nil }

// Setup does nothing.
func (AllowAll) Setup(context.Context) error { return nil }
