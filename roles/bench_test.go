package roles

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchTable returns a Table over a memstore holding 1000 unrelated roles
// and a role "u" whose closure has size roles: u is granted up to 4 groups,
// each of which is granted up to 3 more roles (1, 5 or 17 in all).
func benchTable(b *testing.B, size int) *Table {
	b.Helper()
	tb, _ := newTable(b, nil)
	ctx := context.Background()
	for i := range 1000 {
		require.NoError(b, tb.CreateRole(ctx, System, fmt.Sprintf("noise%04d", i), Options{}))
	}
	mustCreate(b, tb, "u")
	made := 1
	var groups []string
	for g := 0; g < 4 && made < size; g++ {
		name := fmt.Sprintf("group%d", g)
		mustCreate(b, tb, name)
		mustGrant(b, tb, name, "u")
		groups = append(groups, name)
		made++
	}
	for _, g := range groups {
		for k := 0; k < 3 && made < size; k++ {
			name := fmt.Sprintf("%s-sub%d", g, k)
			mustCreate(b, tb, name)
			mustGrant(b, tb, name, g)
			made++
		}
	}
	details, err := tb.RoleDetails(ctx, "u")
	require.NoError(b, err)
	require.Len(b, details, size)
	return tb
}

func BenchmarkRoleDetails(b *testing.B) {
	for _, size := range []int{1, 5, 17} {
		b.Run(fmt.Sprintf("closure=%d", size), func(b *testing.B) {
			tb := benchTable(b, size)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				details, err := tb.RoleDetails(ctx, "u")
				if err != nil || len(details) != size {
					b.Fatal(err, len(details))
				}
			}
		})
	}
}

func BenchmarkHasSuperuserStatus(b *testing.B) {
	for _, size := range []int{1, 17} {
		b.Run(fmt.Sprintf("closure=%d", size), func(b *testing.B) {
			tb := benchTable(b, size)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := HasSuperuserStatus(ctx, tb, "u"); err != nil || ok {
					b.Fatal(err, ok)
				}
			}
		})
	}
}
