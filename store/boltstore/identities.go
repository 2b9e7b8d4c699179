package boltstore

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/cassauth/cassauth/store"
)

// GetIdentity returns the role the identity maps to, or an error wrapping
// [store.ErrNotFound].
func (s *Store) GetIdentity(ctx context.Context, identity string) (string, error) {
	var role string
	err := s.view(ctx, "GetIdentity", identity, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIdentity).Get([]byte(identity))
		if v == nil {
			return store.ErrNotFound
		}
		role = string(v)
		return nil
	})
	if err != nil {
		return "", err
	}
	return role, nil
}

// ListIdentities returns a new map of every identity to its role.
func (s *Store) ListIdentities(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.view(ctx, "ListIdentities", "", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIdentity).ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddIdentity maps identity to role. It returns an error wrapping
// [store.ErrExists] if the identity is mapped (to any role), and
// [store.ErrInvalid] for an empty identity or role or an identity too long
// for a bbolt key. The role need not exist; DropRole removes the
// identities mapped to the dropped role.
func (s *Store) AddIdentity(ctx context.Context, identity, role string) error {
	const op = "AddIdentity"
	return s.update(ctx, op, identity, func(tx *bolt.Tx) (*store.Change, error) {
		switch {
		case identity == "":
			return nil, invalid(op, identity, "empty identity")
		case role == "":
			return nil, invalid(op, identity, "empty role name")
		}
		if err := checkKey(op, identity, []byte(identity)); err != nil {
			return nil, err
		}
		b := tx.Bucket(bucketIdentity)
		if b.Get([]byte(identity)) != nil {
			return nil, store.ErrExists
		}
		if err := b.Put([]byte(identity), []byte(role)); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeIdentity, Identities: []string{identity}}, nil
	})
}

// DropIdentity deletes the mapping; an unknown identity is a no-op.
func (s *Store) DropIdentity(ctx context.Context, identity string) error {
	return s.update(ctx, "DropIdentity", identity, func(tx *bolt.Tx) (*store.Change, error) {
		b := tx.Bucket(bucketIdentity)
		if b.Get([]byte(identity)) == nil {
			return nil, nil
		}
		if err := b.Delete([]byte(identity)); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeIdentity, Identities: []string{identity}}, nil
	})
}

// dropIdentitiesOf deletes the identity_to_role rows mapping to role and
// returns their identities, sorted.
func dropIdentitiesOf(tx *bolt.Tx, role string) ([]string, error) {
	b := tx.Bucket(bucketIdentity)
	var dropped []string
	err := b.ForEach(func(k, v []byte) error {
		if string(v) == role {
			dropped = append(dropped, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range dropped {
		if err := b.Delete([]byte(id)); err != nil {
			return nil, err
		}
	}
	return dropped, nil
}
