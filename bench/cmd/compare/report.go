package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/cassauth/cassauth/bench/storm"
	"github.com/cassauth/cassauth/bench/workload"
)

// run runs every sweep, the memory measurement and the storm, printing
// markdown to out and progress to log.
func run(ctx context.Context, o options, out, log io.Writer) error {
	m := &measurer{o: o, log: log}
	start := time.Now()
	header(out, o)
	var all []sizeResult
	for _, sweep := range o.sweeps {
		var sizes []workload.Params
		var title string
		switch sweep {
		case "roles":
			title = "Sweep over R (D=5, 2 grants per role)"
			for _, r := range o.roles {
				sizes = append(sizes, workload.Params{Roles: r, Seed: o.seed})
			}
		case "depth":
			title = fmt.Sprintf("Sweep over D (R=%s, 2 grants per role)", workload.Count(o.sweepRoles))
			for _, d := range o.depths {
				sizes = append(sizes, workload.Params{Roles: o.sweepRoles, Depth: d, Seed: o.seed})
			}
		case "grants":
			title = fmt.Sprintf("Sweep over grants (R=%s, D=5)", workload.Count(o.sweepRoles))
			for _, g := range o.grants {
				sizes = append(sizes, workload.Params{Roles: o.sweepRoles, GrantsPerRole: g, Seed: o.seed})
			}
		}
		capped := map[string]string{}
		var results []sizeResult
		for _, p := range sizes {
			r, err := m.measure(ctx, p, capped, out)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
		printSweep(out, title, results)
		all = append(all, results...)
	}
	printTargets(out, all)

	if o.memRoles > 0 {
		p := workload.Params{Roles: o.memRoles, Seed: o.seed}
		mem, err := m.memory(ctx, p)
		if err != nil {
			return err
		}
		printMemory(out, p, mem)
	}
	if o.storm {
		if err := m.storm(ctx, out); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nTotal run time: %s.\n", time.Since(start).Round(time.Second))
	return nil
}

// header prints the machine and the settings.
func header(out io.Writer, o options) {
	fmt.Fprintf(out, "# cassauth, casbin and OPA on one Cassandra-shaped policy\n\n")
	fmt.Fprintf(out, "- date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "- machine: %s, %d CPUs (GOMAXPROCS %d), %s/%s, %s\n",
		cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	mode := "full"
	if o.quick {
		mode = "quick"
	}
	fmt.Fprintf(out, "- run: %s; benchtime %s per engine and size, best of %d runs; agreement on %d queries per size "+
		"(budget %s per engine); timing cycles over %d queries\n", mode, o.benchtime, o.count, o.queries, o.budget, o.timing)
	fmt.Fprintf(out, "- engines: `cassauth` = cassauth.Auth.Check (caches hot); `cassauth-clock1ms` = the same with "+
		"Options.ClockResolution 1ms; `cassauth-uncached` = authz.Checker over memstore; `casbin` = Enforcer; "+
		"`casbin-cached` = CachedEnforcer (hot); `opa` = prepared Rego query\n")
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// base returns the ns/op of the named engine in r, or 0.
func base(r sizeResult, name string) float64 {
	for _, e := range r.engines {
		if e.name == name && e.capped == "" {
			return e.ns
		}
	}
	return 0
}

func printSweep(out io.Writer, title string, rs []sizeResult) {
	fmt.Fprintf(out, "\n## %s\n\n", title)
	fmt.Fprintln(out, "ns/op: the fastest of the benchmark runs; ≈: the mean decision time of a capped engine during its agreement check, not a benchmark.")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| policy | engine | ns/op | allocs/op | B/op | × cassauth | × cassauth-uncached | heap MB |")
	fmt.Fprintln(out, "|---|---|--:|--:|--:|--:|--:|--:|")
	var notes []string
	for _, r := range rs {
		cached, uncached := base(r, "cassauth"), base(r, "cassauth-uncached")
		for _, e := range r.engines {
			heap := mb(r.heapMB[e.group])
			if e.capped != "" {
				est := "capped"
				if e.sampled > 0 {
					est = fmt.Sprintf("capped (≈%s)", nsOp(e.sampled))
				}
				fmt.Fprintf(out, "| %s | %s | %s | | | %s | %s | |\n", r.params, e.name, est,
					approx(e.sampled, cached), approx(e.sampled, uncached))
				notes = append(notes, fmt.Sprintf("%s, %s: %s", r.params, strings.TrimSuffix(e.name, "*"), e.capped))
				continue
			}
			name := e.name
			if e.misses > 0 {
				name += fmt.Sprintf(" (%d misses)", e.misses)
			}
			fmt.Fprintf(out, "| %s | %s | %s | %d | %d | %s | %s | %s |\n", r.params, name, nsOp(e.ns), e.allocs, e.bytes,
				ratio(e.ns, cached), ratio(e.ns, uncached), heap)
		}
	}
	fmt.Fprintln(out)
	for _, r := range rs {
		lines := ""
		if r.lines > 0 {
			lines = fmt.Sprintf("; casbin holds %d p lines (%d with g and g2)", r.pLines, r.lines)
		}
		fmt.Fprintf(out, "- %s: %d queries decided identically by every engine that ran, %d allowed (%.0f%%)%s.\n",
			r.params, r.agreed.Queries, r.agreed.Allowed, 100*float64(r.agreed.Allowed)/float64(max(1, r.agreed.Queries)), lines)
	}
	for _, n := range dedupe(notes) {
		fmt.Fprintf(out, "- %s\n", n)
	}
}

func mb(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// approx is ratio for an estimate: "≈" and the ratio, or "" without one.
func approx(v, b float64) string {
	if v == 0 || b == 0 {
		return ""
	}
	return "≈" + ratio(v, b)
}

func nsOp(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1f µs", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func ratio(v, b float64) string {
	if v == 0 || b == 0 {
		return "-"
	}
	switch r := v / b; {
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	case r >= 10:
		return fmt.Sprintf("%.1f", r)
	default:
		return fmt.Sprintf("%.2f", r)
	}
}

// estimate returns the ns/op of the named engine in r, or for a capped
// engine the mean decision time of its agreement sample (approx true), or 0.
func estimate(r sizeResult, name string) (v float64, approx bool) {
	for _, e := range r.engines {
		if e.name == name {
			if e.capped == "" {
				return e.ns, false
			}
			return e.sampled, e.sampled > 0
		}
	}
	return 0, false
}

// printTargets checks DESIGN.md's targets on every size measured.
func printTargets(out io.Writer, rs []sizeResult) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(out, "\n## Targets\n\n")
	fmt.Fprintln(out, "cassauth's cached decision against the others (≈: against a capped engine's agreement sample).")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| policy | cassauth ns/op | casbin ÷ cassauth | opa ÷ cassauth | casbin-cached ÷ cassauth | ≥100× both uncached | faster than casbin-cached |")
	fmt.Fprintln(out, "|---|--:|--:|--:|--:|---|---|")
	for _, r := range rs {
		c := base(r, "cassauth")
		cb, cbApprox := estimate(r, "casbin")
		op, opApprox := estimate(r, "opa")
		cc := base(r, "casbin-cached")
		show := func(v float64, approx bool) string {
			if approx {
				return "≈" + ratio(v, c)
			}
			return ratio(v, c)
		}
		verdict := func(ok, have bool) string {
			switch {
			case !have:
				return "n/a (capped)"
			case ok:
				return "yes"
			}
			return "**no**"
		}
		hundred := (cb == 0 || cb >= 100*c) && (op == 0 || op >= 100*c)
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n", r.params, nsOp(c), show(cb, cbApprox), show(op, opApprox),
			ratio(cc, c), verdict(hundred, cb != 0 || op != 0), verdict(cc > c, cc != 0))
	}
}

func printMemory(out io.Writer, p workload.Params, mem []memResult) {
	fmt.Fprintf(out, "\n## Memory per grant (%s)\n\n", p)
	fmt.Fprintln(out, "Each engine loaded twice, with the policy's roles and schema only and with its grants too; "+
		"the difference divided by the number of grant rows. A grant row may hold several permissions (casbin stores one line per permission).")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| engine | heap without grants MB | heap with grants MB | bytes per grant |")
	fmt.Fprintln(out, "|---|--:|--:|--:|")
	for _, r := range mem {
		fmt.Fprintf(out, "| %s | %.1f | %.1f | %.0f |\n", r.group, r.withoutGrants, r.withGrants, r.perGrant)
	}
}

// storm runs the login storms.
func (m *measurer) storm(ctx context.Context, out io.Writer) error {
	o := m.o
	m.logf("storm: hashing %d passwords at cost %d", o.stormRoles, o.stormCost)
	env, err := storm.NewEnv(ctx, o.stormRoles, o.stormCost)
	if err != nil {
		return err
	}
	defer env.Close()
	cores := runtime.GOMAXPROCS(0)
	cases := []struct {
		label string
		cfg   storm.Config
	}{
		{"off, default limits (quarter of the CPUs, 5s queue)", storm.Config{Mode: storm.Off}},
		{fmt.Sprintf("off, %d slots, waiting as long as it takes", cores), storm.Config{Mode: storm.Off,
			MaxConcurrentHashes: cores, QueueTimeout: time.Hour}},
		{fmt.Sprintf("cold, %d slots, waiting as long as it takes", cores), storm.Config{Mode: storm.Cold,
			MaxConcurrentHashes: cores, QueueTimeout: time.Hour}},
		{"warm, default limits", storm.Config{Mode: storm.Warm}},
	}
	fmt.Fprintf(out, "\n## Login storm\n\n%d concurrent SASL PLAIN logins (all started at once) of %d roles at bcrypt cost %d, "+
		"through authn.Password and the LOGIN check. \"off\" runs bcrypt for every login (Cassandra's behaviour); "+
		"\"cold\" turns the verified-credentials cache on, empty; \"warm\" has it filled.\n\n", o.logins, o.stormRoles, o.stormCost)
	fmt.Fprintln(out, "| verified-credentials cache | ok | failed | wall | CPU | peak goroutines | bcrypt runs | peak bcrypt at once |")
	fmt.Fprintln(out, "|---|--:|--:|--:|--:|--:|--:|--:|")
	var firstErrs []string
	for _, c := range cases {
		c.cfg.Logins, c.cfg.Roles, c.cfg.Cost = o.logins, o.stormRoles, o.stormCost
		m.logf("storm: %s", c.label)
		r, err := env.Run(ctx, c.cfg)
		if err != nil {
			return err
		}
		cpu := "n/a"
		if r.CPU >= 0 {
			cpu = r.CPU.Round(time.Millisecond).String()
		}
		fmt.Fprintf(out, "| %s | %d | %d | %s | %s | %d | %d | %d |\n", c.label, r.Succeeded, r.Failed,
			r.Wall.Round(time.Millisecond), cpu, r.PeakGoroutines, r.Bcrypts, r.PeakBcrypt)
		if r.FirstError != "" {
			firstErrs = append(firstErrs, fmt.Sprintf("%s: first failure: %q", c.label, r.FirstError))
		}
	}
	fmt.Fprintln(out)
	for _, e := range firstErrs {
		fmt.Fprintf(out, "- %s\n", e)
	}
	return nil
}
