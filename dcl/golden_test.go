package dcl_test

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/dcl"
)

// The golden files under testdata/golden are CQL scripts (every directive is
// a CQL comment) run top to bottom against a fresh stack (memstore, the
// table-backed role manager with the default superuser cassandra/cassandra,
// the table-backed authorizer, network and CIDR authorizers and a
// StoreCatalog). Directives are lines starting with "-- @":
//
//	-- @config key=value ...   before the first statement: password=false,
//	                           authorizer=allowall, network=allowall,
//	                           cidr=allowall|enforce, schema=none,
//	                           generator=on
//	-- @dcs dc1 dc2            the cluster's datacenters (default dc1 dc2)
//	-- @cidrgroup name cidr... a CIDR group (before the first statement)
//	-- @as name                run as role name (or nobody, anonymous,
//	                           system); resets the session
//	-- @session k=v ...        dc=, ip=, keyspace= of the session
//
// Any other lines are statement text, accumulated until an expectation;
// then the text runs as one Execute call, and the expectations that follow
// describe its results in order:
//
//	-- @ok                     a Void result
//	-- @rows ks.table c:type...  a rows result with these columns, and
//	-- @row a | b | ...        each of its rows
//	-- @keyspace ks            a Set_keyspace result
//	-- @schema CHANGE TARGET name  a Schema_change result
//	-- @warn text              a client warning of the previous result
//	-- @error 0xCODE message   the error Execute returned (last)
//
// Comment lines before a statement are skipped (so that line numbers in
// messages count from the statement); comments after its first line are
// part of the statement text, so comments are exercised too.

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.cql"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".cql"), func(t *testing.T) {
			t.Parallel()
			runGolden(t, f)
		})
	}
}

// goldenBlock is one Execute call of a golden file and its expectations.
type goldenBlock struct {
	line   int    // first line of the statement text
	text   string // the statement text
	expect []string
	warns  [][]string
	err    string
}

// goldenRun is the state of a golden file being run.
type goldenRun struct {
	t     *testing.T
	file  string
	cfg   stackConfig
	st    *stack
	sess  *dcl.Session
	block *goldenBlock
}

func runGolden(t *testing.T, file string) {
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	g := &goldenRun{t: t, file: file, cfg: defaultConfig(), sess: &dcl.Session{Datacenter: "dc1"}}
	var text []string
	textLine := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, "-- @") {
			if len(text) == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "--")) {
				continue // leading blank and comment lines are not statement text
			}
			if len(text) == 0 {
				textLine = n
			}
			text = append(text, line)
			continue
		}
		verb, arg, _ := strings.Cut(strings.TrimPrefix(strings.TrimLeft(line, " \t"), "-- @"), " ")
		if verb != "error" && verb != "warn" {
			arg = strings.TrimSpace(arg) // messages keep their spaces, like Cassandra's trailing one
		}
		where := fmt.Sprintf("%s:%d", file, n)
		switch verb {
		case "config", "dcs", "cidrgroup":
			require.Nil(t, g.st, "%s: @%s after the first statement", where, verb)
			g.configure(where, verb, arg)
		case "as", "session":
			g.finish()
			requireNoStatement(t, strings.Join(text, "\n"), where)
			text = nil
			g.session(where, verb, arg)
		case "ok", "rows", "row", "keyspace", "schema", "warn", "error":
			if len(text) > 0 {
				g.finish()
				g.start(textLine, strings.Join(text, "\n"))
				text = nil
			}
			require.NotNil(t, g.block, "%s: expectation without statement", where)
			g.expectation(where, verb, arg)
		default:
			t.Fatalf("%s: unknown directive @%s", where, verb)
		}
	}
	require.NoError(t, sc.Err())
	requireNoStatement(t, strings.Join(text, "\n"), file+": at the end")
	g.finish()
}

