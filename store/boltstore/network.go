package boltstore

import (
	"bytes"
	"context"
	"net/netip"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/cassauth/cassauth/store"
)

// getSet implements GetDatacenters and GetCIDRPermissions.
func (s *Store) getSet(ctx context.Context, op string, bucket []byte, role string) ([]string, error) {
	var out []string
	err := s.view(ctx, op, role, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get([]byte(role))
		if v == nil {
			return store.ErrNotFound
		}
		var err error
		out, err = decodeStrings(v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// setSet implements SetDatacenters and SetCIDRPermissions.
func (s *Store) setSet(ctx context.Context, op string, bucket []byte, kind store.ChangeKind, role string, xs []string) error {
	return s.update(ctx, op, role, func(tx *bolt.Tx) (*store.Change, error) {
		if role == "" {
			return nil, invalid(op, role, "empty role name")
		}
		if err := checkKey(op, role, []byte(role)); err != nil {
			return nil, err
		}
		v := encodeStrings(normalizeStrings(xs))
		b := tx.Bucket(bucket)
		if old := b.Get([]byte(role)); old != nil && bytes.Equal(old, v) {
			return nil, nil
		}
		if err := b.Put([]byte(role), v); err != nil {
			return nil, err
		}
		return &store.Change{Kind: kind, Roles: []string{role}}, nil
	})
}

// dropSet implements DropDatacenters and DropCIDRPermissions.
func (s *Store) dropSet(ctx context.Context, op string, bucket []byte, kind store.ChangeKind, role string) error {
	return s.update(ctx, op, role, func(tx *bolt.Tx) (*store.Change, error) {
		b := tx.Bucket(bucket)
		if b.Get([]byte(role)) == nil {
			return nil, nil
		}
		if err := b.Delete([]byte(role)); err != nil {
			return nil, err
		}
		return &store.Change{Kind: kind, Roles: []string{role}}, nil
	})
}

// GetDatacenters returns the datacenters role is restricted to, sorted and
// without duplicates; an empty, non-nil slice means all datacenters. No row
// returns an error wrapping [store.ErrNotFound] (also all datacenters).
func (s *Store) GetDatacenters(ctx context.Context, role string) ([]string, error) {
	return s.getSet(ctx, "GetDatacenters", bucketNetwork, role)
}

// SetDatacenters replaces the role's row with the set dcs; an empty dcs
// means all. An empty role name returns an error wrapping
// [store.ErrInvalid]. The role need not exist. Cassandra keys this table
// by "roles/<name>"; this store keys it by the bare name.
func (s *Store) SetDatacenters(ctx context.Context, role string, dcs []string) error {
	return s.setSet(ctx, "SetDatacenters", bucketNetwork, store.ChangeNetwork, role, dcs)
}

// DropDatacenters deletes the role's row; no row is a no-op.
func (s *Store) DropDatacenters(ctx context.Context, role string) error {
	return s.dropSet(ctx, "DropDatacenters", bucketNetwork, store.ChangeNetwork, role)
}

// GetCIDRPermissions returns the CIDR groups role may connect from, sorted
// and without duplicates; an empty, non-nil slice means all. No row returns
// an error wrapping [store.ErrNotFound] (also all).
func (s *Store) GetCIDRPermissions(ctx context.Context, role string) ([]string, error) {
	return s.getSet(ctx, "GetCIDRPermissions", bucketCIDRPerms, role)
}

// SetCIDRPermissions replaces the role's row with the set groups; empty
// means all. An empty role name returns an error wrapping
// [store.ErrInvalid]. Neither the role nor the groups need exist.
func (s *Store) SetCIDRPermissions(ctx context.Context, role string, groups []string) error {
	return s.setSet(ctx, "SetCIDRPermissions", bucketCIDRPerms, store.ChangeCIDR, role, groups)
}

// DropCIDRPermissions deletes the role's row; no row is a no-op.
func (s *Store) DropCIDRPermissions(ctx context.Context, role string) error {
	return s.dropSet(ctx, "DropCIDRPermissions", bucketCIDRPerms, store.ChangeCIDR, role)
}

// ListCIDRGroups returns every CIDR group sorted by name, each with its
// prefixes sorted by address then length, without duplicates.
func (s *Store) ListCIDRGroups(ctx context.Context) ([]store.CIDRGroup, error) {
	out := []store.CIDRGroup{}
	err := s.view(ctx, "ListCIDRGroups", "", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCIDRGroup).ForEach(func(k, v []byte) error {
			cidrs, err := decodePrefixes(v)
			if err != nil {
				return corrupt("cidr group %q: %v", k, err)
			}
			out = append(out, store.CIDRGroup{Name: string(k), CIDRs: cidrs})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetCIDRGroup creates or replaces the group with the set cidrs (kept as
// given, not masked). An empty name or an invalid prefix returns an error
// wrapping [store.ErrInvalid]. The Change (Kind [store.ChangeCIDR]) has no
// roles: every role's CIDR decision may change.
func (s *Store) SetCIDRGroup(ctx context.Context, name string, cidrs []netip.Prefix) error {
	const op = "SetCIDRGroup"
	return s.update(ctx, op, name, func(tx *bolt.Tx) (*store.Change, error) {
		if name == "" {
			return nil, invalid(op, name, "empty CIDR group name")
		}
		if err := checkKey(op, name, []byte(name)); err != nil {
			return nil, err
		}
		for _, p := range cidrs {
			if !p.IsValid() {
				return nil, invalid(op, name, "invalid prefix "+p.String())
			}
		}
		norm := slices.Clone(cidrs)
		sortPrefixes(norm)
		v := encodePrefixes(slices.Compact(norm))
		b := tx.Bucket(bucketCIDRGroup)
		if old := b.Get([]byte(name)); old != nil && bytes.Equal(old, v) {
			return nil, nil
		}
		if err := b.Put([]byte(name), v); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeCIDR}, nil
	})
}

// DropCIDRGroup deletes the group, or returns an error wrapping
// [store.ErrNotFound]. Roles' cidr_permissions naming it are left as they
// are, as in Cassandra.
func (s *Store) DropCIDRGroup(ctx context.Context, name string) error {
	return s.update(ctx, "DropCIDRGroup", name, func(tx *bolt.Tx) (*store.Change, error) {
		b := tx.Bucket(bucketCIDRGroup)
		if b.Get([]byte(name)) == nil {
			return nil, store.ErrNotFound
		}
		if err := b.Delete([]byte(name)); err != nil {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeCIDR}, nil
	})
}
