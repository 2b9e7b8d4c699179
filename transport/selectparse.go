package transport

import (
	"fmt"
	"strconv"
	"strings"
)

// This file parses the SELECT statements cassauth's handler answers over
// its read-only tables:
//
//	SELECT [JSON] <* | col [AS alias], ...> FROM [ks.]table
//	  [WHERE col = term [AND col = term ...]] [LIMIT n | ?] [ALLOW FILTERING]
//
// where a term is a string, number, boolean, uuid, blob (0x...) or null
// literal, or a bind marker (? or :name). Keywords are case-insensitive;
// unquoted names fold to lower case, "quoted" ones keep their case. That
// covers every query the drivers send to the system and auth tables
// (shared/spec/cql-drivers.md section 2); anything else is an error an
// embedding server's handler may take over.

type tokKind uint8

const (
	tkEOF tokKind = iota
	tkIdent
	tkQuoted // "name"
	tkString
	tkNumber
	tkUUID
	tkBlob
	tkMarker // ?
	tkPunct
)

type tok struct {
	kind tokKind
	text string // identifiers lower-cased; strings unquoted
	raw  string // as written
	pos  int
}

// lexSelect splits text into tokens, skipping whitespace and comments.
func lexSelect(text string) ([]tok, error) {
	var toks []tok
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' && strings.HasPrefix(text[i:], "--"), c == '/' && strings.HasPrefix(text[i:], "//"):
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				return nil, syntaxAt(text, i, "unterminated comment")
			}
			i += end + 4
		case c == '\'':
			s, n, ok := quoted(text[i:], '\'')
			if !ok {
				return nil, syntaxAt(text, i, "unterminated string")
			}
			toks = append(toks, tok{kind: tkString, text: s, raw: text[i : i+n], pos: i})
			i += n
		case c == '"':
			s, n, ok := quoted(text[i:], '"')
			if !ok || s == "" {
				return nil, syntaxAt(text, i, "invalid quoted name")
			}
			toks = append(toks, tok{kind: tkQuoted, text: s, raw: text[i : i+n], pos: i})
			i += n
		case isDigit(c) || c == '-' && i+1 < len(text) && isDigit(text[i+1]):
			n := scanWord(text[i:])
			raw := text[i : i+n]
			kind := tkNumber
			switch {
			case len(raw) > 2 && (raw[:2] == "0x" || raw[:2] == "0X"):
				kind = tkBlob
			case isUUIDText(raw):
				kind = tkUUID
			default:
				if _, err := strconv.ParseFloat(raw, 64); err != nil {
					return nil, syntaxAt(text, i, "invalid number")
				}
			}
			toks = append(toks, tok{kind: kind, text: raw, raw: raw, pos: i})
			i += n
		case isLetter(c):
			n := scanWord(text[i:])
			raw := text[i : i+n]
			kind := tkIdent
			if isUUIDText(raw) {
				kind = tkUUID
			}
			toks = append(toks, tok{kind: kind, text: strings.ToLower(raw), raw: raw, pos: i})
			i += n
		case c == '?':
			toks = append(toks, tok{kind: tkMarker, text: "?", raw: "?", pos: i})
			i++
		case strings.IndexByte("*,.()=;:<>!", c) >= 0:
			toks = append(toks, tok{kind: tkPunct, text: string(c), raw: string(c), pos: i})
			i++
		default:
			return nil, syntaxAt(text, i, fmt.Sprintf("token recognition error at: '%c'", c))
		}
	}
	return append(toks, tok{kind: tkEOF, raw: "<EOF>", pos: len(text)}), nil
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// scanWord returns the length of the run of letters, digits, '_', '-' and
// '.' digits at the start of s (numbers, uuids, blobs, names).
func scanWord(s string) int {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	for i < len(s) {
		c := s[i]
		switch {
		case isLetter(c) || isDigit(c) || c == '_':
		case c == '-' && i+1 < len(s) && (isDigit(s[i+1]) || isLetter(s[i+1])) && looksHex(s[:i]):
		case c == '.' && i+1 < len(s) && isDigit(s[i+1]) && isDigit(s[0]):
		default:
			return i
		}
		i++
	}
	return i
}

