package dcl

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzParse from the golden files")

// goldenTexts returns the statement texts of the golden files, as the
// golden runner executes them.
func goldenTexts(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.cql"))
	require.NoError(t, err)
	var out []string
	for _, file := range files {
		f, err := os.Open(file)
		require.NoError(t, err)
		var text []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			trimmed := strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(trimmed, "-- @"):
				if len(text) > 0 {
					out = append(out, strings.Join(text, "\n"))
					text = nil
				}
			case len(text) == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "--")):
			default:
				text = append(text, line)
			}
		}
		require.NoError(t, sc.Err())
		require.NoError(t, f.Close())
	}
	return out
}

// seedFile returns the name and content of the corpus file for a seed.
func seedFile(text string) (string, string) {
	sum := sha256.Sum256([]byte(text))
	return "golden-" + hex.EncodeToString(sum[:8]), "go test fuzz v1\nstring(" + strconv.Quote(text) + ")\n"
}

// TestFuzzSeeds checks that the seed corpus holds every statement of the
// golden files (run with -update-seeds to write it).
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for _, text := range goldenTexts(t) {
		name, content := seedFile(text)
		path := filepath.Join(dir, name)
		if *updateSeeds {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "seed for %q missing: run go test -run TestFuzzSeeds -update-seeds", text)
		require.Equal(t, content, string(got))
	}
}

// fuzzStack is a small auth stack for the fuzz target, with a few roles
// and grants so that statements have something to change.
type fuzzStack struct {
	mem *memstore.Store
	env *Env
}

func newFuzzStack(t testing.TB) *fuzzStack {
	ctx := context.Background()
	mem := memstore.New()
	rm, err := roles.NewTable(roles.Config{Store: mem, PasswordAuthentication: true, Hasher: roles.BcryptHasher{Cost: 4}})
	require.NoError(t, err)
	require.NoError(t, rm.Setup(ctx))
	a, err := authz.NewTable(authz.Config{Store: mem, Roles: rm})
	require.NoError(t, err)
	n, err := authz.NewTableNetwork(authz.NetworkConfig{Store: mem, Roles: rm})
	require.NoError(t, err)
	c, err := authz.NewTableCIDR(authz.CIDRConfig{Store: mem, Roles: rm})
	require.NoError(t, err)
	chk, err := authz.NewChecker(authz.CheckerConfig{Authorizer: a, Roles: rm, Network: n, CIDR: c})
	require.NoError(t, err)
	s := &fuzzStack{mem: mem, env: &Env{Roles: rm, Authorizer: a, Checker: chk, Network: n, CIDR: c, Schema: NewStoreCatalog(mem),
		Datacenters: func() []string { return []string{"dc1"} }}}
	_, err = Execute(ctx, s.env, &Session{User: roles.NewUser("cassandra"), Datacenter: "dc1"}, `
		CREATE ROLE bob WITH LOGIN = true AND PASSWORD = 'x';
		CREATE ROLE readers;
		GRANT readers TO bob;
		CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'};
		CREATE TABLE ks.t (id int PRIMARY KEY);
		GRANT SELECT ON ks.t TO readers;
		ADD IDENTITY 'id1' TO ROLE bob`)
	require.NoError(t, err)
	return s
}

// snapshot renders everything the store holds.
func (s *fuzzStack) snapshot(t testing.TB) string {
	ctx := context.Background()
	var b strings.Builder
	rs, err := s.mem.ListRoles(ctx)
	require.NoError(t, err)
	for _, r := range rs {
		fmt.Fprintf(&b, "role %+v\n", r)
		dcs, err := s.mem.GetDatacenters(ctx, r.Name)
		fmt.Fprintf(&b, " dcs %v %v\n", dcs, err)
		cidrs, err := s.mem.GetCIDRPermissions(ctx, r.Name)
		fmt.Fprintf(&b, " cidrs %v %v\n", cidrs, err)
	}
	grants, err := s.mem.ListGrants(ctx, "")
	require.NoError(t, err)
	fmt.Fprintf(&b, "grants %v\n", grants)
	objs, err := s.mem.ListSchemaObjects(ctx, "")
	require.NoError(t, err)
	fmt.Fprintf(&b, "schema %v\n", objs)
	ids, err := s.mem.ListIdentities(ctx)
	require.NoError(t, err)
	fmt.Fprintf(&b, "identities %v\n", ids)
	return b.String()
}

// FuzzParse checks the parser against any input: it never panics; an
// error is a syntax error with a valid position or an InvalidRequest; what
// parses renders (String) to text that parses to the same rendering; and a
// text whose first statement does not parse changes nothing when executed.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", ";", "CREATE ROLE bob", "GRANT SELECT ON ks.t TO bob", "LIST ALL OF bob NORECURSIVE",
		"CREATE ROLE 'x' WITH OPTIONS = {'a': 'b'}", "GRANT EXECUTE ON FUNCTION ks.f(map<text, frozen<list<int>>>) TO r",
		"/* c */ DROP ROLE IF EXISTS \"Q\"\"q\" -- c", "GRANT ALL ON MBEANS 'd:type=*' TO r",
	} {
		f.Add(s)
	}
	st := newFuzzStack(f)
	f.Fuzz(func(t *testing.T, text string) {
		sts, err := Parse(text)
		if err == nil {
			for _, s := range sts {
				rendered := s.String()
				again, err := Parse(rendered)
				if err != nil {
					t.Fatalf("%q rendered as %q, which does not parse: %v", text, rendered, err)
				}
				if len(again) != 1 || again[0].String() != rendered {
					t.Fatalf("%q rendered as %q, which parses to %v", text, rendered, again)
				}
			}
			return
		}
		checkParseError(t, text, err)
		// Executing a text whose first statement fails to parse runs
		// nothing and changes nothing.
		toks := lex(text)
		groups := split(toks)
		if len(groups) == 0 {
			t.Fatalf("%q: error %v without any statement", text, err)
		}
		if _, firstErr := parseStatement(text, toks, groups[0], 0); firstErr == nil {
			return
		}
		before := st.snapshot(t)
		res, execErr := Execute(context.Background(), st.env, &Session{User: roles.NewUser("cassandra"), Datacenter: "dc1"}, text)
		if execErr == nil || len(res) != 0 || execErr.Error() != err.Error() {
			t.Fatalf("%q: Execute = %v, %v; Parse failed with %v", text, res, execErr, err)
		}
		if after := st.snapshot(t); after != before {
			t.Fatalf("%q: a failed statement changed the store:\n%s\n---\n%s", text, before, after)
		}
	})
}

// checkParseError checks the form of an error Parse returned.
func checkParseError(t *testing.T, text string, err error) {
	var re *roles.Error
	if !errors.As(err, &re) {
		t.Fatalf("%q: error %T %v is not a *roles.Error", text, err, err)
	}
	switch re.Code {
	case roles.CodeSyntaxError:
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
			t.Fatalf("%q: syntax error %v without *SyntaxError", text, err)
		}
		if se.Line < 1 || se.Column < 0 || se.Offset < 0 || se.Offset > len(text) || se.Msg != err.Error() || se.Msg == "" {
			t.Fatalf("%q: bad syntax error %+v", text, se)
		}
	case roles.CodeInvalid:
	default:
		t.Fatalf("%q: unexpected code %v: %v", text, re.Code, err)
	}
}
