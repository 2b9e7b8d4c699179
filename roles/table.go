package roles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Table is the table-backed role manager, Cassandra's CassandraRoleManager
// over a [store.Store]. Build it with [NewTable]. It is safe for concurrent
// use; it caches nothing (put a cache in front of RoleDetails for the access
// path) and holds no lock while it hashes a password or reads the store,
// except that grants made through one Table are serialized (see
// [Table.GrantRole]).
type Table struct {
	st        store.Store
	supported OptionSet
	alterable OptionSet
	hasher    Hasher
	log       *slog.Logger
	now       func() time.Time

	disableDefault bool
	defaultRole    DefaultRole
	builtinDefault bool // defaultRole is Cassandra's cassandra/cassandra

	// grantSem serializes GrantRole's check-then-write (capacity 1), so
	// that concurrent grants through this Table cannot close a cycle. A
	// channel rather than a mutex, so a waiting grant honours its ctx.
	grantSem chan struct{}

	// lastIdentityWarn is the time (UnixNano) of the last "No such
	// identity" warning, for its one-per-minute rate limit.
	lastIdentityWarn atomic.Int64
}

var _ Manager = (*Table)(nil)

// NewTable returns the table-backed role manager configured by cfg. It
// returns a CodeConfigError [*Error] if cfg.Store is nil or cfg.DefaultRole
// is invalid (empty name, none or both of Password and HashedPassword, or a
// HashedPassword that is not a bcrypt hash). It does not touch the store;
// call [Table.Setup] once the store is ready.
func NewTable(cfg Config) (*Table, error) {
	if cfg.Store == nil {
		return nil, Errorf(CodeConfigError, "roles: Config.Store is required")
	}
	t := &Table{
		st:             cfg.Store,
		supported:      plainSupported,
		alterable:      plainAlterable,
		hasher:         cfg.Hasher,
		log:            cfg.Logger,
		now:            cfg.Now,
		disableDefault: cfg.DisableDefaultSuperuser,
		grantSem:       make(chan struct{}, 1),
	}
	if cfg.PasswordAuthentication {
		t.supported, t.alterable = passwordSupported, passwordAlterable
	}
	if t.hasher == nil {
		t.hasher = BcryptHasher{}
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.now == nil {
		t.now = time.Now
	}
	switch {
	case cfg.DisableDefaultSuperuser:
	case cfg.DefaultRole != nil:
		if err := cfg.DefaultRole.validate(); err != nil {
			return nil, err
		}
		t.defaultRole = *cfg.DefaultRole
	default:
		t.defaultRole = DefaultRole{Name: DefaultSuperuserName, Password: DefaultSuperuserPassword}
		t.builtinDefault = true
	}
	return t, nil
}

// SupportedOptions returns {LOGIN, SUPERUSER, PASSWORD, HASHED_PASSWORD}
// with password authentication, {LOGIN, SUPERUSER} without. OPTIONS is
// never supported, as in Cassandra.
func (t *Table) SupportedOptions() OptionSet { return t.supported }

// AlterableOptions returns {PASSWORD, HASHED_PASSWORD} with password
// authentication, the empty set without.
func (t *Table) AlterableOptions() OptionSet { return t.alterable }

// CreateRole inserts role with opts: SUPERUSER and LOGIN default to false;
// the stored hash is HASHED_PASSWORD verbatim, or the [Hasher]'s hash of
// PASSWORD. performer is not used (the statement checked it).
//
// Errors, all [*Error]:
//   - CodeInvalid "Role name can't be an empty string";
//   - CodeInvalid from [ValidateOptions] (unsupported option, PASSWORD with
//     HASHED_PASSWORD, a malformed hash);
//   - CodeServerError "Cannot create a role '%s' when identities already
//     exists for it" when identity_to_role maps an identity to the name
//     (Cassandra throws IllegalStateException, which reaches clients as a
//     server error);
//   - CodeInvalid "%s already exists", wrapping [store.ErrExists].
//
// The hasher's and the store's other errors are returned as they are.
func (t *Table) CreateRole(ctx context.Context, performer User, role string, opts Options) error {
	if role == "" {
		return Errorf(CodeInvalid, "Role name can't be an empty string")
	}
	if err := ValidateOptions(CassandraRoleManagerClass, t.supported, opts); err != nil {
		return err
	}
	if err := t.checkNoIdentities(ctx, role); err != nil {
		return err
	}
	rec := store.RoleRecord{Name: role}
	if opts.Superuser != nil {
		rec.IsSuperuser = *opts.Superuser
	}
	if opts.Login != nil {
		rec.CanLogin = *opts.Login
	}
	hash, _, err := t.saltedHash(ctx, opts)
	if err != nil {
		return err
	}
	rec.SaltedHash = hash
	if err := t.st.CreateRole(ctx, rec); err != nil {
		if errors.Is(err, store.ErrExists) {
			return Wrap(CodeInvalid, err, role+" already exists")
		}
		return err
	}
	return nil
}

// checkNoIdentities fails if an identity maps to role.
func (t *Table) checkNoIdentities(ctx context.Context, role string) error {
	ids, err := t.st.ListIdentities(ctx)
	if err != nil {
		return err
	}
	for _, r := range ids {
		if r == role {
			return Errorf(CodeServerError, "Cannot create a role '%s' when identities already exists for it", role)
		}
	}
	return nil
}

// saltedHash returns the hash to store for opts and whether opts set one.
func (t *Table) saltedHash(ctx context.Context, opts Options) (string, bool, error) {
	switch {
	case opts.HashedPassword != nil:
		return *opts.HashedPassword, true, nil
	case opts.Password != nil:
		h, err := t.hasher.Hash(ctx, *opts.Password)
		if err != nil {
			return "", false, err
		}
		return h, true, nil
	}
	return "", false, nil
}

// DropRole deletes role, removes it from the member lists of the roles it
// was granted to and of the roles granted to it, and deletes the identities
// mapped to it, atomically (store.DropRole). Cassandra leaves the rows
// (parent, role) of role_members behind; cassauth does not. Permissions
// granted to or on the role are the authorizer's to drop.
//
// Errors: CodeInvalid "%s doesn't exist" wrapping [store.ErrNotFound]; the
// store's other errors as they are.
func (t *Table) DropRole(ctx context.Context, performer User, role string) error {
	if err := t.st.DropRole(ctx, role); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Wrap(CodeInvalid, err, role+" doesn't exist")
		}
		return err
	}
	return nil
}