// looksHex reports whether s is made of hex digits and dashes (a uuid
// being scanned).
func looksHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !isDigit(s[i]) && (c < 'a' || c > 'f') && s[i] != '-' {
			return false
		}
	}
	return true
}

func isUUIDText(s string) bool {
	_, err := ParseUUID(s)
	return err == nil
}

// quoted reads a q-quoted literal at the start of s, in which a doubled q
// stands for one; it returns the contents and the length consumed.
func quoted(s string, q byte) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != q {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", 0, false
}

// syntaxAt returns a Syntax_error positioned like Cassandra's ("line
// L:C ..."), C counted from 0.
func syntaxAt(text string, pos int, what string) error {
	line, col := 1, 0
	for i := 0; i < pos && i < len(text); i++ {
		if text[i] == '\n' {
			line, col = line+1, 0
		} else {
			col++
		}
	}
	return syntaxf("line %d:%d %s", line, col, what)
}

// termKind is the kind of a WHERE value.
type termKind uint8

const (
	termString termKind = iota
	termNumber
	termBool
	termUUID
	termBlob
	termNull
	termMarker
)

// term is a WHERE or LIMIT value: a literal or a bind marker.
type term struct {
	kind   termKind
	text   string // literal text; the marker's name for :name ("" for ?)
	marker int    // index of a bind marker
}

type selector struct{ name, alias string }

type relation struct {
	col string
	val term
}

// selectStmt is a parsed SELECT.
type selectStmt struct {
	json           bool
	keyspace       string // "" when unqualified
	table          string
	star           bool
	cols           []selector
	where          []relation
	limit          *term
	allowFiltering bool
	markers        int // number of bind markers
}

type selParser struct {
	text string
	toks []tok
	i    int
	st   selectStmt
}

// parseSelect parses a SELECT. Syntax errors are Syntax_error (0x2000);
// valid CQL this parser does not implement (functions, DISTINCT, IN,
// ranges, ORDER BY, ...) is Invalid (0x2200).
func parseSelect(text string) (*selectStmt, error) {
	toks, err := lexSelect(text)
	if err != nil {
		return nil, err
	}
	p := &selParser{text: text, toks: toks}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return &p.st, nil
}

func (p *selParser) peek() tok { return p.toks[p.i] }
func (p *selParser) next() tok {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *selParser) isKw(kw string) bool {
	t := p.peek()
	return t.kind == tkIdent && t.text == kw
}

func (p *selParser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tkPunct && t.text == s
}

func (p *selParser) noViable() error {
	t := p.peek()
	return syntaxAt(p.text, t.pos, fmt.Sprintf("no viable alternative at input '%s'", t.raw))
}

func (p *selParser) expectKw(kw string) error {
	if !p.isKw(kw) {
		t := p.peek()
		return syntaxAt(p.text, t.pos, fmt.Sprintf("mismatched input '%s' expecting K_%s", t.raw, strings.ToUpper(kw)))
	}
	p.i++
	return nil
}

func unsupportedSelect(what string) error {
	return invalidf("%s is not supported on this table", what)
}

// name reads an identifier (quoted or not); reserved words are refused.
func (p *selParser) name() (string, error) {
	t := p.peek()
	switch {
	case t.kind == tkQuoted:
		p.i++
		return t.text, nil
	case t.kind == tkIdent && !selectReserved[t.text]:
		p.i++
		return t.text, nil
	}
	return "", p.noViable()
}

// selectReserved are reserved keywords that cannot be unquoted names here.
var selectReserved = map[string]bool{"select": true, "from": true, "where": true, "and": true, "limit": true,
	"allow": true, "as": true, "in": true, "order": true, "by": true, "distinct": true, "token": true}

