package resource

import (
	"testing"

	"pgregory.net/rapid"
)

// FuzzParse checks that Parse never panics, that every name it accepts is
// canonical up to Cassandra's splitting rules (parsing the result's Name
// again yields the same resource), and that accepted resources are
// internally consistent.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"data", "data/ks", "data/ks/*", "data/ks/t", "roles", "roles/r", "roles/a/b",
		"functions", "functions/ks", "functions/ks/f[]",
		"functions/ks/f[org.apache.cassandra.db.marshal.Int32Type^org.apache.cassandra.db.marshal.UTF8Type]",
		"mbean", "mbean/org.apache.cassandra.db:type=Tables,*", "mbean/d:a=1,b=\"x*\"",
		"", "data//", "functions/ks/f[", "roles//x", "mbean/*:*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		r, err := Parse(name)
		if err != nil {
			if !r.IsZero() {
				t.Fatalf("error with non-zero resource for %q", name)
			}
			return
		}
		again, err := Parse(r.Name())
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", name, r.Name(), err)
		}
		if again != r {
			t.Fatalf("Parse(%q) = %#v, but Parse(Name()) = %#v", name, r, again)
		}
		checkConsistent(t, r)
	})
}

type fataler interface {
	Fatalf(format string, args ...any)
}

func checkConsistent(t fataler, r Resource) {
	depth := 0
	for cur, ok := r, true; ok; cur, ok = cur.Parent() {
		depth++
		if depth > 4 {
			t.Fatalf("chain of %q longer than 4", r.Name())
		}
		if cur.Root() != r.Root() {
			t.Fatalf("parent %q of %q is in another tree", cur.Name(), r.Name())
		}
		if cur.Applicable().IsEmpty() {
			t.Fatalf("%q has no applicable permissions", cur.Name())
		}
		_ = cur.String()
	}
}

var identGen = rapid.StringMatching(`[a-zA-Z][a-zA-Z0-9_]{0,20}`)

// resourceGen draws resources of every level from valid names.
func resourceGen() *rapid.Generator[Resource] {
	return rapid.Custom(func(t *rapid.T) Resource {
		ks := identGen.Draw(t, "ks")
		switch rapid.IntRange(0, 10).Draw(t, "level") {
		case 0:
			return AllKeyspaces
		case 1:
			return Keyspace(ks)
		case 2:
			return AllTables(ks)
		case 3:
			tbl := identGen.Filter(func(s string) bool { return s != "*" }).Draw(t, "table")
			return Table(ks, tbl)
		case 4:
			return AllRoles
		case 5:
			// Role names are arbitrary text that does not start with '/'.
			role := rapid.StringMatching(`[^/][\PC]{0,20}`).Draw(t, "role")
			return Role(role)
		case 6:
			return AllFunctions
		case 7:
			return FunctionsIn(ks)
		case 8:
			types := []string{"int", "text", "list<int>", "map<text, bigint>", "frozen<set<uuid>>", "tuple<int, text>", "blob"}
			args := rapid.SliceOfN(rapid.SampledFrom(types), 0, 4).Draw(t, "args")
			fn := rapid.StringMatching(`[a-z][a-z0-9_/]{0,10}`).Draw(t, "fn")
			r, err := Function(ks, fn, args...)
			if err != nil {
				t.Fatalf("Function: %v", err)
			}
			return r
		case 9:
			return AllMBeans
		default:
			key := identGen.Draw(t, "key")
			val := rapid.StringMatching(`[a-zA-Z0-9.]{1,10}`).Draw(t, "value")
			pattern := rapid.Bool().Draw(t, "pattern")
			name := "org.example:" + key + "=" + val
			if pattern {
				name += ",*"
			}
			r, err := MBean(name)
			if err != nil {
				t.Fatalf("MBean(%q): %v", name, err)
			}
			return r
		}
	})
}

func TestParseRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := resourceGen().Draw(t, "resource")
		back, err := Parse(r.Name())
		if err != nil {
			t.Fatalf("Parse(%q): %v", r.Name(), err)
		}
		if back != r {
			t.Fatalf("round trip of %q: got %#v want %#v", r.Name(), back, r)
		}
		checkConsistent(t, r)
		if r.HasParent() {
			p, _ := r.Parent()
			if Compare(p, r) >= 0 && r.Level() != TableLevel {
				// A parent's name is a prefix of its child's, except a
				// table's all-tables parent ("data/ks/*" vs "data/ks/t").
				t.Fatalf("parent %q does not sort before %q", p.Name(), r.Name())
			}
		}
	})
}
