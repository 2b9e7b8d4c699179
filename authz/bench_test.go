package authz_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// benchEnv builds a user whose closure has n roles: the user and a chain
// of n-1 roles granted one to the next; the last one holds SELECT on the
// table ks.t.
func benchEnv(b *testing.B, n int) (*env, roles.User) {
	e := newEnv(b)
	e.role(b, "user", false)
	prev := "user"
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("g%02d", i)
		e.role(b, name, false)
		e.member(b, name, prev)
		prev = name
	}
	e.grant(b, prev, tblKsT, resource.Select)
	// Unrelated grants, so lookups do not run on an empty table.
	for i := range 50 {
		name := fmt.Sprintf("other%02d", i)
		e.role(b, name, false)
		e.grant(b, name, resource.Table("ks", name), resource.Select, resource.Modify)
	}
	return e, roles.NewUser("user")
}

// BenchmarkCheckUncached measures the access check with nothing cached:
// every resource of the chain asks the table-backed authorizer, which reads
// the role closure and each role's grants from memstore.
func BenchmarkCheckUncached(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1, 5, 17} {
		e, user := benchEnv(b, n)
		b.Run(fmt.Sprintf("closure=%d/allow", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ok, err := e.checker.Check(ctx, user, resource.Select, tblKsT)
				if err != nil || !ok {
					b.Fatal("expected allow", err)
				}
			}
		})
		b.Run(fmt.Sprintf("closure=%d/deny", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ok, err := e.checker.Check(ctx, user, resource.Drop, tblKsT)
				if err != nil || ok {
					b.Fatal("expected deny", err)
				}
			}
		})
	}
}

// BenchmarkCheckLookup measures the checker alone, with a lookup that
// neither allocates nor locks (what a cache in front of it provides): the
// grant sits on the keyspace, so three resources are looked up.
func BenchmarkCheckLookup(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b)
	held := map[resource.Resource]resource.PermissionSet{ksKs: resource.SetOf(resource.Select)}
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles,
		Permissions: func(_ context.Context, _ roles.User, r resource.Resource) (resource.PermissionSet, error) {
			return held[r], nil
		}})
	if err != nil {
		b.Fatal(err)
	}
	user := roles.NewUser("user")
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := c.Check(ctx, user, resource.Select, tblKsT); err != nil || !ok {
			b.Fatal("expected allow", err)
		}
	}
}
