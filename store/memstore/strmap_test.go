package memstore

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestStrMapModel compares strMap with a Go map through random sets and
// deletes that cross the small/big threshold in both directions.
func TestStrMapModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var m strMap[int]
		ref := map[string]int{}
		key := rapid.Custom(func(t *rapid.T) string {
			return fmt.Sprintf("k%02d", rapid.IntRange(0, 3*smallMax).Draw(t, "k"))
		})
		t.Repeat(map[string]func(*rapid.T){
			"set": func(t *rapid.T) {
				k, v := key.Draw(t, "key"), rapid.Int().Draw(t, "val")
				_, had := ref[k]
				if m.set(k, v) == had {
					t.Fatalf("set(%q) reported new=%v, had=%v", k, !had, had)
				}
				ref[k] = v
			},
			"setMany": func(t *rapid.T) {
				for i := range rapid.IntRange(0, 2*smallMax).Draw(t, "n") {
					k := fmt.Sprintf("k%02d", i)
					m.set(k, i)
					ref[k] = i
				}
			},
			"del": func(t *rapid.T) {
				k := key.Draw(t, "key")
				want, had := ref[k]
				got, ok := m.del(k)
				if ok != had || got != want {
					t.Fatalf("del(%q) = %v, %v; want %v, %v", k, got, ok, want, had)
				}
				delete(ref, k)
			},
			"": func(t *rapid.T) {
				if m.len() != len(ref) {
					t.Fatalf("len = %d, want %d", m.len(), len(ref))
				}
				if m.big == nil && len(m.small) > smallMax {
					t.Fatalf("small form holds %d > %d entries", len(m.small), smallMax)
				}
				keys := slices.Sorted(maps.Keys(ref))
				if got := m.keys(); !slices.Equal(got, keys) {
					t.Fatalf("keys = %q, want %q", got, keys)
				}
				for i, e := range m.sorted() {
					if e.key != keys[i] || e.val != ref[e.key] {
						t.Fatalf("sorted()[%d] = %v", i, e)
					}
				}
				n := 0
				m.each(func(k string, v int) {
					n++
					if ref[k] != v {
						t.Fatalf("each: %q = %d, want %d", k, v, ref[k])
					}
				})
				if n != len(ref) {
					t.Fatalf("each visited %d, want %d", n, len(ref))
				}
				for _, k := range []string{"k00", "k07", "k31", "absent"} {
					got, ok := m.get(k)
					want, had := ref[k]
					if ok != had || got != want {
						t.Fatalf("get(%q) = %v, %v; want %v, %v", k, got, ok, want, had)
					}
				}
			},
		})
	})
}

func TestStrMapShrinksBack(t *testing.T) {
	var m strMap[struct{}]
	for i := range 2 * smallMax {
		m.set(fmt.Sprintf("k%02d", i), struct{}{})
	}
	require.NotNil(t, m.big, "above smallMax the map form is used")
	for i := range 2*smallMax - 2 {
		m.del(fmt.Sprintf("k%02d", i))
	}
	require.Nil(t, m.big, "a map that shrinks goes back to the slice form")
	require.Equal(t, []string{fmt.Sprintf("k%02d", 2*smallMax-2), fmt.Sprintf("k%02d", 2*smallMax-1)}, m.keys())
	m.del(fmt.Sprintf("k%02d", 2*smallMax-2))
	m.del(fmt.Sprintf("k%02d", 2*smallMax-1))
	require.Zero(t, m.len())
	require.Nil(t, m.small, "an empty map holds no slice")
}
