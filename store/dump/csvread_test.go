package dump

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type csvRecord struct {
	Line   int
	Fields []string
}

func readAllCSV(s string) ([]csvRecord, error) {
	r := newCSVReader(strings.NewReader(s))
	var out []csvRecord
	for {
		f, line, err := r.read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, csvRecord{line, f})
	}
}

func TestCSVReader(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []csvRecord
	}{
		{"empty", "", nil},
		{"crlf", "a,b\r\nc,d\r\n", []csvRecord{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}},
		{"lf without final newline", "a,b\nc,d", []csvRecord{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}},
		{"lone cr", "a\rb\r", []csvRecord{{1, []string{"a"}}, {2, []string{"b"}}}},
		{"empty fields", "a,,\r\n", []csvRecord{{1, []string{"a", "", ""}}}},
		{"quoted comma", `"a,b",c`, []csvRecord{{1, []string{"a,b", "c"}}}},
		{"escaped quote", `a\"b,"c \"d\", e"`, []csvRecord{{1, []string{`a"b`, `c "d", e`}}}},
		{"escaped backslash", `a\\b,"\\"`, []csvRecord{{1, []string{`a\b`, `\`}}}},
		{"doubled quote", `"a""b",""`, []csvRecord{{1, []string{`a"b`, ""}}}},
		{"newline in quotes", "\"a\nb\",c\nd,e\n", []csvRecord{{1, []string{"a\nb", "c"}}, {3, []string{"d", "e"}}}},
		{"escaped newline", "a\\\nb,c\nd,e", []csvRecord{{1, []string{"a\nb", "c"}}, {3, []string{"d", "e"}}}},
		{"blank lines", "\n\r\na,b\n\nc,d\n\n", []csvRecord{{3, []string{"a", "b"}}, {5, []string{"c", "d"}}}},
		{"bom", "\xef\xbb\xbfrole,member\n", []csvRecord{{1, []string{"role", "member"}}}},
		{"utf8", "ünï,ök\n", []csvRecord{{1, []string{"ünï", "ök"}}}},
		{"set", `x,"{'a', 'b'}",{'c'}` + "\r\n", []csvRecord{{1, []string{"x", "{'a', 'b'}", "{'c'}"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllCSV(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCSVReaderErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"unterminated quote", "a,b\nc,\"d\ne\n", 2, "unterminated quoted field"},
		{"bare quote", "a,b\nab\"c,d\n", 2, `bare " in an unquoted field`},
		{"text after quote", "a,b\n\"a\"b,c\n", 2, `unexpected 'b' after the closing quote`},
		{"escape at end", "a,b\\", 1, `escape character \ at the end of the input`},
		{"escape at end in quotes", "\"a\\", 1, `escape character`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAllCSV(tc.in)
			var se *csvSyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.line, se.Line)
			assert.Contains(t, se.Msg, tc.msg)
		})
	}
}

// writeCSV writes records in cqlsh's dialect: every field quoted, quotes
// and backslashes escaped with a backslash.
func writeCSV(records [][]string) string {
	var b strings.Builder
	for _, rec := range records {
		for i, f := range rec {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(f))
			b.WriteByte('"')
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

// FuzzCSVReader checks that the reader never panics and that whatever it
// reads, written back in cqlsh's dialect, reads back the same.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"role,can_login,is_superuser,member_of,salted_hash\r\ncassandra,True,True,,$2a$10$x\r\n",
		`alice,True,False,"{'analyst', 'app_rw'}",h` + "\n",
		`dev \"ninja\",False,False,,` + "\n",
		"\"a\nb\",\"\"\"\"\n",
		"a\\", "\"", "a\"b", "\xef\xbb\xbf,\r\r\n,",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		recs, err := readAllCSV(in)
		if err != nil {
			return
		}
		var fields [][]string
		for _, r := range recs {
			fields = append(fields, r.Fields)
		}
		again, err := readAllCSV(writeCSV(fields))
		if err != nil {
			t.Fatalf("re-reading %q: %v", writeCSV(fields), err)
		}
		var fields2 [][]string
		for _, r := range again {
			fields2 = append(fields2, r.Fields)
		}
		assert.Equal(t, fields, fields2)
	})
}
