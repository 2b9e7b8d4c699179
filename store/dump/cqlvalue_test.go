package dump

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTextSet(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"{}", []string{}},
		{"{ }", []string{}},
		{"{'a'}", []string{"a"}},
		{"{'a', 'b'}", []string{"a", "b"}},
		{"{'it''s', 'a, b', '{x}', '(y)'}", []string{"it's", "a, b", "{x}", "(y)"}},
		{"{''}", []string{""}},
		{"{''''}", []string{"'"}},
		{`{'dom\\user', 'tab\there', 'nl\nx', 'cr\rx', 'bell\x07', 'nbsp\xa0'}`, []string{`dom\user`, "tab\there", "nl\nx", "cr\rx", "bell\x07", "nbsp\u00a0"}},
		{`{'keep\q', 'end\'}`, []string{`keep\q`, `end\`}},
		{`{'dev "ninja"'}`, []string{`dev "ninja"`}},
		{"{'ünï'}", []string{"ünï"}},
		{"{bare, 'x'}", []string{"bare", "x"}},
		{"{'SELECT','MODIFY'}", []string{"SELECT", "MODIFY"}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseTextSet(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseTextSetErrors(t *testing.T) {
	cases := []struct{ in, msg string }{
		{"'a'", "expected a set"},
		{"{'a'", `expected ',' or '}', found the end at character 5`},
		{"{'a',}", `expected a value, found '}' at character 6`},
		{"{'a' 'b'}", `expected ',' or '}', found '\'' at character 6`},
		{"{'a}", "unterminated quoted string at character 2"},
		{"{('a', 'b')}", "expected text elements"},
		{"{'a'} x", `unexpected 'x' after the value at character 7`},
		{"{[1]}", `expected a value, found '['`},
		{"{{{{{{{{{{{{{{{{{{{{}}}}}}}}}}}}}}}}}}}}", "nested deeper than 16"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := parseTextSet(tc.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestParseCIDRSet(t *testing.T) {
	got, err := parseCIDRSet("{('10.0.0.0', 8), ('192.168.1.7', 32), ('2001:db8::', 32), (::1, 128)}")
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("::1/128"),
	}, got)
	got, err = parseCIDRSet("")
	require.NoError(t, err)
	assert.Nil(t, got)

	for _, bad := range []string{
		"('10.0.0.0', 8)",
		"{('10.0.0.0')}",
		"{('10.0.0.0', 8, 1)}",
		"{'10.0.0.0/8'}",
		"{('10.0.0.0', 33)}",
		"{('10.0.0.0', -1)}",
		"{('10.0.0.0', x)}",
		"{('::1', 129)}",
		"{('example.com', 8)}",
		"{(('10.0.0.0'), 8)}",
	} {
		_, err := parseCIDRSet(bad)
		assert.Error(t, err, bad)
	}
}

func TestFormatText(t *testing.T) {
	assert.Equal(t, `'it''s \\ \n\t\r\x01\x7f\xa0 ünï'`, formatText("it's \\ \n\t\r\x01\x7f\u00a0 ünï"))
	v, err := parseCQLValue(formatText("it's \\ \n\t\r\x01\x7f\u00a0 ünï \\x41"))
	require.NoError(t, err)
	assert.Equal(t, "it's \\ \n\t\r\x01\x7f\u00a0 ünï \\x41", v.text)
}

// FuzzParseCQLValue checks that the collection parser never panics and
// that a parsed value, formatted back in cqlsh's notation, parses to the
// same value.
func FuzzParseCQLValue(f *testing.F) {
	for _, s := range []string{
		"{}", "{'a', 'b'}", "{'it''s'}", `{'dom\\user', 'nl\nx', '\x07'}`,
		"{('10.0.0.0', 8), ('2001:db8::', 32)}", "(1, 'x', {2})", "{bare, 'x'}",
		"{'a'", "{'a',}", "{{{}}}", "'unterminated", "{'a'} trailing",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := parseCQLValue(in)
		if err != nil {
			if _, ok := err.(*cqlSyntaxError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		out := v.format()
		again, err := parseCQLValue(out)
		if err != nil {
			t.Fatalf("parse(%q) = %#v, format = %q, which does not parse: %v", in, v, out, err)
		}
		if !reflect.DeepEqual(v, again) {
			t.Fatalf("parse(%q) = %#v\nformat = %q\nparse again = %#v", in, v, out, again)
		}
		// The typed parsers must not panic either.
		_, _ = parseTextSet(in)
		_, _ = parseCIDRSet(in)
	})
}
