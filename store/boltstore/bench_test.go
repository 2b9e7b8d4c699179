package boltstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// benchStore returns a store with 1000 roles, each with 10 grants.
func benchStore(b *testing.B, opts *Options) *Store {
	b.Helper()
	ctx := context.Background()
	s := openAt(b, tempPath(b), &Options{NoSync: true})
	for i := range 1000 {
		role := fmt.Sprintf("role%04d", i)
		if err := s.CreateRole(ctx, store.RoleRecord{Name: role, CanLogin: true, SaltedHash: "$2a$10$0123456789012345678901uJ9J9Z8yM2z8d0b9m8ZJ6c0bY0b8a2"}); err != nil {
			b.Fatal(err)
		}
		for j := range 10 {
			if _, err := s.AddPermissions(ctx, role, fmt.Sprintf("data/ks%d/t%d", j, i), resource.SetOf(resource.Select)); err != nil {
				b.Fatal(err)
			}
		}
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return openAt(b, path, opts)
}

func BenchmarkGetPermissions(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		p, err := s.GetPermissions(ctx, "role0500", "data/ks3/t500")
		if err != nil || p.IsEmpty() {
			b.Fatal(p, err)
		}
	}
}

func BenchmarkGetPermissionsParallel(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, nil)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.GetPermissions(ctx, "role0500", "data/ks3/t500"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGetRole(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.GetRole(ctx, "role0500"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddPermissions measures a write that changes the store: with
// fsync (the default) and without.
func BenchmarkAddPermissions(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts *Options
	}{{"fsync", nil}, {"nosync", &Options{NoSync: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			s := benchStore(b, tc.opts)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// Alternate so that every call writes.
				var err error
				if i%2 == 0 {
					_, err = s.AddPermissions(ctx, "role0500", "data/bench", resource.SetOf(resource.Modify))
				} else {
					_, err = s.RemovePermissions(ctx, "role0500", "data/bench", resource.SetOf(resource.Modify))
				}
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
