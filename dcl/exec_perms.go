package dcl

import (
	"context"
	"fmt"
	"strings"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// builtin reports whether r is a function resource of the system keyspace,
// on which Cassandra refuses to alter or list permissions.
func builtin(r resource.Resource) bool {
	return (r.Level() == resource.FunctionLevel || r.Level() == resource.FunctionsInLevel) && r.Keyspace() == "system"
}

// permissionsManagement is the common part of GRANT and REVOKE of
// permissions (spec 9.5): it returns the resolved resource after the
// authorize and validate steps.
func permissionsManagement(ctx context.Context, r *runner, perms resource.PermissionSet, on Target, role string) (resource.Resource, error) {
	// authorize
	res, err := on.resolve(r.sess.Keyspace)
	if err != nil {
		return res, err
	}
	if err := r.env.Checker.Ensure(ctx, r.user, resource.Authorize, res); err != nil {
		return res, err
	}
	for p := range perms.All() {
		if err := r.env.Checker.Ensure(ctx, r.user, p, res); err != nil {
			return res, err
		}
	}
	// validate
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return res, err
	}
	ok, err := r.roleExists(ctx, role)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, invalid("Role %s doesn't exist", role)
	}
	if builtin(res) {
		return res, invalid("Altering permissions on builtin functions is not supported")
	}
	if ok, err = r.exists(ctx, res); err != nil {
		return res, err
	} else if !ok {
		return res, invalid("Resource %s doesn't exist", res)
	}
	return res, nil
}

// partialWarning is the client warning of GRANT and REVOKE (4.1+) when
// some permissions were not changed: format is given the role, the
// unchanged permissions by name in declaration order, and the resource.
// As in Cassandra the exemption for Permission.ALL never applies to a
// narrowed GRANT ALL (spec 9.5).
func partialWarning(format, role string, requested, changed resource.PermissionSet, res resource.Resource) []string {
	if changed == requested || requested == resource.AllPermissions {
		return nil
	}
	return []string{fmt.Sprintf(format, role, strings.Join(requested.Minus(changed).Names(), ", "), res)}
}

// run executes GRANT permissions.
func (s *GrantPermissions) run(ctx context.Context, r *runner) (Result, error) {
	res, err := permissionsManagement(ctx, r, s.Permissions, s.On, s.Grantee)
	if err != nil {
		return Result{}, err
	}
	granted, err := r.env.Authorizer.Grant(ctx, r.user, s.Permissions, res, s.Grantee)
	if err != nil {
		return Result{}, err
	}
	return Result{Kind: ResultVoid, Warnings: partialWarning("Role '%s' was already granted %s on %s", s.Grantee, s.Permissions, granted, res)}, nil
}

// run executes REVOKE permissions.
func (s *RevokePermissions) run(ctx context.Context, r *runner) (Result, error) {
	res, err := permissionsManagement(ctx, r, s.Permissions, s.On, s.Revokee)
	if err != nil {
		return Result{}, err
	}
	revoked, err := r.env.Authorizer.Revoke(ctx, r.user, s.Permissions, res, s.Revokee)
	if err != nil {
		return Result{}, err
	}
	return Result{Kind: ResultVoid, Warnings: partialWarning("Role '%s' was not granted %s on %s", s.Revokee, s.Permissions, revoked, res)}, nil
}

// permissionColumns are LIST PERMISSIONS' columns (system_auth.permissions).
var permissionColumns = []Column{{"role", TypeText}, {"username", TypeText}, {"resource", TypeText}, {"permission", TypeText}}

// run executes LIST PERMISSIONS (spec 9.6).
func (s *ListPermissions) run(ctx context.Context, r *runner) (Result, error) {
	// validate (there is nothing to authorize: the authorizer's List
	// checks visibility)
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	var res resource.Resource
	if s.On != nil {
		var err error
		if res, err = s.On.resolve(r.sess.Keyspace); err != nil {
			return Result{}, err
		}
		if builtin(res) {
			return Result{}, invalid("Altering permissions on builtin functions is not supported")
		}
		ok, err := r.exists(ctx, res)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return Result{}, invalid("%s doesn't exist", res)
		}
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
	targets := []resource.Resource{res}
	if s.On != nil && !s.NoRecursive {
		targets = res.Chain()
	}
	var details []authz.PermissionDetails
	for _, t := range targets {
		d, err := r.env.Authorizer.List(ctx, r.user, s.Permissions, t, s.Of)
		if err != nil {
			if isUnsupported(err) {
				return Result{}, roles.Wrap(roles.CodeInvalid, err, err.Error())
			}
			return Result{}, err
		}
		details = append(details, d...)
	}
	authz.SortPermissionDetails(details)
	data := make([][]any, len(details))
	for i, d := range details {
		data[i] = []any{d.Grantee, d.Grantee, d.Resource.String(), d.Permission.String()}
	}
	return rows("system_auth", "permissions", permissionColumns, data), nil
}
