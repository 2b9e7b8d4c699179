package cassauth

import (
	"context"
	"slices"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// cachedRoles is the role manager handed out by [Auth.Roles]: reads of
// closures and flags go through the RolesCache (identities through the
// IdentitiesCache), and every write invalidates, with fan-out, before it
// returns.
type cachedRoles struct {
	a *Auth
	m roles.Manager // uncached
}

var (
	_ roles.Manager         = (*cachedRoles)(nil)
	_ authn.LoginChecker    = (*cachedRoles)(nil)
	_ authz.Authorizer      = (*cachedAuthorizer)(nil)
	_ authz.RolePermissions = (*cachedAuthorizer)(nil)
	_ authn.Hashes          = credentialsSource{}
	_ authn.HashInvalidator = credentialsSource{}
	_ authn.Identities      = identitiesSource{}
	_ authn.Warmer          = identitiesSource{}
)

func (r *cachedRoles) SupportedOptions() roles.OptionSet { return r.m.SupportedOptions() }
func (r *cachedRoles) AlterableOptions() roles.OptionSet { return r.m.AlterableOptions() }

func (r *cachedRoles) CreateRole(ctx context.Context, performer roles.User, role string, opts roles.Options) error {
	err := r.m.CreateRole(ctx, performer, role, opts)
	r.a.roleChanged(role)
	r.a.credentialsChanged(role)
	return err
}

func (r *cachedRoles) DropRole(ctx context.Context, performer roles.User, role string) error {
	err := r.m.DropRole(ctx, performer, role)
	r.a.roleDropped(role)
	return err
}

func (r *cachedRoles) AlterRole(ctx context.Context, performer roles.User, role string, opts roles.Options) error {
	err := r.m.AlterRole(ctx, performer, role, opts)
	r.a.roleChanged(role)
	r.a.credentialsChanged(role)
	return err
}

func (r *cachedRoles) GrantRole(ctx context.Context, performer roles.User, role, grantee string) error {
	err := r.m.GrantRole(ctx, performer, role, grantee)
	r.a.roleChanged(grantee)
	return err
}

func (r *cachedRoles) RevokeRole(ctx context.Context, performer roles.User, role, revokee string) error {
	err := r.m.RevokeRole(ctx, performer, role, revokee)
	r.a.roleChanged(revokee)
	return err
}

// details returns the cached closure of role (shared: not to be modified).
func (r *cachedRoles) details(ctx context.Context, role string) ([]roles.Role, error) {
	e, err := r.a.caches.roles.Get(ctx, role)
	return e.details, err
}

func (r *cachedRoles) Roles(ctx context.Context, grantee string, includeInherited bool) ([]string, error) {
	d, err := r.details(ctx, grantee)
	if err != nil || len(d) == 0 {
		return nil, err
	}
	if !includeInherited {
		return append([]string{d[0].Name}, d[0].MemberOf...), nil
	}
	names := make([]string, len(d))
	for i := range d {
		names[i] = d[i].Name
	}
	return names, nil
}

func (r *cachedRoles) RoleDetails(ctx context.Context, grantee string) ([]roles.Role, error) {
	d, err := r.details(ctx, grantee)
	if err != nil {
		return nil, err
	}
	out := make([]roles.Role, len(d))
	for i, x := range d {
		out[i] = roles.Role{Name: x.Name, IsSuperuser: x.IsSuperuser, CanLogin: x.CanLogin,
			MemberOf: slices.Clone(x.MemberOf), Options: cloneOptions(x.Options)}
	}
	return out, nil
}

func (r *cachedRoles) AllRoles(ctx context.Context) ([]string, error) { return r.m.AllRoles(ctx) }

func (r *cachedRoles) IsSuper(ctx context.Context, role string) (bool, error) {
	d, err := r.details(ctx, role)
	if err != nil {
		return false, roles.Wrap(roles.CodeUnauthorized, err, "Unable to perform authorization of super-user permission: "+err.Error())
	}
	return len(d) > 0 && d[0].IsSuperuser, nil
}

func (r *cachedRoles) CanLogin(ctx context.Context, role string) (bool, error) {
	d, err := r.details(ctx, role)
	if err != nil {
		return false, roles.Wrap(roles.CodeUnauthorized, err, "Unable to perform authorization of login permission: "+err.Error())
	}
	return len(d) > 0 && d[0].CanLogin, nil
}

func (r *cachedRoles) CustomOptions(ctx context.Context, role string) (map[string]string, error) {
	d, err := r.details(ctx, role)
	if err != nil {
		return nil, err
	}
	if len(d) == 0 || d[0].Options == nil {
		return map[string]string{}, nil
	}
	return cloneOptions(d[0].Options), nil
}

// IsExistingRole reads through: statements check existence just before
// they write, and a cached "no" would refuse a role created a moment ago
// by another process.
func (r *cachedRoles) IsExistingRole(ctx context.Context, role string) (bool, error) {
	return r.m.IsExistingRole(ctx, role)
}

func (r *cachedRoles) RoleForIdentity(ctx context.Context, identity string) (string, error) {
	return r.a.caches.identities.Get(ctx, identity)
}

func (r *cachedRoles) AuthorizedIdentities(ctx context.Context) (map[string]string, error) {
	return r.m.AuthorizedIdentities(ctx)
}

func (r *cachedRoles) AddIdentity(ctx context.Context, identity, role string) error {
	err := r.m.AddIdentity(ctx, identity, role)
	r.a.identitiesChanged(identity)
	return err
}

func (r *cachedRoles) IsExistingIdentity(ctx context.Context, identity string) (bool, error) {
	return r.m.IsExistingIdentity(ctx, identity)
}

func (r *cachedRoles) DropIdentity(ctx context.Context, identity string) error {
	err := r.m.DropIdentity(ctx, identity)
	r.a.identitiesChanged(identity)
	return err
}

func (r *cachedRoles) ProtectedResources() []resource.Resource { return r.m.ProtectedResources() }
func (r *cachedRoles) ValidateConfiguration() error            { return r.m.ValidateConfiguration() }

// Setup runs the role manager's setup (the default superuser) and then
// drops everything cached, which may predate the new role.
func (r *cachedRoles) Setup(ctx context.Context) error {
	err := r.m.Setup(ctx)
	r.a.invalidateAll()
	return err
}

// cachedAuthorizer is the authorizer handed out by [Auth.Authorizer]:
// Authorize answers from the PermissionsCache, and grants and revocations
// invalidate, with fan-out, before they return.
type cachedAuthorizer struct {
	a *Auth
	z authz.Authorizer // uncached
}

func (c *cachedAuthorizer) RequireAuthorization() bool { return c.z.RequireAuthorization() }

func (c *cachedAuthorizer) Authorize(ctx context.Context, user roles.User, r resource.Resource) (resource.PermissionSet, error) {
	return c.a.exactPermissions(ctx, user, r)
}

func (c *cachedAuthorizer) Grant(ctx context.Context, performer roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) (resource.PermissionSet, error) {
	granted, err := c.z.Grant(ctx, performer, perms, r, grantee)
	c.a.permissionsChanged([]string{grantee}, []resource.Resource{r})
	return granted, err
}

func (c *cachedAuthorizer) Revoke(ctx context.Context, performer roles.User, perms resource.PermissionSet, r resource.Resource, revokee string) (resource.PermissionSet, error) {
	revoked, err := c.z.Revoke(ctx, performer, perms, r, revokee)
	c.a.permissionsChanged([]string{revokee}, []resource.Resource{r})
	return revoked, err
}

func (c *cachedAuthorizer) List(ctx context.Context, performer roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) ([]authz.PermissionDetails, error) {
	return c.z.List(ctx, performer, perms, r, grantee)
}

func (c *cachedAuthorizer) RevokeAllFrom(ctx context.Context, role string) error {
	err := c.z.RevokeAllFrom(ctx, role)
	c.a.permissionsChanged([]string{role}, nil)
	return err
}

func (c *cachedAuthorizer) RevokeAllOn(ctx context.Context, r resource.Resource) error {
	err := c.z.RevokeAllOn(ctx, r)
	c.a.resourceRevoked(r)
	return err
}

func (c *cachedAuthorizer) ProtectedResources() []resource.Resource { return c.z.ProtectedResources() }
func (c *cachedAuthorizer) ValidateConfiguration() error            { return c.z.ValidateConfiguration() }
func (c *cachedAuthorizer) Setup(ctx context.Context) error         { return c.z.Setup(ctx) }

// RolePermissions reads the grants of one role through the underlying
// authorizer (for Explain's attribution); without that capability it
// reports none.
func (c *cachedAuthorizer) RolePermissions(ctx context.Context, role string, r resource.Resource) (resource.PermissionSet, error) {
	if rp, ok := c.z.(authz.RolePermissions); ok {
		return rp.RolePermissions(ctx, role, r)
	}
	return resource.NoPermissions, nil
}

// exactPermissions is the per-resource lookup of Cassandra's
// PermissionsCache: what user holds on exactly r.
func (a *Auth) exactPermissions(ctx context.Context, user roles.User, r resource.Resource) (resource.PermissionSet, error) {
	e, err := a.caches.perms.Get(ctx, permKey{user, r})
	return e.exact, err
}

// jmxPermissions is the JmxPermissionsCache lookup the Checker's JMX
// authorization uses.
func (a *Auth) jmxPermissions(ctx context.Context, role string) ([]authz.PermissionDetails, error) {
	e, err := a.caches.jmx.Get(ctx, role)
	return e.grants, err
}

// credentialsSource is where the password authenticator reads salted
// hashes: the CredentialsCache.
type credentialsSource struct{ a *Auth }

func (s credentialsSource) SaltedHash(ctx context.Context, role string) (string, bool, error) {
	e, err := s.a.caches.creds.Get(ctx, role)
	return e.hash, e.ok, err
}

// InvalidateHash drops the "no such role" sentinel the authenticator has
// just read, so that a role created a moment later logs in at once.
func (s credentialsSource) InvalidateHash(role string) { s.a.caches.creds.Invalidate(role) }

// identitiesSource is where the mutual-TLS authenticators map identities
// to roles: the IdentitiesCache.
type identitiesSource struct{ a *Auth }

func (s identitiesSource) RoleForIdentity(ctx context.Context, identity string) (string, error) {
	return s.a.caches.identities.Get(ctx, identity)
}

// Warm fills the IdentitiesCache, as Cassandra's MutualTlsAuthenticator
// does in setup.
func (s identitiesSource) Warm(ctx context.Context) error { return s.a.caches.identities.Warm(ctx) }
