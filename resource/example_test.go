package resource_test

import (
	"fmt"

	"github.com/cassauth/cassauth/resource"
)

func Example() {
	t := resource.Table("shop", "orders")
	for r, ok := t, true; ok; r, ok = r.Parent() {
		fmt.Printf("%-14s %-20s %v\n", r.Name(), r.String(), r.Applicable())
	}
	r, err := resource.Parse("data/shop/orders")
	fmt.Println(r == t, err)
	_, err = resource.Parse("data/a/b/c")
	fmt.Println(err)
	// Output:
	// data/shop/orders <table shop.orders>  [ALTER, DROP, SELECT, MODIFY, AUTHORIZE, UNMASK, SELECT_MASKED]
	// data/shop/*    <all tables in shop> [CREATE, ALTER, DROP, SELECT, MODIFY, AUTHORIZE, UNMASK, SELECT_MASKED]
	// data/shop      <keyspace shop>      [CREATE, ALTER, DROP, SELECT, MODIFY, AUTHORIZE, UNMASK, SELECT_MASKED]
	// data           <all keyspaces>      [CREATE, ALTER, DROP, SELECT, MODIFY, AUTHORIZE, UNMASK, SELECT_MASKED]
	// true <nil>
	// data/a/b/c is not a valid data resource name
}

func ExamplePermissionSet() {
	granted := resource.SetOf(resource.Select, resource.Modify)
	requested := resource.AllPermissions.Intersect(resource.Table("ks", "t").Applicable())
	fmt.Println(granted.Has(resource.Select), granted.Has(resource.Drop))
	fmt.Println(requested.Minus(granted))
	// Output:
	// true false
	// [ALTER, DROP, AUTHORIZE, UNMASK, SELECT_MASKED]
}
