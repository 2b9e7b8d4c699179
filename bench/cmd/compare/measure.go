package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/cassauth/cassauth/bench/engines"
	"github.com/cassauth/cassauth/bench/workload"
	"github.com/cassauth/cassauth/store/memstore"
)

// A group is engines that share one loaded policy (and so one heap
// figure, one cap): cassauth's three over one memstore, casbin's two over
// one CachedEnforcer, OPA.
type group struct {
	name string
	// load loads the policy into the group's data structure (memstore,
	// casbin's model and role managers, OPA's store and prepared query);
	// the heap it keeps is what the tables report.
	load func(ctx context.Context, pol *workload.Policy) (any, error)
	// engines builds the engines over what load returned, the uncached one
	// first (it does the work of the agreement check; a cached one repeats
	// it for the queries it has not seen), and a function releasing them.
	engines func(ctx context.Context, loaded any) ([]engines.Engine, func(), error)
}

// groups are the engines of the comparison; cassauth's caches hold
// maxEntries entries each.
func groups(maxEntries int) []group {
	return []group{
		{
			name: "cassauth",
			load: func(ctx context.Context, pol *workload.Policy) (any, error) { return engines.LoadMemstore(ctx, pol) },
			engines: func(ctx context.Context, loaded any) ([]engines.Engine, func(), error) {
				st := loaded.(*memstore.Store)
				unc, err := engines.NewCassauthUncached(st)
				if err != nil {
					return nil, nil, err
				}
				ca, err := engines.NewCassauth(ctx, st, maxEntries, 0)
				if err != nil {
					return nil, nil, err
				}
				coarse, err := engines.NewCassauth(ctx, st, maxEntries, time.Millisecond)
				if err != nil {
					_ = ca.Close()
					return nil, nil, err
				}
				return []engines.Engine{unc, ca, coarse}, func() { _ = ca.Close(); _ = coarse.Close(); _ = st.Close() }, nil
			},
		},
		{
			name: "casbin",
			load: func(_ context.Context, pol *workload.Policy) (any, error) { return engines.NewCasbin(pol, 0) },
			engines: func(_ context.Context, loaded any) ([]engines.Engine, func(), error) {
				cb := loaded.(*engines.Casbin)
				return []engines.Engine{cb.Plain(), cb.Cached()}, func() {}, nil
			},
		},
		{
			name: "opa",
			load: func(ctx context.Context, pol *workload.Policy) (any, error) { return engines.NewOPA(ctx, pol) },
			engines: func(_ context.Context, loaded any) ([]engines.Engine, func(), error) {
				return []engines.Engine{loaded.(*engines.OPA)}, func() {}, nil
			},
		},
	}
}

// engineResult is one engine's measurement at one size.
type engineResult struct {
	name   string
	group  string
	capped string // why the engine was left out, if it was
	// sampled is the mean time of the decisions a capped engine made in
	// its agreement check before it was capped (0 if none): not a
	// benchmark, but an order of magnitude.
	sampled float64
	ns      float64
	allocs  int64
	bytes   int64
	n       int
	misses  uint64 // cache misses while timing (cassauth)
}

// sizeResult is everything measured at one size.
type sizeResult struct {
	params  workload.Params
	agreed  engines.Agreement
	heapMB  map[string]float64 // by group
	lines   int                // casbin policy lines (p, g, g2), when loaded
	pLines  int                // casbin p lines, which each decision scans
	engines []engineResult
}

// measurer runs sizes with the options' settings and reports progress.
type measurer struct {
	o   options
	log io.Writer
}

