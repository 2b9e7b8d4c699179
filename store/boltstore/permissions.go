package boltstore

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// grantKey names a (role, resource) pair in errors.
func grantKey(role, resourceName string) string { return role + " on " + resourceName }

// checkGrant validates the arguments of AddPermissions and
// RemovePermissions and returns the row's key in role_permissions and in
// the resource index.
func checkGrant(op, role, resourceName string, perms resource.PermissionSet) (permKey, indexKey []byte, err error) {
	switch {
	case role == "":
		return nil, nil, invalid(op, grantKey(role, resourceName), "empty role name")
	case resourceName == "":
		return nil, nil, invalid(op, grantKey(role, resourceName), "empty resource name")
	case perms&^resource.AllPermissions != 0:
		return nil, nil, invalid(op, grantKey(role, resourceName), "unknown permission bits")
	}
	permKey, indexKey = pairKey(role, resourceName), pairKey(resourceName, role)
	if err := checkKey(op, grantKey(role, resourceName), permKey); err != nil {
		return nil, nil, err
	}
	if err := checkKey(op, grantKey(role, resourceName), indexKey); err != nil {
		return nil, nil, err
	}
	return permKey, indexKey, nil
}

// loadPerms reads the role_permissions row under key k; empty when there
// is none.
func loadPerms(tx *bolt.Tx, k []byte) (resource.PermissionSet, error) {
	v := tx.Bucket(bucketPerms).Get(k)
	if v == nil {
		return 0, nil
	}
	return decodePerms(v)
}

// GetPermissions returns the permissions granted to role on exactly the
// named resource, or the empty set. A row that does not decode gives an
// error wrapping [ErrCorrupt].
func (s *Store) GetPermissions(ctx context.Context, role, resourceName string) (resource.PermissionSet, error) {
	const op = "GetPermissions"
	if err := ctx.Err(); err != nil {
		return 0, opErr(op, grantKey(role, resourceName), err)
	}
	if s.closed.Load() {
		return 0, opErr(op, grantKey(role, resourceName), store.ErrClosed)
	}
	tx, err := s.db.Begin(false)
	if err != nil {
		return 0, opErr(op, grantKey(role, resourceName), err)
	}
	defer func() { _ = tx.Rollback() }()
	var buf [128]byte
	p, err := loadPerms(tx, appendPair(buf[:0], role, resourceName))
	if err != nil {
		return 0, opErr(op, grantKey(role, resourceName), err)
	}
	return p, nil
}

