package engines_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cassauth/cassauth/bench/engines"
	"github.com/cassauth/cassauth/bench/workload"
)

// BenchmarkDecide times one decision of every engine on a small policy
// (cmd/compare runs the sweep over sizes): the requests cycle over 1,024
// prepared queries; the cached engines are warmed first.
func BenchmarkDecide(b *testing.B) {
	ctx := context.Background()
	for _, p := range []workload.Params{
		{Roles: 1_000, Seed: 1},
		{Roles: 10_000, Seed: 1},
	} {
		pol, err := workload.Generate(p)
		if err != nil {
			b.Fatal(err)
		}
		st, err := engines.LoadMemstore(ctx, pol)
		if err != nil {
			b.Fatal(err)
		}
		unc, err := engines.NewCassauthUncached(st)
		if err != nil {
			b.Fatal(err)
		}
		ca, err := engines.NewCassauth(ctx, st, 100_000, 0)
		if err != nil {
			b.Fatal(err)
		}
		cb, err := engines.NewCasbin(pol, 0)
		if err != nil {
			b.Fatal(err)
		}
		opa, err := engines.NewOPA(ctx, pol)
		if err != nil {
			b.Fatal(err)
		}
		qs := pol.Queries(1024, 7)
		for _, e := range []engines.Engine{ca, unc, cb.Cached(), cb.Plain(), opa} {
			reqs, err := engines.PrepareAll(e, qs)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/%s", p.WithDefaults(), e.Name()), func(b *testing.B) {
				if e == engines.Engine(ca) {
					if err := ca.Warm(ctx, reqs, 20); err != nil {
						b.Fatal(err)
					}
				}
				for _, r := range reqs { // warms casbin's decision cache
					if _, err := r.Decide(ctx); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := reqs[i%len(reqs)].Decide(ctx); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
		_ = ca.Close()
		_ = st.Close()
	}
}
