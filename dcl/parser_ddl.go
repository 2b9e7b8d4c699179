package dcl

import "strings"

// createKeyspace parses CREATE KEYSPACE [IF NOT EXISTS] ks WITH properties.
func (p *parser) createKeyspace() (Statement, error) {
	p.i += 2
	ine, err := p.ifNotExists()
	if err != nil {
		return nil, err
	}
	ks, err := p.ident("keyspace")
	if err != nil {
		return nil, err
	}
	if err := p.expect("WITH"); err != nil {
		return nil, err
	}
	props, err := p.properties()
	if err != nil {
		return nil, err
	}
	return &CreateKeyspace{Name: ks, IfNotExists: ine, Properties: props}, nil
}

// properties parses property (AND property)*, where a property is name =
// constant, unreserved keyword or map literal. A repeated name is recorded
// as Cassandra's "Multiple definition for property '%s'".
func (p *parser) properties() ([]Property, error) {
	var out []Property
	seen := make(map[string]bool)
	for {
		ti := p.index(0)
		name, err := p.ident("")
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("="); err != nil {
			return nil, err
		}
		start := p.index(0)
		t := p.tok(0)
		switch {
		case p.isPunct(0, "{"):
			if _, err := p.propertyMap(); err != nil {
				return nil, err
			}
		case !p.atEnd() && (isConstant(t) || t.kind == tIdent && unreserved[t.kw]):
			p.i++
		default:
			return nil, p.noViable()
		}
		if seen[name] {
			p.record(ti, "Multiple definition for property '"+name+"'")
		}
		seen[name] = true
		out = append(out, Property{Name: name, Value: p.source(start, p.prevIndex())})
		if !p.accept("AND") {
			return out, nil
		}
	}
}

// source returns the source text from token a to token b, inclusive.
func (p *parser) source(a, b int) string {
	return p.src[p.all[a].off : p.all[b].off+len(p.all[b].text)]
}

// isConstant reports whether t is a constant of Parser.g's constant rule.
func isConstant(t token) bool {
	switch t.kind {
	case tString, tInteger, tFloat, tBoolean, tDuration, tUUID, tHex:
		return true
	case tIdent:
		return t.kw == "NAN" || t.kw == "INFINITY"
	}
	return false
}

// term is a parsed map entry of an OPTIONS or property map.
type term struct {
	text    string // as Cassandra prints the term
	raw     string // a constant's raw text (a string's value)
	literal bool
	marker  bool
}

