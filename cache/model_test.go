package cache

import (
	"context"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The model: a plain map with Cassandra's rules, stepped in lockstep with a
// cache on a fake clock. MaxEntries is always 0 (caching off) or larger
// than the key space, so nothing is evicted and the model is exact: every
// Get's value or error, and every counter, must match.

type modelEntry struct {
	val  int
	born time.Duration
	id   int
}

type cacheModel struct {
	s        Settings
	now      time.Duration
	store    map[string]int
	failing  bool
	entries  map[string]modelEntry
	nextID   int
	nextTick time.Duration // when active update is on
	stats    Stats
}

func (m *cacheModel) newEntry(k string) modelEntry {
	m.nextID++
	return modelEntry{val: m.store[k], born: m.now, id: m.nextID}
}

// load models one call of the loader for k at m.now.
func (m *cacheModel) load(k string) (modelEntry, bool) {
	m.stats.Loads++
	if m.failing {
		m.stats.LoadFailures++
		return modelEntry{}, false
	}
	return m.newEntry(k), true
}

// get returns the expected value (ok false: the expected error).
func (m *cacheModel) get(k string) (int, bool) {
	if !m.s.Enabled() {
		m.stats.Misses++
		e, ok := m.load(k)
		return e.val, ok
	}
	if e, ok := m.entries[k]; ok && m.now-e.born < m.s.Validity {
		m.stats.Hits++
		if m.now-e.born >= m.s.refreshAfter() {
			// The reload the read scheduled runs at the next Advance(0),
			// which the test performs right after the Get.
			if ne, ok := m.load(k); ok {
				m.entries[k] = ne
			}
		}
		return e.val, true
	}
	m.stats.Misses++
	e, ok := m.load(k)
	if ok {
		m.entries[k] = e
	}
	return e.val, ok
}

func (m *cacheModel) advance(d time.Duration) {
	target := m.now + d
	for m.s.Enabled() && m.s.ActiveUpdate && m.nextTick <= target {
		m.now = m.nextTick
		m.nextTick += m.s.EffectiveUpdateInterval()
		for _, k := range slices.Sorted(mapKeys(m.entries)) {
			if m.now-m.entries[k].born >= m.s.Validity {
				continue
			}
			if e, ok := m.load(k); ok {
				m.entries[k] = e
			}
			if m.entries[k].val < 0 { // the invalidation condition
				delete(m.entries, k)
			}
		}
	}
	m.now = target
}

func (m *cacheModel) reconfigure(s Settings) {
	if !s.Enabled() || !m.s.Enabled() {
		clear(m.entries)
	}
	m.s = s
	m.nextTick = m.now + s.EffectiveUpdateInterval()
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func drawSettings(t *rapid.T, label string) Settings {
	validity := time.Duration(rapid.IntRange(0, 6).Draw(t, label+"validity")) * time.Second
	return Settings{
		Validity:       validity,
		UpdateInterval: time.Duration(rapid.IntRange(-1, 7).Draw(t, label+"interval")) * time.Second,
		MaxEntries:     rapid.SampledFrom([]int{0, 16, 64}).Draw(t, label+"maxEntries"),
		ActiveUpdate:   rapid.Bool().Draw(t, label+"activeUpdate"),
	}
}

func TestModel(t *testing.T) {
	rapid.Check(t, testModel)
}

func testModel(t *rapid.T) {
	keys := []string{"a", "b", "c", "d"}
	store := newFakeStore()
	clock := NewFakeClock(time.Time{})
	s := drawSettings(t, "initial ")
	c, err := New(Options[string, int]{
		Settings:              s,
		Load:                  store.load,
		LoadAll:               store.loadAll,
		InvalidationCondition: func(v int) bool { return v < 0 },
		Clock:                 clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := &cacheModel{s: s, store: map[string]int{}, entries: map[string]modelEntry{}}
	m.reconfigure(s)
	ctx := context.Background()
	key := rapid.SampledFrom(keys)

	t.Repeat(map[string]func(*rapid.T){
		"get": func(t *rapid.T) {
			k := key.Draw(t, "key")
			got, err := c.Get(ctx, k)
			clock.Advance(0)
			want, ok := m.get(k)
			if ok && (err != nil || got != want) {
				t.Fatalf("Get(%s) = %d, %v; want %d", k, got, err, want)
			}
			if !ok && err == nil {
				t.Fatalf("Get(%s) = %d; want the store's error", k, got)
			}
		},
		"write": func(t *rapid.T) {
			// A change the cache is not told about: served stale until
			// validity or a reload.
			k, v := key.Draw(t, "key"), rapid.IntRange(-1, 100).Draw(t, "val")
			store.set(k, v)
			m.store[k] = v
		},
		"write and invalidate": func(t *rapid.T) {
			k, v := key.Draw(t, "key"), rapid.IntRange(-1, 100).Draw(t, "val")
			store.set(k, v)
			m.store[k] = v
			c.Invalidate(k)
			delete(m.entries, k)
		},
		"invalidate if": func(t *rapid.T) {
			mod := rapid.IntRange(2, 3).Draw(t, "mod")
			n := c.InvalidateIf(func(_ string, v int) bool { return v%mod == 0 })
			removed := 0
			for k, e := range m.entries {
				if e.val%mod == 0 {
					delete(m.entries, k)
					removed++
				}
			}
			if n != removed {
				t.Fatalf("InvalidateIf removed %d; want %d", n, removed)
			}
		},
		"invalidate all": func(t *rapid.T) {
			c.InvalidateAll()
			clear(m.entries)
		},
		"advance": func(t *rapid.T) {
			d := time.Duration(rapid.IntRange(0, 4000).Draw(t, "ms")) * time.Millisecond
			clock.Advance(d)
			m.advance(d)
		},
		"toggle failures": func(t *rapid.T) {
			m.failing = !m.failing
			if m.failing {
				store.setFail(errStore)
			} else {
				store.setFail(nil)
			}
		},
		"warm": func(t *rapid.T) {
			err := c.Warm(ctx)
			if !m.s.Enabled() {
				if err != nil {
					t.Fatalf("Warm on a disabled cache: %v", err)
				}
				return
			}
			m.stats.Loads++
			if m.failing {
				m.stats.LoadFailures++
				if err == nil {
					t.Fatal("Warm hid the bulk loader's error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Warm: %v", err)
			}
			for k := range m.store {
				if _, ok := m.entries[k]; !ok {
					m.entries[k] = m.newEntry(k)
				}
			}
		},
		"reconfigure": func(t *rapid.T) {
			s := drawSettings(t, "")
			if err := c.Reconfigure(s); err != nil {
				t.Fatal(err)
			}
			m.reconfigure(s)
		},
		"": func(t *rapid.T) {
			settle(c)
			got := c.Stats()
			want := m.stats
			want.Size = len(m.entries)
			if got != want {
				t.Fatalf("stats = %+v; want %+v (settings %+v, now %v)", got, want, m.s, m.now)
			}
		},
	})
}
