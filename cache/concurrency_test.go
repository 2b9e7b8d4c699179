package cache

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMissStormLoadsOnce(t *testing.T) {
	for _, s := range []Settings{
		settings(time.Hour, 0, 100),
		settings(time.Hour, time.Minute, 100),
	} {
		t.Run(fmt.Sprintf("%v", s.UpdateInterval), func(t *testing.T) {
			const n = 64
			store := newFakeStore()
			store.set("hot", 5)
			c, _ := newTestCache(t, s, store)
			gate := make(chan struct{})
			store.setGate(gate)
			var wg sync.WaitGroup
			results := make(chan int, n)
			for range n {
				wg.Go(func() { results <- mustGet(t, c, "hot") })
			}
			// Wait until every goroutine has missed and is waiting on the
			// one load (the loader is held back by the gate).
			for c.Stats().Misses < n {
				runtime.Gosched()
			}
			close(gate)
			wg.Wait()
			close(results)
			for v := range results {
				assert.Equal(t, 5, v)
			}
			assert.EqualValues(t, 1, store.calls.Load(), "exactly one load")
			assert.Equal(t, Stats{Misses: n, Loads: 1, Size: 1}, c.Stats())
		})
	}
}

// TestGetAfterInvalidateSeesTheWrite checks the promise the layers above
// rely on: write to the store, invalidate (one key, by predicate or all),
// and every Get that starts after the invalidation returns sees the write
// (or a later one), while loads, reloads, ristretto's buffered writes and
// evictions race with it.
func TestGetAfterInvalidateSeesTheWrite(t *testing.T) {
	const keys = 8
	store := newFakeStore()
	// Small MaxEntries: evictions and refusals race too. A short update
	// interval on a real clock: background reloads race too.
	c, err := New(Options[string, int]{
		Settings:           settings(time.Hour, time.Millisecond, keys/2),
		Load:               store.load,
		MaxConcurrentLoads: 4,
	})
	require.NoError(t, err)
	defer c.Close()

	var published [keys]atomic.Int64 // version whose Invalidate has returned
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for v := 1; ; v++ {
				select {
				case <-stop:
					return
				default:
				}
				k := (v*2 + w) % keys
				name := fmt.Sprint("k", k)
				store.set(name, v)
				switch {
				case v%5 == 0:
					c.InvalidateIf(func(key string, _ int) bool { return key == name })
				case v%100 == 1:
					c.InvalidateAll()
				default:
					c.Invalidate(name)
				}
				for old := published[k].Load(); old < int64(v) && !published[k].CompareAndSwap(old, int64(v)); old = published[k].Load() {
				}
			}
		})
	}
	var failures atomic.Int64
	for range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := i % keys
				min := published[k].Load()
				got, err := c.Get(context.Background(), fmt.Sprint("k", k))
				if err != nil || int64(got) < min {
					failures.Add(1)
					t.Errorf("Get(k%d) = %d, %v after version %d was invalidated", k, got, err, min)
					return
				}
			}
		})
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) && failures.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	st := c.Stats()
	t.Logf("stats: %+v", st)
	assert.Positive(t, st.Hits)
}

// TestConcurrentEverything runs every operation at once under the race
// detector and then checks the cache still answers correctly.
func TestConcurrentEverything(t *testing.T) {
	store := newFakeStore()
	for i := range 32 {
		store.set(fmt.Sprint("k", i), i)
	}
	clock := NewFakeClock(time.Time{})
	c, err := New(Options[string, int]{
		Settings: Settings{Validity: 10 * time.Second, UpdateInterval: time.Second, MaxEntries: 16},
		Load:     store.load,
		LoadAll:  store.loadAll,
		Clock:    clock,
	})
	require.NoError(t, err)
	ops := []func(i int){
		func(i int) { _, _ = c.Get(context.Background(), fmt.Sprint("k", i%32)) },
		func(i int) { c.Invalidate(fmt.Sprint("k", i%32)) },
		func(i int) { c.InvalidateIf(func(_ string, v int) bool { return v%7 == i%7 }) },
		func(int) { c.InvalidateAll() },
		func(int) { clock.Advance(300 * time.Millisecond) },
		func(int) { _ = c.Warm(context.Background()) },
		func(i int) {
			_ = c.Reconfigure(Settings{Validity: time.Duration(i%3) * 5 * time.Second, UpdateInterval: time.Second, MaxEntries: 8 + i%16, ActiveUpdate: i%2 == 0})
		},
		func(int) { _ = c.Stats() },
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 400 {
				op := ops[(i*7+g)%len(ops)]
				if op == nil {
					continue
				}
				if g >= 2 { // most goroutines mostly read
					op = ops[0]
					if i%50 == 0 {
						op = ops[(i/50+g)%len(ops)]
					}
				}
				op(i + g)
			}
		})
	}
	wg.Wait()
	require.NoError(t, c.Reconfigure(settings(time.Hour, 0, 100)))
	for i := range 32 {
		store.set(fmt.Sprint("k", i), 100+i)
		c.Invalidate(fmt.Sprint("k", i))
		assert.Equal(t, 100+i, mustGet(t, c, fmt.Sprint("k", i)))
	}
	require.NoError(t, c.Close())
	requireNoCacheGoroutines(t)
}

func TestCloseDuringUse(t *testing.T) {
	for range 5 {
		store := newFakeStore()
		c, err := New(Options[string, int]{Settings: settings(time.Hour, time.Millisecond, 8), Load: store.load})
		require.NoError(t, err)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 300 {
					_, err := c.Get(context.Background(), fmt.Sprint("k", (i+g)%16))
					if err != nil {
						assert.ErrorIs(t, err, ErrClosed)
					}
					if i%40 == 0 {
						c.Invalidate(fmt.Sprint("k", i%16))
					}
				}
			})
		}
		runtime.Gosched()
		require.NoError(t, c.Close())
		wg.Wait()
	}
	requireNoCacheGoroutines(t)
}
