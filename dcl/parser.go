package dcl

import (
	"fmt"
	"strings"

	"github.com/cassauth/cassauth/roles"
)

// Parse parses text: one or more statements separated by semicolons, with
// comments (-- and // to the end of the line, /* ... */) and whitespace
// anywhere. Empty statements are skipped, so "" gives no statement.
//
// Errors are [*roles.Error] values: [roles.CodeSyntaxError] wrapping a
// [*SyntaxError] (with the position) for text that is not a statement of
// this package; [roles.CodeInvalid] for what Cassandra rejects while parsing
// with an InvalidRequest ("Altering permissions on builtin functions is not
// supported", an unknown function argument type) and for a statement this
// package does not handle (wrapping [ErrUnsupportedStatement]). Parse never
// panics, whatever text it is given.
func Parse(text string) ([]Statement, error) {
	toks := lex(text)
	var out []Statement
	for i, g := range split(toks) {
		st, err := parseStatement(text, toks, g, i)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// group is the significant tokens of one statement (indices into the token
// slice) and the index of the token that ends it (';' or EOF).
type group struct {
	idx  []int
	term int
}

// split divides the tokens into statements at semicolons, dropping empty
// statements.
func split(toks []token) []group {
	var out []group
	var cur []int
	for i, t := range toks {
		switch {
		case t.hidden():
		case t.kind == tEOF || t.kind == tPunct && t.text == ";":
			if len(cur) > 0 {
				out = append(out, group{idx: cur, term: i})
			}
			cur = nil
		default:
			cur = append(cur, i)
		}
	}
	return out
}

// parser parses one statement.
type parser struct {
	src      string
	all      []token
	g        group
	i        int // position in g.idx
	stmt     int // index of the statement in the text
	deferred *SyntaxError
}

// parseStatement parses the statement of group g.
func parseStatement(src string, toks []token, g group, stmt int) (Statement, error) {
	p := &parser{src: src, all: toks, g: g, stmt: stmt}
	// Lexer errors come first, as Cassandra's lexer runs ahead.
	for _, ti := range g.idx {
		if t := toks[ti]; t.kind == tError {
			return nil, syntaxErr(p.newError(ti, fmt.Sprintf("line %d:%d %s", t.line, t.col, t.msg)))
		}
	}
	st, err := p.statement()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.g.idx) {
		return nil, p.mismatch("EOF")
	}
	if p.deferred != nil {
		return nil, syntaxErr(p.deferred)
	}
	return st, nil
}

// index returns the token index of the k-th significant token ahead.
func (p *parser) index(k int) int {
	if p.i+k < len(p.g.idx) {
		return p.g.idx[p.i+k]
	}
	return p.g.term
}

// tok returns the k-th significant token ahead (the terminator past the
// end).
func (p *parser) tok(k int) token { return p.all[p.index(k)] }

// atEnd reports whether the statement's tokens are used up.
func (p *parser) atEnd() bool { return p.i >= len(p.g.idx) }

// advance consumes and returns the current token.
func (p *parser) advance() token {
	t := p.tok(0)
	if !p.atEnd() {
		p.i++
	}
	return t
}

// isKw reports whether the k-th token ahead is keyword kw.
func (p *parser) isKw(k int, kw string) bool {
	t := p.tok(k)
	return t.kind == tIdent && t.kw == kw && !p.pastEnd(k)
}

// pastEnd reports whether the k-th token ahead is beyond the statement.
func (p *parser) pastEnd(k int) bool { return p.i+k >= len(p.g.idx) }

// isPunct reports whether the k-th token ahead is the punctuation s.
func (p *parser) isPunct(k int, s string) bool {
	t := p.tok(k)
	return t.kind == tPunct && t.text == s && !p.pastEnd(k)
}

// accept consumes keyword kw if it is next.
func (p *parser) accept(kw string) bool {
	if p.isKw(0, kw) {
		p.i++
		return true
	}
	return false
}

// acceptPunct consumes punctuation s if it is next.
func (p *parser) acceptPunct(s string) bool {
	if p.isPunct(0, s) {
		p.i++
		return true
	}
	return false
}

// expect consumes keyword kw or fails.
func (p *parser) expect(kw string) error {
	if p.accept(kw) {
		return nil
	}
	return p.mismatch("K_" + kw)
}

// expectPunct consumes punctuation s or fails.
func (p *parser) expectPunct(s string) error {
	if p.acceptPunct(s) {
		return nil
	}
	return p.mismatch("'" + s + "'")
}

// expectKind consumes a token of kind k (named name in messages) or fails.
func (p *parser) expectKind(k tokKind, name string) (token, error) {
	if t := p.tok(0); t.kind == k && !p.atEnd() {
		p.i++
		return t, nil
	}
	return token{}, p.mismatch(name)
}

// mismatch is ANTLR's "mismatched input" error at the current token.
func (p *parser) mismatch(expecting string) error {
	t := p.tok(0)
	return p.fail(p.located(p.index(0), fmt.Sprintf("mismatched input '%s' expecting %s", t.display(), expecting)))
}

// noViable is ANTLR's "no viable alternative" error at the current token.
func (p *parser) noViable() error {
	return p.fail(p.located(p.index(0), fmt.Sprintf("no viable alternative at input '%s'", p.tok(0).display())))
}

// fail returns the first error of the statement: a recorded semantic error
// if there is one (Cassandra reports the first error it collected), else e.
func (p *parser) fail(e *SyntaxError) error {
	if p.deferred != nil {
		return syntaxErr(p.deferred)
	}
	return syntaxErr(e)
}

// record notes a semantic error (Cassandra's addRecognitionError): parsing
// goes on, and the first one recorded is reported.
func (p *parser) record(ti int, msg string) {
	if p.deferred == nil {
		p.deferred = p.newError(ti, msg)
	}
}

// throw returns a semantic error at once (a SyntaxException thrown by an
// action of Cassandra's grammar).
func (p *parser) throw(ti int, msg string) error {
	return syntaxErr(p.newError(ti, msg))
}

// newError returns a SyntaxError for token ti with message msg.
func (p *parser) newError(ti int, msg string) *SyntaxError {
	t := p.all[ti]
	return &SyntaxError{Statement: p.stmt, Line: t.line, Column: t.col, Offset: t.off, Near: t.display(), Msg: msg}
}

// located returns an ANTLR-style error for token ti: "line L:C msg" and,
// as Cassandra's ErrorCollector appends, a snippet of the query with the
// token in brackets.
func (p *parser) located(ti int, msg string) *SyntaxError {
	t := p.all[ti]
	return p.newError(ti, fmt.Sprintf("line %d:%d %s", t.line, t.col, msg)+p.snippet(ti))
}

// snippet reproduces Cassandra's ErrorCollector.appendSnippet: the tokens
// (hidden ones included) from ten before the offending one to two after it,
// the offending one in brackets, "..." where the query goes on, newlines
// removed. Like Cassandra's, it is omitted when the range reaches the end of
// input (its EOF token has no position).
func (p *parser) snippet(ti int) string {
	last := len(p.all) - 1 // the EOF token
	from, to := max(0, ti-10), min(last, ti+2)
	if ti >= last || to >= last {
		return ""
	}
	var b strings.Builder
	b.WriteString(" (")
	if f := p.all[from]; !(f.line == 1 && f.col == 0) {
		b.WriteString("...")
	}
	for i := from; i <= to; i++ {
		text := strings.ReplaceAll(p.all[i].text, "\n", "")
		if i == ti {
			text = "[" + text + "]"
		}
		b.WriteString(text)
	}
	if end := p.all[to]; end.off+len(end.text) < len(p.src) {
		b.WriteString("...")
	}
	b.WriteString(")")
	return b.String()
}

// statement parses one statement, dispatching on its first keywords.
func (p *parser) statement() (Statement, error) {
	t := p.tok(0)
	if t.kind != tIdent {
		return nil, p.noViable()
	}
	switch t.kw {
	case "CREATE":
		return p.create()
	case "ALTER":
		switch {
		case p.isKw(1, "ROLE"):
			return p.alterRole()
		case p.isKw(1, "USER"):
			return p.alterUser()
		case p.isKw(1, "KEYSPACE"), p.isKw(1, "COLUMNFAMILY"), p.isKw(1, "TYPE"), p.isKw(1, "MATERIALIZED"):
			return nil, p.unsupported(2)
		}
	case "DROP":
		switch {
		case p.isKw(1, "ROLE"), p.isKw(1, "USER"):
			return p.dropRole()
		case p.isKw(1, "IDENTITY"):
			return p.dropIdentity()
		case p.isKw(1, "KEYSPACE"):
			return p.dropKeyspace()
		case p.isKw(1, "COLUMNFAMILY"):
			return p.dropTable()
		case p.isKw(1, "FUNCTION"):
			return p.dropFunction()
		case p.isKw(1, "INDEX"), p.isKw(1, "TYPE"), p.isKw(1, "TRIGGER"), p.isKw(1, "AGGREGATE"), p.isKw(1, "MATERIALIZED"):
			return nil, p.unsupported(2)
		}
	case "GRANT", "REVOKE":
		return p.grantOrRevoke()
	case "LIST":
		return p.list()
	case "ADD":
		return p.addIdentity()
	case "USE":
		return p.use()
	case "SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "TRUNCATE", "DESCRIBE", "DESC", "APPLY":
		return nil, p.unsupported(1)
	}
	if t.kw == "ALTER" || t.kw == "DROP" {
		p.i++ // the alternative fails at the second token
	}
	return nil, p.noViable()
}

// create parses the CREATE statements.
func (p *parser) create() (Statement, error) {
	switch {
	case p.isKw(1, "ROLE"):
		return p.createRole()
	case p.isKw(1, "USER"):
		return p.createUser()
	case p.isKw(1, "KEYSPACE"):
		return p.createKeyspace()
	case p.isKw(1, "COLUMNFAMILY"):
		return p.createTable()
	case p.isKw(1, "FUNCTION"), p.isKw(1, "OR") && p.isKw(2, "REPLACE") && p.isKw(3, "FUNCTION"):
		return p.createFunction()
	case p.isKw(1, "OR") && p.isKw(2, "REPLACE") && p.isKw(3, "AGGREGATE"):
		return nil, p.unsupported(4)
	case p.isKw(1, "CUSTOM") && p.isKw(2, "INDEX"):
		return nil, p.unsupported(3)
	case p.isKw(1, "INDEX"), p.isKw(1, "TYPE"), p.isKw(1, "TRIGGER"), p.isKw(1, "AGGREGATE"), p.isKw(1, "MATERIALIZED"):
		return nil, p.unsupported(2)
	}
	p.i++
	return nil, p.noViable()
}

// unsupported reports a CQL statement, named by its first n words, that this
// package does not execute.
func (p *parser) unsupported(n int) error {
	words := make([]string, 0, n)
	for k := 0; k < n; k++ {
		words = append(words, strings.ToUpper(p.tok(k).text))
	}
	return roles.Wrap(roles.CodeInvalid, ErrUnsupportedStatement, "Unsupported statement: "+strings.Join(words, " "))
}

// prevIndex returns the index of the token just consumed (for positions of
// errors detected after it).
func (p *parser) prevIndex() int {
	if p.i == 0 {
		return p.index(0)
	}
	return p.g.idx[p.i-1]
}
