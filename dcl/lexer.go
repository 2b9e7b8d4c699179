package dcl

import (
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF        tokKind = iota
	tIdent              // unquoted identifier or keyword
	tQuoted             // "double-quoted name"
	tEmptyQuote         // ""
	tString             // 'string' or $$string$$
	tInteger            // -?[0-9]+
	tFloat              // 1.5, 1e3
	tBoolean            // true, false
	tHex                // 0x...
	tUUID               // 8-4-4-4-12 hex digits
	tDuration           // 12h30m
	tQMark              // ?
	tPunct              // punctuation and operators
	tError              // a lexer error, reported when its statement is parsed
	tSpace              // whitespace (hidden)
	tComment            // comment (hidden)
)

// token is one lexical token.
type token struct {
	kind tokKind
	kw   string // for tIdent: the keyword it spells (upper case), or ""
	text string // the source text
	val  string // the value: unescaped string or name, identifier as written
	off  int    // byte offset in the source
	line int    // 1-based line
	col  int    // 0-based column in code points
	msg  string // for tError: the lexer's message, without position
}

// hidden reports whether the parser skips t.
func (t token) hidden() bool { return t.kind == tSpace || t.kind == tComment }

// display is the token as ANTLR prints it in messages: its text, which
// for string literals and quoted names is the unquoted value.
func (t token) display() string {
	switch t.kind {
	case tEOF:
		return "<EOF>"
	case tString, tQuoted:
		return t.val
	}
	return t.text
}

// lexer turns CQL text into tokens. It never fails: a character it cannot
// use becomes a tError token that the parser reports as the first error of
// the statement holding it (as Cassandra's lexer errors come first).
type lexer struct {
	src       string
	pos       int
	line, col int
	toks      []token
}

// lex returns every token of src, hidden ones included, ending with tEOF.
func lex(src string) []token {
	l := &lexer{src: src, line: 1, toks: make([]token, 0, len(src)/2+4)}
	for l.pos < len(l.src) {
		l.next()
	}
	l.toks = append(l.toks, token{kind: tEOF, off: len(src), line: l.line, col: l.col})
	return l.toks
}

// advance moves past n bytes, keeping line and column.
func (l *lexer) advance(n int) {
	end := l.pos + n
	for l.pos < end {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if r == '\n' {
			l.line++
			l.col = 0
		} else {
			l.col++
		}
		l.pos += size
	}
}

// emit appends a token of kind spanning n bytes from the current position.
func (l *lexer) emit(kind tokKind, n int, val string) {
	t := token{kind: kind, text: l.src[l.pos : l.pos+n], val: val, off: l.pos, line: l.line, col: l.col}
	if kind == tIdent {
		t.kw = keyword(t.text)
	}
	l.toks = append(l.toks, t)
	l.advance(n)
}

// fail appends an error token at the current position (for an unterminated
// construct, at its end) and skips n bytes.
func (l *lexer) fail(n int, atEnd bool, msg string) {
	start, line, col := l.pos, l.line, l.col
	if atEnd {
		l.advance(n)
		start, line, col = l.pos, l.line, l.col
		n = 0
	}
	l.toks = append(l.toks, token{kind: tError, text: l.src[start : start+n], off: start, line: line, col: col, msg: msg})
	l.advance(n)
}

