package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/cassauth/cassauth/store"
)

// catalogSQL is the SQL of schema_objects.
type catalogSQL struct {
	insert, del, has, list string
}

func newCatalogSQL(x func(string) string) catalogSQL {
	return catalogSQL{
		insert: x(`INSERT INTO {s}.schema_objects (name) VALUES ($1)`),
		del:    x(`DELETE FROM {s}.schema_objects WHERE name = $1`),
		has:    x(`SELECT EXISTS (SELECT 1 FROM {s}.schema_objects WHERE name = $1)`),
		list:   x(`SELECT name FROM {s}.schema_objects WHERE starts_with(name, $1) ORDER BY name`),
	}
}

// schemaChange is the Change of a catalog write.
func schemaChange(name string) *store.Change {
	return &store.Change{Kind: store.ChangeSchema, Resources: []string{name}}
}

// AddSchemaObject records a schema object name ([store.Catalog]). It
// returns an error wrapping [store.ErrExists] if the name is recorded and
// [store.ErrInvalid] for an empty or unstorable name.
func (s *Store) AddSchemaObject(ctx context.Context, name string) error {
	const op = "AddSchemaObject"
	if err := s.begin(ctx, op, name); err != nil {
		return err
	}
	switch {
	case name == "":
		return invalid(op, name, "empty name")
	case !storable(name):
		return invalid(op, name, "name is not valid UTF-8 without NUL")
	}
	return s.write(ctx, op, name, false, func(tx pgx.Tx) (*store.Change, error) {
		if _, err := tx.Exec(ctx, s.sql.cat.insert, name); err != nil {
			return nil, err
		}
		return schemaChange(name), nil
	})
}

// DropSchemaObject removes a schema object name, or returns an error
// wrapping [store.ErrNotFound].
func (s *Store) DropSchemaObject(ctx context.Context, name string) error {
	const op = "DropSchemaObject"
	if err := s.begin(ctx, op, name); err != nil {
		return err
	}
	if !storable(name) {
		return opErr(op, name, store.ErrNotFound)
	}
	return s.write(ctx, op, name, false, func(tx pgx.Tx) (*store.Change, error) {
		tag, err := tx.Exec(ctx, s.sql.cat.del, name)
		if err != nil {
			return nil, err
		}
		if tag.RowsAffected() == 0 {
			return nil, store.ErrNotFound
		}
		return schemaChange(name), nil
	})
}

// HasSchemaObject reports whether a schema object name is recorded.
func (s *Store) HasSchemaObject(ctx context.Context, name string) (bool, error) {
	const op = "HasSchemaObject"
	if err := s.begin(ctx, op, name); err != nil {
		return false, err
	}
	if !storable(name) {
		return false, nil
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, s.sql.cat.has, name).Scan(&ok); err != nil {
		return false, s.fail(ctx, op, name, err)
	}
	return ok, nil
}

// ListSchemaObjects returns the recorded names starting with prefix,
// sorted in byte order.
func (s *Store) ListSchemaObjects(ctx context.Context, prefix string) ([]string, error) {
	const op = "ListSchemaObjects"
	if err := s.begin(ctx, op, prefix); err != nil {
		return nil, err
	}
	if !storable(prefix) {
		return []string{}, nil
	}
	return s.listStrings(ctx, op, prefix, s.sql.cat.list, prefix)
}
