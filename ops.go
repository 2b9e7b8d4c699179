package cassauth

import (
	"context"
	"crypto/x509"
	"net/netip"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Check reports whether user holds p on r or on any of its parents (spec
// 3.4): true at once when the authorizer does not require authorization or
// r is a function of the system keyspace; otherwise the user's permissions
// over the whole chain of r decide. It is [authz.Checker.Check] with the
// chain answered by one PermissionsCache lookup: the cache holds, for each
// (user, resource), what the user holds on exactly the resource (Cassandra's
// value) and the union over the resource and its parents. A hit takes no
// lock and does not allocate.
//
// Errors mean the decision could not be made and the caller must fail
// closed: a store or role-manager failure (a CodeUnauthorized
// [*roles.Error] "Unable to perform authorization of permissions: <cause>"
// wrapping [authz.ErrUndecided]); [authz.ErrInvalidResource] for a zero r;
// [cache.ErrClosed] after Close. A failure is never an allow.
func (a *Auth) Check(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) (bool, error) {
	if r.IsZero() {
		return false, invalidResource()
	}
	if !a.authzRequired || isSystemFunction(r) {
		return true, nil
	}
	e, err := a.caches.perms.Get(ctx, permKey{user, r})
	if err != nil {
		return false, err
	}
	return e.effective.Has(p), nil
}

// Ensure returns nil if [Auth.Check] allows, and otherwise Cassandra's
// denial: a CodeUnauthorized [*roles.Error] "User <name> has no <PERMISSION>
// permission on <resource> or any of its parents" wrapping
// [authz.ErrDenied]. Errors: as Check.
func (a *Auth) Ensure(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) error {
	ok, err := a.Check(ctx, user, p, r)
	if err != nil {
		return err
	}
	if !ok {
		return roles.Wrap(roles.CodeUnauthorized, authz.ErrDenied, authz.NoPermissionMessage(user.Name(), p, r))
	}
	return nil
}

// Explain decides like [Auth.Check] and says why: the grants behind an
// allow with the role path from the user to each granting role, the
// resources consulted and what the user held on each (from the
// PermissionsCache), and for a denial the message Ensure returns. See
// [authz.Checker.Explain].
func (a *Auth) Explain(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) (authz.Explanation, error) {
	return a.checker.Explain(ctx, user, p, r)
}

// EnsureData is Cassandra's data-resource check with its guards (system
// keyspaces, protected tables, always-readable tables), through the cached
// parts; see [authz.Checker.EnsureData].
func (a *Auth) EnsureData(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) error {
	return a.checker.EnsureData(ctx, user, p, r)
}

// ValidateLogin is Cassandra's per-request session check (logged in,
// datacenter, CIDR), through the NetworkPermissionsCache and
// CidrPermissionsCache; see [authz.Checker.ValidateLogin].
func (a *Auth) ValidateLogin(ctx context.Context, user roles.User, localDC string, remote netip.Addr) error {
	return a.checker.ValidateLogin(ctx, user, localDC, remote)
}

// NewNegotiator returns the configured authenticator's negotiator for one
// authentication attempt of a client at client presenting certs (the
// verified TLS peer chain, leaf first; nil without). The server feeds it
// the client's responses, then calls [Auth.Login] with its user. Errors:
// the authenticator's.
func (a *Auth) NewNegotiator(ctx context.Context, client netip.Addr, certs []*x509.Certificate) (authn.Negotiator, error) {
	return a.authenticator.NewNegotiator(ctx, client, certs)
}

// AuthenticateSASL runs a one-step SASL exchange (PLAIN, or a mutual-TLS
// certificate with an empty token) and the login step: the negotiator of
// [Auth.NewNegotiator] evaluates token, must then be complete, and its user
// must be allowed to log in ([Auth.Login]). A mechanism that needs more
// rounds fails with "SASL negotiation not complete"; drive those with
// NewNegotiator. Errors are BAD_CREDENTIALS [*roles.Error] values with
// Cassandra's messages ("Provided username %s and/or password are
// incorrect", "%s is not permitted to log in", "Unable to perform
// authentication: ..."); see package authn.
func (a *Auth) AuthenticateSASL(ctx context.Context, client netip.Addr, certs []*x509.Certificate, token []byte) (roles.User, error) {
	n, err := a.NewNegotiator(ctx, client, certs)
	if err != nil {
		return roles.User{}, err
	}
	if _, err := n.EvaluateResponse(ctx, token); err != nil {
		return roles.User{}, err
	}
	if !n.IsComplete() {
		return roles.User{}, roles.Wrap(roles.CodeBadCredentials, authn.ErrNegotiationIncomplete, authn.MsgNegotiationIncomplete)
	}
	u, err := n.AuthenticatedUser(ctx)
	if err != nil {
		return roles.User{}, err
	}
	if err := a.Login(ctx, u); err != nil {
		return roles.User{}, err
	}
	return u, nil
}

// Authenticate checks a username and password as the protocol-v1 / JMX
// credentials map does (Cassandra's legacyAuthenticate), then runs the
// login step. With AllowAllAuthenticator it returns [roles.Anonymous].
// Errors: as [Auth.AuthenticateSASL]; the mutual-TLS authenticator refuses
// ("mTLS authentication is not supported for CassandraLoginModule").
func (a *Auth) Authenticate(ctx context.Context, username string, password authn.Secret) (roles.User, error) {
	u, err := a.authenticator.LegacyAuthenticate(ctx, map[string]string{
		authn.UsernameKey: username,
		authn.PasswordKey: password.Reveal(),
	})
	if err != nil {
		return roles.User{}, err
	}
	if err := a.Login(ctx, u); err != nil {
		return roles.User{}, err
	}
	return u, nil
}

// Login is the step after a completed negotiation (Cassandra's
// ClientState.login): the user's primary role must have LOGIN, read
// through the RolesCache; [roles.Anonymous] always may. See [authn.Login].
func (a *Auth) Login(ctx context.Context, user roles.User) error {
	return authn.Login(ctx, a.roles, user)
}

// Authenticator returns the configured authenticator. Its hash and identity
// lookups go through the CredentialsCache and IdentitiesCache.
func (a *Auth) Authenticator() authn.Authenticator { return a.authenticator }

// Roles returns the role manager with the RolesCache in front: closures,
// superuser status and LOGIN come from the cache, and every write (create,
// alter, drop, grant, revoke, identities) invalidates what it changes, for
// the role and every role inheriting from it, before it returns.
func (a *Auth) Roles() roles.Manager { return a.roles }

// Authorizer returns the authorizer with the PermissionsCache in front:
// Authorize answers from the cache, and Grant, Revoke, RevokeAllFrom and
// RevokeAllOn invalidate, with fan-out, before they return.
func (a *Auth) Authorizer() authz.Authorizer { return a.authz }

// Checker returns the access check over the cached parts (permissions,
// roles, JMX grants, datacenter and CIDR restrictions), with the protected
// resources of all three configured parts. It walks the resource chain with
// one cache lookup per resource, as Cassandra does; [Auth.Check] answers
// the same with one lookup.
func (a *Auth) Checker() *authz.Checker { return a.checker }

// Network returns the datacenter authorizer with the
// NetworkPermissionsCache in front; its writes invalidate.
func (a *Auth) Network() authz.NetworkAuthorizer { return a.net }

// CIDR returns the CIDR authorizer with the CidrPermissionsCache in
// front; its writes invalidate. Besides [authz.CIDRAuthorizer] it has
// AvailableCIDRGroups, UpdateCIDRGroup, DropCIDRGroup, Mode and
// Permissions methods.
func (a *Auth) CIDR() authz.CIDRAuthorizer { return a.cidrC }

// Hooks returns the schema hooks (creator auto-grants, drop cascades) over
// the cached parts, so that their grants and revocations invalidate.
func (a *Auth) Hooks() *authz.SchemaHooks { return a.hooks }

// invalidResource reports a zero resource as authz does.
func invalidResource() error {
	return roles.Wrap(roles.CodeServerError, authz.ErrInvalidResource, "cassauth: check: invalid (zero) resource")
}

// isSystemFunction reports whether r is a function (or all functions) of
// the system keyspace, which every user may execute (spec 3.4 step 2).
func isSystemFunction(r resource.Resource) bool {
	switch r.Level() {
	case resource.FunctionsInLevel, resource.FunctionLevel:
		return r.Keyspace() == "system"
	}
	return false
}
