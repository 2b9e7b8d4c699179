package engines

import (
	"context"

	"github.com/cassauth/cassauth/bench/workload"
)

// Engine is a policy engine loaded with one workload's policy.
type Engine interface {
	// Name identifies the engine in reports ("cassauth", "casbin-cached").
	Name() string
	// Prepare turns a query into the engine's own request form (strings,
	// typed values, a parsed input document), so that the timed part is
	// the decision alone.
	Prepare(q workload.Query) (Request, error)
}

// Request is one prepared query. Decide may be called any number of
// times, from one goroutine at a time unless the engine says otherwise.
type Request interface {
	// Decide returns the engine's decision; an error means it could not
	// decide.
	Decide(ctx context.Context) (bool, error)
}

// PrepareAll prepares every query of qs for e.
func PrepareAll(e Engine, qs []workload.Query) ([]Request, error) {
	out := make([]Request, len(qs))
	for i, q := range qs {
		r, err := e.Prepare(q)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// Reference adapts the workload's reference model to an Engine, for the
// agreement check.
type Reference struct{ Model *workload.Model }

// Name returns "reference".
func (Reference) Name() string { return "reference" }

// Prepare returns a request the model decides.
func (r Reference) Prepare(q workload.Query) (Request, error) {
	return refRequest{r.Model, q}, nil
}

type refRequest struct {
	m *workload.Model
	q workload.Query
}

func (r refRequest) Decide(context.Context) (bool, error) { return r.m.Decide(r.q), nil }
