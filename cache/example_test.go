package cache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cassauth/cassauth/cache"
)

// A roles cache in front of a store: served from memory for the validity,
// refreshed in the background after the update interval, and invalidated by
// the code that changes the store.
func Example() {
	store := map[string][]string{"alice": {"alice", "dev"}}
	clock := cache.NewFakeClock(time.Time{}) // cache.SystemClock{} (the default) in production
	c, err := cache.New(cache.Options[string, []string]{
		Name: "RolesCache",
		Settings: cache.Settings{
			Validity:       2 * time.Second,
			UpdateInterval: time.Second,
			MaxEntries:     1000,
		},
		Load: func(_ context.Context, role string) ([]string, error) {
			fmt.Println("load", role)
			return store[role], nil
		},
		Clock: clock,
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ctx := context.Background()

	roles, _ := c.Get(ctx, "alice") // miss: loads
	fmt.Println(roles)
	roles, _ = c.Get(ctx, "alice") // hit
	fmt.Println(roles)

	// GRANT ops TO alice, made through us: write, then invalidate.
	store["alice"] = []string{"alice", "dev", "ops"}
	c.Invalidate("alice")
	roles, _ = c.Get(ctx, "alice") // the next Get sees the grant
	fmt.Println(roles)

	// A change the cache is not told about shows after the update interval:
	// the read returns the old value and starts a reload.
	store["alice"] = []string{"alice"}
	clock.Advance(time.Second)
	roles, _ = c.Get(ctx, "alice")
	fmt.Println(roles)
	clock.Advance(0) // the reload runs
	roles, _ = c.Get(ctx, "alice")
	fmt.Println(roles)

	st := c.Stats()
	fmt.Printf("hits=%d misses=%d loads=%d size=%d\n", st.Hits, st.Misses, st.Loads, st.Size)
	// Output:
	// load alice
	// [alice dev]
	// [alice dev]
	// load alice
	// [alice dev ops]
	// [alice dev ops]
	// load alice
	// [alice]
	// hits=3 misses=2 loads=3 size=1
}

// With validity 0 nothing is cached: every Get calls the loader, as in
// Cassandra with `roles_validity: 0`.
func ExampleSettings_disabled() {
	calls := 0
	c, err := cache.New(cache.Options[string, int]{
		Settings: cache.Settings{Validity: 0, MaxEntries: 1000},
		Load:     func(context.Context, string) (int, error) { calls++; return calls, nil },
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	for range 3 {
		v, _ := c.Get(context.Background(), "k")
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output: 1 2 3
}
