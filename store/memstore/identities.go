package memstore

import (
	"context"
	"maps"

	"github.com/cassauth/cassauth/store"
)

// GetIdentity returns the role the identity maps to, or an error wrapping
// [store.ErrNotFound].
func (s *Store) GetIdentity(ctx context.Context, identity string) (string, error) {
	if err := s.rlock(ctx, "GetIdentity", identity); err != nil {
		return "", err
	}
	defer s.mu.RUnlock()
	role, ok := s.ids[identity]
	if !ok {
		return "", opErr("GetIdentity", identity, store.ErrNotFound)
	}
	return role, nil
}

// ListIdentities returns a new map of every identity to its role.
func (s *Store) ListIdentities(ctx context.Context) (map[string]string, error) {
	if err := s.rlock(ctx, "ListIdentities", ""); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	out := maps.Clone(s.ids)
	if out == nil {
		out = map[string]string{}
	}
	return out, nil
}

// AddIdentity maps identity to role. It returns an error wrapping
// [store.ErrExists] if the identity is mapped (to any role), and
// [store.ErrInvalid] for an empty identity or role. The role need not exist;
// DropRole removes the identities mapped to the dropped role.
func (s *Store) AddIdentity(ctx context.Context, identity, role string) error {
	const op = "AddIdentity"
	if err := s.lock(ctx, op, identity); err != nil {
		return err
	}
	switch {
	case identity == "":
		s.unlock(nil)
		return invalid(op, identity, "empty identity")
	case role == "":
		s.unlock(nil)
		return invalid(op, identity, "empty role name")
	}
	if _, ok := s.ids[identity]; ok {
		s.unlock(nil)
		return opErr(op, identity, store.ErrExists)
	}
	identity = intern(identity)
	s.ids[identity] = intern(role)
	s.unlock(s.changeOf(store.ChangeIdentity, "", "", "", identity))
	return nil
}

// DropIdentity deletes the mapping; an unknown identity is a no-op.
func (s *Store) DropIdentity(ctx context.Context, identity string) error {
	if err := s.lock(ctx, "DropIdentity", identity); err != nil {
		return err
	}
	if _, ok := s.ids[identity]; !ok {
		s.unlock(nil)
		return nil
	}
	delete(s.ids, identity)
	s.unlock(s.changeOf(store.ChangeIdentity, "", "", "", identity))
	return nil
}
