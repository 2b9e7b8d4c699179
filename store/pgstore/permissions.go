package pgstore

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// permSQL is the SQL of role_permissions and its resource index.
type permSQL struct {
	get, lock, insert, update, del, addIndex string
	listAll, listRole, grantees              string
	revokeFrom, revokeOn                     string
}

func newPermSQL(x func(string) string) permSQL {
	return permSQL{
		get:      x(`SELECT permissions FROM {s}.role_permissions WHERE role = $1 AND resource = $2`),
		lock:     x(`SELECT permissions FROM {s}.role_permissions WHERE role = $1 AND resource = $2 FOR UPDATE`),
		insert:   x(`INSERT INTO {s}.role_permissions (role, resource, permissions) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`),
		update:   x(`UPDATE {s}.role_permissions SET permissions = $3 WHERE role = $1 AND resource = $2`),
		del:      x(`DELETE FROM {s}.role_permissions WHERE role = $1 AND resource = $2`),
		addIndex: x(`INSERT INTO {s}.resource_role_permissions_index (resource, role) VALUES ($1, $2) ON CONFLICT DO NOTHING`),
		listAll:  x(`SELECT role, resource, permissions FROM {s}.role_permissions ORDER BY role, resource`),
		listRole: x(`SELECT role, resource, permissions FROM {s}.role_permissions WHERE role = $1 ORDER BY resource`),
		grantees: x(`SELECT role FROM {s}.resource_role_permissions_index WHERE resource = $1 ORDER BY role`),
		// Deleting grants deletes their index rows (ON DELETE CASCADE).
		revokeFrom: x(`DELETE FROM {s}.role_permissions WHERE role = $1 RETURNING resource`),
		revokeOn: x(`DELETE FROM {s}.role_permissions WHERE resource = $1
			AND role IN (SELECT role FROM {s}.resource_role_permissions_index WHERE resource = $1) RETURNING role`),
	}
}

// parsePermissions reads the permissions column: Cassandra's enum names.
// An unknown name gives an error wrapping ErrCorrupt: it was not written
// by this build, and guessing would misreport a grant.
func parsePermissions(names []string) (resource.PermissionSet, error) {
	var set resource.PermissionSet
	for _, n := range names {
		p, err := resource.ParsePermission(n)
		if err != nil {
			return 0, corrupt("role_permissions holds %q, which is not a permission this build knows", n)
		}
		set = set.With(p)
	}
	return set, nil
}

// pairKey names a (role, resource) pair in errors.
func pairKey(role, resourceName string) string { return role + " on " + resourceName }

// checkGrant validates the arguments of AddPermissions and
// RemovePermissions.
func checkGrant(op, role, resourceName string, perms resource.PermissionSet) error {
	key := pairKey(role, resourceName)
	switch {
	case role == "":
		return invalid(op, key, "empty role name")
	case resourceName == "":
		return invalid(op, key, "empty resource name")
	case perms&^resource.AllPermissions != 0:
		return invalid(op, key, "unknown permission bits")
	case !storable(role) || !storable(resourceName):
		return invalid(op, key, "name is not valid UTF-8 without NUL")
	}
	return nil
}

// GetPermissions returns the permissions granted to role on exactly the
// named resource, or the empty set. It runs one indexed SELECT.
func (s *Store) GetPermissions(ctx context.Context, role, resourceName string) (resource.PermissionSet, error) {
	const op = "GetPermissions"
	if err := s.begin(ctx, op, pairKey(role, resourceName)); err != nil {
		return 0, err
	}
	if !storable(role) || !storable(resourceName) {
		return 0, nil
	}
	var names []string
	err := s.pool.QueryRow(ctx, s.sql.perms.get, role, resourceName).Scan(&names)
	switch {
	case errNoRows(err):
		return 0, nil
	case err != nil:
		return 0, s.fail(ctx, op, pairKey(role, resourceName), err)
	}
	p, err := parsePermissions(names)
	if err != nil {
		return 0, opErr(op, pairKey(role, resourceName), err)
	}
	return p, nil
}