// AlterRole changes role's LOGIN, SUPERUSER and password as opts says, in
// one store update; OPTIONS never changes anything. Options that change
// nothing make no store call at all (so a missing role is not noticed then,
// as in Cassandra).
//
// Errors: CodeInvalid from [ValidateOptions]; CodeInvalid "Role %s doesn't
// exist" wrapping [store.ErrNotFound]; the hasher's and the store's other
// errors as they are.
func (t *Table) AlterRole(ctx context.Context, performer User, role string, opts Options) error {
	if err := ValidateOptions(CassandraRoleManagerClass, t.supported, opts); err != nil {
		return err
	}
	u := store.RoleUpdate{IsSuperuser: opts.Superuser, CanLogin: opts.Login}
	hash, set, err := t.saltedHash(ctx, opts)
	if err != nil {
		return err
	}
	if set {
		u.SaltedHash = &hash
	}
	if u.IsEmpty() {
		return nil
	}
	if err := t.st.UpdateRole(ctx, role, u); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Wrap(CodeInvalid, err, fmt.Sprintf("Role %s doesn't exist", role))
		}
		return err
	}
	return nil
}

// GrantRole makes grantee a member of role, so that grantee inherits role's
// permissions and superuser status. As in Cassandra, it fails with
// CodeInvalid "%s is a member of %s" (grantee, role) when role is already
// among grantee's roles, directly or inherited, which includes
// GRANT r TO r; and with "%s is a member of %s" (role, grantee) when
// grantee is among role's roles (the grant would close a cycle).
//
// Grants through one Table are serialized, so concurrent grants cannot
// close a cycle between their checks. Against a store shared with other
// processes, the grant is re-checked after the write and undone, with the
// same cycle error, if another process closed a cycle meanwhile; the
// closure walk tolerates cycles regardless.
//
// Errors: the above; CodeInvalid "%s doesn't exist" (role first, then
// grantee) wrapping [store.ErrNotFound]; ctx's error while waiting for
// another grant; the store's other errors as they are.
func (t *Table) GrantRole(ctx context.Context, performer User, role, grantee string) error {
	select {
	case t.grantSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-t.grantSem }()

	roleRoles, err := t.Roles(ctx, role, true)
	if err != nil {
		return err
	}
	granteeRoles, err := t.Roles(ctx, grantee, true)
	if err != nil {
		return err
	}
	switch {
	case len(roleRoles) == 0:
		return notExist("GrantRole", role)
	case len(granteeRoles) == 0:
		return notExist("GrantRole", grantee)
	case slices.Contains(granteeRoles, role):
		return isMember(grantee, role)
	case slices.Contains(roleRoles, grantee):
		return isMember(role, grantee)
	}
	if err := t.st.GrantRole(ctx, role, grantee); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			// Dropped since the check: say which one is gone.
			if ok, _ := t.IsExistingRole(ctx, role); !ok {
				return Wrap(CodeInvalid, err, role+" doesn't exist")
			}
			return Wrap(CodeInvalid, err, grantee+" doesn't exist")
		}
		return err
	}
	// Another process may have granted grantee to one of role's roles
	// meanwhile; undo ours rather than leave a cycle.
	after, err := t.Roles(ctx, role, true)
	if err != nil {
		return err
	}
	if slices.Contains(after, grantee) {
		if err := t.st.RevokeRole(ctx, role, grantee); err != nil {
			return err
		}
		return isMember(role, grantee)
	}
	return nil
}

