package pgstore

import (
	"context"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/cassauth/cassauth/store"
)

// roleSQL is the SQL of roles and role_members.
type roleSQL struct {
	get, list, exists, insert, update           string
	memberOf, setMemberOf, addMember, delMember string
	members, unlinkMembers, delPartition        string
	delFromParents, delRole, delIdentities      string
}

func newRoleSQL(x func(string) string) roleSQL {
	const cols = `role, is_superuser, can_login, coalesce(salted_hash, ''), member_of, options`
	return roleSQL{
		get:    x(`SELECT ` + cols + ` FROM {s}.roles WHERE role = $1`),
		list:   x(`SELECT ` + cols + ` FROM {s}.roles ORDER BY role`),
		exists: x(`SELECT count(*) FROM {s}.roles WHERE role = ANY($1)`),
		insert: x(`INSERT INTO {s}.roles (role, is_superuser, can_login, salted_hash, options)
			VALUES ($1, $2, $3, NULLIF($4, ''), $5)`),
		update: x(`UPDATE {s}.roles SET is_superuser = $2, can_login = $3, salted_hash = NULLIF($4, ''), options = $5
			WHERE role = $1`),
		memberOf:    x(`SELECT member_of FROM {s}.roles WHERE role = $1`),
		setMemberOf: x(`UPDATE {s}.roles SET member_of = $2 WHERE role = $1`),
		addMember:   x(`INSERT INTO {s}.role_members (role, member) VALUES ($1, $2) ON CONFLICT DO NOTHING`),
		delMember:   x(`DELETE FROM {s}.role_members WHERE role = $1 AND member = $2`),
		members:     x(`SELECT member FROM {s}.role_members WHERE role = $1 ORDER BY member`),
		// The members of a dropped role lose it from member_of; the
		// RETURNING list is those whose member_of changed.
		unlinkMembers: x(`UPDATE {s}.roles SET member_of = array_remove(member_of, $1)
			WHERE role IN (SELECT member FROM {s}.role_members WHERE role = $1) AND role <> $1 AND $1 = ANY(member_of)
			RETURNING role`),
		delPartition:   x(`DELETE FROM {s}.role_members WHERE role = $1`),
		delFromParents: x(`DELETE FROM {s}.role_members WHERE role = ANY($2) AND member = $1`),
		delRole:        x(`DELETE FROM {s}.roles WHERE role = $1`),
		delIdentities:  x(`DELETE FROM {s}.identity_to_role WHERE role = $1 RETURNING identity`),
	}
}

// scanRole reads a row of roleSQL.get or roleSQL.list.
func scanRole(row pgx.Row) (store.RoleRecord, error) {
	var r store.RoleRecord
	var opts map[string]string
	if err := row.Scan(&r.Name, &r.IsSuperuser, &r.CanLogin, &r.SaltedHash, &r.MemberOf, &opts); err != nil {
		return store.RoleRecord{}, err
	}
	r.MemberOf = normalizeSet(r.MemberOf)
	if len(opts) > 0 {
		r.Options = opts
	}
	return r, nil
}

// optionsArg returns the options column's value: NULL for none.
func optionsArg(opts map[string]string) any {
	if len(opts) == 0 {
		return nil
	}
	return opts
}

// checkRoleStrings returns why PostgreSQL could not store the record's
// strings exactly, or "".
func checkRoleStrings(r *store.RoleRecord) string {
	if !storable(r.SaltedHash) {
		return "salted_hash is not valid UTF-8 without NUL"
	}
	for k, v := range r.Options {
		if !storable(k) || !storable(v) {
			return "an option is not valid UTF-8 without NUL"
		}
	}
	return ""
}

// GetRole returns the role named name, or an error wrapping
// [store.ErrNotFound].
func (s *Store) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	const op = "GetRole"
	if err := s.begin(ctx, op, name); err != nil {
		return store.RoleRecord{}, err
	}
	if !storable(name) {
		return store.RoleRecord{}, opErr(op, name, store.ErrNotFound)
	}
	r, err := scanRole(s.pool.QueryRow(ctx, s.sql.roles.get, name))
	switch {
	case errNoRows(err):
		return store.RoleRecord{}, opErr(op, name, store.ErrNotFound)
	case err != nil:
		return store.RoleRecord{}, s.fail(ctx, op, name, err)
	}
	return r, nil
}

