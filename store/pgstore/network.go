package pgstore

import (
	"context"
	"net/netip"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/cassauth/cassauth/store"
)

// netSQL is the SQL of network_permissions, cidr_permissions and
// cidr_groups.
type netSQL struct {
	getDCs, setDCs, dropDCs       string
	getCIDR, setCIDR, dropCIDR    string
	listGroups, setGroup, dropGrp string
}

func newNetSQL(x func(string) string) netSQL {
	// An upsert that changes nothing affects no row: the WHERE of
	// DO UPDATE skips equal values, so such a write sends no change.
	set := func(table, col string) string {
		return x(`INSERT INTO {s}.` + table + ` AS t (role, ` + col + `) VALUES ($1, $2)
			ON CONFLICT (role) DO UPDATE SET ` + col + ` = EXCLUDED.` + col + `
			WHERE t.` + col + ` IS DISTINCT FROM EXCLUDED.` + col)
	}
	return netSQL{
		getDCs:     x(`SELECT dcs FROM {s}.network_permissions WHERE role = $1`),
		setDCs:     set(tableNetwork, "dcs"),
		dropDCs:    x(`DELETE FROM {s}.network_permissions WHERE role = $1`),
		getCIDR:    x(`SELECT cidr_groups FROM {s}.cidr_permissions WHERE role = $1`),
		setCIDR:    set(tableCIDRPerms, "cidr_groups"),
		dropCIDR:   x(`DELETE FROM {s}.cidr_permissions WHERE role = $1`),
		listGroups: x(`SELECT cidr_group, cidrs FROM {s}.cidr_groups ORDER BY cidr_group`),
		setGroup: x(`INSERT INTO {s}.cidr_groups AS t (cidr_group, cidrs) VALUES ($1, $2)
			ON CONFLICT (cidr_group) DO UPDATE SET cidrs = EXCLUDED.cidrs WHERE t.cidrs IS DISTINCT FROM EXCLUDED.cidrs`),
		dropGrp: x(`DELETE FROM {s}.cidr_groups WHERE cidr_group = $1`),
	}
}

// getSet implements GetDatacenters and GetCIDRPermissions.
func (s *Store) getSet(ctx context.Context, op, sql, role string) ([]string, error) {
	if err := s.begin(ctx, op, role); err != nil {
		return nil, err
	}
	if !storable(role) {
		return nil, opErr(op, role, store.ErrNotFound)
	}
	var xs []string
	err := s.pool.QueryRow(ctx, sql, role).Scan(&xs)
	switch {
	case errNoRows(err):
		return nil, opErr(op, role, store.ErrNotFound)
	case err != nil:
		return nil, s.fail(ctx, op, role, err)
	}
	return nonNil(normalizeSet(xs)), nil
}

// setSet implements SetDatacenters and SetCIDRPermissions.
func (s *Store) setSet(ctx context.Context, op, sql, role string, xs []string, kind store.ChangeKind) error {
	if err := s.begin(ctx, op, role); err != nil {
		return err
	}
	if role == "" {
		return invalid(op, role, "empty role name")
	}
	if !storable(role) {
		return invalid(op, role, "role name is not valid UTF-8 without NUL")
	}
	for _, x := range xs {
		if !storable(x) {
			return invalid(op, role, "a name in the set is not valid UTF-8 without NUL")
		}
	}
	norm := nonNil(normalizeSet(slices.Clone(xs)))
	return s.write(ctx, op, role, false, func(tx pgx.Tx) (*store.Change, error) {
		tag, err := tx.Exec(ctx, sql, role, norm)
		if err != nil || tag.RowsAffected() == 0 {
			return nil, err
		}
		return &store.Change{Kind: kind, Roles: []string{role}}, nil
	})
}

// dropSet implements DropDatacenters and DropCIDRPermissions.
func (s *Store) dropSet(ctx context.Context, op, sql, role string, kind store.ChangeKind) error {
	if err := s.begin(ctx, op, role); err != nil {
		return err
	}
	if !storable(role) {
		return nil
	}
	return s.write(ctx, op, role, false, func(tx pgx.Tx) (*store.Change, error) {
		tag, err := tx.Exec(ctx, sql, role)
		if err != nil || tag.RowsAffected() == 0 {
			return nil, err
		}
		return &store.Change{Kind: kind, Roles: []string{role}}, nil
	})
}

// GetDatacenters returns the datacenters role is restricted to, sorted and
// without duplicates; an empty, non-nil slice means all datacenters. No row
// returns an error wrapping [store.ErrNotFound] (also all datacenters).
func (s *Store) GetDatacenters(ctx context.Context, role string) ([]string, error) {
	return s.getSet(ctx, "GetDatacenters", s.sql.net.getDCs, role)
}