// lockGrant returns the permissions of (role, resource), locking the row
// until the transaction ends; ok is false when there is no row.
func (s *Store) lockGrant(ctx context.Context, tx pgx.Tx, role, resourceName string) (p resource.PermissionSet, ok bool, err error) {
	var names []string
	if err := tx.QueryRow(ctx, s.sql.perms.lock, role, resourceName).Scan(&names); err != nil {
		if errNoRows(err) {
			return 0, false, nil
		}
		return 0, false, err
	}
	p, err = parsePermissions(names)
	return p, err == nil, err
}

// AddPermissions adds perms to (role, resource) and the index row, in one
// transaction, and returns the permissions that were not already there.
// The grant's row is locked (SELECT ... FOR UPDATE) while it is read and
// written, so concurrent grants, in this process or another, never lose
// each other's permissions and each permission is reported as added by
// exactly one of them. Adding an empty set, or only permissions already
// held, writes nothing. It returns an error wrapping [store.ErrInvalid]
// for an empty role or resource name, bits outside
// [resource.AllPermissions], or names PostgreSQL cannot hold. The role
// need not exist.
func (s *Store) AddPermissions(ctx context.Context, role, resourceName string, perms resource.PermissionSet) (resource.PermissionSet, error) {
	const op = "AddPermissions"
	key := pairKey(role, resourceName)
	if err := s.begin(ctx, op, key); err != nil {
		return 0, err
	}
	if err := checkGrant(op, role, resourceName, perms); err != nil {
		return 0, err
	}
	if perms.IsEmpty() {
		return 0, nil
	}
	var added resource.PermissionSet
	err := s.write(ctx, op, key, false, func(tx pgx.Tx) (*store.Change, error) {
		added = 0
		for {
			old, ok, err := s.lockGrant(ctx, tx, role, resourceName)
			if err != nil {
				return nil, err
			}
			if ok {
				if perms.Minus(old).IsEmpty() {
					return nil, nil
				}
				if _, err := tx.Exec(ctx, s.sql.perms.update, role, resourceName, old.Union(perms).Names()); err != nil {
					return nil, err
				}
				added = perms.Minus(old)
				break
			}
			tag, err := tx.Exec(ctx, s.sql.perms.insert, role, resourceName, perms.Names())
			if err != nil {
				return nil, err
			}
			if tag.RowsAffected() == 1 {
				if _, err := tx.Exec(ctx, s.sql.perms.addIndex, resourceName, role); err != nil {
					return nil, err
				}
				added = perms
				break
			}
			// A concurrent grant inserted the row first: lock and merge.
		}
		return &store.Change{Kind: store.ChangePermissions, Roles: []string{role}, Resources: []string{resourceName}}, nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// RemovePermissions removes perms from (role, resource), in one
// transaction with the row locked, and returns those that were there. A
// set that becomes empty deletes the row and its index row; a partial
// revoke keeps the index row (Cassandra would delete it). Error cases are
// those of AddPermissions.
func (s *Store) RemovePermissions(ctx context.Context, role, resourceName string, perms resource.PermissionSet) (resource.PermissionSet, error) {
	const op = "RemovePermissions"
	key := pairKey(role, resourceName)
	if err := s.begin(ctx, op, key); err != nil {
		return 0, err
	}
	if err := checkGrant(op, role, resourceName, perms); err != nil {
		return 0, err
	}
	if perms.IsEmpty() {
		return 0, nil
	}
	var removed resource.PermissionSet
	err := s.write(ctx, op, key, false, func(tx pgx.Tx) (*store.Change, error) {
		removed = 0
		old, ok, err := s.lockGrant(ctx, tx, role, resourceName)
		if err != nil || !ok || old.Intersect(perms).IsEmpty() {
			return nil, err
		}
		if rest := old.Minus(perms); rest.IsEmpty() {
			_, err = tx.Exec(ctx, s.sql.perms.del, role, resourceName)
		} else {
			_, err = tx.Exec(ctx, s.sql.perms.update, role, resourceName, rest.Names())
		}
		if err != nil {
			return nil, err
		}
		removed = old.Intersect(perms)
		return &store.Change{Kind: store.ChangePermissions, Roles: []string{role}, Resources: []string{resourceName}}, nil
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}

// ListGrants returns the grants of role, or of every role when role is "",
// sorted by role then resource name in byte order.
func (s *Store) ListGrants(ctx context.Context, role string) ([]store.Grant, error) {
	const op = "ListGrants"
	if err := s.begin(ctx, op, role); err != nil {
		return nil, err
	}
	if !storable(role) {
		return []store.Grant{}, nil
	}
	var rows pgx.Rows
	var err error
	if role == "" {
		rows, err = s.pool.Query(ctx, s.sql.perms.listAll)
	} else {
		rows, err = s.pool.Query(ctx, s.sql.perms.listRole, role)
	}
	if err != nil {
		return nil, s.fail(ctx, op, role, err)
	}
	var bad error
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Grant, error) {
		var g store.Grant
		var names []string
		if err := row.Scan(&g.Role, &g.Resource, &names); err != nil {
			return g, err
		}
		g.Permissions, bad = parsePermissions(names)
		return g, bad
	})
	if bad != nil {
		return nil, opErr(op, role, bad)
	}
	if err != nil {
		return nil, s.fail(ctx, op, role, err)
	}
	if out == nil {
		out = []store.Grant{}
	}
	return out, nil
}

// ListGrantees returns the roles holding permissions on the named
// resource, from the index, sorted; empty when there are none.
func (s *Store) ListGrantees(ctx context.Context, resourceName string) ([]string, error) {
	const op = "ListGrantees"
	if err := s.begin(ctx, op, resourceName); err != nil {
		return nil, err
	}
	if !storable(resourceName) {
		return []string{}, nil
	}
	return s.listStrings(ctx, op, resourceName, s.sql.perms.grantees, resourceName)
}

// RevokeAllFrom deletes every grant to role and their index rows, in one
// statement. A role without grants is a no-op. The Change lists the role
// and, sorted, the resources it lost.
func (s *Store) RevokeAllFrom(ctx context.Context, role string) error {
	const op = "RevokeAllFrom"
	if err := s.begin(ctx, op, role); err != nil {
		return err
	}
	if !storable(role) {
		return nil
	}
	return s.write(ctx, op, role, false, func(tx pgx.Tx) (*store.Change, error) {
		rows, _ := tx.Query(ctx, s.sql.perms.revokeFrom, role)
		resources, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(resources) == 0 {
			return nil, err
		}
		slices.Sort(resources)
		return &store.Change{Kind: store.ChangePermissions, Roles: []string{role}, Resources: resources}, nil
	})
}

// RevokeAllOn deletes every grant on the named resource and its index
// partition, in one statement that finds the grants through the index. A
// resource without grants is a no-op. The Change lists, sorted, the roles
// that lost permissions, and the resource.
func (s *Store) RevokeAllOn(ctx context.Context, resourceName string) error {
	const op = "RevokeAllOn"
	if err := s.begin(ctx, op, resourceName); err != nil {
		return err
	}
	if !storable(resourceName) {
		return nil
	}
	return s.write(ctx, op, resourceName, false, func(tx pgx.Tx) (*store.Change, error) {
		rows, _ := tx.Query(ctx, s.sql.perms.revokeOn, resourceName)
		roles, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(roles) == 0 {
			return nil, err
		}
		slices.Sort(roles)
		return &store.Change{Kind: store.ChangePermissions, Roles: roles, Resources: []string{resourceName}}, nil
	})
}