// ListRoles returns every role, sorted by name in byte order.
func (s *Store) ListRoles(ctx context.Context) ([]store.RoleRecord, error) {
	const op = "ListRoles"
	if err := s.begin(ctx, op, ""); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.sql.roles.list)
	if err != nil {
		return nil, s.fail(ctx, op, "", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.RoleRecord, error) { return scanRole(row) })
	if err != nil {
		return nil, s.fail(ctx, op, "", err)
	}
	if out == nil {
		out = []store.RoleRecord{}
	}
	return out, nil
}

// CreateRole inserts r. It returns an error wrapping [store.ErrInvalid]
// for an empty name, a non-empty MemberOf, or strings PostgreSQL cannot
// hold (invalid UTF-8, NUL bytes, keys beyond a btree entry's ~2.7 kB), and
// [store.ErrExists] (with the unique violation's *pgconn.PgError) if the
// role exists.
func (s *Store) CreateRole(ctx context.Context, r store.RoleRecord) error {
	const op = "CreateRole"
	if err := s.begin(ctx, op, r.Name); err != nil {
		return err
	}
	switch {
	case r.Name == "":
		return invalid(op, r.Name, "empty role name")
	case len(r.MemberOf) > 0:
		return invalid(op, r.Name, "member_of must be empty on create")
	case !storable(r.Name):
		return invalid(op, r.Name, "role name is not valid UTF-8 without NUL")
	}
	if why := checkRoleStrings(&r); why != "" {
		return invalid(op, r.Name, why)
	}
	return s.write(ctx, op, r.Name, true, func(tx pgx.Tx) (*store.Change, error) {
		if _, err := tx.Exec(ctx, s.sql.roles.insert, r.Name, r.IsSuperuser, r.CanLogin, r.SaltedHash, optionsArg(r.Options)); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeRole, Roles: []string{r.Name}}, nil
	})
}

// UpdateRole applies u to the role, or returns an error wrapping
// [store.ErrNotFound]. A non-nil u.Options replaces the options (an empty
// map clears them); a u.SaltedHash pointing at "" removes the password. An
// update that changes nothing writes nothing. Strings PostgreSQL cannot
// hold return [store.ErrInvalid].
func (s *Store) UpdateRole(ctx context.Context, name string, u store.RoleUpdate) error {
	const op = "UpdateRole"
	if err := s.begin(ctx, op, name); err != nil {
		return err
	}
	if !storable(name) {
		return opErr(op, name, store.ErrNotFound)
	}
	probe := store.RoleRecord{Options: u.Options}
	if u.SaltedHash != nil {
		probe.SaltedHash = *u.SaltedHash
	}
	if why := checkRoleStrings(&probe); why != "" {
		return invalid(op, name, why)
	}
	return s.write(ctx, op, name, true, func(tx pgx.Tx) (*store.Change, error) {
		r, err := scanRole(tx.QueryRow(ctx, s.sql.roles.get, name))
		if errNoRows(err) {
			return nil, store.ErrNotFound
		}
		if err != nil {
			return nil, err
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
		if _, err := tx.Exec(ctx, s.sql.roles.update, name, r.IsSuperuser, r.CanLogin, r.SaltedHash, optionsArg(r.Options)); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeRole, Roles: []string{name}}, nil
	})
}

// DropRole deletes, in one transaction, the role's row, its name from the
// member_of of its members, its role_members partition, its rows in its
// parents' role_members partitions, and the identity_to_role rows mapping
// to it. It returns an error wrapping [store.ErrNotFound] if the role does
// not exist. Grants, network and CIDR rows of the role stay (see
// [store.Roles]).
//
// The Change it reports (Kind [store.ChangeRole]) lists the dropped role
// first, then, sorted, every member whose member_of changed; Identities
// lists, sorted, the identities dropped.
func (s *Store) DropRole(ctx context.Context, name string) error {
	const op = "DropRole"
	if err := s.begin(ctx, op, name); err != nil {
		return err
	}
	if !storable(name) {
		return opErr(op, name, store.ErrNotFound)
	}
	return s.write(ctx, op, name, true, func(tx pgx.Tx) (*store.Change, error) {
		var parents []string
		if err := tx.QueryRow(ctx, s.sql.roles.memberOf, name).Scan(&parents); err != nil {
			if errNoRows(err) {
				return nil, store.ErrNotFound
			}
			return nil, err
		}
		rows, _ := tx.Query(ctx, s.sql.roles.unlinkMembers, name)
		members, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		slices.Sort(members)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{s.sql.roles.delPartition, []any{name}},
			{s.sql.roles.delFromParents, []any{name, parents}},
			{s.sql.roles.delRole, []any{name}},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return nil, err
			}
		}
		rows, _ = tx.Query(ctx, s.sql.roles.delIdentities, name)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		slices.Sort(ids)
		if len(ids) == 0 {
			ids = nil
		}
		return &store.Change{Kind: store.ChangeRole, Roles: append([]string{name}, members...), Identities: ids}, nil
	})
}

