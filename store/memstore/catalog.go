package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/store"
)

// AddSchemaObject records a schema object name ([store.Catalog]). It returns
// an error wrapping [store.ErrExists] if the name is recorded and
// [store.ErrInvalid] for an empty name.
func (s *Store) AddSchemaObject(ctx context.Context, name string) error {
	const op = "AddSchemaObject"
	if err := s.lock(ctx, op, name); err != nil {
		return err
	}
	if name == "" {
		s.unlock(nil)
		return invalid(op, name, "empty name")
	}
	if _, ok := s.schema[name]; ok {
		s.unlock(nil)
		return opErr(op, name, store.ErrExists)
	}
	s.schema[intern(name)] = struct{}{}
	s.unlock(s.schemaChange(name))
	return nil
}

// schemaChange returns the Change of a catalog write, or nil when no one
// listens; s.mu held.
func (s *Store) schemaChange(name string) *store.Change {
	if !s.notifying() {
		return nil
	}
	return &store.Change{Kind: store.ChangeSchema, Resources: []string{name}}
}

// DropSchemaObject removes a schema object name, or returns an error
// wrapping [store.ErrNotFound].
func (s *Store) DropSchemaObject(ctx context.Context, name string) error {
	const op = "DropSchemaObject"
	if err := s.lock(ctx, op, name); err != nil {
		return err
	}
	if _, ok := s.schema[name]; !ok {
		s.unlock(nil)
		return opErr(op, name, store.ErrNotFound)
	}
	delete(s.schema, name)
	s.unlock(s.schemaChange(name))
	return nil
}

// HasSchemaObject reports whether a schema object name is recorded.
func (s *Store) HasSchemaObject(ctx context.Context, name string) (bool, error) {
	if err := s.rlock(ctx, "HasSchemaObject", name); err != nil {
		return false, err
	}
	defer s.mu.RUnlock()
	_, ok := s.schema[name]
	return ok, nil
}

// ListSchemaObjects returns the recorded names starting with prefix, sorted.
func (s *Store) ListSchemaObjects(ctx context.Context, prefix string) ([]string, error) {
	if err := s.rlock(ctx, "ListSchemaObjects", prefix); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	out := []string{}
	for n := range s.schema {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}
