package dcl

import (
	"context"
	"slices"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Result columns of LIST ROLES (system_auth.roles), LIST USERS
// (system_auth.users) and LIST SUPERUSERS (system_auth.roles).
var (
	roleColumns      = []Column{{"role", TypeText}, {"super", TypeBoolean}, {"login", TypeBoolean}, {"options", TypeTextMap}, {"datacenters", TypeText}}
	userColumns      = []Column{{"name", TypeText}, {"super", TypeBoolean}, {"datacenters", TypeText}}
	superuserColumns = []Column{{"role", TypeText}}
)

// sortRoles sorts role names as Cassandra sorts RoleResources (Java string
// order) and removes duplicates.
func sortRoles(names []string) []string {
	slices.SortFunc(names, resource.CompareJava)
	return slices.Compact(names)
}

// run executes LIST ROLES (spec 9.7).
func (s *ListRoles) run(ctx context.Context, r *runner) (Result, error) {
	// validate
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	if s.HasOf {
		ok, err := r.roleExists(ctx, s.Of)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return Result{}, invalid("%s doesn't exist", resource.Role(s.Of))
		}
	}
	// execute
	describe, err := r.hasRootDescribe(ctx)
	if err != nil {
		return Result{}, err
	}
	recursive := !s.NoRecursive
	var names []string
	switch {
	case describe && !s.HasOf:
		names, err = r.env.Roles.AllRoles(ctx)
	case describe:
		names, err = r.env.Roles.Roles(ctx, s.Of, recursive)
	case !s.HasOf:
		names, err = r.env.Roles.Roles(ctx, r.user.Name(), recursive)
	default:
		var mine []string
		if mine, err = r.env.Roles.Roles(ctx, r.user.Name(), true); err != nil {
			return Result{}, err
		}
		if !slices.Contains(mine, s.Of) {
			return Result{}, unauthorized("You are not authorized to view roles granted to %s ", s.Of)
		}
		names, err = r.env.Roles.Roles(ctx, s.Of, recursive)
	}
	if err != nil {
		return Result{}, err
	}
	names = sortRoles(slices.Clone(names))
	data := make([][]any, 0, len(names))
	for _, name := range names {
		super, err := r.env.Roles.IsSuper(ctx, name)
		if err != nil {
			return Result{}, err
		}
		login, err := r.env.Roles.CanLogin(ctx, name)
		if err != nil {
			return Result{}, err
		}
		opts, err := r.env.Roles.CustomOptions(ctx, name)
		if err != nil {
			return Result{}, err
		}
		if opts == nil {
			opts = map[string]string{}
		}
		dcs, err := r.network.Authorize(ctx, name)
		if err != nil {
			return Result{}, err
		}
		data = append(data, []any{name, super, login, opts, dcs.String()})
	}
	return rows("system_auth", "roles", roleColumns, data), nil
}

// run executes LIST USERS (spec 9.8): LIST ROLES without OF, not
// recursive, keeping the roles that may log in, with inherited superuser
// status.
func (s *ListUsers) run(ctx context.Context, r *runner) (Result, error) {
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	describe, err := r.hasRootDescribe(ctx)
	if err != nil {
		return Result{}, err
	}
	var names []string
	if describe {
		names, err = r.env.Roles.AllRoles(ctx)
	} else {
		names, err = r.env.Roles.Roles(ctx, r.user.Name(), false)
	}
	if err != nil {
		return Result{}, err
	}
	names = sortRoles(slices.Clone(names))
	var data [][]any
	for _, name := range names {
		login, err := r.env.Roles.CanLogin(ctx, name)
		if err != nil {
			return Result{}, err
		}
		if !login {
			continue
		}
		super, err := roles.HasSuperuserStatus(ctx, r.env.Roles, name)
		if err != nil {
			return Result{}, err
		}
		dcs, err := r.network.Authorize(ctx, name)
		if err != nil {
			return Result{}, err
		}
		data = append(data, []any{name, super, dcs.String()})
	}
	return rows("system_auth", "users", userColumns, data), nil
}

// run executes LIST SUPERUSERS (spec 9.9).
func (s *ListSuperusers) run(ctx context.Context, r *runner) (Result, error) {
	// authorize
	describe, err := r.hasRootDescribe(ctx)
	if err != nil {
		return Result{}, err
	}
	if !describe {
		return Result{}, unauthorized("You are not authorized to view superuser details")
	}
	// validate
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	// execute
	names, err := r.env.Roles.AllRoles(ctx)
	if err != nil {
		return Result{}, err
	}
	names = sortRoles(slices.Clone(names))
	var data [][]any
	for _, name := range names {
		super, err := roles.HasSuperuserStatus(ctx, r.env.Roles, name)
		if err != nil {
			return Result{}, err
		}
		if super {
			data = append(data, []any{name})
		}
	}
	return rows("system_auth", "roles", superuserColumns, data), nil
}

// run executes ADD IDENTITY (spec 9.12).
func (s *AddIdentity) run(ctx context.Context, r *runner) (Result, error) {
	if err := r.env.Checker.EnsureRoleOp(ctx, r.user, resource.Create, r.user.Resource()); err != nil {
		return Result{}, err
	}
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	ok, err := r.roleExists(ctx, s.Role)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return Result{}, invalid("Can not add identity for non-existent role '%s'", s.Role)
	}
	exists, err := r.env.Roles.IsExistingIdentity(ctx, s.Identity)
	if err != nil {
		return Result{}, err
	}
	if exists && !s.IfNotExists {
		return Result{}, invalid("%s already exists", s.Identity)
	}
	if !exists {
		if err := r.env.Roles.AddIdentity(ctx, s.Identity, s.Role); err != nil {
			return Result{}, err
		}
	}
	return voidResult, nil
}

// run executes DROP IDENTITY (spec 9.12).
func (s *DropIdentity) run(ctx context.Context, r *runner) (Result, error) {
	if err := r.env.Checker.EnsureRoleOp(ctx, r.user, resource.Drop, r.user.Resource()); err != nil {
		return Result{}, err
	}
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	exists, err := r.env.Roles.IsExistingIdentity(ctx, s.Identity)
	if err != nil {
		return Result{}, err
	}
	if !exists && !s.IfExists {
		return Result{}, invalid("identity '%s' doesn't exist", s.Identity)
	}
	if exists {
		if err := r.env.Roles.DropIdentity(ctx, s.Identity); err != nil {
			return Result{}, err
		}
	}
	return voidResult, nil
}
