package authz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

// exampleSetup builds a role manager and authorizer over memstore where
// bob is granted the role readers, which holds SELECT on keyspace shop.
func exampleSetup() (*authz.Checker, error) {
	ctx := context.Background()
	st := memstore.New()
	rm, err := roles.NewTable(roles.Config{Store: st, DisableDefaultSuperuser: true})
	if err != nil {
		return nil, err
	}
	a, err := authz.NewTable(authz.Config{Store: st, Roles: rm})
	if err != nil {
		return nil, err
	}
	yes, no := true, false
	for _, r := range []string{"bob", "readers"} {
		if err := rm.CreateRole(ctx, roles.System, r, roles.Options{Login: &yes, Superuser: &no}); err != nil {
			return nil, err
		}
	}
	if err := rm.GrantRole(ctx, roles.System, "readers", "bob"); err != nil {
		return nil, err
	}
	if _, err := a.Grant(ctx, roles.System, resource.SetOf(resource.Select), resource.Keyspace("shop"), "readers"); err != nil {
		return nil, err
	}
	return authz.NewChecker(authz.CheckerConfig{Authorizer: a, Roles: rm})
}

// The access check walks the table's parents and the user's roles: bob may
// read shop.orders through his role readers, but not modify it.
func ExampleChecker_Ensure() {
	c, err := exampleSetup()
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	bob := roles.NewUser("bob")
	orders := resource.Table("shop", "orders")

	fmt.Println(c.Ensure(ctx, bob, resource.Select, orders))
	fmt.Println(c.Ensure(ctx, bob, resource.Modify, orders))
	// Output:
	// <nil>
	// User bob has no MODIFY permission on <table shop.orders> or any of its parents
}

// Explain says why: which role holds the grant, how the user gets that
// role, and on which resource of the chain the grant sits.
func ExampleChecker_Explain() {
	c, err := exampleSetup()
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	ex, err := c.Explain(ctx, roles.NewUser("bob"), resource.Select, resource.Table("shop", "orders"))
	if err != nil {
		panic(err)
	}
	fmt.Println(ex)
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false) // keep "<keyspace shop>" readable
	if err := enc.Encode(ex.Grants); err != nil {
		panic(err)
	}
	// Output:
	// allowed (granted): SELECT on <keyspace shop> granted to readers via bob -> readers
	// [{"via":["bob","readers"],"role":"readers","resource":"<keyspace shop>","resource_name":"data/shop","permission":"SELECT"}]
}
