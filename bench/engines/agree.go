package engines

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cassauth/cassauth/bench/workload"
)

// Disagreement is the error Agree returns when the engines do not all
// decide a query alike: the query, its index in the list, and every
// engine's decision (or error), in the order the engines were given.
type Disagreement struct {
	Index     int
	Query     workload.Query
	Engines   []string
	Decisions []bool
	Errors    []error
}

// Error prints the query and every engine's answer.
func (d *Disagreement) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "engines disagree on query #%d: %s:", d.Index, d.Query)
	for i, name := range d.Engines {
		if d.Errors[i] != nil {
			fmt.Fprintf(&b, " %s=error(%v)", name, d.Errors[i])
		} else {
			fmt.Fprintf(&b, " %s=%t", name, d.Decisions[i])
		}
	}
	return b.String()
}

// Agreement summarises a successful Agree: how many queries every engine
// decided alike and how many of them were allowed.
type Agreement struct {
	Queries, Allowed int
}

// Agree asks every engine every query and returns a *Disagreement for the
// first query on which they differ (an error counts as differing), or how
// many queries they agreed on and allowed. It stops at the first
// disagreement, and when ctx is done.
func Agree(ctx context.Context, engines []Engine, qs []workload.Query) (Agreement, error) {
	names := make([]string, len(engines))
	for i, e := range engines {
		names[i] = e.Name()
	}
	var a Agreement
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return a, err
		}
		d := &Disagreement{Index: i, Query: q, Engines: names,
			Decisions: make([]bool, len(engines)), Errors: make([]error, len(engines))}
		differ := false
		for j, e := range engines {
			req, err := e.Prepare(q)
			if err == nil {
				d.Decisions[j], err = req.Decide(ctx)
			}
			d.Errors[j] = err
			differ = differ || err != nil || d.Decisions[j] != d.Decisions[0]
		}
		if differ {
			return a, d
		}
		a.Queries++
		if d.Decisions[0] {
			a.Allowed++
		}
	}
	return a, nil
}

// OverBudget is the error AgreeWith returns when an engine is too slow to
// answer every query within the budget: after Done queries in Elapsed, the
// whole list would take about Projected.
type OverBudget struct {
	Engine    string
	Done      int
	Elapsed   time.Duration
	Projected time.Duration
}

// Error says how long the check would have taken.
func (e *OverBudget) Error() string {
	return fmt.Sprintf("%s: agreement check would take about %s (%d queries in %s)",
		e.Engine, e.Projected.Round(time.Second), e.Done, e.Elapsed.Round(time.Millisecond))
}

// Decisions returns e's decision on every query, or the first error.
func Decisions(ctx context.Context, e Engine, qs []workload.Query) ([]bool, error) {
	out := make([]bool, len(qs))
	for i, q := range qs {
		req, err := e.Prepare(q)
		if err != nil {
			return nil, fmt.Errorf("%s: query #%d %s: %w", e.Name(), i, q, err)
		}
		if out[i], err = req.Decide(ctx); err != nil {
			return nil, fmt.Errorf("%s: query #%d %s: %w", e.Name(), i, q, err)
		}
	}
	return out, nil
}

// AgreeWith checks that e decides every query of qs as want says (want[i]
// is the reference decision of qs[i]). It returns a *Disagreement naming
// "reference" and e for the first query where e differs or fails, and an
// *OverBudget as soon as the queries answered so far project the whole
// check beyond budget (a zero budget means no limit); the projection is
// made after 1% of the queries (at least 10) and again after every tenth.
func AgreeWith(ctx context.Context, want []bool, e Engine, qs []workload.Query, budget time.Duration) error {
	start := time.Now()
	probe := max(10, len(qs)/100)
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if budget > 0 && i > 0 && (i == probe || i%max(1, len(qs)/10) == 0) {
			elapsed := time.Since(start)
			if projected := elapsed * time.Duration(len(qs)) / time.Duration(i); projected > budget {
				return &OverBudget{Engine: e.Name(), Done: i, Elapsed: elapsed, Projected: projected}
			}
		}
		req, err := e.Prepare(q)
		var got bool
		if err == nil {
			got, err = req.Decide(ctx)
		}
		if err != nil || got != want[i] {
			return &Disagreement{Index: i, Query: q, Engines: []string{"reference", e.Name()},
				Decisions: []bool{want[i], got}, Errors: []error{nil, err}}
		}
	}
	return nil
}