// keyword returns the keyword an identifier spells, or "", without
// allocating.
func keyword(ident string) string {
	var buf [24]byte
	if len(ident) > len(buf) {
		return ""
	}
	for i := 0; i < len(ident); i++ {
		c := ident[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return keywords[string(buf[:len(ident)])]
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// next lexes one token.
func (l *lexer) next() {
	s := l.src[l.pos:]
	c := s[0]
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		n := 1
		for n < len(s) && (s[n] == ' ' || s[n] == '\t' || s[n] == '\n' || s[n] == '\r') {
			n++
		}
		l.emit(tSpace, n, "")
	case strings.HasPrefix(s, "--") || strings.HasPrefix(s, "//"):
		n := strings.IndexAny(s, "\n\r")
		if n < 0 {
			n = len(s)
		}
		l.emit(tComment, n, "")
	case strings.HasPrefix(s, "/*"):
		n := strings.Index(s[2:], "*/")
		if n < 0 {
			l.fail(len(s), true, "mismatched character '<EOF>' expecting '*'")
			return
		}
		l.emit(tComment, n+4, "")
	case c == '\'':
		l.quoted(s, '\'', tString)
	case c == '"':
		if strings.HasPrefix(s, `""`) && !strings.HasPrefix(s, `"""`) {
			l.emit(tEmptyQuote, 2, "")
			return
		}
		l.quoted(s, '"', tQuoted)
	case strings.HasPrefix(s, "$$"):
		n := strings.Index(s[2:], "$$")
		if n < 0 {
			l.fail(len(s), true, "mismatched character '<EOF>' expecting '$'")
			return
		}
		l.emit(tString, n+4, s[2:2+n])
	case isHex(c) && uuidLen(s) > 0:
		l.emit(tUUID, uuidLen(s), s[:uuidLen(s)])
	case c == '0' && len(s) > 1 && (s[1] == 'x' || s[1] == 'X'):
		n := 2
		for n < len(s) && isHex(s[n]) {
			n++
		}
		l.emit(tHex, n, s[:n])
	case isDigit(c) || c == '-' && len(s) > 1 && isDigit(s[1]):
		kind, n := number(s)
		l.emit(kind, n, s[:n])
	case isLetter(c):
		n := 1
		for n < len(s) && (isLetter(s[n]) || isDigit(s[n]) || s[n] == '_') {
			n++
		}
		if strings.EqualFold(s[:n], "true") || strings.EqualFold(s[:n], "false") {
			l.emit(tBoolean, n, strings.ToLower(s[:n]))
			return
		}
		l.emit(tIdent, n, s[:n])
	case c == '?':
		l.emit(tQMark, 1, "?")
	default:
		for _, op := range [...]string{"<=", ">=", "!=", "+=", "-=", ".."} {
			if strings.HasPrefix(s, op) {
				l.emit(tPunct, 2, op)
				return
			}
		}
		if strings.IndexByte("()[]{},;.:=<>+-*/%", c) >= 0 {
			l.emit(tPunct, 1, s[:1])
			return
		}
		r, size := utf8.DecodeRuneInString(s)
		ch := string(r)
		if r == utf8.RuneError && size <= 1 {
			ch = s[:1]
			size = 1
		}
		l.fail(size, false, "no viable alternative at character '"+ch+"'")
	}
}

// quoted lexes a string literal or quoted name delimited by q, where a
// doubled q stands for one.
func (l *lexer) quoted(s string, q byte, kind tokKind) {
	var b strings.Builder
	i := 1
	for i < len(s) {
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				b.WriteByte(q)
				i += 2
				continue
			}
			l.emit(kind, i+1, b.String())
			return
		}
		b.WriteByte(s[i])
		i++
	}
	l.fail(len(s), true, "mismatched character '<EOF>' expecting '"+string(q)+"'")
}

// uuidLen returns 36 if s starts with a UUID (8-4-4-4-12 hex digits), else 0.
func uuidLen(s string) int {
	if len(s) < 36 {
		return 0
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return 0
			}
		default:
			if !isHex(s[i]) {
				return 0
			}
		}
	}
	return 36
}

// number lexes an integer, float or duration at the start of s, which
// starts with a digit or a '-' followed by one.
func number(s string) (tokKind, int) {
	n := 0
	if s[0] == '-' {
		n++
	}
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if d := durationLen(s, n); d > 0 {
		return tDuration, d
	}
	kind := tInteger
	if n < len(s) && s[n] == '.' && !strings.HasPrefix(s[n:], "..") {
		kind = tFloat
		n++
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		m := n + 1
		if m < len(s) && (s[m] == '+' || s[m] == '-') {
			m++
		}
		if m < len(s) && isDigit(s[m]) {
			for m < len(s) && isDigit(s[m]) {
				m++
			}
			kind, n = tFloat, m
		}
	}
	return kind, n
}

// durationLen returns the length of a duration literal (digits followed by
// units, repeated: 1h30m, 12mo, 3us) whose first digits end at n, or 0.
func durationLen(s string, n int) int {
	end := 0
	for {
		u := unitLen(s[n:])
		if u == 0 {
			return end
		}
		n += u
		end = n
		m := n
		for m < len(s) && isDigit(s[m]) {
			m++
		}
		if m == n {
			return end
		}
		n = m
	}
}

// unitLen returns the length of the duration unit at the start of s, or 0.
func unitLen(s string) int {
	lower := strings.ToLower(s[:min(len(s), 3)])
	for _, u := range [...]string{"mo", "ms", "us", "µs", "ns", "y", "w", "d", "h", "m", "s"} {
		if strings.HasPrefix(lower, u) {
			return len(u)
		}
	}
	return 0
}