// AddPermissions adds perms to (role, resource) and the index row in one
// transaction, and returns the permissions that were not already there.
// Adding an empty set, or only permissions already held, writes nothing.
// It returns an error wrapping [store.ErrInvalid] for an empty role or
// resource name, bits outside [resource.AllPermissions], or names too long
// for a bbolt key. The role need not exist: like Cassandra's authorizer,
// the store does not check.
func (s *Store) AddPermissions(ctx context.Context, role, resourceName string, perms resource.PermissionSet) (resource.PermissionSet, error) {
	const op = "AddPermissions"
	var added resource.PermissionSet
	err := s.update(ctx, op, grantKey(role, resourceName), func(tx *bolt.Tx) (*store.Change, error) {
		permKey, indexKey, err := checkGrant(op, role, resourceName, perms)
		if err != nil {
			return nil, err
		}
		old, err := loadPerms(tx, permKey)
		if err != nil {
			return nil, err
		}
		added = perms.Minus(old)
		if added.IsEmpty() {
			return nil, nil
		}
		if err := tx.Bucket(bucketPerms).Put(permKey, encodePerms(old|added)); err != nil {
			return nil, err
		}
		if err := tx.Bucket(bucketIndex).Put(indexKey, nil); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangePermissions, Roles: []string{role}, Resources: []string{resourceName}}, nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// RemovePermissions removes perms from (role, resource) in one
// transaction and returns those that were there. A set that becomes empty
// deletes the row and its index row; a partial revoke keeps the index row
// (Cassandra would delete it). Error cases are those of AddPermissions.
func (s *Store) RemovePermissions(ctx context.Context, role, resourceName string, perms resource.PermissionSet) (resource.PermissionSet, error) {
	const op = "RemovePermissions"
	var removed resource.PermissionSet
	err := s.update(ctx, op, grantKey(role, resourceName), func(tx *bolt.Tx) (*store.Change, error) {
		permKey, indexKey, err := checkGrant(op, role, resourceName, perms)
		if err != nil {
			return nil, err
		}
		old, err := loadPerms(tx, permKey)
		if err != nil {
			return nil, err
		}
		removed = old.Intersect(perms)
		if removed.IsEmpty() {
			return nil, nil
		}
		if rest := old.Minus(removed); !rest.IsEmpty() {
			err = tx.Bucket(bucketPerms).Put(permKey, encodePerms(rest))
		} else {
			err = deleteGrant(tx, permKey, indexKey)
		}
		if err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangePermissions, Roles: []string{role}, Resources: []string{resourceName}}, nil
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}

// deleteGrant deletes a role_permissions row and its index row.
func deleteGrant(tx *bolt.Tx, permKey, indexKey []byte) error {
	if err := tx.Bucket(bucketPerms).Delete(permKey); err != nil {
		return err
	}
	return tx.Bucket(bucketIndex).Delete(indexKey)
}

// ListGrants returns the grants of role, or of every role when role is "",
// sorted by role then resource name in byte order (the key order of
// role_permissions).
func (s *Store) ListGrants(ctx context.Context, role string) ([]store.Grant, error) {
	out := []store.Grant{}
	err := s.view(ctx, "ListGrants", role, func(tx *bolt.Tx) error {
		var prefix []byte
		if role != "" {
			prefix = partition(role)
		}
		c := tx.Bucket(bucketPerms).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			r, res, err := splitPair(k)
			if err != nil {
				return err
			}
			p, err := decodePerms(v)
			if err != nil {
				return corrupt("grant of %q on %q: %v", r, res, err)
			}
			out = append(out, store.Grant{Role: r, Resource: res, Permissions: p})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListGrantees returns the roles holding permissions on the named
// resource, from the index, sorted; empty when there are none.
func (s *Store) ListGrantees(ctx context.Context, resourceName string) ([]string, error) {
	var out []string
	err := s.view(ctx, "ListGrantees", resourceName, func(tx *bolt.Tx) error {
		out = listPartition(tx.Bucket(bucketIndex), resourceName)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RevokeAllFrom deletes every grant to role and their index rows in one
// transaction. A role without grants is a no-op. The Change lists the role
// and, sorted, the resources it lost.
func (s *Store) RevokeAllFrom(ctx context.Context, role string) error {
	return s.update(ctx, "RevokeAllFrom", role, func(tx *bolt.Tx) (*store.Change, error) {
		resources := listPartition(tx.Bucket(bucketPerms), role)
		if len(resources) == 0 {
			return nil, nil
		}
		for _, res := range resources {
			if err := deleteGrant(tx, pairKey(role, res), pairKey(res, role)); err != nil {
				return nil, err
			}
		}
		return &store.Change{Kind: store.ChangePermissions, Roles: []string{role}, Resources: resources}, nil
	})
}

// RevokeAllOn deletes every grant on the named resource and its index
// partition in one transaction. A resource without grants is a no-op. The
// Change lists, sorted, the roles that lost permissions, and the resource.
func (s *Store) RevokeAllOn(ctx context.Context, resourceName string) error {
	return s.update(ctx, "RevokeAllOn", resourceName, func(tx *bolt.Tx) (*store.Change, error) {
		roles := listPartition(tx.Bucket(bucketIndex), resourceName)
		if len(roles) == 0 {
			return nil, nil
		}
		for _, role := range roles {
			if err := deleteGrant(tx, pairKey(role, resourceName), pairKey(resourceName, role)); err != nil {
				return nil, err
			}
		}
		return &store.Change{Kind: store.ChangePermissions, Roles: roles, Resources: []string{resourceName}}, nil
	})
}
