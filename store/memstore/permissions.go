package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// checkGrant validates the arguments of AddPermissions and
// RemovePermissions.
func checkGrant(op, role, resourceName string, perms resource.PermissionSet) error {
	switch {
	case role == "":
		return invalid(op, pairKey(role, resourceName), "empty role name")
	case resourceName == "":
		return invalid(op, pairKey(role, resourceName), "empty resource name")
	case perms&^resource.AllPermissions != 0:
		return invalid(op, pairKey(role, resourceName), "unknown permission bits")
	}
	return nil
}

// GetPermissions returns the permissions granted to role on exactly the
// named resource, or the empty set. It does not allocate.
func (s *Store) GetPermissions(ctx context.Context, role, resourceName string) (resource.PermissionSet, error) {
	if err := ctx.Err(); err != nil {
		return 0, opErr("GetPermissions", pairKey(role, resourceName), err)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return 0, opErr("GetPermissions", pairKey(role, resourceName), store.ErrClosed)
	}
	var p resource.PermissionSet
	if g := s.byRole[role]; g != nil {
		p, _ = g.perms.get(resourceName)
	}
	s.mu.RUnlock()
	return p, nil
}

// AddPermissions adds perms to (role, resource) and the index row,
// atomically, and returns the permissions that were not already there.
// Adding an empty set, or only permissions already held, writes nothing.
// It returns an error wrapping [store.ErrInvalid] for an empty role or
// resource name or bits outside [resource.AllPermissions]. The role need not
// exist: like Cassandra's authorizer, the store does not check.
func (s *Store) AddPermissions(ctx context.Context, role, resourceName string, perms resource.PermissionSet) (resource.PermissionSet, error) {
	const op = "AddPermissions"
	if err := s.lock(ctx, op, pairKey(role, resourceName)); err != nil {
		return 0, err
	}
	if err := checkGrant(op, role, resourceName, perms); err != nil {
		s.unlock(nil)
		return 0, err
	}
	g := s.byRole[role]
	var old resource.PermissionSet
	if g != nil {
		old, _ = g.perms.get(resourceName)
	}
	added := perms.Minus(old)
	if added.IsEmpty() {
		s.unlock(nil)
		return 0, nil
	}
	if g == nil {
		g = &roleGrants{name: intern(role)}
		s.byRole[g.name] = g
	}
	r := s.byRes[resourceName]
	if r == nil {
		r = &resGrants{name: intern(resourceName)}
		s.byRes[r.name] = r
	}
	g.perms.set(r.name, old|added)
	r.roles.set(g.name, struct{}{})
	s.unlock(s.changeOf(store.ChangePermissions, g.name, "", r.name, ""))
	return added, nil
}

// RemovePermissions removes perms from (role, resource), atomically, and
// returns those that were there. A set that becomes empty deletes the row
// and its index row; a partial revoke keeps the index row (Cassandra would
// delete it). Error cases are those of AddPermissions.
func (s *Store) RemovePermissions(ctx context.Context, role, resourceName string, perms resource.PermissionSet) (resource.PermissionSet, error) {
	const op = "RemovePermissions"
	if err := s.lock(ctx, op, pairKey(role, resourceName)); err != nil {
		return 0, err
	}
	if err := checkGrant(op, role, resourceName, perms); err != nil {
		s.unlock(nil)
		return 0, err
	}
	g := s.byRole[role]
	var old resource.PermissionSet
	if g != nil {
		old, _ = g.perms.get(resourceName)
	}
	removed := old.Intersect(perms)
	if removed.IsEmpty() {
		s.unlock(nil)
		return 0, nil
	}
	r := s.byRes[resourceName] // present: the index holds every non-empty grant
	if rest := old.Minus(removed); !rest.IsEmpty() {
		g.perms.set(r.name, rest)
	} else {
		s.deleteGrant(g, r)
	}
	s.unlock(s.changeOf(store.ChangePermissions, g.name, "", r.name, ""))
	return removed, nil
}

// deleteGrant removes the (g, r) row from role_permissions and the index,
// and drops partitions that become empty. s.mu held for writing.
func (s *Store) deleteGrant(g *roleGrants, r *resGrants) {
	g.perms.del(r.name)
	r.roles.del(g.name)
	if g.perms.len() == 0 {
		delete(s.byRole, g.name)
	}
	if r.roles.len() == 0 {
		delete(s.byRes, r.name)
	}
}

// ListGrants returns the grants of role, or of every role when role is "",
// sorted by role then resource name in byte order.
func (s *Store) ListGrants(ctx context.Context, role string) ([]store.Grant, error) {
	if err := s.rlock(ctx, "ListGrants", role); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	if role != "" {
		g := s.byRole[role]
		if g == nil {
			return []store.Grant{}, nil
		}
		return appendGrants(make([]store.Grant, 0, g.perms.len()), g), nil
	}
	n := 0
	names := make([]string, 0, len(s.byRole))
	for name, g := range s.byRole {
		names = append(names, name)
		n += g.perms.len()
	}
	slices.Sort(names)
	out := make([]store.Grant, 0, n)
	for _, name := range names {
		out = appendGrants(out, s.byRole[name])
	}
	return out, nil
}

// appendGrants appends g's grants, sorted by resource name.
func appendGrants(out []store.Grant, g *roleGrants) []store.Grant {
	start := len(out)
	g.perms.each(func(res string, p resource.PermissionSet) {
		out = append(out, store.Grant{Role: g.name, Resource: res, Permissions: p})
	})
	slices.SortFunc(out[start:], func(a, b store.Grant) int { return strings.Compare(a.Resource, b.Resource) })
	return out
}

// ListGrantees returns the roles holding permissions on the named resource,
// sorted; empty when there are none.
func (s *Store) ListGrantees(ctx context.Context, resourceName string) ([]string, error) {
	if err := s.rlock(ctx, "ListGrantees", resourceName); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	r := s.byRes[resourceName]
	if r == nil {
		return []string{}, nil
	}
	return r.roles.keys(), nil
}

// RevokeAllFrom deletes every grant to role and their index rows,
// atomically. A role without grants is a no-op. The Change lists the role
// and, sorted, the resources it lost.
func (s *Store) RevokeAllFrom(ctx context.Context, role string) error {
	if err := s.lock(ctx, "RevokeAllFrom", role); err != nil {
		return err
	}
	g := s.byRole[role]
	if g == nil {
		s.unlock(nil)
		return nil
	}
	resources := make([]string, 0, g.perms.len())
	g.perms.each(func(res string, _ resource.PermissionSet) { resources = append(resources, res) })
	for _, res := range resources {
		s.deleteGrant(g, s.byRes[res])
	}
	var ch *store.Change
	if s.notifying() {
		slices.Sort(resources)
		ch = s.change(store.ChangePermissions, []string{g.name}, resources, nil)
	}
	s.unlock(ch)
	return nil
}

// RevokeAllOn deletes every grant on the named resource and its index
// partition, atomically. A resource without grants is a no-op. The Change
// lists, sorted, the roles that lost permissions, and the resource.
func (s *Store) RevokeAllOn(ctx context.Context, resourceName string) error {
	if err := s.lock(ctx, "RevokeAllOn", resourceName); err != nil {
		return err
	}
	r := s.byRes[resourceName]
	if r == nil {
		s.unlock(nil)
		return nil
	}
	roles := r.roles.keys()
	for _, role := range roles {
		s.deleteGrant(s.byRole[role], r)
	}
	var ch *store.Change
	if s.notifying() {
		ch = s.change(store.ChangePermissions, roles, []string{r.name}, nil)
	}
	s.unlock(ch)
	return nil
}