// RevokeRole removes revokee from role. As in Cassandra it fails with
// CodeInvalid "%s is not a member of %s" (revokee, role) unless role is
// among revokee's direct roles, which include revokee itself: REVOKE r FROM r
// is accepted and changes nothing. An unknown revokee is "not a member".
//
// Errors: the above; the store's other errors as they are.
func (t *Table) RevokeRole(ctx context.Context, performer User, role, revokee string) error {
	direct, err := t.Roles(ctx, revokee, false)
	if err != nil {
		return err
	}
	if !slices.Contains(direct, role) {
		return Errorf(CodeInvalid, "%s is not a member of %s", revokee, role)
	}
	return t.st.RevokeRole(ctx, role, revokee)
}

func isMember(member, role string) error {
	return Errorf(CodeInvalid, "%s is a member of %s", member, role)
}

func notExist(op, role string) error {
	return Wrap(CodeInvalid, &store.Error{Op: op, Key: role, Err: store.ErrNotFound}, role+" doesn't exist")
}

// AllRoles returns every role name, sorted (byte order).
func (t *Table) AllRoles(ctx context.Context) ([]string, error) {
	recs, err := t.st.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(recs))
	for i := range recs {
		names[i] = recs[i].Name
	}
	return names, nil
}

// getRole reads role; found is false (and err nil) if it does not exist.
func (t *Table) getRole(ctx context.Context, role string) (rec store.RoleRecord, found bool, err error) {
	rec, err = t.st.GetRole(ctx, role)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.RoleRecord{}, false, nil
		}
		return store.RoleRecord{}, false, err
	}
	return rec, true, nil
}

// IsSuper returns role's own superuser flag; false for an unknown role.
// Superuser status through granted roles is [HasSuperuserStatus]. A store
// failure is a CodeUnauthorized [*Error] "Unable to perform authorization
// of super-user permission: <cause>" wrapping the cause.
func (t *Table) IsSuper(ctx context.Context, role string) (bool, error) {
	rec, _, err := t.getRole(ctx, role)
	if err != nil {
		return false, Wrap(CodeUnauthorized, err, "Unable to perform authorization of super-user permission: "+err.Error())
	}
	return rec.IsSuperuser, nil
}

// CanLogin returns role's own LOGIN flag (never inherited); false for an
// unknown role. A store failure is a CodeUnauthorized [*Error] "Unable to
// perform authorization of login permission: <cause>" wrapping the cause.
func (t *Table) CanLogin(ctx context.Context, role string) (bool, error) {
	rec, _, err := t.getRole(ctx, role)
	if err != nil {
		return false, Wrap(CodeUnauthorized, err, "Unable to perform authorization of login permission: "+err.Error())
	}
	return rec.CanLogin, nil
}

// CustomOptions returns the custom options stored with role, never nil:
// always empty for roles this manager created (it does not support
// OPTIONS), and for unknown roles.
func (t *Table) CustomOptions(ctx context.Context, role string) (map[string]string, error) {
	rec, _, err := t.getRole(ctx, role)
	if err != nil {
		return nil, err
	}
	if rec.Options == nil {
		return map[string]string{}, nil
	}
	return rec.Options, nil
}

// IsExistingRole reports whether role exists.
func (t *Table) IsExistingRole(ctx context.Context, role string) (bool, error) {
	_, found, err := t.getRole(ctx, role)
	return found, err
}

// ProtectedResources returns the tables of this manager that no one may
// create, alter or drop: system_auth.roles and system_auth.role_members.
func (t *Table) ProtectedResources() []resource.Resource {
	return []resource.Resource{
		resource.Table("system_auth", "roles"),
		resource.Table("system_auth", "role_members"),
	}
}

// ValidateConfiguration returns nil: NewTable already validated the
// configuration (Cassandra's manager checks nothing here either).
func (t *Table) ValidateConfiguration() error { return nil }
