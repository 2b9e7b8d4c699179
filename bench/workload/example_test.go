package workload_test

import (
	"fmt"

	"github.com/cassauth/cassauth/bench/workload"
	"github.com/cassauth/cassauth/resource"
)

// ExampleGenerate builds a small policy and decides a query with the
// reference model.
func ExampleGenerate() {
	pol, err := workload.Generate(workload.Params{Roles: 100, Depth: 4, Keyspaces: 2, Tables: 3, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pol.Params)
	fmt.Println(len(pol.Closure(workload.RoleName(0))) >= 4, "roles in a user's closure, at least one per layer")

	m := workload.NewModel(pol)
	g := pol.Grants[0]
	p := g.Perms.Slice()[0]
	fmt.Println("holder allowed on the granted resource:", m.Decide(workload.Query{Role: g.Role, Perm: p, Resource: g.Resource}))
	fmt.Println("unknown role allowed:", m.Decide(workload.Query{Role: "nobody", Perm: resource.Select, Resource: resource.AllKeyspaces}))
	// Output:
	// R=100 D=4 G=200
	// true roles in a user's closure, at least one per layer
	// holder allowed on the granted resource: true
	// unknown role allowed: false
}
