package cassauth_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// benchAuth returns an Auth over a memstore holding extra roles besides
// the benchmark's user, "user", who inherits five roles (r1 <- r2 <- ... <-
// r5, a chain) and holds SELECT on keyspace ks through the last of them.
// Caches are configured for an hour so that nothing expires while timing.
func benchAuth(b *testing.B, extra int, resolution time.Duration) (*cassauth.Auth, roles.User) {
	b.Helper()
	ctx := context.Background()
	st := memstore.New()
	b.Cleanup(func() { st.Close() })
	for i := range extra {
		if err := st.CreateRole(ctx, store.RoleRecord{Name: fmt.Sprintf("filler%07d", i), CanLogin: true}); err != nil {
			b.Fatal(err)
		}
	}
	hour := cassauth.CacheConfig{Validity: time.Hour, MaxEntries: 10_000}
	a, err := cassauth.New(cassauth.Config{
		Authenticator: cassauth.PasswordAuthenticator,
		Authorizer:    cassauth.CassandraAuthorizer,
		Permissions:   hour, Roles: hour, Credentials: hour,
		BcryptRounds: 4,
	}, st, cassauth.Options{DisableDefaultSuperuser: true, ClockResolution: resolution})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	defer runtime.GC() // settle the heap built above before timing
	rm := a.Roles()
	yes := true
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(rm.CreateRole(ctx, roles.System, "user", roles.Options{Login: &yes}))
	prev := "user"
	for i := 1; i <= 5; i++ {
		name := fmt.Sprintf("r%d", i)
		must(rm.CreateRole(ctx, roles.System, name, roles.Options{}))
		must(rm.GrantRole(ctx, roles.System, name, prev))
		prev = name
	}
	_, err = a.Authorizer().Grant(ctx, roles.System, resource.SetOf(resource.Select), resource.Keyspace("ks"), prev)
	must(err)
	return a, roles.NewUser("user")
}

func benchCheck(b *testing.B, extra int, resolution time.Duration) {
	a, user := benchAuth(b, extra, resolution)
	ctx := context.Background()
	t := resource.Table("ks", "t")
	if ok, err := a.Check(ctx, user, resource.Select, t); !ok || err != nil {
		b.Fatalf("warm-up check: %v %v", ok, err)
	}
	before := a.CacheStats()[cassauth.PermissionsCache]
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ok, err := a.Check(ctx, user, resource.Select, t)
		if !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	b.StopTimer()
	if after := a.CacheStats()[cassauth.PermissionsCache]; after.Misses != before.Misses {
		b.Fatalf("%d misses while timing", after.Misses-before.Misses)
	}
}

// benchClocks are the two time sources of the hit path: the exact system
// clock (the default) and the 1ms coarse clock of Options.ClockResolution.
var benchClocks = []struct {
	name       string
	resolution time.Duration
}{{"clock=system", 0}, {"clock=coarse1ms", time.Millisecond}}

// BenchmarkCheckCached measures Auth.Check on a hit: a role with five
// inherited roles, a table resource, everything cached, with 1k and 1M
// other roles in the store to show the cost is flat, with either clock.
// Building 1M roles takes a few seconds; -short skips that case.
func BenchmarkCheckCached(b *testing.B) {
	for _, n := range []struct {
		name  string
		roles int
	}{{"roles=1k", 1_000}, {"roles=1M", 1_000_000}} {
		b.Run(n.name, func(b *testing.B) {
			if n.roles > 1_000 && testing.Short() {
				b.Skip("building 1M roles: skipped with -short")
			}
			for _, c := range benchClocks {
				b.Run(c.name, func(b *testing.B) { benchCheck(b, n.roles, c.resolution) })
			}
		})
	}
}

// BenchmarkCheckCachedParallel is BenchmarkCheckCached/roles=1k from every
// core at once: hits share no lock.
func BenchmarkCheckCachedParallel(b *testing.B) {
	for _, c := range benchClocks {
		b.Run(c.name, func(b *testing.B) { benchParallel(b, c.resolution) })
	}
}

func benchParallel(b *testing.B, resolution time.Duration) {
	a, user := benchAuth(b, 1_000, resolution)
	ctx := context.Background()
	t := resource.Table("ks", "t")
	if ok, err := a.Check(ctx, user, resource.Select, t); !ok || err != nil {
		b.Fatalf("warm-up check: %v %v", ok, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := a.Check(ctx, user, resource.Select, t); !ok || err != nil {
				b.Error(ok, err)
				return
			}
		}
	})
}

// BenchmarkCheckMissStorm: many goroutines check the same key at once,
// when it is not cached. Each op is one storm on a fresh key (a table not
// checked before); loads/key reports how many loads the storm ran, which
// must be 1.
func BenchmarkCheckMissStorm(b *testing.B) {
	const goroutines = 64
	a, user := benchAuth(b, 1_000, 0)
	ctx := context.Background()
	tables := make([]resource.Resource, b.N)
	for i := range tables {
		tables[i] = resource.Table("ks", fmt.Sprintf("t%d", i))
	}
	before := a.CacheStats()[cassauth.PermissionsCache].Loads
	var failures atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var ready, done sync.WaitGroup
		release := make(chan struct{})
		ready.Add(goroutines)
		done.Add(goroutines)
		for range goroutines {
			go func() {
				defer done.Done()
				ready.Done()
				<-release
				if ok, err := a.Check(ctx, user, resource.Select, tables[i]); !ok || err != nil {
					failures.Add(1)
				}
			}()
		}
		ready.Wait()
		close(release)
		done.Wait()
	}
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d checks failed", n)
	}
	loads := a.CacheStats()[cassauth.PermissionsCache].Loads - before
	b.ReportMetric(float64(loads)/float64(b.N), "loads/key")
	if loads != uint64(b.N) {
		b.Fatalf("%d loads for %d keys", loads, b.N)
	}
}
