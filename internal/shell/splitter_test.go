package shell

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

func split(input string) ([]Statement, Statement) {
	var s Splitter
	var out []Statement
	for _, line := range strings.Split(input, "\n") {
		out = append(out, s.Feed(line)...)
	}
	return out, s.Rest()
}

func TestSplitter(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []Statement
		rest  string
	}{
		{"one", "LIST ROLES;", []Statement{{"LIST ROLES;", 1}}, ""},
		{"two on a line", "LIST ROLES; LIST USERS;", []Statement{{"LIST ROLES;", 1}, {"LIST USERS;", 1}}, ""},
		{"multi-line", "CREATE ROLE a\n  WITH LOGIN = true\n;", []Statement{{"CREATE ROLE a\n  WITH LOGIN = true\n;", 1}}, ""},
		{"starts on its line", "\n\nLIST ROLES;\nLIST\nUSERS;", []Statement{{"LIST ROLES;", 3}, {"LIST\nUSERS;", 4}}, ""},
		{"semicolon in string", "CREATE ROLE a WITH PASSWORD = 'x;y';", []Statement{{"CREATE ROLE a WITH PASSWORD = 'x;y';", 1}}, ""},
		{"doubled quote", "CREATE ROLE a WITH PASSWORD = 'it''s;';", []Statement{{"CREATE ROLE a WITH PASSWORD = 'it''s;';", 1}}, ""},
		{"quoted name", `CREATE ROLE "a;""b";`, []Statement{{`CREATE ROLE "a;""b";`, 1}}, ""},
		{"dollar string", "CREATE ROLE a WITH PASSWORD = $$x;\ny$$;", []Statement{{"CREATE ROLE a WITH PASSWORD = $$x;\ny$$;", 1}}, ""},
		{"line comment", "LIST ROLES -- not; yet\n;", []Statement{{"LIST ROLES -- not; yet\n;", 1}}, ""},
		{"slash comment", "LIST ROLES // x;\n;", []Statement{{"LIST ROLES // x;\n;", 1}}, ""},
		{"block comment", "LIST /* ; \n ; */ ROLES;", []Statement{{"LIST /* ; \n ; */ ROLES;", 1}}, ""},
		{"comment-only statements dropped", "-- a;\n/* b; */ ;\n;;", nil, ""},
		{"unterminated", "LIST ROLES; LIST", []Statement{{"LIST ROLES;", 1}}, "LIST"},
		{"unterminated string", "CREATE ROLE a WITH PASSWORD = 'x;", nil, "CREATE ROLE a WITH PASSWORD = 'x;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest := split(tt.input)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.rest, rest.Text)
		})
	}
}

// TestSplitterProperty builds statements from pieces that contain
// semicolons only where they are not terminators (strings, quoted names,
// $$ strings, comments), joins them with random line breaks, and checks
// that the splitter finds exactly those statements.
func TestSplitterProperty(t *testing.T) {
	piece := rapid.SampledFrom([]string{
		"LIST", "ROLES", "CREATE", "a", "=", "'x;y'", "'it''s'", `"q;""r"`, "$$d;\nd$$",
		"/* c; */", "/*\n;*/", "-- l;\n", "// m;\n", "{'k': 'v;'}", "1",
	})
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 5).Draw(t, "n")
		var text strings.Builder
		var want []string
		for range n {
			words := rapid.SliceOfN(piece, 1, 6).Draw(t, "words")
			words = append([]string{"LIST"}, words...) // substance in every statement
			var st strings.Builder
			for i, w := range words {
				if i > 0 {
					st.WriteString(rapid.SampledFrom([]string{" ", "\n", "  \n "}).Draw(t, "sep"))
				}
				st.WriteString(w)
			}
			st.WriteString(";")
			want = append(want, strings.Join(strings.Fields(st.String()), " "))
			text.WriteString(st.String())
			text.WriteString(rapid.SampledFrom([]string{"", " ", "\n"}).Draw(t, "after"))
		}
		got, rest := split(text.String())
		if rest.Text != "" {
			t.Fatalf("left %q pending in %q", rest.Text, text.String())
		}
		if len(got) != len(want) {
			t.Fatalf("got %d statements, want %d, from %q: %v", len(got), len(want), text.String(), got)
		}
		for i := range got {
			if g := strings.Join(strings.Fields(got[i].Text), " "); g != want[i] {
				t.Fatalf("statement %d: got %q, want %q", i, g, want[i])
			}
		}
	})
}

// FuzzSplitter feeds arbitrary text: the splitter must not panic, and
// every statement it returns must end with a semicolon, be a piece of the
// input as written and start on a line of it.
func FuzzSplitter(f *testing.F) {
	for _, s := range []string{"LIST ROLES;", "a 'b;' \"c;\" $$d;$$ /* e; */ -- f;\n;", "'", "/*", "$$", ";;;", "--;\n;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		var s Splitter
		for _, line := range strings.Split(input, "\n") {
			for _, st := range s.Feed(line) {
				if !strings.HasSuffix(st.Text, ";") {
					t.Fatalf("statement %q does not end with ';'", st.Text)
				}
				if !strings.Contains(input, st.Text) {
					t.Fatalf("statement %q is not in the input", st.Text)
				}
				if st.Line < 1 || st.Line > strings.Count(input, "\n")+1 {
					t.Fatalf("line %d", st.Line)
				}
			}
		}
		if !s.Pending() && s.Rest().Text != "" {
			t.Fatal("rest without a pending statement")
		}
	})
}
