package boltstore

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/cassauth/cassauth/store"
)

var _ store.Catalog = (*Store)(nil)

// AddSchemaObject records a schema object name ([store.Catalog]). It returns
// an error wrapping [store.ErrExists] if the name is recorded and
// [store.ErrInvalid] for an empty name or one too long for a bbolt key.
func (s *Store) AddSchemaObject(ctx context.Context, name string) error {
	const op = "AddSchemaObject"
	return s.update(ctx, op, name, func(tx *bolt.Tx) (*store.Change, error) {
		if name == "" {
			return nil, invalid(op, name, "empty name")
		}
		if err := checkKey(op, name, []byte(name)); err != nil {
			return nil, err
		}
		b := tx.Bucket(bucketSchema)
		if b.Get([]byte(name)) != nil {
			return nil, store.ErrExists
		}
		if err := b.Put([]byte(name), []byte{}); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeSchema, Resources: []string{name}}, nil
	})
}

// DropSchemaObject removes a schema object name, or returns an error
// wrapping [store.ErrNotFound].
func (s *Store) DropSchemaObject(ctx context.Context, name string) error {
	const op = "DropSchemaObject"
	return s.update(ctx, op, name, func(tx *bolt.Tx) (*store.Change, error) {
		b := tx.Bucket(bucketSchema)
		if b.Get([]byte(name)) == nil {
			return nil, store.ErrNotFound
		}
		if err := b.Delete([]byte(name)); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeSchema, Resources: []string{name}}, nil
	})
}

// HasSchemaObject reports whether a schema object name is recorded.
func (s *Store) HasSchemaObject(ctx context.Context, name string) (bool, error) {
	var ok bool
	err := s.view(ctx, "HasSchemaObject", name, func(tx *bolt.Tx) error {
		ok = name != "" && tx.Bucket(bucketSchema).Get([]byte(name)) != nil
		return nil
	})
	return ok, err
}

// ListSchemaObjects returns the recorded names starting with prefix, sorted
// (bbolt keeps keys in byte order).
func (s *Store) ListSchemaObjects(ctx context.Context, prefix string) ([]string, error) {
	out := []string{}
	err := s.view(ctx, "ListSchemaObjects", prefix, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSchema).Cursor()
		p := []byte(prefix)
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			out = append(out, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
