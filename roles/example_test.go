package roles_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

func Example() {
	ctx := context.Background()
	m, err := roles.NewTable(roles.Config{
		Store:                  memstore.New(),
		PasswordAuthentication: true,
		Hasher:                 roles.BcryptHasher{Cost: 4}, // fast, for the example only
		DefaultRole:            &roles.DefaultRole{Name: "admin", Password: "change me"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Creates "admin", since no role exists yet.
	if err := m.Setup(ctx); err != nil {
		log.Fatal(err)
	}

	admin := roles.NewUser("admin")
	login := true
	for _, r := range []string{"dba", "alice"} {
		if err := m.CreateRole(ctx, admin, r, roles.Options{Login: &login}); err != nil {
			log.Fatal(err)
		}
	}
	_ = m.GrantRole(ctx, admin, "admin", "dba") // dba inherits admin's superuser status
	_ = m.GrantRole(ctx, admin, "dba", "alice")

	closure, _ := m.Roles(ctx, "alice", true)
	super, _ := roles.HasSuperuserStatus(ctx, m, "alice")
	own, _ := m.IsSuper(ctx, "alice")
	fmt.Println(closure, super, own)

	// Cassandra's errors, with native-protocol codes.
	err = m.GrantRole(ctx, admin, "alice", "admin")
	fmt.Println(roles.CodeOf(err), err)
	err = m.RevokeRole(ctx, admin, "admin", "alice")
	fmt.Println(roles.CodeOf(err), err)

	// Output:
	// [alice dba admin] true false
	// INVALID alice is a member of admin
	// INVALID alice is not a member of admin
}
