package boltstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"

	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Random operations over small pools of names, shared by the crash test
// and the differential test against store/memstore. Small pools make
// operations collide: grants of dropped roles, drops of granted ones.

var (
	poolRoles      = []string{"r0", "r1", "r2", "r3", "r4", "r5", "a\x00b", "é"}
	poolResources  = []string{"data", "data/ks", "data/ks/*", "data/ks/t0", "data/ks/t1", "roles/r1", "functions/ks/f[int]"}
	poolIdentities = []string{"spiffe://x/a", "spiffe://x/b", "cn=c"}
	poolDCs        = []string{"dc1", "dc2", "dc3"}
	poolGroups     = []string{"g0", "g1", "g2"}
	poolPrefixes   = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.0/24"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("10.1.2.3/32"),
	}
)

// picker draws small integers: *rand.Rand, or rapid through rapidPicker.
type picker interface{ IntN(n int) int }

// rapidPicker draws from rapid, so that failing sequences shrink.
type rapidPicker struct{ t *rapid.T }

func (p rapidPicker) IntN(n int) int { return rapid.IntRange(0, n-1).Draw(p.t, "n") }

func pick[T any](p picker, xs []T) T { return xs[p.IntN(len(xs))] }

// subset returns a random subset of xs, possibly with duplicates.
func subset[T any](p picker, xs []T) []T {
	out := []T{}
	for range p.IntN(len(xs) + 1) {
		out = append(out, pick(p, xs))
	}
	return out
}

// op is one write to a store.
type op struct {
	desc string
	run  func(ctx context.Context, s store.Store) error
}

func (o op) String() string { return o.desc }

// genOp draws one write.
func genOp(p picker) op {
	role, other := pick(p, poolRoles), pick(p, poolRoles)
	res := pick(p, poolResources)
	perms := resource.PermissionSet(p.IntN(1 << 10))
	switch p.IntN(17) {
	case 0, 1:
		r := store.RoleRecord{Name: role, IsSuperuser: p.IntN(2) == 0, CanLogin: p.IntN(2) == 0}
		if p.IntN(2) == 0 {
			r.SaltedHash = fmt.Sprintf("$2a$10$hash%d", p.IntN(3))
		}
		if p.IntN(3) == 0 {
			r.Options = map[string]string{"k": pick(p, poolDCs)}
		}
		return op{fmt.Sprintf("CreateRole(%q)", role), func(ctx context.Context, s store.Store) error { return s.CreateRole(ctx, r) }}
	case 2:
		u := store.RoleUpdate{}
		if p.IntN(2) == 0 {
			u.IsSuperuser = ptr(p.IntN(2) == 0)
		}
		if p.IntN(2) == 0 {
			u.SaltedHash = ptr([]string{"", "$2a$10$new"}[p.IntN(2)])
		}
		if p.IntN(3) == 0 {
			u.Options = map[string]string{}
		}
		return op{fmt.Sprintf("UpdateRole(%q)", role), func(ctx context.Context, s store.Store) error { return s.UpdateRole(ctx, role, u) }}
	case 3:
		return op{fmt.Sprintf("DropRole(%q)", role), func(ctx context.Context, s store.Store) error { return s.DropRole(ctx, role) }}
	case 4, 5:
		return op{fmt.Sprintf("GrantRole(%q, %q)", role, other), func(ctx context.Context, s store.Store) error { return s.GrantRole(ctx, role, other) }}
	case 6:
		return op{fmt.Sprintf("RevokeRole(%q, %q)", role, other), func(ctx context.Context, s store.Store) error { return s.RevokeRole(ctx, role, other) }}
	case 7, 8:
		return op{fmt.Sprintf("AddPermissions(%q, %q, %v)", role, res, perms), func(ctx context.Context, s store.Store) error {
			_, err := s.AddPermissions(ctx, role, res, perms)
			return err
		}}
	case 9:
		return op{fmt.Sprintf("RemovePermissions(%q, %q, %v)", role, res, perms), func(ctx context.Context, s store.Store) error {
			_, err := s.RemovePermissions(ctx, role, res, perms)
			return err
		}}
	case 10:
		return op{fmt.Sprintf("RevokeAllFrom(%q)", role), func(ctx context.Context, s store.Store) error { return s.RevokeAllFrom(ctx, role) }}
	case 11:
		return op{fmt.Sprintf("RevokeAllOn(%q)", res), func(ctx context.Context, s store.Store) error { return s.RevokeAllOn(ctx, res) }}
	case 12:
		dcs := subset(p, poolDCs)
		if p.IntN(4) == 0 {
			return op{fmt.Sprintf("DropDatacenters(%q)", role), func(ctx context.Context, s store.Store) error { return s.DropDatacenters(ctx, role) }}
		}
		return op{fmt.Sprintf("SetDatacenters(%q, %q)", role, dcs), func(ctx context.Context, s store.Store) error { return s.SetDatacenters(ctx, role, dcs) }}
	case 13:
		groups := subset(p, poolGroups)
		if p.IntN(4) == 0 {
			return op{fmt.Sprintf("DropCIDRPermissions(%q)", role), func(ctx context.Context, s store.Store) error { return s.DropCIDRPermissions(ctx, role) }}
		}
		return op{fmt.Sprintf("SetCIDRPermissions(%q, %q)", role, groups), func(ctx context.Context, s store.Store) error {
			return s.SetCIDRPermissions(ctx, role, groups)
		}}
	case 14:
		g, cidrs := pick(p, poolGroups), subset(p, poolPrefixes)
		if p.IntN(3) == 0 {
			return op{fmt.Sprintf("DropCIDRGroup(%q)", g), func(ctx context.Context, s store.Store) error { return s.DropCIDRGroup(ctx, g) }}
		}
		return op{fmt.Sprintf("SetCIDRGroup(%q, %v)", g, cidrs), func(ctx context.Context, s store.Store) error { return s.SetCIDRGroup(ctx, g, cidrs) }}
	case 15:
		id := pick(p, poolIdentities)
		return op{fmt.Sprintf("AddIdentity(%q, %q)", id, role), func(ctx context.Context, s store.Store) error { return s.AddIdentity(ctx, id, role) }}
	default:
		id := pick(p, poolIdentities)
		return op{fmt.Sprintf("DropIdentity(%q)", id), func(ctx context.Context, s store.Store) error { return s.DropIdentity(ctx, id) }}
	}
}

