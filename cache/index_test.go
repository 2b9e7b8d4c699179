package cache

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestIndexModel checks the index against a map through puts, removals,
// resets and growth, with a hash narrow enough to collide often.
func TestIndexModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var x index[int, int]
		x.init()
		model := map[int]*entry[int, int]{}
		hashBits := rapid.IntRange(1, 12).Draw(t, "hashBits")
		hash := func(k int) uint64 { return uint64(k*2654435761) & (1<<hashBits - 1) }
		key := rapid.IntRange(0, 500)
		t.Repeat(map[string]func(*rapid.T){
			"put": func(t *rapid.T) {
				k := key.Draw(t, "k")
				e := &entry[int, int]{hash: hash(k), key: k, val: rapid.Int().Draw(t, "v")}
				s := x.lock(e.hash)
				old := x.putLocked(e)
				s.mu.Unlock()
				if old != model[k] {
					t.Fatalf("put replaced %p; want %p", old, model[k])
				}
				model[k] = e
				x.maybeGrow()
			},
			"put many": func(t *rapid.T) {
				for k := range rapid.IntRange(0, 300).Draw(t, "n") {
					e := &entry[int, int]{hash: hash(k), key: k}
					s := x.lock(e.hash)
					x.putLocked(e)
					s.mu.Unlock()
					model[k] = e
				}
				x.maybeGrow()
			},
			"remove entry": func(t *rapid.T) {
				k := key.Draw(t, "k")
				e := model[k]
				if e == nil {
					e = &entry[int, int]{hash: hash(k), key: k}
				}
				s := x.lock(e.hash)
				removed := x.removeLocked(e)
				s.mu.Unlock()
				if removed != (model[k] != nil) {
					t.Fatalf("removeLocked(%d) = %v", k, removed)
				}
				delete(model, k)
			},
			"remove key": func(t *rapid.T) {
				k := key.Draw(t, "k")
				s := x.lock(hash(k))
				got := x.removeKeyLocked(hash(k), k)
				s.mu.Unlock()
				if got != model[k] {
					t.Fatalf("removeKeyLocked(%d) = %p; want %p", k, got, model[k])
				}
				delete(model, k)
			},
			"reset": func(t *rapid.T) {
				x.lockAll()
				x.resetLocked()
				x.unlockAll()
				clear(model)
			},
			"": func(t *rapid.T) {
				if int(x.size.Load()) != len(model) {
					t.Fatalf("size %d; want %d", x.size.Load(), len(model))
				}
				for k := range 501 {
					if got := x.find(hash(k), k); got != model[k] {
						t.Fatalf("find(%d) = %p; want %p", k, got, model[k])
					}
				}
				if n := len(x.snapshot()); n != len(model) {
					t.Fatalf("snapshot has %d entries; want %d", n, len(model))
				}
				var all []*entry[int, int]
				for i := range numStripes {
					all = x.appendStripeLocked(all, i)
				}
				if len(all) != len(model) {
					t.Fatalf("stripes hold %d entries; want %d", len(all), len(model))
				}
			},
		})
	})
}

func TestIndexGrowsAndSameHash(t *testing.T) {
	var x index[int, int]
	x.init()
	for k := range 1000 {
		e := &entry[int, int]{hash: uint64(k % 100), key: k}
		s := x.lock(e.hash)
		x.putLocked(e)
		s.mu.Unlock()
		x.maybeGrow()
	}
	assert.EqualValues(t, 1000, x.size.Load())
	assert.GreaterOrEqual(t, len(x.tab.Load().buckets), 1000/maxLoad)
	s := x.lock(7)
	same := x.sameHashLocked(7)
	s.mu.Unlock()
	require.Len(t, same, 10)
	for _, e := range same {
		assert.Equal(t, 7, e.key%100)
	}
}