// GrantRole adds role to grantee's member_of and the row (role, grantee)
// to role_members, in one transaction. Both roles must exist (an error
// wrapping [store.ErrNotFound] names the missing one). Granting twice is a
// no-op. The store records self-grants and cycles as asked: rejecting them
// is the role manager's job.
func (s *Store) GrantRole(ctx context.Context, role, grantee string) error {
	const op = "GrantRole"
	if err := s.begin(ctx, op, role); err != nil {
		return err
	}
	if !storable(role) {
		return opErr(op, role, store.ErrNotFound)
	}
	if !storable(grantee) {
		return opErr(op, grantee, store.ErrNotFound)
	}
	return s.write(ctx, op, role, true, func(tx pgx.Tx) (*store.Change, error) {
		var n int
		if err := tx.QueryRow(ctx, s.sql.roles.exists, []string{role}).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, store.ErrNotFound
		}
		var memberOf []string
		if err := tx.QueryRow(ctx, s.sql.roles.memberOf, grantee).Scan(&memberOf); err != nil {
			if errNoRows(err) {
				return nil, &store.Error{Op: op, Key: grantee, Err: store.ErrNotFound}
			}
			return nil, err
		}
		memberOf = normalizeSet(memberOf)
		i, found := slices.BinarySearch(memberOf, role)
		if found {
			return nil, nil
		}
		memberOf = slices.Insert(memberOf, i, role)
		if _, err := tx.Exec(ctx, s.sql.roles.setMemberOf, grantee, memberOf); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, s.sql.roles.addMember, role, grantee); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeMembership, Roles: []string{grantee, role}}, nil
	})
}

// RevokeRole removes role from revokee's member_of and the row (role,
// revokee) from role_members, in one transaction. A membership that does
// not exist, including one naming unknown roles, is a no-op.
func (s *Store) RevokeRole(ctx context.Context, role, revokee string) error {
	const op = "RevokeRole"
	if err := s.begin(ctx, op, role); err != nil {
		return err
	}
	if !storable(role) || !storable(revokee) {
		return nil // no such membership can exist
	}
	return s.write(ctx, op, role, true, func(tx pgx.Tx) (*store.Change, error) {
		var memberOf []string
		if err := tx.QueryRow(ctx, s.sql.roles.memberOf, revokee).Scan(&memberOf); err != nil {
			if errNoRows(err) {
				return nil, nil
			}
			return nil, err
		}
		memberOf = normalizeSet(memberOf)
		i, found := slices.BinarySearch(memberOf, role)
		if !found {
			return nil, nil
		}
		memberOf = slices.Delete(memberOf, i, i+1)
		if _, err := tx.Exec(ctx, s.sql.roles.setMemberOf, revokee, nonNil(memberOf)); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, s.sql.roles.delMember, role, revokee); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeMembership, Roles: []string{revokee, role}}, nil
	})
}

// ListMembers returns the names of the roles that role is granted to,
// sorted; empty for an unknown role.
func (s *Store) ListMembers(ctx context.Context, role string) ([]string, error) {
	const op = "ListMembers"
	if err := s.begin(ctx, op, role); err != nil {
		return nil, err
	}
	if !storable(role) {
		return []string{}, nil
	}
	return s.listStrings(ctx, op, role, s.sql.roles.members, role)
}

// listStrings runs a query of one text column and returns its values, in
// a new slice that is never nil.
func (s *Store) listStrings(ctx context.Context, op, key, sql string, args ...any) ([]string, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, s.fail(ctx, op, key, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, s.fail(ctx, op, key, err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// normalizeSet sorts xs in byte order and removes duplicates, in place;
// an empty result is nil.
func normalizeSet(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	return slices.Compact(xs)
}

// nonNil returns xs, or an empty slice for nil: pgx sends a nil slice as
// NULL, and the array columns are NOT NULL.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