// opAt returns the i-th write of the sequence seed names.
func opAt(seed uint64, i int) op { return genOp(rand.New(rand.NewPCG(seed, uint64(i)))) }

// errClass reduces an error to the contract's sentinel it matches; any
// other error is "unexpected".
func errClass(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, store.ErrNotFound):
		return "not found"
	case errors.Is(err, store.ErrExists):
		return "exists"
	case errors.Is(err, store.ErrInvalid):
		return "invalid"
	}
	return "unexpected: " + err.Error()
}

// snapshot is everything a store holds over the pools, in comparable form.
type snapshot struct {
	Roles      []string // String of each record, hash included
	Members    map[string][]string
	Grants     []store.Grant
	Grantees   map[string][]string
	DCs        map[string]string
	CIDRPerms  map[string]string
	Groups     []store.CIDRGroup
	Identities map[string]string
}

// takeSnapshot reads everything the pools can reach from s.
func takeSnapshot(ctx context.Context, s store.Store) (snapshot, error) {
	var snap snapshot
	roles, err := s.ListRoles(ctx)
	if err != nil {
		return snap, err
	}
	for _, r := range roles {
		snap.Roles = append(snap.Roles, fmt.Sprintf("%q super=%t login=%t hash=%q member_of=%q options=%v",
			r.Name, r.IsSuperuser, r.CanLogin, r.SaltedHash, r.MemberOf, r.Options))
	}
	snap.Members = map[string][]string{}
	snap.DCs, snap.CIDRPerms = map[string]string{}, map[string]string{}
	for _, r := range poolRoles {
		if snap.Members[r], err = s.ListMembers(ctx, r); err != nil {
			return snap, err
		}
		dcs, err := s.GetDatacenters(ctx, r)
		snap.DCs[r] = fmt.Sprintf("%q %s", dcs, errClass(err))
		groups, err := s.GetCIDRPermissions(ctx, r)
		snap.CIDRPerms[r] = fmt.Sprintf("%q %s", groups, errClass(err))
	}
	if snap.Grants, err = s.ListGrants(ctx, ""); err != nil {
		return snap, err
	}
	snap.Grantees = map[string][]string{}
	for _, res := range poolResources {
		if snap.Grantees[res], err = s.ListGrantees(ctx, res); err != nil {
			return snap, err
		}
	}
	if snap.Groups, err = s.ListCIDRGroups(ctx); err != nil {
		return snap, err
	}
	if snap.Identities, err = s.ListIdentities(ctx); err != nil {
		return snap, err
	}
	return snap, nil
}

// sortedCopy returns a sorted copy of xs.
func sortedCopy(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

func ptr[T any](v T) *T { return &v }
