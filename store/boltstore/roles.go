package boltstore

import (
	"bytes"
	"context"
	"maps"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/cassauth/cassauth/store"
)

// loadRole reads and decodes the roles row of name; ok is false when there
// is none.
func loadRole(tx *bolt.Tx, name string) (r store.RoleRecord, ok bool, err error) {
	v := tx.Bucket(bucketRoles).Get([]byte(name))
	if v == nil {
		return store.RoleRecord{}, false, nil
	}
	r, err = decodeRole(name, v)
	return r, err == nil, err
}

// saveRole writes the roles row of r.
func saveRole(tx *bolt.Tx, r *store.RoleRecord) error {
	return tx.Bucket(bucketRoles).Put([]byte(r.Name), encodeRole(r))
}

// GetRole returns the role named name, or an error wrapping
// [store.ErrNotFound]. A row that does not decode gives an error wrapping
// [ErrCorrupt].
func (s *Store) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	const op = "GetRole"
	var r store.RoleRecord
	err := s.view(ctx, op, name, func(tx *bolt.Tx) error {
		var ok bool
		var err error
		r, ok, err = loadRole(tx, name)
		if err == nil && !ok {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return store.RoleRecord{}, err
	}
	return r, nil
}

// ListRoles returns every role, sorted by name in byte order (the order of
// the roles bucket).
func (s *Store) ListRoles(ctx context.Context) ([]store.RoleRecord, error) {
	out := []store.RoleRecord{}
	err := s.view(ctx, "ListRoles", "", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRoles).ForEach(func(k, v []byte) error {
			r, err := decodeRole(string(k), v)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateRole inserts r. It returns an error wrapping [store.ErrInvalid]
// for an empty name, a non-empty MemberOf or a name longer than bbolt's
// key limit, and [store.ErrExists] if the role exists.
func (s *Store) CreateRole(ctx context.Context, r store.RoleRecord) error {
	const op = "CreateRole"
	return s.update(ctx, op, r.Name, func(tx *bolt.Tx) (*store.Change, error) {
		switch {
		case r.Name == "":
			return nil, invalid(op, r.Name, "empty role name")
		case len(r.MemberOf) > 0:
			return nil, invalid(op, r.Name, "member_of must be empty on create")
		}
		if err := checkKey(op, r.Name, []byte(r.Name)); err != nil {
			return nil, err
		}
		if tx.Bucket(bucketRoles).Get([]byte(r.Name)) != nil {
			return nil, store.ErrExists
		}
		if err := saveRole(tx, &r); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeRole, Roles: []string{r.Name}}, nil
	})
}

// UpdateRole applies u to the role, or returns an error wrapping
// [store.ErrNotFound]. A non-nil u.Options replaces the options (an empty
// map clears them); a u.SaltedHash pointing at "" removes the password.
// An update that changes nothing writes nothing.
func (s *Store) UpdateRole(ctx context.Context, name string, u store.RoleUpdate) error {
	return s.update(ctx, "UpdateRole", name, func(tx *bolt.Tx) (*store.Change, error) {
		r, ok, err := loadRole(tx, name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, store.ErrNotFound
		}
		changed := false
		if u.IsSuperuser != nil && *u.IsSuperuser != r.IsSuperuser {
			r.IsSuperuser, changed = *u.IsSuperuser, true
		}
		if u.CanLogin != nil && *u.CanLogin != r.CanLogin {
			r.CanLogin, changed = *u.CanLogin, true
		}
		if u.SaltedHash != nil && *u.SaltedHash != r.SaltedHash {
			r.SaltedHash, changed = *u.SaltedHash, true
		}
		if u.Options != nil && !maps.Equal(u.Options, r.Options) {
			r.Options, changed = u.Options, true
		}
		if !changed {
			return nil, nil
		}
		if err := saveRole(tx, &r); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeRole, Roles: []string{name}}, nil
	})
}

// DropRole deletes, in one transaction, the role's row, its name from the
// member_of of its members, its role_members partition, its rows in its
// parents' role_members partitions, and the identity_to_role rows mapping
// to it (found by a scan of that table, as Cassandra does). It returns an
// error wrapping [store.ErrNotFound] if the role does not exist. Grants,
// network and CIDR rows of the role stay (see [store.Roles]).
//
// The Change it reports (Kind [store.ChangeRole]) lists the dropped role
// first, then, sorted, every member whose member_of changed; Identities
// lists, sorted, the identities dropped.
func (s *Store) DropRole(ctx context.Context, name string) error {
	return s.update(ctx, "DropRole", name, func(tx *bolt.Tx) (*store.Change, error) {
		r, ok, err := loadRole(tx, name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, store.ErrNotFound
		}
		members := listPartition(tx.Bucket(bucketMembers), name)
		touched := []string{name}
		for _, m := range members {
			if err := tx.Bucket(bucketMembers).Delete(pairKey(name, m)); err != nil {
				return nil, err
			}
			if m == name {
				continue
			}
			mr, ok, err := loadRole(tx, m)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			mr.MemberOf = removeSorted(mr.MemberOf, name)
			if err := saveRole(tx, &mr); err != nil {
				return nil, err
			}
			touched = append(touched, m)
		}
		for _, p := range r.MemberOf {
			if err := tx.Bucket(bucketMembers).Delete(pairKey(p, name)); err != nil {
				return nil, err
			}
		}
		if err := tx.Bucket(bucketRoles).Delete([]byte(name)); err != nil {
			return nil, err
		}
		dropped, err := dropIdentitiesOf(tx, name)
		if err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeRole, Roles: touched, Identities: dropped}, nil
	})
}

// GrantRole adds role to grantee's member_of and the row (role, grantee)
// to role_members, in one transaction. Both roles must exist (an error
// wrapping [store.ErrNotFound] names the missing one). Granting twice is a
// no-op. The store records self-grants and cycles as asked: rejecting them
// is the role manager's job.
func (s *Store) GrantRole(ctx context.Context, role, grantee string) error {
	const op = "GrantRole"
	return s.update(ctx, op, role, func(tx *bolt.Tx) (*store.Change, error) {
		if tx.Bucket(bucketRoles).Get([]byte(role)) == nil {
			return nil, store.ErrNotFound
		}
		g, ok, err := loadRole(tx, grantee)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &store.Error{Op: op, Key: grantee, Err: store.ErrNotFound}
		}
		i, found := slices.BinarySearch(g.MemberOf, role)
		if found {
			return nil, nil
		}
		k := pairKey(role, grantee)
		if err := checkKey(op, role, k); err != nil {
			return nil, err
		}
		g.MemberOf = slices.Insert(g.MemberOf, i, role)
		if err := saveRole(tx, &g); err != nil {
			return nil, err
		}
		if err := tx.Bucket(bucketMembers).Put(k, nil); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeMembership, Roles: []string{grantee, role}}, nil
	})
}

