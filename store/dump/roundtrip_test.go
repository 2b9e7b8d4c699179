package dump_test

import (
	"bytes"
	"context"
	"net/netip"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/boltstore"
	"github.com/cassauth/cassauth/store/dump"
	"github.com/cassauth/cassauth/store/memstore"
)

// names draws role, identity and group names, including the characters
// that need quoting or escaping somewhere (quotes, backslashes, commas,
// slashes, control characters, non-ASCII).
func names() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.SampledFrom([]string{"cassandra", "app", "o'brien", `dev "ninja"`, `dom\user`, "a,b", "tab\there", "nl\nx", "ünï", "x/y", " sp "}),
		rapid.StringMatching(`[a-z][a-z0-9_]{0,6}`),
		rapid.StringN(1, 6, -1),
	)
}

// ident draws keyspace, table and function names that resource names can
// hold and parse back (no '/', no '[').
func ident() *rapid.Generator[string] {
	return rapid.OneOf(rapid.StringMatching(`[a-z][a-z0-9_]{0,5}`), rapid.SampledFrom([]string{"Ks", "t-1", "ünï"}))
}

// resources draws canonical resource names of every level.
func resources() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		switch rapid.IntRange(0, 9).Draw(t, "level") {
		case 0:
			return resource.AllKeyspaces.Name()
		case 1:
			return resource.Keyspace(ident().Draw(t, "ks")).Name()
		case 2:
			return resource.AllTables(ident().Draw(t, "ks")).Name()
		case 3:
			return resource.Table(ident().Draw(t, "ks"), ident().Draw(t, "t")).Name()
		case 4:
			return resource.AllRoles.Name()
		case 5:
			name := names().Filter(func(s string) bool { return s[0] != '/' }).Draw(t, "role")
			return resource.Role(name).Name()
		case 6:
			return resource.FunctionsIn(ident().Draw(t, "ks")).Name()
		case 7:
			args := rapid.SliceOfN(rapid.SampledFrom([]string{"int", "text", "frozen<list<int>>", "map<text, bigint>"}), 0, 3).Draw(t, "args")
			r, err := resource.Function(ident().Draw(t, "ks"), ident().Draw(t, "fn"), args...)
			if err != nil {
				t.Fatalf("Function: %v", err)
			}
			return r.Name()
		case 8:
			r, err := resource.MBean(rapid.SampledFrom([]string{
				"org.apache.cassandra.db:type=Tables,keyspace=ks,table=t",
				"org.apache.cassandra.db:type=*",
				"org.apache.cassandra.metrics:type=ClientRequest,*",
			}).Draw(t, "mbean"))
			if err != nil {
				t.Fatalf("MBean: %v", err)
			}
			return r.Name()
		}
		return resource.AllMBeans.Name()
	})
}

func prefixGen() *rapid.Generator[netip.Prefix] {
	return rapid.Custom(func(t *rapid.T) netip.Prefix {
		if rapid.Bool().Draw(t, "v6") {
			var a [16]byte
			copy(a[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "addr6"))
			return netip.PrefixFrom(netip.AddrFrom16(a), rapid.IntRange(0, 128).Draw(t, "bits"))
		}
		var a [4]byte
		copy(a[:], rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, "addr4"))
		return netip.PrefixFrom(netip.AddrFrom4(a), rapid.IntRange(0, 32).Draw(t, "bits"))
	})
}