// SetDatacenters replaces the role's row with the set dcs; an empty dcs
// means all. An empty role name, or names PostgreSQL cannot hold, return an
// error wrapping [store.ErrInvalid]. The role need not exist.
func (s *Store) SetDatacenters(ctx context.Context, role string, dcs []string) error {
	return s.setSet(ctx, "SetDatacenters", s.sql.net.setDCs, role, dcs, store.ChangeNetwork)
}

// DropDatacenters deletes the role's row; no row is a no-op.
func (s *Store) DropDatacenters(ctx context.Context, role string) error {
	return s.dropSet(ctx, "DropDatacenters", s.sql.net.dropDCs, role, store.ChangeNetwork)
}

// GetCIDRPermissions returns the CIDR groups role may connect from, sorted
// and without duplicates; an empty, non-nil slice means all. No row returns
// an error wrapping [store.ErrNotFound] (also all).
func (s *Store) GetCIDRPermissions(ctx context.Context, role string) ([]string, error) {
	return s.getSet(ctx, "GetCIDRPermissions", s.sql.net.getCIDR, role)
}

// SetCIDRPermissions replaces the role's row with the set groups; empty
// means all. An empty role name, or names PostgreSQL cannot hold, return an
// error wrapping [store.ErrInvalid]. Neither the role nor the groups need
// exist.
func (s *Store) SetCIDRPermissions(ctx context.Context, role string, groups []string) error {
	return s.setSet(ctx, "SetCIDRPermissions", s.sql.net.setCIDR, role, groups, store.ChangeCIDR)
}

// DropCIDRPermissions deletes the role's row; no row is a no-op.
func (s *Store) DropCIDRPermissions(ctx context.Context, role string) error {
	return s.dropSet(ctx, "DropCIDRPermissions", s.sql.net.dropCIDR, role, store.ChangeCIDR)
}

// comparePrefix orders prefixes by address, then by length.
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// normalizePrefixes sorts ps by address then length and removes
// duplicates, in place; the result is never nil.
func normalizePrefixes(ps []netip.Prefix) []netip.Prefix {
	slices.SortFunc(ps, comparePrefix)
	return nonNil(slices.Compact(ps))
}

// ListCIDRGroups returns every CIDR group sorted by name, each with its
// prefixes sorted by address then length, without duplicates.
func (s *Store) ListCIDRGroups(ctx context.Context) ([]store.CIDRGroup, error) {
	const op = "ListCIDRGroups"
	if err := s.begin(ctx, op, ""); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.sql.net.listGroups)
	if err != nil {
		return nil, s.fail(ctx, op, "", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.CIDRGroup, error) {
		var g store.CIDRGroup
		err := row.Scan(&g.Name, &g.CIDRs)
		g.CIDRs = normalizePrefixes(g.CIDRs)
		return g, err
	})
	if err != nil {
		return nil, s.fail(ctx, op, "", err)
	}
	if out == nil {
		out = []store.CIDRGroup{}
	}
	return out, nil
}

// SetCIDRGroup creates or replaces the group with the set cidrs, stored as
// inet values kept as given (host bits are not masked). An empty or
// unstorable name, or an invalid prefix, returns an error wrapping
// [store.ErrInvalid]. The Change (Kind [store.ChangeCIDR]) has no roles:
// every role's CIDR decision may change.
func (s *Store) SetCIDRGroup(ctx context.Context, name string, cidrs []netip.Prefix) error {
	const op = "SetCIDRGroup"
	if err := s.begin(ctx, op, name); err != nil {
		return err
	}
	switch {
	case name == "":
		return invalid(op, name, "empty CIDR group name")
	case !storable(name):
		return invalid(op, name, "CIDR group name is not valid UTF-8 without NUL")
	}
	for _, p := range cidrs {
		if !p.IsValid() {
			return invalid(op, name, "invalid prefix "+p.String())
		}
	}
	norm := normalizePrefixes(slices.Clone(cidrs))
	return s.write(ctx, op, name, false, func(tx pgx.Tx) (*store.Change, error) {
		tag, err := tx.Exec(ctx, s.sql.net.setGroup, name, norm)
		if err != nil || tag.RowsAffected() == 0 {
			return nil, err
		}
		return &store.Change{Kind: store.ChangeCIDR}, nil
	})
}

// DropCIDRGroup deletes the group, or returns an error wrapping
// [store.ErrNotFound]. Roles' cidr_permissions naming it are left as they
// are, as in Cassandra.
func (s *Store) DropCIDRGroup(ctx context.Context, name string) error {
	const op = "DropCIDRGroup"
	if err := s.begin(ctx, op, name); err != nil {
		return err
	}
	if !storable(name) {
		return opErr(op, name, store.ErrNotFound)
	}
	return s.write(ctx, op, name, false, func(tx pgx.Tx) (*store.Change, error) {
		tag, err := tx.Exec(ctx, s.sql.net.dropGrp, name)
		if err != nil {
			return nil, err
		}
		if tag.RowsAffected() == 0 {
			return nil, store.ErrNotFound
		}
		return &store.Change{Kind: store.ChangeCIDR}, nil
	})
}
