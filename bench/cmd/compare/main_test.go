package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		check func(t *testing.T, o options)
		bad   bool
	}{
		{"full defaults", nil, func(t *testing.T, o options) {
			assert.Equal(t, []int{1_000, 10_000, 100_000, 1_000_000}, o.roles)
			assert.Equal(t, []int{1, 3, 5, 9, 13, 17}, o.depths)
			assert.Equal(t, []float64{1, 2, 4, 16}, o.grants)
			assert.Equal(t, []string{"roles", "depth", "grants"}, o.sweeps)
			assert.Equal(t, time.Second, o.benchtime)
			assert.Equal(t, 10_000, o.queries)
			assert.Equal(t, 10_000, o.logins)
			assert.Equal(t, 10, o.stormCost)
			assert.Equal(t, 3, o.count)
		}, false},
		{"quick", []string{"-quick"}, func(t *testing.T, o options) {
			assert.Equal(t, []int{200, 1_000, 10_000}, o.roles)
			assert.Equal(t, []string{"roles", "depth"}, o.sweeps)
			assert.Equal(t, 100*time.Millisecond, o.benchtime)
			assert.Equal(t, 10_000, o.queries, "the agreement check keeps its size")
			assert.Equal(t, 4, o.stormCost)
		}, false},
		{"explicit", []string{"-roles", "2k,3M", "-sweeps", "roles", "-grants", "0.5,8"}, func(t *testing.T, o options) {
			assert.Equal(t, []int{2_000, 3_000_000}, o.roles)
			assert.Equal(t, []string{"roles"}, o.sweeps)
			assert.Equal(t, []float64{0.5, 8}, o.grants)
		}, false},
		{"bad count", []string{"-roles", "1x"}, nil, true},
		{"bad sweep", []string{"-sweeps", "width"}, nil, true},
		{"bad grants", []string{"-grants", "-1"}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := parseFlags(c.args, io.Discard)
			if c.bad {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			c.check(t, o)
		})
	}
}

func TestFormatting(t *testing.T) {
	assert.Equal(t, "153", nsOp(153.2))
	assert.Equal(t, "26.4 µs", nsOp(26_400))
	assert.Equal(t, "18.39 ms", nsOp(18_390_000))
	assert.Equal(t, "-", ratio(0, 5))
	assert.Equal(t, "-", ratio(5, 0))
	assert.Equal(t, "0.50", ratio(5, 10))
	assert.Equal(t, "45.0", ratio(450, 10))
	assert.Equal(t, "706", ratio(7060, 10))
}

// TestRun runs the whole command on tiny sizes: every engine agrees, is
// timed, and the report has every section.
func TestRun(t *testing.T) {
	require.NoError(t, flag.Set("test.benchtime", "20ms"))
	t.Cleanup(func() { _ = flag.Set("test.benchtime", "1s") })
	o, err := parseFlags([]string{"-quick", "-roles", "60,120", "-sweeps", "roles", "-queries", "500",
		"-mem-roles", "100", "-storm-logins", "40", "-storm-roles", "4"}, io.Discard)
	require.NoError(t, err)
	var out, log bytes.Buffer
	require.NoError(t, run(context.Background(), o, &out, &log))
	report := out.String()
	for _, want := range []string{
		"## Sweep over R", "| R=60 D=5 G=120 | cassauth |", "| R=120 D=5 G=240 | opa |",
		"| R=60 D=5 G=120 | casbin-cached |", "500 queries decided identically",
		"## Targets", "## Memory per grant", "## Login storm", "| warm, default limits | 40 | 0 |",
	} {
		assert.Contains(t, report, want)
	}
	assert.NotContains(t, report, "STOPPED")
	assert.True(t, strings.HasPrefix(report, "# cassauth, casbin and OPA"))
}
