package authz

import (
	"context"
	"log/slog"
	"net/netip"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// CheckerConfig configures [NewChecker].
type CheckerConfig struct {
	// Authorizer answers per-resource permission questions and stores
	// grants. Required.
	Authorizer Authorizer

	// Roles gives role closures and superuser status (for Explain, the
	// JMX checks and [Checker.IsSuperuser]). Required.
	Roles roles.Manager

	// Permissions looks up what a user holds on exactly one resource.
	// Nil means Authorizer.Authorize (or, for Check, the authorizer's
	// [ChainAuthorizer] capability, which reads the role closure once per
	// check); an embedding layer plugs its permissions cache in here. It
	// must behave like Authorize.
	Permissions PermissionsFunc

	// Protected lists the resources no one may CREATE, ALTER or DROP
	// through [Checker.EnsureData] (spec 10.6): the union of the
	// authenticator's, the authorizer's and the role manager's
	// ProtectedResources. Nil means the authorizer's and the role
	// manager's; an empty non-nil slice protects nothing.
	Protected []resource.Resource

	// TraverseFromRoot walks the resource chain root first, as
	// Cassandra's traverse_auth_from_root: true. It changes only which
	// lookups run, never the decision (and nothing when the check goes
	// through a [ChainAuthorizer]).
	TraverseFromRoot bool

	// Network restricts the datacenters a role may use; nil restricts
	// nothing. Consulted by [Checker.ValidateLogin].
	Network NetworkAuthorizer

	// CIDR restricts the addresses a role may connect from; nil restricts
	// nothing. Consulted by [Checker.ValidateLogin].
	CIDR CIDRAuthorizer

	// JMXPermissions returns every grant (to role and the roles it
	// inherits) that [Checker.AuthorizeJMX] considers; it should return
	// what Authorizer.List(ctx, roles.System, resource.AllPermissions,
	// resource.Resource{}, role) returns, which is what nil means. An
	// embedding layer plugs its JMX permissions cache in here.
	JMXPermissions func(ctx context.Context, role string) ([]PermissionDetails, error)

	// Logger receives warnings (unreadable JMX grants). Nil discards.
	Logger *slog.Logger
}

// Checker is the access check of spec 3.4 with Cassandra's messages: it
// walks a resource and its parents, asking for the permissions the user
// holds on each, and allows on the first that holds the permission.
// Superuser status and role inheritance are the [Authorizer]'s business
// (per resource). Build it with [NewChecker]; it is immutable and safe for
// concurrent use.
//
// Every method returns a decision or an error, never both: a denial is a
// CodeUnauthorized [*roles.Error] wrapping [ErrDenied] (Ensure and friends)
// or false (Check); a failure to decide is an error wrapping [ErrUndecided]
// (or the lookup's own error), and callers fail closed.
type Checker struct {
	authz      Authorizer
	roles      roles.Manager
	perms      PermissionsFunc
	protected  map[resource.Resource]struct{}
	fromRoot   bool
	network    NetworkAuthorizer
	cidr       CIDRAuthorizer
	jmxPerms   func(ctx context.Context, role string) ([]PermissionDetails, error)
	log        *slog.Logger
	roleGrants RolePermissions // nil if the authorizer cannot attribute
	chain      ChainAuthorizer // non-nil when no lookup is configured and the authorizer decides chains
}

// NewChecker returns the access check configured by cfg, or a
// CodeConfigError [*roles.Error] if cfg.Authorizer or cfg.Roles is nil.
func NewChecker(cfg CheckerConfig) (*Checker, error) {
	if cfg.Authorizer == nil {
		return nil, roles.Errorf(roles.CodeConfigError, "authz: CheckerConfig.Authorizer is required")
	}
	if cfg.Roles == nil {
		return nil, roles.Errorf(roles.CodeConfigError, "authz: CheckerConfig.Roles is required")
	}
	c := &Checker{
		authz:    cfg.Authorizer,
		roles:    cfg.Roles,
		perms:    cfg.Permissions,
		fromRoot: cfg.TraverseFromRoot,
		network:  cfg.Network,
		cidr:     cfg.CIDR,
		jmxPerms: cfg.JMXPermissions,
		log:      cfg.Logger,
	}
	if c.perms == nil {
		c.perms = cfg.Authorizer.Authorize
		c.chain, _ = cfg.Authorizer.(ChainAuthorizer)
	}
	if c.jmxPerms == nil {
		a := cfg.Authorizer
		c.jmxPerms = func(ctx context.Context, role string) ([]PermissionDetails, error) {
			return a.List(ctx, roles.System, resource.AllPermissions, resource.Resource{}, role)
		}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	prot := cfg.Protected
	if prot == nil {
		prot = append(append(prot, cfg.Authorizer.ProtectedResources()...), cfg.Roles.ProtectedResources()...)
	}
	c.protected = make(map[resource.Resource]struct{}, len(prot))
	for _, r := range prot {
		c.protected[r] = struct{}{}
	}
	c.roleGrants, _ = cfg.Authorizer.(RolePermissions)
	return c, nil
}

// maxChain is the longest resource chain: data/ks/t, data/ks/*, data/ks, data.
const maxChain = 4

// Check reports whether user holds p on r or on any of its parents (spec
// 3.4 steps 1 to 4): true at once if the authorizer does not require
// authorization or r is a function in the system keyspace (or all of
// them); otherwise the first resource in the chain whose permissions hold p
// allows. Check itself does not allocate: with a lookup that does not
// allocate, neither does an allowed check.
//
// Errors: the lookup's (the decision could not be made), or
// [ErrInvalidResource] for a zero r.
func (c *Checker) Check(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) (bool, error) {
	if r.IsZero() {
		return false, invalidResource("check")
	}
	if !c.authz.RequireAuthorization() || isSystemFunction(r) {
		return true, nil
	}
	if c.chain != nil {
		return c.chain.AuthorizeChain(ctx, user, p, r)
	}
	if c.fromRoot {
		var chain [maxChain]resource.Resource
		n := 0
		for cur, ok := r, true; ok && n < maxChain; cur, ok = cur.Parent() {
			chain[n] = cur
			n++
		}
		for i := n - 1; i >= 0; i-- {
			ps, err := c.perms(ctx, user, chain[i])
			if err != nil {
				return false, err
			}
			if ps.Has(p) {
				return true, nil
			}
		}
		return false, nil
	}
	for cur, ok := r, true; ok; cur, ok = cur.Parent() {
		ps, err := c.perms(ctx, user, cur)
		if err != nil {
			return false, err
		}
		if ps.Has(p) {
			return true, nil
		}
	}
	return false, nil
}

// Ensure returns nil if [Checker.Check] allows, and otherwise a
// CodeUnauthorized [*roles.Error] wrapping [ErrDenied] with Cassandra's
// message for data, function and other resources:
// "User %s has no %s permission on %s or any of its parents" (the user's
// name, the permission, the display form of r). Errors: as Check.
func (c *Checker) Ensure(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) error {
	ok, err := c.Check(ctx, user, p, r)
	if err != nil {
		return err
	}
	if !ok {
		return denied("%s", NoPermissionMessage(user.Name(), p, r))
	}
	return nil
}

// EnsureRoleOp is Ensure for role statements (CREATE/ALTER/DROP ROLE,
// GRANT/REVOKE ROLE, ADD/DROP IDENTITY): the same check, but the denial says
// "User %s does not have sufficient privileges to perform the requested
// operation".
func (c *Checker) EnsureRoleOp(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) error {
	ok, err := c.Check(ctx, user, p, r)
	if err != nil {
		return err
	}
	if !ok {
		return denied("%s", InsufficientPrivilegesMessage(user.Name()))
	}
	return nil
}

// IsSuperuser reports whether user has superuser status: its own flag or
// that of any role granted to it, transitively. [roles.System] counts as a
// superuser; [roles.Anonymous] and the zero User never do. A failure of the
// role manager is a CodeUnauthorized [*roles.Error] "Unable to perform
// authorization of super-user permission: <cause>" wrapping [ErrUndecided].
func (c *Checker) IsSuperuser(ctx context.Context, user roles.User) (bool, error) {
	switch {
	case user.IsSystem():
		return true, nil
	case user.IsAnonymous(), user.IsZero():
		return false, nil
	}
	details, err := c.roles.RoleDetails(ctx, user.Name())
	if err != nil {
		return false, superuserUndecided(err)
	}
	for i := range details {
		if details[i].IsSuperuser {
			return true, nil
		}
	}
	return false, nil
}

// ValidateLogin is Cassandra's per-request session check (validateLogin),
// which every data check, USE and role statement runs first:
//
//   - the zero User: "You have not logged in";
//   - the datacenter restriction of the user's primary role
//     ([CheckerConfig.Network]) must include localDC, else "You do not have
//     access to this datacenter (<localDC>)";
//   - if remote is valid, the CIDR restriction ([CheckerConfig.CIDR]) must
//     allow it, else "You do not have access from this IP <host>", the
//     address as Java prints it (IPv4 dotted, IPv6 as eight hex groups).
//
// [roles.System] passes. Denials are CodeUnauthorized [*roles.Error]
// values wrapping [ErrDenied]; the authorizers' failures are returned as
// they are.
func (c *Checker) ValidateLogin(ctx context.Context, user roles.User, localDC string, remote netip.Addr) error {
	if user.IsZero() {
		return denied("You have not logged in")
	}
	if user.IsSystem() {
		return nil
	}
	if c.network != nil {
		dcs, err := c.network.Authorize(ctx, user.Name())
		if err != nil {
			return err
		}
		if !dcs.CanAccess(localDC) {
			return denied("You do not have access to this datacenter (%s)", localDC)
		}
	}
	if c.cidr != nil && remote.IsValid() {
		ok, err := c.cidr.HasAccessFromIP(ctx, user.Name(), remote)
		if err != nil {
			return err
		}
		if !ok {
			return denied("You do not have access from this IP %s", JavaHostString(remote))
		}
	}
	return nil
}

// EnsureNotAnonymous is Cassandra's ensureNotAnonymous, which role and
// permission statements run in validation: [Checker.ValidateLogin], then a
// CodeUnauthorized [*roles.Error] "You have to be logged in and not
// anonymous to perform this request" (wrapping [ErrDenied]) for
// [roles.Anonymous].
func (c *Checker) EnsureNotAnonymous(ctx context.Context, user roles.User, localDC string, remote netip.Addr) error {
	if err := c.ValidateLogin(ctx, user, localDC, remote); err != nil {
		return err
	}
	if user.IsAnonymous() {
		return denied("You have to be logged in and not anonymous to perform this request")
	}
	return nil
}

// Cassandra's texts for superuser-only operations, for
// [Checker.EnsureSuperuser] (the second with Cassandra's typo).
const (
	CreateTriggerMessage = "Only superusers are allowed to perform CREATE TRIGGER queries"
	DropTriggerMessage   = "Only superusers are allowed to perfrom DROP TRIGGER queries"
)

// EnsureSuperuser is Cassandra's ensureIsSuperuser: nil for a user with
// superuser status, and otherwise a CodeUnauthorized [*roles.Error] with
// message (e.g. [CreateTriggerMessage]) wrapping [ErrDenied]. As in
// Cassandra, where every user is a superuser when authentication is off,
// [roles.Anonymous] (the user of unauthenticated connections) passes; so
// does [roles.System]. Errors: see [Checker.IsSuperuser].
func (c *Checker) EnsureSuperuser(ctx context.Context, user roles.User, message string) error {
	if user.IsAnonymous() {
		return nil
	}
	super, err := c.IsSuperuser(ctx, user)
	if err != nil {
		return err
	}
	if !super {
		return denied("%s", message)
	}
	return nil
}

// AccessKind names a connection restriction of a role.
type AccessKind uint8

// The restrictions of ACCESS TO DATACENTERS and ACCESS FROM CIDRS.
const (
	AccessDatacenters AccessKind = iota
	AccessCIDRs
)

// String returns the clause's name: "ACCESS TO DATACENTERS" or
// "ACCESS FROM CIDRS".
func (k AccessKind) String() string {
	if k == AccessCIDRs {
		return "ACCESS FROM CIDRS"
	}
	return "ACCESS TO DATACENTERS"
}

// EnsureAccessChange decides whether performer may change role's datacenter
// or CIDR restrictions, a rule the ALTER ROLE statement applies on top of
// its other checks. Superusers may change anyone's. A non-superuser may not
// change its own: Cassandra lets it (the clauses are not role options, spec
// 9.2), which lets a restricted role lift its own restriction; we refuse
// with a CodeUnauthorized [*roles.Error] "You aren't allowed to alter
// ACCESS TO DATACENTERS" (or "... ACCESS FROM CIDRS"), worded like
// Cassandra's "You aren't allowed to alter %s", wrapping [ErrDenied].
// Changing another role's restrictions needs ALTER on it, which the
// statement checks. Errors: see [Checker.IsSuperuser].
func (c *Checker) EnsureAccessChange(ctx context.Context, performer roles.User, role string, kind AccessKind) error {
	super, err := c.IsSuperuser(ctx, performer)
	if err != nil {
		return err
	}
	if !super && role == performer.Name() {
		return denied("You aren't allowed to alter %s", kind)
	}
	return nil
}

// isSystemFunction reports whether r is a function resource below the
// functions root in the system keyspace (built-in functions, always
// allowed).
func isSystemFunction(r resource.Resource) bool {
	switch r.Level() {
	case resource.FunctionsInLevel, resource.FunctionLevel:
		return r.Keyspace() == "system"
	}
	return false
}