// RevokeRole removes role from revokee's member_of and the row (role,
// revokee) from role_members, in one transaction. A membership that does
// not exist, including one naming unknown roles, is a no-op.
func (s *Store) RevokeRole(ctx context.Context, role, revokee string) error {
	return s.update(ctx, "RevokeRole", role, func(tx *bolt.Tx) (*store.Change, error) {
		g, ok, err := loadRole(tx, revokee)
		if err != nil || !ok {
			return nil, err
		}
		i, found := slices.BinarySearch(g.MemberOf, role)
		if !found {
			return nil, nil
		}
		g.MemberOf = slices.Delete(g.MemberOf, i, i+1)
		if err := saveRole(tx, &g); err != nil {
			return nil, err
		}
		if err := tx.Bucket(bucketMembers).Delete(pairKey(role, revokee)); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeMembership, Roles: []string{revokee, role}}, nil
	})
}

// ListMembers returns the names of the roles that role is granted to,
// sorted; empty for an unknown role.
func (s *Store) ListMembers(ctx context.Context, role string) ([]string, error) {
	var out []string
	err := s.view(ctx, "ListMembers", role, func(tx *bolt.Tx) error {
		out = listPartition(tx.Bucket(bucketMembers), role)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listPartition returns the second columns of the composite keys of
// first's partition in b, in key order, in a new slice that is never nil.
func listPartition(b *bolt.Bucket, first string) []string {
	out := []string{}
	prefix := partition(first)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
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