func (p *selParser) parse() error {
	if err := p.expectKw("select"); err != nil {
		return err
	}
	if p.isKw("json") {
		p.i++
		p.st.json = true
	}
	if p.isKw("distinct") {
		return unsupportedSelect("SELECT DISTINCT")
	}
	if err := p.selectors(); err != nil {
		return err
	}
	if err := p.expectKw("from"); err != nil {
		return err
	}
	first, err := p.name()
	if err != nil {
		return err
	}
	if p.isPunct(".") {
		p.i++
		second, err := p.name()
		if err != nil {
			return err
		}
		p.st.keyspace, p.st.table = first, second
	} else {
		p.st.table = first
	}
	if p.isKw("where") {
		p.i++
		if err := p.relations(); err != nil {
			return err
		}
	}
	if p.isKw("order") || p.isKw("group") || p.isKw("per") {
		return unsupportedSelect(strings.ToUpper(p.peek().raw))
	}
	if p.isKw("limit") {
		p.i++
		t, err := p.term()
		if err != nil {
			return err
		}
		if t.kind != termNumber && t.kind != termMarker {
			return invalidf("Invalid LIMIT value")
		}
		p.st.limit = &t
	}
	if p.isKw("allow") {
		p.i++
		if err := p.expectKw("filtering"); err != nil {
			return err
		}
		p.st.allowFiltering = true
	}
	for p.isPunct(";") {
		p.i++
	}
	if p.peek().kind != tkEOF {
		t := p.peek()
		return syntaxAt(p.text, t.pos, fmt.Sprintf("extraneous input '%s' expecting EOF", t.raw))
	}
	return nil
}

func (p *selParser) selectors() error {
	if p.isPunct("*") {
		p.i++
		p.st.star = true
		return nil
	}
	for {
		n, err := p.name()
		if err != nil {
			return err
		}
		if p.isPunct("(") {
			return unsupportedSelect("function " + n + "()")
		}
		sel := selector{name: n, alias: n}
		if p.isKw("as") {
			p.i++
			if sel.alias, err = p.name(); err != nil {
				return err
			}
		}
		p.st.cols = append(p.st.cols, sel)
		if !p.isPunct(",") {
			return nil
		}
		p.i++
	}
}

func (p *selParser) relations() error {
	for {
		if p.isKw("token") || p.isPunct("(") {
			return unsupportedSelect("this WHERE clause")
		}
		col, err := p.name()
		if err != nil {
			return err
		}
		switch {
		case p.isPunct("="):
			p.i++
		case p.isKw("in"), p.isKw("contains"), p.isKw("like"), p.isPunct("<"), p.isPunct(">"), p.isPunct("!"):
			return unsupportedSelect("a restriction other than =")
		default:
			return p.noViable()
		}
		t, err := p.term()
		if err != nil {
			return err
		}
		p.st.where = append(p.st.where, relation{col: col, val: t})
		if !p.isKw("and") {
			return nil
		}
		p.i++
	}
}

func (p *selParser) term() (term, error) {
	t := p.next()
	switch t.kind {
	case tkString:
		return term{kind: termString, text: t.text}, nil
	case tkNumber:
		return term{kind: termNumber, text: t.text}, nil
	case tkUUID:
		return term{kind: termUUID, text: t.raw}, nil
	case tkBlob:
		return term{kind: termBlob, text: t.text}, nil
	case tkMarker:
		m := term{kind: termMarker, marker: p.st.markers}
		p.st.markers++
		return m, nil
	case tkIdent:
		switch t.text {
		case "true", "false":
			return term{kind: termBool, text: t.text}, nil
		case "null":
			return term{kind: termNull}, nil
		}
	case tkPunct:
		if t.text == ":" {
			n, err := p.name()
			if err != nil {
				return term{}, err
			}
			m := term{kind: termMarker, text: n, marker: p.st.markers}
			p.st.markers++
			return m, nil
		}
	}
	p.i--
	return term{}, p.noViable()
}

// firstKeyword returns the first word of a statement, lower-cased,
// skipping whitespace and comments ("" if the statement does not start
// with a word).
func firstKeyword(text string) string {
	i := 0
	for i < len(text) {
		switch c := text[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(text[i:], "--") || strings.HasPrefix(text[i:], "//"):
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case strings.HasPrefix(text[i:], "/*"):
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				return ""
			}
			i += end + 4
		default:
			j := i
			for j < len(text) && (isLetter(text[j]) || j > i && (isDigit(text[j]) || text[j] == '_')) {
				j++
			}
			return strings.ToLower(text[i:j])
		}
	}
	return ""
}