// propertyMap parses a map literal and converts it as Cassandra's
// convertPropertyMap does: keys and values must be constants; the first
// problem is recorded with Cassandra's message.
func (p *parser) propertyMap() (map[string]string, error) {
	if err := p.expectPunct("{"); err != nil {
		return nil, err
	}
	m := make(map[string]string)
	if p.acceptPunct("}") {
		return m, nil
	}
	broken := false
	for {
		ti := p.index(0)
		k, err := p.term()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		v, err := p.term()
		if err != nil {
			return nil, err
		}
		if !broken {
			switch {
			case !k.literal:
				p.record(ti, "Invalid property name: "+k.text+markerNote(k))
				broken = true
			case !v.literal:
				p.record(ti, "Invalid property value: "+v.text+" for property: "+k.text+markerNote(v))
				broken = true
			default:
				if _, dup := m[k.raw]; dup {
					p.record(ti, "Multiple definition for property "+k.raw)
				}
				m[k.raw] = v.raw
			}
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	return m, p.expectPunct("}")
}

func markerNote(t term) string {
	if t.marker {
		return " (bind variables are not supported in DDL queries)"
	}
	return ""
}

// term parses a map key or value: a constant, a bind marker, null, a
// collection or tuple literal, or a function call.
func (p *parser) term() (term, error) {
	t := p.tok(0)
	if p.atEnd() {
		return term{}, p.noViable()
	}
	switch {
	case isConstant(t):
		p.i++
		if t.kind == tString {
			return term{text: quoteString(t.val), raw: t.val, literal: true}, nil
		}
		raw := t.text
		if t.kw == "NAN" {
			raw = "NaN"
		} else if t.kw == "INFINITY" {
			raw = "Infinity"
		}
		return term{text: raw, raw: raw, literal: true}, nil
	case t.kind == tQMark:
		p.i++
		return term{text: "?", marker: true}, nil
	case p.isPunct(0, ":") && p.isIdent(1):
		p.i += 2
		return term{text: ":" + p.all[p.prevIndex()].text, marker: true}, nil
	case t.kind == tIdent && t.kw == "NULL":
		p.i++
		return term{text: "NULL"}, nil
	case p.isPunct(0, "["), p.isPunct(0, "{"), p.isPunct(0, "("):
		start := p.index(0)
		if err := p.balanced(); err != nil {
			return term{}, err
		}
		return term{text: p.source(start, p.prevIndex())}, nil
	case p.isFunctionName(0):
		start := p.index(0)
		if _, _, err := p.functionName(); err != nil {
			return term{}, err
		}
		if !p.isPunct(0, "(") {
			return term{}, p.mismatch("'('")
		}
		if err := p.balanced(); err != nil {
			return term{}, err
		}
		return term{text: p.source(start, p.prevIndex())}, nil
	}
	return term{}, p.noViable()
}

// balanced consumes a bracketed group starting at the current token,
// which must be '(', '[' or '{', up to its matching closing bracket.
func (p *parser) balanced() error {
	if !(p.isPunct(0, "(") || p.isPunct(0, "[") || p.isPunct(0, "{")) {
		return p.noViable()
	}
	closer := map[string]string{"(": ")", "[": "]", "{": "}"}
	var stack []string
	for {
		if p.atEnd() {
			return p.mismatch("'" + stack[len(stack)-1] + "'")
		}
		if t := p.tok(0); t.kind == tPunct {
			switch t.text {
			case "(", "[", "{":
				stack = append(stack, closer[t.text])
			case ")", "]", "}":
				if stack[len(stack)-1] != t.text {
					return p.noViable()
				}
				stack = stack[:len(stack)-1]
			}
		}
		p.i++
		if len(stack) == 0 {
			return nil
		}
	}
}

// createTable parses CREATE TABLE [IF NOT EXISTS] [ks.]t (...) [WITH ...],
// keeping everything after the name as written.
func (p *parser) createTable() (Statement, error) {
	p.i += 2
	ine, err := p.ifNotExists()
	if err != nil {
		return nil, err
	}
	ks, name, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	start := p.index(0)
	if !p.isPunct(0, "(") {
		return nil, p.mismatch("'('")
	}
	if err := p.balanced(); err != nil {
		return nil, err
	}
	if p.accept("WITH") {
		if p.atEnd() {
			return nil, p.noViable()
		}
		for !p.atEnd() {
			if p.isPunct(0, "(") || p.isPunct(0, "[") || p.isPunct(0, "{") {
				if err := p.balanced(); err != nil {
					return nil, err
				}
				continue
			}
			if t := p.tok(0); t.kind == tPunct && strings.Contains(")]}", t.text) {
				return nil, p.noViable()
			}
			p.i++
		}
	}
	return &CreateTable{Keyspace: ks, Name: name, IfNotExists: ine, Definition: p.source(start, p.prevIndex())}, nil
}

// createFunction parses CREATE [OR REPLACE] FUNCTION [IF NOT EXISTS]
// [ks.]name (arg type, ...) (CALLED | RETURNS NULL) ON NULL INPUT RETURNS
// type LANGUAGE lang AS 'body'.
func (p *parser) createFunction() (Statement, error) {
	p.i++ // CREATE
	s := &CreateFunction{}
	if p.accept("OR") {
		if err := p.expect("REPLACE"); err != nil {
			return nil, err
		}
		s.OrReplace = true
	}
	if err := p.expect("FUNCTION"); err != nil {
		return nil, err
	}
	var err error
	if s.IfNotExists, err = p.ifNotExists(); err != nil {
		return nil, err
	}
	if s.Keyspace, s.Name, err = p.functionName(); err != nil {
		return nil, err
	}
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	if !p.acceptPunct(")") {
		for {
			arg, err := p.ident("")
			if err != nil {
				return nil, err
			}
			typ, err := p.comparatorType(0)
			if err != nil {
				return nil, err
			}
			s.ArgNames, s.ArgTypes = append(s.ArgNames, arg), append(s.ArgTypes, typ.text)
			if !p.acceptPunct(",") {
				break
			}
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
	}
	switch {
	case p.accept("CALLED"):
		s.CalledOnNullInput = true
	case p.accept("RETURNS"):
		if err := p.expect("NULL"); err != nil {
			return nil, err
		}
	default:
		return nil, p.noViable()
	}
	for _, kw := range []string{"ON", "NULL", "INPUT", "RETURNS"} {
		if err := p.expect(kw); err != nil {
			return nil, err
		}
	}
	rt, err := p.comparatorType(0)
	if err != nil {
		return nil, err
	}
	s.ReturnType = rt.text
	if err := p.expect("LANGUAGE"); err != nil {
		return nil, err
	}
	if t := p.tok(0); p.atEnd() || t.kind != tIdent || t.kw != "" {
		return nil, p.mismatch("IDENT")
	}
	s.Language = strings.ToLower(p.advance().text)
	if err := p.expect("AS"); err != nil {
		return nil, err
	}
	body, err := p.expectKind(tString, "STRING_LITERAL")
	if err != nil {
		return nil, err
	}
	s.Body = body.val
	return s, nil
}

// dropKeyspace parses DROP KEYSPACE [IF EXISTS] ks.
func (p *parser) dropKeyspace() (Statement, error) {
	p.i += 2
	ie, err := p.ifExists()
	if err != nil {
		return nil, err
	}
	ks, err := p.ident("keyspace")
	if err != nil {
		return nil, err
	}
	return &DropKeyspace{Name: ks, IfExists: ie}, nil
}

// dropTable parses DROP TABLE [IF EXISTS] [ks.]t.
func (p *parser) dropTable() (Statement, error) {
	p.i += 2
	ie, err := p.ifExists()
	if err != nil {
		return nil, err
	}
	ks, name, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	return &DropTable{Keyspace: ks, Name: name, IfExists: ie}, nil
}

// dropFunction parses DROP FUNCTION [IF EXISTS] [ks.]f [(type, ...)].
func (p *parser) dropFunction() (Statement, error) {
	p.i += 2
	ie, err := p.ifExists()
	if err != nil {
		return nil, err
	}
	ks, name, err := p.functionName()
	if err != nil {
		return nil, err
	}
	s := &DropFunction{Keyspace: ks, Name: name, IfExists: ie}
	if p.isPunct(0, "(") {
		args, err := p.typeList()
		if err != nil {
			return nil, err
		}
		s.ArgTypes, s.HasArgs = typeTexts(args), true
	}
	return s, nil
}
