package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/cassauth/cassauth/store"
)

// identitySQL is the SQL of identity_to_role.
type identitySQL struct {
	get, list, insert, del string
}

func newIdentitySQL(x func(string) string) identitySQL {
	return identitySQL{
		get:    x(`SELECT role FROM {s}.identity_to_role WHERE identity = $1`),
		list:   x(`SELECT identity, role FROM {s}.identity_to_role`),
		insert: x(`INSERT INTO {s}.identity_to_role (identity, role) VALUES ($1, $2)`),
		del:    x(`DELETE FROM {s}.identity_to_role WHERE identity = $1`),
	}
}

// GetIdentity returns the role the identity maps to, or an error wrapping
// [store.ErrNotFound].
func (s *Store) GetIdentity(ctx context.Context, identity string) (string, error) {
	const op = "GetIdentity"
	if err := s.begin(ctx, op, identity); err != nil {
		return "", err
	}
	if !storable(identity) {
		return "", opErr(op, identity, store.ErrNotFound)
	}
	var role string
	err := s.pool.QueryRow(ctx, s.sql.ids.get, identity).Scan(&role)
	switch {
	case errNoRows(err):
		return "", opErr(op, identity, store.ErrNotFound)
	case err != nil:
		return "", s.fail(ctx, op, identity, err)
	}
	return role, nil
}

// ListIdentities returns a new map of every identity to its role.
func (s *Store) ListIdentities(ctx context.Context) (map[string]string, error) {
	const op = "ListIdentities"
	if err := s.begin(ctx, op, ""); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.sql.ids.list)
	if err != nil {
		return nil, s.fail(ctx, op, "", err)
	}
	out := map[string]string{}
	var id, role string
	_, err = pgx.ForEachRow(rows, []any{&id, &role}, func() error {
		out[id] = role
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, op, "", err)
	}
	return out, nil
}

// AddIdentity maps identity to role. It returns an error wrapping
// [store.ErrExists] (with the unique violation's *pgconn.PgError) if the
// identity is mapped, to any role, and [store.ErrInvalid] for an empty or
// unstorable identity or role. The role need not exist; DropRole removes
// the identities mapped to the dropped role.
func (s *Store) AddIdentity(ctx context.Context, identity, role string) error {
	const op = "AddIdentity"
	if err := s.begin(ctx, op, identity); err != nil {
		return err
	}
	switch {
	case identity == "":
		return invalid(op, identity, "empty identity")
	case role == "":
		return invalid(op, identity, "empty role name")
	case !storable(identity) || !storable(role):
		return invalid(op, identity, "identity or role is not valid UTF-8 without NUL")
	}
	return s.write(ctx, op, identity, false, func(tx pgx.Tx) (*store.Change, error) {
		if _, err := tx.Exec(ctx, s.sql.ids.insert, identity, role); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeIdentity, Identities: []string{identity}}, nil
	})
}

// DropIdentity deletes the mapping; an unknown identity is a no-op.
func (s *Store) DropIdentity(ctx context.Context, identity string) error {
	const op = "DropIdentity"
	if err := s.begin(ctx, op, identity); err != nil {
		return err
	}
	if !storable(identity) {
		return nil
	}
	return s.write(ctx, op, identity, false, func(tx pgx.Tx) (*store.Change, error) {
		tag, err := tx.Exec(ctx, s.sql.ids.del, identity)
		if err != nil || tag.RowsAffected() == 0 {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeIdentity, Identities: []string{identity}}, nil
	})
}
