package dump_test

import (
	"context"
	"errors"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// tables is everything a store holds, read through every method of the
// contract that lists or looks up rows, in a comparable form.
type tables struct {
	Roles      []store.RoleRecord
	Members    map[string][]string // ListMembers of every role
	Grants     []store.Grant
	Grantees   map[string][]string // ListGrantees of every granted resource
	Network    map[string][]string
	CIDRPerms  map[string][]string
	Groups     []store.CIDRGroup
	Identities map[string]string
	Schema     []string
}

// tb is what the helpers need from *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

func must(t tb, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// readTables reads st completely. Network and CIDR permission rows are
// looked up for every role named anywhere (the contract cannot list them).
func readTables(t tb, st store.Store) tables {
	t.Helper()
	ctx := context.Background()
	var out tables
	var err error
	out.Roles, err = st.ListRoles(ctx)
	must(t, err)
	for i := range out.Roles {
		if len(out.Roles[i].Options) == 0 {
			out.Roles[i].Options = nil
		}
		if len(out.Roles[i].MemberOf) == 0 {
			out.Roles[i].MemberOf = nil
		}
	}
	out.Grants, err = st.ListGrants(ctx, "")
	must(t, err)
	out.Identities, err = st.ListIdentities(ctx)
	must(t, err)
	out.Groups, err = st.ListCIDRGroups(ctx)
	must(t, err)
	names := map[string]bool{}
	for _, r := range out.Roles {
		names[r.Name] = true
	}
	out.Grantees = map[string][]string{}
	for _, g := range out.Grants {
		names[g.Role] = true
		if _, ok := out.Grantees[g.Resource]; !ok {
			out.Grantees[g.Resource], err = st.ListGrantees(ctx, g.Resource)
			must(t, err)
		}
	}
	for _, r := range out.Identities {
		names[r] = true
	}
	out.Members = map[string][]string{}
	out.Network = map[string][]string{}
	out.CIDRPerms = map[string][]string{}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		m, err := st.ListMembers(ctx, n)
		must(t, err)
		if len(m) > 0 {
			out.Members[n] = m
		}
		if dcs, err := st.GetDatacenters(ctx, n); err == nil {
			out.Network[n] = dcs
		} else if !errors.Is(err, store.ErrNotFound) {
			must(t, err)
		}
		if groups, err := st.GetCIDRPermissions(ctx, n); err == nil {
			out.CIDRPerms[n] = groups
		} else if !errors.Is(err, store.ErrNotFound) {
			must(t, err)
		}
	}
	if cat, ok := st.(store.Catalog); ok {
		out.Schema, err = cat.ListSchemaObjects(ctx, "")
		must(t, err)
	}
	return out
}

// requireEmpty checks that st holds nothing at all.
func requireEmpty(t *testing.T, st *memstore.Store) {
	t.Helper()
	got := readTables(t, st)
	require.Empty(t, got.Roles, "roles")
	require.Empty(t, got.Grants, "grants")
	require.Empty(t, got.Identities, "identities")
	require.Empty(t, got.Groups, "CIDR groups")
	require.Empty(t, got.Schema, "schema")
	require.Empty(t, got.Network, "network")
	require.Empty(t, got.CIDRPerms, "CIDR permissions")
}

func newMem(t *testing.T) *memstore.Store {
	t.Helper()
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	return st
}

func perms(ps ...resource.Permission) resource.PermissionSet { return resource.SetOf(ps...) }

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// lines joins its arguments with "\n" and a final "\n".
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