// configure applies a configuration directive.
func (g *goldenRun) configure(where, verb, arg string) {
	switch verb {
	case "dcs":
		g.cfg.dcs = strings.Fields(arg)
	case "cidrgroup":
		fields := strings.Fields(arg)
		require.NotEmpty(g.t, fields, where)
		if g.cfg.groups == nil {
			g.cfg.groups = map[string][]netip.Prefix{}
		}
		for _, c := range fields[1:] {
			p, err := netip.ParsePrefix(c)
			require.NoError(g.t, err, where)
			g.cfg.groups[fields[0]] = append(g.cfg.groups[fields[0]], p)
		}
	case "config":
		for _, kv := range strings.Fields(arg) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "password":
				g.cfg.password = v == "true"
			case "authorizer":
				g.cfg.authorizer = v
			case "network":
				g.cfg.network = v
			case "cidr":
				g.cfg.cidr = v
			case "schema":
				g.cfg.schema = v != "none"
			case "generator":
				g.cfg.generator = v == "on"
			default:
				g.t.Fatalf("%s: unknown config %s", where, k)
			}
		}
	}
}

// session applies @as and @session.
func (g *goldenRun) session(where, verb, arg string) {
	if verb == "as" {
		g.sess = &dcl.Session{User: userFor(arg), Datacenter: "dc1"}
		return
	}
	for _, kv := range strings.Fields(arg) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "dc":
			g.sess.Datacenter = v
		case "ip":
			a, err := netip.ParseAddr(v)
			require.NoError(g.t, err, where)
			g.sess.Remote = a
		case "keyspace":
			g.sess.Keyspace = v
		default:
			g.t.Fatalf("%s: unknown session key %s", where, k)
		}
	}
}

// start opens a block for statement text.
func (g *goldenRun) start(line int, text string) {
	if g.st == nil {
		g.st = newStack(g.t, g.cfg)
	}
	g.block = &goldenBlock{line: line, text: text}
}

// expectation adds an expectation to the current block.
func (g *goldenRun) expectation(where, verb, arg string) {
	b := g.block
	require.Empty(g.t, b.err, "%s: expectation after @error", where)
	switch verb {
	case "ok":
		b.expect = append(b.expect, "Void")
		b.warns = append(b.warns, nil)
	case "rows":
		b.expect = append(b.expect, "Rows "+arg)
		b.warns = append(b.warns, nil)
	case "row":
		require.NotEmpty(g.t, b.expect, where)
		require.True(g.t, strings.HasPrefix(b.expect[len(b.expect)-1], "Rows "), "%s: @row after a non-rows result", where)
		b.expect[len(b.expect)-1] += "\n" + arg
	case "keyspace":
		b.expect = append(b.expect, "Set_keyspace "+arg)
		b.warns = append(b.warns, nil)
	case "schema":
		b.expect = append(b.expect, "Schema_change "+arg)
		b.warns = append(b.warns, nil)
	case "warn":
		require.NotEmpty(g.t, b.warns, "%s: @warn before a result", where)
		b.warns[len(b.warns)-1] = append(b.warns[len(b.warns)-1], arg)
	case "error":
		b.err = arg
	}
}

// finish runs the current block and checks its expectations.
func (g *goldenRun) finish() {
	b := g.block
	if b == nil {
		return
	}
	g.block = nil
	where := fmt.Sprintf("%s:%d: %s", g.file, b.line, strings.TrimSpace(b.text))
	results, err := dcl.Execute(context.Background(), g.st.env, g.sess, b.text)
	got := make([]string, len(results))
	var warns [][]string
	for i, r := range results {
		got[i] = r.String()
		warns = append(warns, r.Warnings)
	}
	require.Equal(g.t, b.expect, orEmpty(got), "%s: results (error: %v)", where, err)
	for i := range warns {
		require.Equal(g.t, b.warns[i], warns[i], "%s: warnings of result %d", where, i)
	}
	if b.err == "" {
		require.NoError(g.t, err, where)
		return
	}
	require.Error(g.t, err, "%s: expected %s", where, b.err)
	assert.Equal(g.t, b.err, formatError(err), where)
}

// requireNoStatement fails unless text is only comments and whitespace.
func requireNoStatement(t *testing.T, text, where string) {
	sts, err := dcl.Parse(text)
	require.NoError(t, err, where)
	require.Empty(t, sts, "%s: statement text without expectation", where)
}

func orEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clip(s)
}
