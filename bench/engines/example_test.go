package engines_test

import (
	"context"
	"fmt"

	"github.com/cassauth/cassauth/bench/engines"
	"github.com/cassauth/cassauth/bench/workload"
)

// ExampleAgreeWith loads one policy into cassauth and OPA and checks that
// both decide 1,000 random queries as the reference model does.
func ExampleAgreeWith() {
	ctx := context.Background()
	pol, err := workload.Generate(workload.Params{Roles: 50, Keyspaces: 2, Tables: 2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	qs := pol.Queries(1_000, 2)
	want, _ := engines.Decisions(ctx, engines.Reference{Model: workload.NewModel(pol)}, qs)

	st, _ := engines.LoadMemstore(ctx, pol)
	defer st.Close()
	ca, _ := engines.NewCassauth(ctx, st, 10_000, 0)
	defer ca.Close()
	opa, _ := engines.NewOPA(ctx, pol)
	for _, e := range []engines.Engine{ca, opa} {
		fmt.Println(e.Name(), engines.AgreeWith(ctx, want, e, qs, 0))
	}
	// Output:
	// cassauth <nil>
	// opa <nil>
}
