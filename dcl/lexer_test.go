package dcl

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLex(t *testing.T) {
	type tok struct {
		kind tokKind
		text string
		val  string
	}
	tests := []struct {
		in   string
		want []tok
	}{
		{"Select", []tok{{tIdent, "Select", "Select"}}},
		{"'it''s'", []tok{{tString, "'it''s'", "it's"}}},
		{"$$a'b$$", []tok{{tString, "$$a'b$$", "a'b"}}},
		{`"a""b"`, []tok{{tQuoted, `"a""b"`, `a"b`}}},
		{`""`, []tok{{tEmptyQuote, `""`, ""}}},
		{"42 -7 1.5 2e10 -3.E-2 1..2", []tok{{tInteger, "42", "42"}, {tInteger, "-7", "-7"}, {tFloat, "1.5", "1.5"},
			{tFloat, "2e10", "2e10"}, {tFloat, "-3.E-2", "-3.E-2"}, {tInteger, "1", "1"}, {tPunct, "..", ".."}, {tInteger, "2", "2"}}},
		{"12h30m 3mo 5us 7µs 1d2x", []tok{{tDuration, "12h30m", "12h30m"}, {tDuration, "3mo", "3mo"}, {tDuration, "5us", "5us"},
			{tDuration, "7µs", "7µs"}, {tDuration, "1d", "1d"}, {tInteger, "2", "2"}, {tIdent, "x", "x"}}},
		{"0xCafe 123e4567-e89b-12d3-a456-426614174000", []tok{{tHex, "0xCafe", "0xCafe"}, {tUUID, "123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"}}},
		{"TRUE False", []tok{{tBoolean, "TRUE", "true"}, {tBoolean, "False", "false"}}},
		{"? <= >= != += -= ( ) { } [ ] , ; . : = < > + - * / %", []tok{{tQMark, "?", "?"}, {tPunct, "<=", "<="}, {tPunct, ">=", ">="},
			{tPunct, "!=", "!="}, {tPunct, "+=", "+="}, {tPunct, "-=", "-="}, {tPunct, "(", "("}, {tPunct, ")", ")"},
			{tPunct, "{", "{"}, {tPunct, "}", "}"}, {tPunct, "[", "["}, {tPunct, "]", "]"}, {tPunct, ",", ","},
			{tPunct, ";", ";"}, {tPunct, ".", "."}, {tPunct, ":", ":"}, {tPunct, "=", "="}, {tPunct, "<", "<"},
			{tPunct, ">", ">"}, {tPunct, "+", "+"}, {tPunct, "-", "-"}, {tPunct, "*", "*"}, {tPunct, "/", "/"}, {tPunct, "%", "%"}}},
		{"a -- c\nb // d\rc /* e\n */ d", []tok{{tIdent, "a", "a"}, {tIdent, "b", "b"}, {tIdent, "c", "c"}, {tIdent, "d", "d"}}},
		{"\xff", []tok{{tError, "\xff", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got []tok
			for _, x := range lex(tt.in) {
				if x.hidden() || x.kind == tEOF {
					continue
				}
				got = append(got, tok{x.kind, x.text, x.val})
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLexPositions(t *testing.T) {
	var pos [][4]int
	for _, x := range lex("a\n  é c") {
		if !x.hidden() {
			pos = append(pos, [4]int{int(x.kind), x.line, x.col, x.off})
		}
	}
	// a at 1:0; the error for é at 2:2 (byte 4); c at 2:4 (columns count
	// code points, offsets bytes); EOF at 2:5.
	assert.Equal(t, [][4]int{{int(tIdent), 1, 0, 0}, {int(tError), 2, 2, 4}, {int(tIdent), 2, 4, 7}, {int(tEOF), 2, 5, 8}}, pos)
}
