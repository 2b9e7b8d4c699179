package pgstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cassauth/cassauth/internal/pgtest"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Benchmarks run against the local throwaway server (fsync off): they
// measure the store's round trips and its own overhead, not disk
// durability.
//
//	go test -run '^$' -bench . -benchtime 2000x ./store/pgstore/

// benchRoles is the number of roles and grants seeded for the read
// benchmarks.
const benchRoles = 1000

// seeded returns a store with benchRoles roles, each a member of the
// previous one and holding one grant.
func seeded(b *testing.B) *Store {
	b.Helper()
	s := openStore(b, pgtest.Start(b), nil)
	ctx := context.Background()
	for i := range benchRoles {
		name := fmt.Sprintf("role%04d", i)
		if err := s.CreateRole(ctx, store.RoleRecord{Name: name, CanLogin: true, SaltedHash: "$2a$10$abcdefghijklmnopqrstuv"}); err != nil {
			b.Fatal(err)
		}
		if i > 0 {
			if err := s.GrantRole(ctx, fmt.Sprintf("role%04d", i-1), name); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.AddPermissions(ctx, name, "data/ks/t", resource.SetOf(resource.Select, resource.Modify)); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkGetPermissions is an uncached check's load: one role's
// permissions on one resource.
func BenchmarkGetPermissions(b *testing.B) {
	s := seeded(b)
	names := roleNames()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p, err := s.GetPermissions(ctx, names[i%benchRoles], "data/ks/t")
		if err != nil || p.IsEmpty() {
			b.Fatal(p, err)
		}
	}
}

// BenchmarkGetRole is the other load of an uncached check: a role's row
// with its member_of.
func BenchmarkGetRole(b *testing.B) {
	s := seeded(b)
	names := roleNames()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.GetRole(ctx, names[i%benchRoles]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddPermissions is a grant: a new (role, resource) row and its
// index row, one transaction with the notification.
func BenchmarkAddPermissions(b *testing.B) {
	s := openStore(b, pgtest.Start(b), nil)
	ctx := context.Background()
	perms := resource.SetOf(resource.Select)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		added, err := s.AddPermissions(ctx, "grantee", resourceName(i), perms)
		if err != nil || added != perms {
			b.Fatal(added, err)
		}
	}
}

// BenchmarkInvalidationLatency measures the cross-process feed: two
// Stores on one schema, as two processes would be; each iteration grants
// or revokes in A and waits for B's subscriber. The metrics are the time
// from A's commit (A's own subscriber runs right after it) to B's
// callback.
func BenchmarkInvalidationLatency(b *testing.B) {
	dsn := pgtest.Start(b)
	schema := newSchema()
	a := openStore(b, dsn, &Options{Schema: schema})
	bs := openStore(b, dsn, &Options{Schema: schema})
	var committed time.Time
	b.Cleanup(a.Subscribe(func(store.Change) { committed = time.Now() }))
	arrived := make(chan time.Time, 1)
	b.Cleanup(bs.Subscribe(func(ch store.Change) {
		if ch.Kind == store.ChangePermissions {
			arrived <- time.Now()
		}
	}))
	ctx := context.Background()
	perms := resource.SetOf(resource.Select)
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var err error
		if i%2 == 0 {
			_, err = a.AddPermissions(ctx, "r", "data/ks/t", perms)
		} else {
			_, err = a.RemovePermissions(ctx, "r", "data/ks/t", perms)
		}
		if err != nil {
			b.Fatal(err)
		}
		select {
		case t := <-arrived:
			lat = append(lat, t.Sub(committed))
		case <-time.After(10 * time.Second):
			b.Fatal("the change did not reach the other store")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Nanoseconds()), "p99-ns")
}

// roleNames returns the names seeded builds.
func roleNames() []string {
	out := make([]string, benchRoles)
	for i := range out {
		out[i] = fmt.Sprintf("role%04d", i)
	}
	return out
}

// resourceName returns a distinct table resource for each i.
func resourceName(i int) string { return fmt.Sprintf("data/ks/t%d", i) }
