package memstore

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/store"
)

// normalizeSet returns a sorted copy of xs without duplicates, never nil,
// with its strings interned.
func normalizeSet(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, intern(x))
	}
	slices.Sort(out)
	return slices.Clip(slices.Compact(out))
}

// getSet implements GetDatacenters and GetCIDRPermissions.
func (s *Store) getSet(ctx context.Context, op, role string, table func() map[string][]string) ([]string, error) {
	if err := s.rlock(ctx, op, role); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	xs, ok := table()[role]
	if !ok {
		return nil, opErr(op, role, store.ErrNotFound)
	}
	return slices.Clone(xs), nil
}

// setSet implements SetDatacenters and SetCIDRPermissions.
func (s *Store) setSet(ctx context.Context, op, role string, xs []string, kind store.ChangeKind, table func() map[string][]string) error {
	if err := s.lock(ctx, op, role); err != nil {
		return err
	}
	if role == "" {
		s.unlock(nil)
		return invalid(op, role, "empty role name")
	}
	t := table()
	norm := normalizeSet(xs)
	if old, ok := t[role]; ok && slices.Equal(old, norm) {
		s.unlock(nil)
		return nil
	}
	role = intern(role)
	t[role] = norm
	s.unlock(s.changeOf(kind, role, "", "", ""))
	return nil
}

// dropSet implements DropDatacenters and DropCIDRPermissions.
func (s *Store) dropSet(ctx context.Context, op, role string, kind store.ChangeKind, table func() map[string][]string) error {
	if err := s.lock(ctx, op, role); err != nil {
		return err
	}
	t := table()
	if _, ok := t[role]; !ok {
		s.unlock(nil)
		return nil
	}
	delete(t, role)
	s.unlock(s.changeOf(kind, role, "", "", ""))
	return nil
}

func (s *Store) dcTable() map[string][]string   { return s.dcs }
func (s *Store) cidrTable() map[string][]string { return s.cidrPerms }

// GetDatacenters returns the datacenters role is restricted to, sorted and
// without duplicates; an empty, non-nil slice means all datacenters. No row
// returns an error wrapping [store.ErrNotFound] (also all datacenters).
func (s *Store) GetDatacenters(ctx context.Context, role string) ([]string, error) {
	return s.getSet(ctx, "GetDatacenters", role, s.dcTable)
}

// SetDatacenters replaces the role's row with the set dcs; an empty dcs
// means all. An empty role name returns an error wrapping
// [store.ErrInvalid]. The role need not exist.
func (s *Store) SetDatacenters(ctx context.Context, role string, dcs []string) error {
	return s.setSet(ctx, "SetDatacenters", role, dcs, store.ChangeNetwork, s.dcTable)
}

// DropDatacenters deletes the role's row; no row is a no-op.
func (s *Store) DropDatacenters(ctx context.Context, role string) error {
	return s.dropSet(ctx, "DropDatacenters", role, store.ChangeNetwork, s.dcTable)
}

// GetCIDRPermissions returns the CIDR groups role may connect from, sorted
// and without duplicates; an empty, non-nil slice means all. No row returns
// an error wrapping [store.ErrNotFound] (also all).
func (s *Store) GetCIDRPermissions(ctx context.Context, role string) ([]string, error) {
	return s.getSet(ctx, "GetCIDRPermissions", role, s.cidrTable)
}

// SetCIDRPermissions replaces the role's row with the set groups; empty
// means all. An empty role name returns an error wrapping
// [store.ErrInvalid]. Neither the role nor the groups need exist.
func (s *Store) SetCIDRPermissions(ctx context.Context, role string, groups []string) error {
	return s.setSet(ctx, "SetCIDRPermissions", role, groups, store.ChangeCIDR, s.cidrTable)
}

// DropCIDRPermissions deletes the role's row; no row is a no-op.
func (s *Store) DropCIDRPermissions(ctx context.Context, role string) error {
	return s.dropSet(ctx, "DropCIDRPermissions", role, store.ChangeCIDR, s.cidrTable)
}

// comparePrefix orders prefixes by address, then by length.
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// ListCIDRGroups returns a copy of every CIDR group sorted by name, each
// with its prefixes sorted by address then length, without duplicates.
func (s *Store) ListCIDRGroups(ctx context.Context) ([]store.CIDRGroup, error) {
	if err := s.rlock(ctx, "ListCIDRGroups", ""); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	out := make([]store.CIDRGroup, 0, len(s.groups))
	for name, cidrs := range s.groups {
		out = append(out, store.CIDRGroup{Name: name, CIDRs: slices.Clone(cidrs)})
	}
	slices.SortFunc(out, func(a, b store.CIDRGroup) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// SetCIDRGroup creates or replaces the group with the set cidrs (kept as
// given, not masked). An empty name or an invalid prefix returns an error
// wrapping [store.ErrInvalid]. The Change (Kind [store.ChangeCIDR]) has no
// roles: every role's CIDR decision may change.
func (s *Store) SetCIDRGroup(ctx context.Context, name string, cidrs []netip.Prefix) error {
	const op = "SetCIDRGroup"
	if err := s.lock(ctx, op, name); err != nil {
		return err
	}
	if name == "" {
		s.unlock(nil)
		return invalid(op, name, "empty CIDR group name")
	}
	for _, p := range cidrs {
		if !p.IsValid() {
			s.unlock(nil)
			return invalid(op, name, "invalid prefix "+p.String())
		}
	}
	norm := slices.Clone(cidrs)
	if norm == nil {
		norm = []netip.Prefix{}
	}
	slices.SortFunc(norm, comparePrefix)
	norm = slices.Clip(slices.Compact(norm))
	if old, ok := s.groups[name]; ok && slices.Equal(old, norm) {
		s.unlock(nil)
		return nil
	}
	s.groups[intern(name)] = norm
	s.unlock(s.changeOf(store.ChangeCIDR, "", "", "", ""))
	return nil
}

// DropCIDRGroup deletes the group, or returns an error wrapping
// [store.ErrNotFound]. Roles' cidr_permissions naming it are left as they
// are, as in Cassandra.
func (s *Store) DropCIDRGroup(ctx context.Context, name string) error {
	const op = "DropCIDRGroup"
	if err := s.lock(ctx, op, name); err != nil {
		return err
	}
	if _, ok := s.groups[name]; !ok {
		s.unlock(nil)
		return opErr(op, name, store.ErrNotFound)
	}
	delete(s.groups, name)
	s.unlock(s.changeOf(store.ChangeCIDR, "", "", "", ""))
	return nil
}
