package memstore

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/store"
)

// record returns a deep copy of the row as a store.RoleRecord.
func (r *roleRow) record() store.RoleRecord {
	return store.RoleRecord{
		Name:        r.name,
		IsSuperuser: r.super,
		CanLogin:    r.login,
		SaltedHash:  r.hash,
		MemberOf:    slices.Clone(r.memberOf),
		Options:     maps.Clone(r.options),
	}
}

// cloneOptions copies opts, keeping nil for an empty map so that stored
// rows never share or hold empty maps.
func cloneOptions(opts map[string]string) map[string]string {
	if len(opts) == 0 {
		return nil
	}
	return maps.Clone(opts)
}

// GetRole returns a copy of the role named name, or an error wrapping
// [store.ErrNotFound].
func (s *Store) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	if err := s.rlock(ctx, "GetRole", name); err != nil {
		return store.RoleRecord{}, err
	}
	defer s.mu.RUnlock()
	r, ok := s.roles[name]
	if !ok {
		return store.RoleRecord{}, opErr("GetRole", name, store.ErrNotFound)
	}
	return r.record(), nil
}

// ListRoles returns a copy of every role, sorted by name in byte order.
func (s *Store) ListRoles(ctx context.Context) ([]store.RoleRecord, error) {
	if err := s.rlock(ctx, "ListRoles", ""); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	out := make([]store.RoleRecord, 0, len(s.roles))
	for _, r := range s.roles {
		out = append(out, r.record())
	}
	slices.SortFunc(out, func(a, b store.RoleRecord) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// CreateRole inserts a copy of r. It returns an error wrapping
// [store.ErrInvalid] for an empty name or a non-empty MemberOf, and
// [store.ErrExists] if the role exists.
func (s *Store) CreateRole(ctx context.Context, r store.RoleRecord) error {
	const op = "CreateRole"
	if err := s.lock(ctx, op, r.Name); err != nil {
		return err
	}
	if r.Name == "" {
		s.unlock(nil)
		return invalid(op, r.Name, "empty role name")
	}
	if len(r.MemberOf) > 0 {
		s.unlock(nil)
		return invalid(op, r.Name, "member_of must be empty on create")
	}
	if _, ok := s.roles[r.Name]; ok {
		s.unlock(nil)
		return opErr(op, r.Name, store.ErrExists)
	}
	row := &roleRow{
		name:    intern(r.Name),
		super:   r.IsSuperuser,
		login:   r.CanLogin,
		hash:    r.SaltedHash,
		options: cloneOptions(r.Options),
	}
	s.roles[row.name] = row
	s.unlock(s.changeOf(store.ChangeRole, row.name, "", "", ""))
	return nil
}

// UpdateRole applies u to the role, or returns an error wrapping
// [store.ErrNotFound]. A non-nil u.Options replaces the options (an empty map
// clears them); a u.SaltedHash pointing at "" removes the password.
func (s *Store) UpdateRole(ctx context.Context, name string, u store.RoleUpdate) error {
	const op = "UpdateRole"
	if err := s.lock(ctx, op, name); err != nil {
		return err
	}
	r, ok := s.roles[name]
	if !ok {
		s.unlock(nil)
		return opErr(op, name, store.ErrNotFound)
	}
	changed := false
	if u.IsSuperuser != nil && *u.IsSuperuser != r.super {
		r.super, changed = *u.IsSuperuser, true
	}
	if u.CanLogin != nil && *u.CanLogin != r.login {
		r.login, changed = *u.CanLogin, true
	}
	if u.SaltedHash != nil && *u.SaltedHash != r.hash {
		r.hash, changed = *u.SaltedHash, true
	}
	if u.Options != nil && !maps.Equal(u.Options, r.options) {
		r.options, changed = cloneOptions(u.Options), true
	}
	if !changed {
		s.unlock(nil)
		return nil
	}
	s.unlock(s.changeOf(store.ChangeRole, r.name, "", "", ""))
	return nil
}

// DropRole deletes the role, its name from the member_of of its members,
// its role_members partition, its rows in its parents' role_members
// partitions, and the identities mapped to it, atomically. It returns an
// error wrapping [store.ErrNotFound] if the role does not exist. Grants,
// network and CIDR rows of the role stay (see [store.Roles]).
//
// The Change it reports (Kind [store.ChangeRole]) lists the dropped role
// first, then, sorted, every member whose member_of changed; Identities
// lists the identities dropped. The parents are not listed: their own rows,
// closures and grants do not change, only their role_members partitions.
func (s *Store) DropRole(ctx context.Context, name string) error {
	const op = "DropRole"
	if err := s.lock(ctx, op, name); err != nil {
		return err
	}
	r, ok := s.roles[name]
	if !ok {
		s.unlock(nil)
		return opErr(op, name, store.ErrNotFound)
	}
	members := r.members.keys()
	for _, m := range members {
		if m == name {
			continue
		}
		if mr := s.roles[m]; mr != nil {
			mr.memberOf = removeSorted(mr.memberOf, name)
		}
	}
	for _, p := range r.memberOf {
		if p == name {
			continue
		}
		if pr := s.roles[p]; pr != nil {
			pr.members.del(name)
		}
	}
	delete(s.roles, name)
	var dropped []string
	for id, role := range s.ids {
		if role == name {
			dropped = append(dropped, id)
		}
	}
	for _, id := range dropped {
		delete(s.ids, id)
	}
	var ch *store.Change
	if s.notifying() {
		touched := make([]string, 0, 1+len(members))
		touched = append(touched, r.name)
		for _, m := range members {
			if m != name {
				touched = append(touched, m)
			}
		}
		slices.Sort(dropped)
		ch = s.change(store.ChangeRole, touched, nil, dropped)
	}
	s.unlock(ch)
	return nil
}

// GrantRole adds role to grantee's member_of and grantee to role's
// role_members partition, atomically. Both roles must exist (an error
// wrapping [store.ErrNotFound] names the missing one). Granting twice is a
// no-op. The store records self-grants and cycles as asked: rejecting them
// is the role manager's job.
func (s *Store) GrantRole(ctx context.Context, role, grantee string) error {
	const op = "GrantRole"
	if err := s.lock(ctx, op, role); err != nil {
		return err
	}
	r, ok := s.roles[role]
	if !ok {
		s.unlock(nil)
		return opErr(op, role, store.ErrNotFound)
	}
	g, ok := s.roles[grantee]
	if !ok {
		s.unlock(nil)
		return opErr(op, grantee, store.ErrNotFound)
	}
	i, found := slices.BinarySearch(g.memberOf, role)
	if found {
		s.unlock(nil)
		return nil
	}
	g.memberOf = slices.Insert(g.memberOf, i, r.name)
	r.members.set(g.name, struct{}{})
	s.unlock(s.changeOf(store.ChangeMembership, g.name, r.name, "", ""))
	return nil
}

// RevokeRole removes revokee from role's members and role from revokee's
// member_of, atomically. A membership that does not exist, including one
// naming unknown roles, is a no-op.
func (s *Store) RevokeRole(ctx context.Context, role, revokee string) error {
	const op = "RevokeRole"
	if err := s.lock(ctx, op, role); err != nil {
		return err
	}
	g, ok := s.roles[revokee]
	if !ok {
		s.unlock(nil)
		return nil
	}
	i, found := slices.BinarySearch(g.memberOf, role)
	if !found {
		s.unlock(nil)
		return nil
	}
	g.memberOf = slices.Delete(g.memberOf, i, i+1)
	if len(g.memberOf) == 0 {
		g.memberOf = nil
	}
	if r := s.roles[role]; r != nil { // always present: DropRole cleans member_of
		r.members.del(revokee)
	}
	s.unlock(s.changeOf(store.ChangeMembership, revokee, role, "", ""))
	return nil
}

// ListMembers returns the names of the roles that role is granted to,
// sorted; empty for an unknown role.
func (s *Store) ListMembers(ctx context.Context, role string) ([]string, error) {
	if err := s.rlock(ctx, "ListMembers", role); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	r, ok := s.roles[role]
	if !ok {
		return []string{}, nil
	}
	return r.members.keys(), nil
}

// removeSorted removes v from the sorted slice xs, if present.
func removeSorted(xs []string, v string) []string {
	i, ok := slices.BinarySearch(xs, v)
	if !ok {
		return xs
	}
	xs = slices.Delete(xs, i, i+1)
	if len(xs) == 0 {
		return nil
	}
	return xs
}