func (m *measurer) logf(format string, args ...any) {
	fmt.Fprintf(m.log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// errDisagreement marks a stopped run; the disagreement was printed.
var errDisagreement = errors.New("engines disagree")

// measure runs one size. capped holds, by group, why a group was capped
// at an earlier size of the sweep; measure adds to it.
func (m *measurer) measure(ctx context.Context, p workload.Params, capped map[string]string, out io.Writer) (sizeResult, error) {
	m.logf("%s: generating", p)
	pol, err := workload.Generate(p)
	if err != nil {
		return sizeResult{}, err
	}
	res := sizeResult{params: pol.Params, heapMB: map[string]float64{}}
	qs := pol.Queries(m.o.queries, p.Seed+1)
	ref := engines.Reference{Model: workload.NewModel(pol)}
	want, err := engines.Decisions(ctx, ref, qs)
	if err != nil {
		return res, err
	}
	res.agreed = engines.Agreement{Queries: len(qs)}
	for _, w := range want {
		if w {
			res.agreed.Allowed++
		}
	}
	timing := pol.Queries(m.o.timing, p.Seed+2)

	for _, g := range groups(4 * (m.o.queries + m.o.timing)) {
		if why, ok := capped[g.name]; ok {
			res.engines = append(res.engines, engineResult{group: g.name, name: g.name + "*", capped: why})
			continue
		}
		m.logf("%s: loading %s", p, g.name)
		before := heapAlloc()
		start := time.Now()
		loaded, err := g.load(ctx, pol)
		if err != nil {
			return res, fmt.Errorf("%s: loading %s: %w", p, g.name, err)
		}
		res.heapMB[g.name] = float64(heapAlloc()-before) / (1 << 20)
		m.logf("%s: %s loaded in %s, %.0f MB", p, g.name, time.Since(start).Round(time.Millisecond), res.heapMB[g.name])
		if cb, ok := loaded.(*engines.Casbin); ok {
			res.lines, res.pLines = cb.Lines, cb.PolicyLines
		}
		es, release, err := g.engines(ctx, loaded)
		if err != nil {
			return res, fmt.Errorf("%s: building %s engines: %w", p, g.name, err)
		}
		ers, err := m.runGroup(ctx, g.name, es, pol, qs, want, timing, out)
		release()
		if err != nil {
			return res, err
		}
		for _, er := range ers {
			if er.capped != "" {
				capped[g.name] = fmt.Sprintf("capped at %s: %s", p, er.capped)
			}
		}
		res.engines = append(res.engines, ers...)
		runtime.GC()
	}
	return res, nil
}

// runGroup checks and times the engines of one group.
func (m *measurer) runGroup(ctx context.Context, group string, es []engines.Engine, pol *workload.Policy,
	qs []workload.Query, want []bool, timing []workload.Query, out io.Writer) ([]engineResult, error) {
	var results []engineResult
	for i, e := range es {
		m.logf("%s: agreement check of %s on %d queries", pol.Params, e.Name(), len(qs))
		start := time.Now()
		err := engines.AgreeWith(ctx, want, e, qs, m.o.budget)
		var over *engines.OverBudget
		var dis *engines.Disagreement
		switch {
		case errors.As(err, &over):
			m.logf("%s: %v: capped", pol.Params, over)
			why := fmt.Sprintf("the %d-query agreement check was projected at %s (budget %s); "+
				"the %d queries it answered agreed, at %s a decision",
				len(qs), over.Projected.Round(time.Second), m.o.budget, over.Done,
				nsOp(float64(over.Elapsed.Nanoseconds())/float64(over.Done)))
			// This engine and the group's later ones (cached variants,
			// which pay the same per new query) are left out.
			for j, later := range es[i:] {
				er := engineResult{group: group, name: later.Name(), capped: why}
				if j == 0 {
					er.sampled = float64(over.Elapsed.Nanoseconds()) / float64(over.Done)
				}
				results = append(results, er)
			}
			return results, nil
		case errors.As(err, &dis):
			fmt.Fprintf(out, "\n**STOPPED: %s**\n\n", dis)
			fmt.Fprintf(m.log, "%v\n", dis)
			return nil, errDisagreement
		case err != nil:
			return nil, err
		}
		m.logf("%s: %s agrees (%s)", pol.Params, e.Name(), time.Since(start).Round(time.Millisecond))

		reqs, err := engines.PrepareAll(e, timing)
		if err != nil {
			return nil, err
		}
		er := engineResult{group: group, name: e.Name()}
		switch c := e.(type) {
		case *engines.Cassauth:
			if err := c.Warm(ctx, reqs, 50); err != nil {
				return nil, err
			}
		default:
			for _, r := range reqs { // fills casbin's decision cache
				if _, err := r.Decide(ctx); err != nil {
					return nil, err
				}
			}
		}
		var misses0 uint64
		if c, ok := e.(*engines.Cassauth); ok {
			misses0 = c.Misses()
		}
		br, err := m.best(ctx, reqs)
		if err != nil {
			return nil, fmt.Errorf("%s: timing %s: %w", pol.Params, e.Name(), err)
		}
		if c, ok := e.(*engines.Cassauth); ok {
			er.misses = c.Misses() - misses0
		}
		er.ns = float64(br.T.Nanoseconds()) / float64(br.N)
		er.allocs, er.bytes, er.n = br.AllocsPerOp(), br.AllocedBytesPerOp(), br.N
		m.logf("%s: %s %.0f ns/op %d allocs/op (N=%d)", pol.Params, e.Name(), er.ns, er.allocs, er.n)
		results = append(results, er)
	}
	return results, nil
}

// best runs bench up to m.o.count times and keeps the fastest run: on a
// shared machine the slower runs measure the neighbours. An engine slower
// than a millisecond a decision is timed once.
func (m *measurer) best(ctx context.Context, reqs []engines.Request) (testing.BenchmarkResult, error) {
	var best testing.BenchmarkResult
	for i := range max(1, m.o.count) {
		r, err := bench(ctx, reqs)
		if err != nil {
			return r, err
		}
		if i == 0 || r.NsPerOp() < best.NsPerOp() {
			best = r
		}
		if r.NsPerOp() > int64(time.Millisecond) {
			break
		}
	}
	return best, nil
}

// bench times one decision with testing.Benchmark, cycling over reqs.
func bench(ctx context.Context, reqs []engines.Request) (testing.BenchmarkResult, error) {
	var failure error
	r := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := reqs[i%len(reqs)].Decide(ctx); err != nil {
				failure = err
				return
			}
			i++
		}
	})
	if failure == nil && r.N == 0 {
		failure = errors.New("benchmark did not run")
	}
	return r, failure
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// memResult is the heap one engine spends per grant.
type memResult struct {
	group         string
	withoutGrants float64 // MB
	withGrants    float64 // MB
	perGrant      float64 // bytes
}

// memory loads each group twice, with and without pol's grants, and
// attributes the difference to the grants.
func (m *measurer) memory(ctx context.Context, p workload.Params) ([]memResult, error) {
	pol, err := workload.Generate(p)
	if err != nil {
		return nil, err
	}
	bare := pol.WithoutGrants()
	var out []memResult
	for _, g := range groups(1000) {
		r := memResult{group: g.name}
		for i, pp := range []*workload.Policy{bare, pol} {
			m.logf("memory %s: loading %s (grants: %t)", p, g.name, i == 1)
			before := heapAlloc()
			loaded, err := g.load(ctx, pp)
			if err != nil {
				return nil, err
			}
			mb := float64(heapAlloc()-before) / (1 << 20)
			runtime.KeepAlive(loaded)
			if c, ok := loaded.(interface{ Close() error }); ok {
				_ = c.Close()
			}
			if i == 0 {
				r.withoutGrants = mb
			} else {
				r.withGrants = mb
			}
		}
		r.perGrant = (r.withGrants - r.withoutGrants) * (1 << 20) / float64(len(pol.Grants))
		out = append(out, r)
	}
	return out, nil
}
