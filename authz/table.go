package authz

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// Config configures [NewTable].
type Config struct {
	// Store holds role_permissions and its resource index. Required; a
	// [store.Store] satisfies it.
	Store store.Permissions

	// Roles resolves role closures and superuser status. Required.
	Roles roles.Manager

	// Permissions is the lookup [Table.List] uses for its DESCRIBE checks
	// on the performer (spec 9.6, "via the permissions cache"). Nil means
	// [Table.Authorize]; an embedding layer that caches permissions passes
	// its cached lookup.
	Permissions PermissionsFunc

	// Logger receives warnings about unreadable stored rows. Nil discards.
	Logger *slog.Logger
}

// Table is the table-backed authorizer, Cassandra's CassandraAuthorizer
// (spec 1.5), over the role_permissions table of a [store.Permissions] and
// the role closures of a [roles.Manager]. It caches nothing: put a cache in
// front of Authorize (see [Checker]). It is safe for concurrent use; it
// holds no lock of its own.
//
// Beyond Cassandra, a partial revoke keeps the resource-index row (the
// store contract does it), so revoking everything on a resource never leaves
// orphan grants behind; and RevokeAllFrom and RevokeAllOn report store
// failures instead of logging and swallowing them.
type Table struct {
	st    store.Permissions
	roles roles.Manager
	perms PermissionsFunc
	log   *slog.Logger
}

var (
	_ Authorizer      = (*Table)(nil)
	_ RolePermissions = (*Table)(nil)
	_ ChainAuthorizer = (*Table)(nil)
	_ BulkLoader      = (*Table)(nil)
)

