package transport

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// The auth tables of system_auth are read through the parts of [Auth] (the
// role manager and the authorizer, with their caches), not from a store:
// an embedding server may back them with anything. salted_hash is always
// null: no part hands out password hashes, and the wire is no place for
// them.

// roleNames returns the roles a query reads: the one of the partition key
// hint if it exists, else all.
func roleNames(ctx context.Context, m roles.Manager, key string, hasKey bool) ([]string, error) {
	if !hasKey {
		return m.AllRoles(ctx)
	}
	ok, err := m.IsExistingRole(ctx, key)
	if err != nil || !ok {
		return nil, err
	}
	return []string{key}, nil
}

// roleRecord returns a role's own details (the first of its closure), or
// false if it vanished meanwhile.
func roleRecord(ctx context.Context, m roles.Manager, name string) (roles.Role, bool, error) {
	details, err := m.RoleDetails(ctx, name)
	if err != nil || len(details) == 0 {
		return roles.Role{}, false, err
	}
	return details[0], true, nil
}

// rolesRows reads system_auth.roles: role, can_login, is_superuser,
// member_of (null when empty, as Cassandra's sets are), salted_hash.
func rolesRows(ctx context.Context, h *AuthHandler, _ *Session, key string, hasKey bool) ([][]any, error) {
	m := h.auth.Roles()
	names, err := roleNames(ctx, m, key, hasKey)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(names))
	for _, n := range names {
		r, ok, err := roleRecord(ctx, m, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var memberOf any
		if len(r.MemberOf) > 0 {
			memberOf = slices.Clone(r.MemberOf)
		}
		rows = append(rows, []any{n, r.CanLogin, r.IsSuperuser, memberOf, nil})
	}
	return rows, nil
}

// roleMembersRows reads system_auth.role_members: (role, member) for each
// member of each role, derived from every role's member_of.
func roleMembersRows(ctx context.Context, h *AuthHandler, _ *Session, _ string, _ bool) ([][]any, error) {
	m := h.auth.Roles()
	names, err := m.AllRoles(ctx)
	if err != nil {
		return nil, err
	}
	var pairs [][2]string
	for _, n := range names {
		r, ok, err := roleRecord(ctx, m, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		for _, parent := range r.MemberOf {
			pairs = append(pairs, [2]string{parent, n})
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	rows := make([][]any, len(pairs))
	for i, p := range pairs {
		rows[i] = []any{p[0], p[1]}
	}
	return rows, nil
}

// rolePermissionsRows reads system_auth.role_permissions: (role, resource,
// permissions) from the authorizer's list of every grant, as the internal
// system user sees it. An authorizer that cannot list (AllowAllAuthorizer)
// has no rows.
func rolePermissionsRows(ctx context.Context, h *AuthHandler, _ *Session, key string, hasKey bool) ([][]any, error) {
	details, err := h.auth.Authorizer().List(ctx, roles.System, resource.AllPermissions, resource.Resource{}, "")
	if errors.Is(err, authz.ErrUnsupported) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type grantKey struct{ role, res string }
	sets := map[grantKey]resource.PermissionSet{}
	for _, d := range details {
		if hasKey && d.Grantee != key {
			continue
		}
		k := grantKey{d.Grantee, d.Resource.Name()}
		sets[k] = sets[k].With(d.Permission)
	}
	keys := make([]grantKey, 0, len(sets))
	for k := range sets {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b grantKey) int { return cmp.Or(cmp.Compare(a.role, b.role), cmp.Compare(a.res, b.res)) })
	rows := make([][]any, len(keys))
	for i, k := range keys {
		names := sets[k].Names()
		slices.Sort(names)
		rows[i] = []any{k.role, k.res, names}
	}
	return rows, nil
}
