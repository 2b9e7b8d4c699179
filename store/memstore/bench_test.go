package memstore_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// grantShape is a distribution of grants over roles and resources.
type grantShape struct {
	name      string
	roles     int // grants = roles * perRole
	perRole   int
	resources int     // distinct resources the grants spread over
	budget    float64 // bytes per grant TestGrantMemoryTarget allows
}

var grantShapes = []grantShape{
	// Typical: many roles, a hundred grants each, over shared tables. The
	// design's target, 200 bytes per grant, applies here.
	{"shared", 1_000, 100, 10_000, 200},
	// Few resources granted to very many roles.
	{"fanout", 10_000, 10, 10, 200},
	// Worst case: every grant brings a role and a resource of its own, so
	// each grant also pays for two names (48 bytes here), two map entries
	// and two partitions. Guarded against regressions only.
	{"unique", 100_000, 1, 100_000, 300},
}

// fill stores shape's grants, with names built afresh so that only the
// store keeps them.
func fill(tb testing.TB, s *memstore.Store, shape grantShape) {
	ctx := context.Background()
	n := 0
	for r := range shape.roles {
		role := "user_" + strconv.Itoa(r)
		for g := range shape.perRole {
			res := "data/keyspace_" + strconv.Itoa(n%shape.resources/100) + "/table_" + strconv.Itoa(n%shape.resources)
			if _, err := s.AddPermissions(ctx, role, res, resource.SetOf(resource.Permission(g%10))); err != nil {
				tb.Fatal(err)
			}
			n++
		}
	}
}

// bytesPerGrant measures the heap a store of shape holds, per grant.
func bytesPerGrant(tb testing.TB, shape grantShape) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := memstore.New()
	fill(tb, s, shape)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(shape.roles*shape.perRole)
}

// BenchmarkGrantMemory reports the heap held per stored grant (bytes/grant)
// for 100k grants of each shape. DESIGN.md targets <= 200 (see grantShapes).
func BenchmarkGrantMemory(b *testing.B) {
	for _, shape := range grantShapes {
		b.Run(shape.name, func(b *testing.B) {
			var per float64
			for b.Loop() {
				per = bytesPerGrant(b, shape)
			}
			b.ReportMetric(per, "bytes/grant")
		})
	}
}

// TestGrantMemoryTarget holds the store to the design's memory budget.
func TestGrantMemoryTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("fills stores with 100k grants")
	}
	for _, shape := range grantShapes {
		per := bytesPerGrant(t, shape)
		t.Logf("%s: %.0f bytes/grant", shape.name, per)
		assert.LessOrEqual(t, per, shape.budget, "%s: bytes per grant", shape.name)
	}
}

func benchStore(b *testing.B) *memstore.Store {
	s := memstore.New()
	fill(b, s, grantShapes[0])
	if err := s.CreateRole(context.Background(), store.RoleRecord{Name: "alice", CanLogin: true, SaltedHash: "$2a$10$x"}); err != nil {
		b.Fatal(err)
	}
	for _, p := range []string{"p1", "p2", "p3"} {
		_ = s.CreateRole(context.Background(), store.RoleRecord{Name: p})
		_ = s.GrantRole(context.Background(), p, "alice")
	}
	return s
}

func BenchmarkGetPermissions(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	_, _ = s.AddPermissions(ctx, "small", "data/ks/t", resource.SetOf(resource.Select))
	cases := []struct{ name, role, res string }{
		{"hit", "user_500", "data/keyspace_0/table_50"},       // a role with 100 grants (map form)
		{"hit_small", "small", "data/ks/t"},                   // a role with 1 grant (slice form)
		{"miss_resource", "user_500", "data/keyspace_0/none"}, // role known, resource not
		{"miss_role", "nobody", "data/ks/t"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = s.GetPermissions(ctx, c.role, c.res)
			}
		})
	}
}

func BenchmarkGetPermissionsParallel(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = s.GetPermissions(ctx, "user_500", "data/keyspace_0/table_50")
		}
	})
}

func BenchmarkGetRole(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = s.GetRole(ctx, "alice")
	}
}

func BenchmarkAddRemovePermissions(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	sel := resource.SetOf(resource.Select, resource.Modify)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = s.AddPermissions(ctx, "user_1", "data/ks/new", sel)
		_, _ = s.RemovePermissions(ctx, "user_1", "data/ks/new", sel)
	}
}
