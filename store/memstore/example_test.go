package memstore_test

import (
	"context"
	"fmt"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

func Example() {
	ctx := context.Background()
	s := memstore.New()
	defer s.Close()

	// A cache would subscribe like this and invalidate what changed.
	cancel := s.Subscribe(func(c store.Change) {
		fmt.Printf("changed: %v roles=%q resources=%q\n", c.Kind, c.Roles, c.Resources)
	})
	defer cancel()

	_ = s.CreateRole(ctx, store.RoleRecord{Name: "readers"})
	_ = s.CreateRole(ctx, store.RoleRecord{Name: "alice", CanLogin: true})
	_ = s.GrantRole(ctx, "readers", "alice")
	added, _ := s.AddPermissions(ctx, "readers", resource.Keyspace("ks").Name(),
		resource.SetOf(resource.Select, resource.Describe))
	fmt.Println("added:", added)

	alice, _ := s.GetRole(ctx, "alice")
	fmt.Println("alice is a member of", alice.MemberOf)
	perms, _ := s.GetPermissions(ctx, "readers", "data/ks")
	fmt.Println("readers on data/ks:", perms)

	_ = s.DropRole(ctx, "readers")
	alice, _ = s.GetRole(ctx, "alice")
	fmt.Println("after the drop, alice is a member of", alice.MemberOf)
	// Output:
	// changed: role roles=["readers"] resources=[]
	// changed: role roles=["alice"] resources=[]
	// changed: membership roles=["alice" "readers"] resources=[]
	// changed: permissions roles=["readers"] resources=["data/ks"]
	// added: [SELECT, DESCRIBE]
	// alice is a member of [readers]
	// readers on data/ks: [SELECT, DESCRIBE]
	// changed: role roles=["readers" "alice"] resources=[]
	// after the drop, alice is a member of []
}
