package cache

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// permKey is shaped like the PermissionsCache key: a role and a resource.
type permKey struct {
	role     string
	resource string
}

func benchCache[K comparable](b *testing.B, n int, key func(int) K) *Cache[K, int] {
	c, err := New(Options[K, int]{
		Settings: Settings{Validity: time.Hour, MaxEntries: 2 * n},
		Load:     func(context.Context, K) (int, error) { return 1, nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	ctx := context.Background()
	// Ristretto may drop writes when its buffer is full; fill again until
	// every key is held.
	for round := 0; c.Stats().Size < n; round++ {
		if round == 10 {
			b.Fatalf("cache holds %d entries; want %d", c.Stats().Size, n)
		}
		for i := range n {
			if _, err := c.Get(ctx, key(i)); err != nil {
				b.Fatal(err)
			}
		}
		settle(c)
	}
	return c
}

func benchHits[K comparable](b *testing.B, n int, key func(int) K) {
	c := benchCache(b, n, key)
	keys := make([]K, 1024)
	for i := range keys {
		keys[i] = key(i * 7919 % n)
	}
	ctx := context.Background()
	misses := c.Stats().Misses
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := c.Get(ctx, keys[i&1023]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.StopTimer()
	if st := c.Stats(); st.Misses != misses {
		b.Fatalf("%d misses during the hit benchmark", st.Misses-misses)
	}
}

func BenchmarkGetHit(b *testing.B) {
	b.Run("string", func(b *testing.B) { benchHits(b, 1000, func(i int) string { return fmt.Sprint("role", i) }) })
	b.Run("int", func(b *testing.B) { benchHits(b, 1000, func(i int) int { return i }) })
	b.Run("role+resource", func(b *testing.B) {
		benchHits(b, 1000, func(i int) permKey { return permKey{fmt.Sprint("role", i%100), fmt.Sprint("data/ks/t", i)} })
	})
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) { benchHits(b, n, func(i int) int { return i }) })
	}
}

func BenchmarkGetHitParallel(b *testing.B) {
	c := benchCache(b, 1000, func(i int) string { return fmt.Sprint("role", i) })
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("role", i%1000)
	}
	ctx := context.Background()
	b.Run("distinct keys", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if _, err := c.Get(ctx, keys[i&1023]); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("one key", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Get(ctx, "role1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkMissStorm measures one storm: the key is invalidated and 16
// goroutines miss it at once; they share one load (reported as loads/op).
func BenchmarkMissStorm(b *testing.B) {
	const goroutines = 16
	c, err := New(Options[string, int]{
		Settings: Settings{Validity: time.Hour, MaxEntries: 1000},
		Load: func(context.Context, string) (int, error) {
			time.Sleep(10 * time.Microsecond) // a fast store
			return 1, nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c.Invalidate("hot")
		var start, wg sync.WaitGroup
		start.Add(1)
		for range goroutines {
			wg.Go(func() {
				start.Wait()
				if _, err := c.Get(ctx, "hot"); err != nil {
					b.Error(err)
				}
			})
		}
		start.Done()
		wg.Wait()
	}
	b.ReportMetric(float64(c.Stats().Loads)/float64(b.N), "loads/op")
}

// BenchmarkGetMiss measures the miss path alone: an invalidated key loaded
// again by one goroutine with a loader that costs nothing.
func BenchmarkGetMiss(b *testing.B) {
	c := benchCache(b, 1000, func(i int) int { return i })
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % 1000
		c.Invalidate(k)
		if _, err := c.Get(ctx, k); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