// fill writes random contents to st through the store contract: roles with
// an acyclic membership graph, grants (some to roles that do not exist,
// which Cassandra's tables allow), network and CIDR rows, CIDR groups,
// identities and schema names.
func fill(t *rapid.T, st store.Store) {
	ctx := context.Background()
	roleNames := rapid.SliceOfNDistinct(names(), 0, 8, rapid.ID[string]).Draw(t, "roles")
	for _, n := range roleNames {
		r := store.RoleRecord{
			Name:        n,
			IsSuperuser: rapid.Bool().Draw(t, "super"),
			CanLogin:    rapid.Bool().Draw(t, "login"),
			SaltedHash:  rapid.SampledFrom([]string{"", "$2a$10$79Trxvht53RRuu/xMuoxae0DRvANNBVnw/OGGM2n8fnL3BjsjrQC6", "x\\\"y"}).Draw(t, "hash"),
		}
		if rapid.IntRange(0, 4).Draw(t, "hasOptions") == 0 {
			r.Options = rapid.MapOfN(names(), rapid.String(), 1, 3).Draw(t, "options")
		}
		must(t, st.CreateRole(ctx, r))
	}
	// i may be a member of j only when i < j: no cycles.
	for i := range roleNames {
		for j := i + 1; j < len(roleNames); j++ {
			if rapid.IntRange(0, 3).Draw(t, "member") == 0 {
				must(t, st.GrantRole(ctx, roleNames[j], roleNames[i]))
			}
		}
	}
	grantees := append(slices.Clone(roleNames), "ghost")
	for range rapid.IntRange(0, 10).Draw(t, "grants") {
		p := resource.PermissionSet(rapid.Uint16Range(1, uint16(resource.AllPermissions)).Draw(t, "perms"))
		_, err := st.AddPermissions(ctx, rapid.SampledFrom(grantees).Draw(t, "grantee"), resources().Draw(t, "resource"), p)
		must(t, err)
	}
	groupNames := rapid.SliceOfNDistinct(names(), 0, 3, rapid.ID[string]).Draw(t, "groups")
	for _, g := range groupNames {
		must(t, st.SetCIDRGroup(ctx, g, rapid.SliceOfN(prefixGen(), 0, 3).Draw(t, "cidrs")))
	}
	for _, role := range grantees {
		if rapid.Bool().Draw(t, "network") {
			must(t, st.SetDatacenters(ctx, role, rapid.SliceOfN(names(), 0, 3).Draw(t, "dcs")))
		}
		if rapid.Bool().Draw(t, "cidr") {
			must(t, st.SetCIDRPermissions(ctx, role, rapid.SliceOfN(names(), 0, 3).Draw(t, "cidrGroups")))
		}
	}
	for _, id := range rapid.SliceOfNDistinct(names(), 0, 4, rapid.ID[string]).Draw(t, "identities") {
		must(t, st.AddIdentity(ctx, id, rapid.SampledFrom(grantees).Draw(t, "identityRole")))
	}
	if cat, ok := st.(store.Catalog); ok {
		for _, n := range rapid.SliceOfNDistinct(resources(), 0, 4, rapid.ID[string]).Draw(t, "schema") {
			must(t, cat.AddSchemaObject(ctx, n))
		}
	}
}

func export(t tb, st store.Store) []byte {
	t.Helper()
	var b bytes.Buffer
	must(t, dump.Export(context.Background(), st, &b))
	return b.Bytes()
}

// TestRoundTrip is the round-trip property: export a random store, import
// the dump into a fresh store, export again: the two dumps are identical
// and every table reads the same.
func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		src := memstore.New()
		defer src.Close()
		fill(t, src)
		first := export(t, src)

		dst := memstore.New()
		defer dst.Close()
		if _, err := dump.Import(context.Background(), dst, bytes.NewReader(first), dump.ImportOptions{}); err != nil {
			t.Fatalf("Import: %v\n%s", err, first)
		}
		second := export(t, dst)
		if !bytes.Equal(first, second) {
			t.Fatalf("dumps differ:\n%s\n---\n%s", first, second)
		}
		// reflect.DeepEqual, not fmt: RoleRecord redacts its hash when
		// formatted.
		want, got := readTables(t, src), readTables(t, dst)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("tables differ:\n%+v\n%+v", want, got)
		}
	})
}

// TestRoundTripMergeIsIdempotent: importing a store's own dump into it with
// Merge changes nothing.
func TestRoundTripMergeIsIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		st := memstore.New()
		defer st.Close()
		fill(t, st)
		first := export(t, st)
		if _, err := dump.Import(context.Background(), st, bytes.NewReader(first), dump.ImportOptions{Merge: true}); err != nil {
			t.Fatalf("Import: %v", err)
		}
		if second := export(t, st); !bytes.Equal(first, second) {
			t.Fatalf("dumps differ:\n%s\n---\n%s", first, second)
		}
	})
}

// TestRoundTripBoltstore moves the Cassandra fixture from memstore to a
// boltstore file and back through dumps.
func TestRoundTripBoltstore(t *testing.T) {
	ctx := context.Background()
	mem := newMem(t)
	_, err := dump.ImportCassandraDir(ctx, mem, fixtureDir, dump.ImportOptions{})
	require.NoError(t, err)
	first := export(t, mem)

	bolt, err := boltstore.Open(filepath.Join(t.TempDir(), "auth.db"), &boltstore.Options{NoSync: true})
	require.NoError(t, err)
	defer bolt.Close()
	_, err = dump.Import(ctx, bolt, bytes.NewReader(first), dump.ImportOptions{})
	require.NoError(t, err)
	require.Equal(t, string(first), string(export(t, bolt)))
	require.Equal(t, readTables(t, mem), readTables(t, bolt))
}
