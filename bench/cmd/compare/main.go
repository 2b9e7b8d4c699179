// Command compare measures cassauth side by side with casbin and OPA on the
// same Cassandra-shaped policy and prints the results as markdown.
//
// For every size of every sweep it generates the policy, loads it into
// each engine, checks that all engines decide 10,000 random queries exactly
// as the reference model does (a disagreement stops the run and prints the
// query), then times one decision of each engine with Go's benchmark
// machinery (testing.Benchmark), cached and uncached. It ends with the
// memory each engine spends per grant and a login storm.
//
// Usage:
//
//	cd bench && go run ./cmd/compare [-quick] [flags]
//
// -quick runs small sizes with short benchmark times and finishes in under
// a minute. An engine whose agreement check would take longer than -budget
// at some size is capped: it is left out of that size and the larger ones
// of the same sweep, and the table says so.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// options are the command's flags.
type options struct {
	quick      bool
	benchtime  time.Duration
	count      int
	queries    int
	timing     int
	budget     time.Duration
	sweeps     []string
	roles      []int
	depths     []int
	grants     []float64
	sweepRoles int
	memRoles   int
	storm      bool
	logins     int
	stormRoles int
	stormCost  int
	seed       uint64
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	// testing.Benchmark reads -test.benchtime from the flag set that
	// testing.Init registers on flag.CommandLine (which this command does
	// not parse otherwise).
	testing.Init()
	if err := flag.CommandLine.Set("test.benchtime", o.benchtime.String()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := run(context.Background(), o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var sweeps, roles, depths, grants string
	fs.BoolVar(&o.quick, "quick", false, "small sizes and short benchmark times (under a minute)")
	fs.DurationVar(&o.benchtime, "benchtime", 0, "benchmark time per engine and size (default 1s, 100ms with -quick)")
	fs.IntVar(&o.count, "count", 0, "benchmark runs per engine and size, the fastest kept (default 3, 1 with -quick)")
	fs.IntVar(&o.queries, "queries", 10_000, "queries of the agreement check")
	fs.IntVar(&o.timing, "timing-queries", 1024, "distinct queries the timed loop cycles over")
	fs.DurationVar(&o.budget, "budget", 0, "longest agreement check per engine and size before the engine is capped (default 5m, 10s with -quick)")
	fs.StringVar(&sweeps, "sweeps", "", "sweeps to run: roles, depth, grants (default all three; roles,depth with -quick)")
	fs.StringVar(&roles, "roles", "", "R of the roles sweep (default 1k,10k,100k,1M; 200,1k,10k with -quick)")
	fs.StringVar(&depths, "depths", "", "D of the depth sweep (default 1,3,5,9,13,17; 1,5,17 with -quick)")
	fs.StringVar(&grants, "grants", "", "grants per role of the grants sweep (default 1,2,4,16; 1,4 with -quick)")
	fs.IntVar(&o.sweepRoles, "sweep-roles", 0, "R of the depth and grants sweeps (default 1k; 200 with -quick)")
	fs.IntVar(&o.memRoles, "mem-roles", 0, "R of the memory-per-grant measurement (default 100k; 1k with -quick); negative skips it")
	fs.BoolVar(&o.storm, "storm", true, "run the login storm")
	fs.IntVar(&o.logins, "storm-logins", 0, "logins of the storm (default 10,000; 1,000 with -quick)")
	fs.IntVar(&o.stormRoles, "storm-roles", 0, "roles of the storm (default 100; 10 with -quick)")
	fs.IntVar(&o.stormCost, "storm-cost", 0, "bcrypt cost of the storm (default 10; 4 with -quick)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the policies and queries")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	pick := func(quick, full string) string {
		if o.quick {
			return quick
		}
		return full
	}
	if o.benchtime == 0 {
		o.benchtime, _ = time.ParseDuration(pick("100ms", "1s"))
	}
	if o.budget == 0 {
		o.budget, _ = time.ParseDuration(pick("10s", "5m"))
	}
	var err error
	if sweeps == "" {
		sweeps = pick("roles,depth", "roles,depth,grants")
	}
	if roles == "" {
		roles = pick("200,1k,10k", "1k,10k,100k,1M")
	}
	if depths == "" {
		depths = pick("1,5,17", "1,3,5,9,13,17")
	}
	if grants == "" {
		grants = pick("1,4", "1,2,4,16")
	}
	if o.roles, err = parseCounts(roles); err != nil {
		return o, flagError(fs, "-roles", err)
	}
	if o.depths, err = parseCounts(depths); err != nil {
		return o, flagError(fs, "-depths", err)
	}
	for _, g := range strings.Split(grants, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(g), 64)
		if err != nil || v <= 0 {
			return o, flagError(fs, "-grants", fmt.Errorf("bad grants per role %q", g))
		}
		o.grants = append(o.grants, v)
	}
	for _, s := range strings.Split(sweeps, ",") {
		switch s = strings.TrimSpace(s); s {
		case "roles", "depth", "grants":
			o.sweeps = append(o.sweeps, s)
		case "":
		default:
			return o, flagError(fs, "-sweeps", fmt.Errorf("unknown sweep %q", s))
		}
	}
	def := func(v *int, quick, full int) {
		if *v == 0 {
			*v = full
			if o.quick {
				*v = quick
			}
		}
	}
	def(&o.count, 1, 3)
	def(&o.sweepRoles, 200, 1_000)
	def(&o.memRoles, 1_000, 100_000)
	def(&o.logins, 1_000, 10_000)
	def(&o.stormRoles, 10, 100)
	def(&o.stormCost, 4, 10)
	return o, nil
}

func flagError(fs *flag.FlagSet, name string, err error) error {
	fmt.Fprintf(fs.Output(), "invalid value for %s: %v\n", name, err)
	fs.Usage()
	return err
}

// parseCounts parses "1k,10k,1M,17" into numbers.
func parseCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		mult := 1
		switch {
		case strings.HasSuffix(f, "k"):
			mult, f = 1_000, strings.TrimSuffix(f, "k")
		case strings.HasSuffix(f, "M"):
			mult, f = 1_000_000, strings.TrimSuffix(f, "M")
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, n*mult)
	}
	return out, nil
}
