package engines_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/bench/engines"
	"github.com/cassauth/cassauth/bench/workload"
)

// all builds every engine (and the reference model) over pol.
func all(t *testing.T, pol *workload.Policy) []engines.Engine {
	t.Helper()
	ctx := context.Background()
	st, err := engines.LoadMemstore(ctx, pol)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	unc, err := engines.NewCassauthUncached(st)
	require.NoError(t, err)
	ca, err := engines.NewCassauth(ctx, st, 100_000, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ca.Close() })
	cb, err := engines.NewCasbin(pol, 0)
	require.NoError(t, err)
	opa, err := engines.NewOPA(ctx, pol)
	require.NoError(t, err)
	return []engines.Engine{engines.Reference{Model: workload.NewModel(pol)}, ca, unc, cb.Plain(), cb.Cached(), opa}
}

// TestAgreement is the agreement check of every run on small policies of
// several shapes: all engines decide 10,000 random queries alike, and both
// decisions occur often.
func TestAgreement(t *testing.T) {
	cases := []struct {
		name string
		p    workload.Params
		n    int
	}{
		{"default shape", workload.Params{Roles: 100, Keyspaces: 3, Tables: 4, SuperRoles: 2, Seed: 1}, 10_000},
		{"flat", workload.Params{Roles: 200, Depth: 1, Keyspaces: 4, Tables: 3, SuperRoles: 3, Seed: 2}, 2_000},
		{"depth 17", workload.Params{Roles: 340, Depth: 17, Keyspaces: 4, Tables: 3, SuperRoles: 1, Seed: 3}, 2_000},
		{"dense grants, no superusers", workload.Params{Roles: 100, GrantsPerRole: 8, Keyspaces: 3, Tables: 5, SuperRoles: -1, Seed: 4}, 2_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol, err := workload.Generate(c.p)
			require.NoError(t, err)
			a, err := engines.Agree(context.Background(), all(t, pol), pol.Queries(c.n, 99))
			require.NoError(t, err)
			assert.Equal(t, c.n, a.Queries)
			assert.Greater(t, a.Allowed, c.n/10, "too few allows to test anything")
			assert.Less(t, a.Allowed, c.n*9/10, "too few denials to test anything")
		})
	}
}

// TestAgreementCatchesCasbinDepthLimit shows the check failing for a real
// reason: casbin's default role-manager depth (10) cuts inheritance in a
// 17-level hierarchy, and Agree reports the query.
func TestAgreementCatchesCasbinDepthLimit(t *testing.T) {
	pol, err := workload.Generate(workload.Params{Roles: 340, Depth: 17, Keyspaces: 4, Tables: 3, Seed: 3})
	require.NoError(t, err)
	cb, err := engines.NewCasbin(pol, 10)
	require.NoError(t, err)
	_, err = engines.Agree(context.Background(),
		[]engines.Engine{engines.Reference{Model: workload.NewModel(pol)}, cb.Plain()}, pol.Queries(3_000, 99))
	var d *engines.Disagreement
	require.ErrorAs(t, err, &d)
	assert.True(t, d.Decisions[0], "the reference allows")
	assert.False(t, d.Decisions[1], "casbin denies")
	assert.Contains(t, d.Error(), d.Query.String())
}

// flaky decides like the wrapped engine except on one query.
type flaky struct {
	engines.Engine
	on workload.Query
}

func (f flaky) Name() string { return "flaky" }

func (f flaky) Prepare(q workload.Query) (engines.Request, error) {
	r, err := f.Engine.Prepare(q)
	if err != nil || q != f.on {
		return r, err
	}
	return failing{}, nil
}

type failing struct{}

var errBroken = errors.New("broken")

func (failing) Decide(context.Context) (bool, error) { return false, errBroken }

// TestAgreeWith is the path cmd/compare takes: reference decisions first,
// then each engine against them.
func TestAgreeWith(t *testing.T) {
	pol, err := workload.Generate(workload.Params{Roles: 100, Keyspaces: 3, Tables: 3, Seed: 6})
	require.NoError(t, err)
	qs := pol.Queries(2_000, 3)
	es := all(t, pol)
	want, err := engines.Decisions(context.Background(), es[0], qs)
	require.NoError(t, err)
	for _, e := range es[1:] {
		assert.NoError(t, engines.AgreeWith(context.Background(), want, e, qs, 0), e.Name())
	}

	t.Run("disagreement", func(t *testing.T) {
		wrong := slices.Clone(want)
		wrong[1234] = !wrong[1234]
		err := engines.AgreeWith(context.Background(), wrong, es[1], qs, 0)
		var d *engines.Disagreement
		require.ErrorAs(t, err, &d)
		assert.Equal(t, 1234, d.Index)
		assert.Equal(t, qs[1234], d.Query)
		assert.Equal(t, []string{"reference", es[1].Name()}, d.Engines)
	})
	t.Run("over budget", func(t *testing.T) {
		err := engines.AgreeWith(context.Background(), want, slow{es[0]}, qs, time.Second)
		var o *engines.OverBudget
		require.ErrorAs(t, err, &o)
		assert.Equal(t, 20, o.Done, "projected after 1%")
		assert.Greater(t, o.Projected, time.Second)
	})
}

// slow decides like the wrapped engine, a millisecond late.
type slow struct{ engines.Engine }

func (s slow) Prepare(q workload.Query) (engines.Request, error) {
	r, err := s.Engine.Prepare(q)
	return slowRequest{r}, err
}

type slowRequest struct{ engines.Request }

func (r slowRequest) Decide(ctx context.Context) (bool, error) {
	time.Sleep(time.Millisecond)
	return r.Request.Decide(ctx)
}

func TestAgreeStopsAtFirstDisagreement(t *testing.T) {
	pol, err := workload.Generate(workload.Params{Roles: 50, Keyspaces: 2, Tables: 2, Seed: 5})
	require.NoError(t, err)
	qs := pol.Queries(100, 1)
	ref := engines.Reference{Model: workload.NewModel(pol)}
	first := slices.Index(qs, qs[42]) // queries may repeat
	a, err := engines.Agree(context.Background(), []engines.Engine{ref, flaky{ref, qs[42]}}, qs)
	var d *engines.Disagreement
	require.ErrorAs(t, err, &d)
	assert.Equal(t, first, d.Index)
	assert.Equal(t, first, a.Queries)
	assert.ErrorIs(t, d.Errors[1], errBroken)
	assert.Contains(t, d.Error(), "flaky=error(broken)")
}