// NewTable returns the table-backed authorizer configured by cfg. It returns
// a CodeConfigError [*roles.Error] if cfg.Store or cfg.Roles is nil. It does
// not touch the store.
func NewTable(cfg Config) (*Table, error) {
	if cfg.Store == nil {
		return nil, roles.Errorf(roles.CodeConfigError, "authz: Config.Store is required")
	}
	if cfg.Roles == nil {
		return nil, roles.Errorf(roles.CodeConfigError, "authz: Config.Roles is required")
	}
	t := &Table{st: cfg.Store, roles: cfg.Roles, perms: cfg.Permissions, log: cfg.Logger}
	if t.perms == nil {
		t.perms = t.Authorize
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	return t, nil
}

// RequireAuthorization returns true.
func (t *Table) RequireAuthorization() bool { return true }

// Authorize returns the permissions user holds on exactly r:
//
//   - [roles.System] holds r.Applicable() (internal operations pass every
//     check); [roles.Anonymous] and the zero User hold nothing;
//   - a user with superuser status (its own flag or that of any role in
//     its closure) holds r.Applicable();
//   - otherwise the union, over the user's role closure (primary role
//     first), of the permissions stored for (role, r.Name()).
//
// An unknown role has an empty closure and so holds nothing. A failure of
// the role manager or the store returns a CodeUnauthorized [*roles.Error]
// "Unable to perform authorization of permissions: <cause>" that wraps
// [ErrUndecided] and the cause; never a partial set.
func (t *Table) Authorize(ctx context.Context, user roles.User, r resource.Resource) (resource.PermissionSet, error) {
	switch {
	case user.IsSystem():
		return r.Applicable(), nil
	case user.IsAnonymous(), user.IsZero(), r.IsZero():
		return resource.NoPermissions, nil
	}
	details, err := t.roles.RoleDetails(ctx, user.Name())
	if err != nil {
		return 0, undecided(err)
	}
	if hasSuperuser(details) {
		return r.Applicable(), nil
	}
	var ps resource.PermissionSet
	name := r.Name()
	for i := range details {
		p, err := t.st.GetPermissions(ctx, details[i].Name, name)
		if err != nil {
			return 0, undecided(err)
		}
		ps |= p
	}
	return ps, nil
}

// AuthorizeChain reports whether user holds p on r or any of its parents,
// with the semantics of Authorize applied to each, reading the role closure
// once. Errors as Authorize.
func (t *Table) AuthorizeChain(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) (bool, error) {
	switch {
	case user.IsSystem():
		return applicableInChain(p, r), nil
	case user.IsAnonymous(), user.IsZero(), r.IsZero():
		return false, nil
	}
	details, err := t.roles.RoleDetails(ctx, user.Name())
	if err != nil {
		return false, undecided(err)
	}
	if hasSuperuser(details) {
		return applicableInChain(p, r), nil
	}
	for cur, ok := r, true; ok; cur, ok = cur.Parent() {
		name := cur.Name()
		for i := range details {
			ps, err := t.st.GetPermissions(ctx, details[i].Name, name)
			if err != nil {
				return false, undecided(err)
			}
			if ps.Has(p) {
				return true, nil
			}
		}
	}
	return false, nil
}

// applicableInChain reports whether p is applicable to r or a parent: what
// a superuser holds.
func applicableInChain(p resource.Permission, r resource.Resource) bool {
	for cur, ok := r, !r.IsZero(); ok; cur, ok = cur.Parent() {
		if cur.Applicable().Has(p) {
			return true
		}
	}
	return false
}

// RolePermissions returns the permissions stored for role on exactly r,
// without inheritance or superuser status. A store failure is wrapped as in
// Authorize.
func (t *Table) RolePermissions(ctx context.Context, role string, r resource.Resource) (resource.PermissionSet, error) {
	if r.IsZero() {
		return resource.NoPermissions, nil
	}
	ps, err := t.st.GetPermissions(ctx, role, r.Name())
	if err != nil {
		return 0, undecided(err)
	}
	return ps, nil
}

// Grant adds perms on r to grantee and returns those that were not held
// before. Permissions that r does not support (outside r.Applicable()) are
// dropped, as Cassandra's GRANT statement drops them; if none is left,
// Grant writes nothing and returns the empty set. performer is not used:
// the statement has checked its rights.
//
// Errors: a CodeInvalid [*roles.Error] "Role %s doesn't exist" wrapping
// [ErrNoSuchRole] if grantee does not exist (so that no grant outlives its role); [ErrInvalidResource]
// (code server error) for a zero r; the role manager's and the store's
// failures, wrapped with code server error.
func (t *Table) Grant(ctx context.Context, _ roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) (resource.PermissionSet, error) {
	if r.IsZero() {
		return 0, invalidResource("grant")
	}
	perms = perms.Intersect(r.Applicable())
	if perms.IsEmpty() {
		return resource.NoPermissions, nil
	}
	ok, err := t.roles.IsExistingRole(ctx, grantee)
	if err != nil {
		return 0, failure("grant", err)
	}
	if !ok {
		return 0, roles.Wrap(roles.CodeInvalid, ErrNoSuchRole, "Role "+grantee+" doesn't exist")
	}
	added, err := t.st.AddPermissions(ctx, grantee, r.Name(), perms)
	if err != nil {
		return 0, failure("grant", err)
	}
	return added, nil
}

// Revoke removes perms on r from revokee and returns those that were held.
// The resource-index row stays while other permissions remain (unlike
// Cassandra, see the type's doc). Revoking from an unknown role removes
// nothing. Errors: [ErrInvalidResource] for a zero r; the store's failures,
// wrapped with code server error.
func (t *Table) Revoke(ctx context.Context, _ roles.User, perms resource.PermissionSet, r resource.Resource, revokee string) (resource.PermissionSet, error) {
	if r.IsZero() {
		return 0, invalidResource("revoke")
	}
	perms = perms.Intersect(resource.AllPermissions)
	if perms.IsEmpty() {
		return resource.NoPermissions, nil
	}
	removed, err := t.st.RemovePermissions(ctx, revokee, r.Name(), perms)
	if err != nil {
		return 0, failure("revoke", err)
	}
	return removed, nil
}

// List returns the grants in perms on exactly r (every resource when r is
// the zero Resource) to grantee and every role it inherits, each row
// attributed to the role that holds the grant (every role when grantee is
// ""), sorted per spec 4.4. An unknown grantee has no rows. Stored resource
// names that do not parse are skipped with a warning.
//
// Visibility (spec 9.6): performer may list if it is [roles.System], has
// superuser status, has grantee in its own closure, or holds DESCRIBE on
// ALL ROLES or on the role grantee (through [Config.Permissions]).
// Otherwise List returns a CodeUnauthorized [*roles.Error] "You are not
// authorized to view %s's permissions" (the grantee, or "everyone")
// wrapping [ErrDenied]. Failures of the role manager or store: see
// Authorize.
func (t *Table) List(ctx context.Context, performer roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) ([]PermissionDetails, error) {
	if err := t.canList(ctx, performer, grantee); err != nil {
		return nil, err
	}
	grants, err := t.grants(ctx, r, grantee)
	if err != nil {
		return nil, undecided(err)
	}
	var out []PermissionDetails
	for _, g := range grants {
		held := g.Permissions.Intersect(perms)
		if held.IsEmpty() {
			continue
		}
		res := r
		if res.IsZero() {
			if res, err = resource.Parse(g.Resource); err != nil {
				t.log.Warn("authz: skipping a grant on an unreadable resource name",
					slog.String("role", g.Role), slog.String("resource", g.Resource), slog.Any("error", err))
				continue
			}
		}
		for p := range held.All() {
			out = append(out, PermissionDetails{Grantee: g.Role, Resource: res, Permission: p})
		}
	}
	SortPermissionDetails(out)
	return out, nil
}

// grants reads the rows List needs.
func (t *Table) grants(ctx context.Context, r resource.Resource, grantee string) ([]store.Grant, error) {
	switch {
	case grantee != "":
		names, err := t.roles.Roles(ctx, grantee, true)
		if err != nil {
			return nil, err
		}
		var out []store.Grant
		for _, name := range names {
			if r.IsZero() {
				gs, err := t.st.ListGrants(ctx, name)
				if err != nil {
					return nil, err
				}
				out = append(out, gs...)
				continue
			}
			ps, err := t.st.GetPermissions(ctx, name, r.Name())
			if err != nil {
				return nil, err
			}
			out = append(out, store.Grant{Role: name, Resource: r.Name(), Permissions: ps})
		}
		return out, nil
	case !r.IsZero():
		names, err := t.st.ListGrantees(ctx, r.Name())
		if err != nil {
			return nil, err
		}
		out := make([]store.Grant, 0, len(names))
		for _, name := range names {
			ps, err := t.st.GetPermissions(ctx, name, r.Name())
			if err != nil {
				return nil, err
			}
			out = append(out, store.Grant{Role: name, Resource: r.Name(), Permissions: ps})
		}
		return out, nil
	default:
		return t.st.ListGrants(ctx, "")
	}
}

// canList runs LIST PERMISSIONS' visibility check.
func (t *Table) canList(ctx context.Context, performer roles.User, grantee string) error {
	if performer.IsSystem() {
		return nil
	}
	if !performer.IsAnonymous() && !performer.IsZero() {
		details, err := t.roles.RoleDetails(ctx, performer.Name())
		if err != nil {
			return superuserUndecided(err)
		}
		for i := range details {
			if details[i].IsSuperuser || (grantee != "" && details[i].Name == grantee) {
				return nil
			}
		}
		ps, err := t.perms(ctx, performer, resource.AllRoles)
		if err != nil {
			return err
		}
		if ps.Has(resource.Describe) {
			return nil
		}
		if grantee != "" {
			if ps, err = t.perms(ctx, performer, resource.Role(grantee)); err != nil {
				return err
			}
			if ps.Has(resource.Describe) {
				return nil
			}
		}
	}
	who := grantee
	if who == "" {
		who = "everyone"
	}
	return denied("You are not authorized to view %s's permissions", who)
}

// BulkLoad returns, for every role with LOGIN, an entry per resource on
// which the role or a role it inherits holds a grant: the union of those
// grants, which is what Authorize returns for them (Cassandra's
// bulkLoader). Roles without LOGIN get no entries, as in Cassandra; nor do
// roles with superuser status, whose answer (everything applicable) is
// not a union of grants: Cassandra's loader caches the union for them too,
// understating what they hold until the entries are reloaded. Errors: the
// role manager's and the store's, wrapped as in Authorize.
func (t *Table) BulkLoad(ctx context.Context) ([]PermissionsEntry, error) {
	grants, err := t.st.ListGrants(ctx, "")
	if err != nil {
		return nil, undecided(err)
	}
	byRole := make(map[string][]store.Grant)
	for _, g := range grants {
		byRole[g.Role] = append(byRole[g.Role], g)
	}
	names, err := t.roles.AllRoles(ctx)
	if err != nil {
		return nil, undecided(err)
	}
	parsed := make(map[string]resource.Resource)
	var out []PermissionsEntry
	for _, name := range names {
		details, err := t.roles.RoleDetails(ctx, name)
		if err != nil {
			return nil, undecided(err)
		}
		if len(details) == 0 || !details[0].CanLogin || hasSuperuser(details) {
			continue
		}
		union := make(map[string]resource.PermissionSet)
		for i := range details {
			for _, g := range byRole[details[i].Name] {
				union[g.Resource] |= g.Permissions
			}
		}
		for _, resName := range slices.Sorted(maps.Keys(union)) {
			r, ok := parsed[resName]
			if !ok {
				if r, err = resource.Parse(resName); err != nil {
					t.log.Warn("authz: skipping a grant on an unreadable resource name",
						slog.String("resource", resName), slog.Any("error", err))
					continue
				}
				parsed[resName] = r
			}
			out = append(out, PermissionsEntry{User: roles.NewUser(name), Resource: r, Permissions: union[resName]})
		}
	}
	return out, nil
}

func hasSuperuser(details []roles.Role) bool {
	for i := range details {
		if details[i].IsSuperuser {
			return true
		}
	}
	return false
}

// RevokeAllFrom deletes every grant to role and its index rows, atomically
// (the store does it). Unlike Cassandra, which logs and swallows failures,
// it returns the store's failure wrapped with code server error.
func (t *Table) RevokeAllFrom(ctx context.Context, role string) error {
	if err := t.st.RevokeAllFrom(ctx, role); err != nil {
		return failure("revoke all from "+role, err)
	}
	return nil
}

// RevokeAllOn deletes every grant on exactly r, atomically. Errors: as
// RevokeAllFrom, and [ErrInvalidResource] for a zero r.
func (t *Table) RevokeAllOn(ctx context.Context, r resource.Resource) error {
	if r.IsZero() {
		return invalidResource("revoke all on")
	}
	if err := t.st.RevokeAllOn(ctx, r.Name()); err != nil {
		return failure("revoke all on "+r.Name(), err)
	}
	return nil
}

// ProtectedResources returns the table system_auth.role_permissions.
func (t *Table) ProtectedResources() []resource.Resource {
	return []resource.Resource{resource.Table("system_auth", "role_permissions")}
}

// ValidateConfiguration returns nil: NewTable has checked everything.
func (t *Table) ValidateConfiguration() error { return nil }

// Setup does nothing: the store needs no preparation.
func (t *Table) Setup(context.Context) error { return nil }

// failure wraps a store or role-manager failure of a write path as a server
// error. The cause stays reachable.
func failure(op string, err error) error {
	var re *roles.Error
	if errors.As(err, &re) && re.Code != roles.CodeServerError {
		return err // already a client error with Cassandra's text
	}
	return roles.Wrap(roles.CodeServerError, err, "authz: "+op+": "+err.Error())
}

// superuserUndecided wraps a failure to read superuser status as Cassandra
// does ("Unable to perform authorization of super-user permission: ...").
func superuserUndecided(err error) error {
	return undecidedMsg(err, "Unable to perform authorization of super-user permission")
}
