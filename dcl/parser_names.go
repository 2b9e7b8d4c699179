package dcl

import (
	"strings"

	"github.com/cassauth/cassauth/resource"
)

// canBeRoleName reports whether the k-th token ahead can start Cassandra's
// roleName rule.
func (p *parser) canBeRoleName(k int) bool {
	if p.pastEnd(k) {
		return false
	}
	t := p.tok(k)
	switch t.kind {
	case tString, tQuoted, tQMark:
		return true
	case tIdent:
		return t.kw == "" || unreserved[t.kw]
	}
	return false
}

// roleName parses Cassandra's roleName rule (spec 10.1): an unquoted
// identifier or unreserved keyword is lower-cased, a quoted name or string
// literal is kept as written, and a bind marker is an error.
func (p *parser) roleName() (string, error) {
	if !p.canBeRoleName(0) {
		return "", p.noViable()
	}
	ti, t := p.index(0), p.advance()
	switch t.kind {
	case tIdent:
		return strings.ToLower(t.text), nil
	case tQMark:
		p.record(ti, "Bind variables cannot be used for role names")
		return "", nil
	}
	return t.val, nil
}

// verbatimName parses Cassandra's username and identity rules: an
// identifier (not a keyword) or a string literal, both kept as written; a
// double-quoted name is an error with quotedMsg.
func (p *parser) verbatimName(quotedMsg string) (string, error) {
	t := p.tok(0)
	if p.atEnd() {
		return "", p.noViable()
	}
	switch {
	case t.kind == tIdent && t.kw == "", t.kind == tString:
		p.i++
		return t.val, nil
	case t.kind == tQuoted:
		p.record(p.index(0), quotedMsg)
		p.i++
		return t.val, nil
	}
	return "", p.noViable()
}

// ident parses an identifier that names a keyspace, table or argument
// (Cassandra's ksName, cfName and noncol_ident rules): unquoted ones and
// unreserved keywords are lower-cased, quoted ones kept. what names the
// kind of name in the bind-marker message ("keyspace", "table"), "" if a
// marker is not allowed at all.
func (p *parser) ident(what string) (string, error) {
	t := p.tok(0)
	if p.atEnd() {
		return "", p.noViable()
	}
	switch {
	case t.kind == tIdent && (t.kw == "" || unreserved[t.kw]):
		p.i++
		return strings.ToLower(t.text), nil
	case t.kind == tQuoted:
		p.i++
		return t.val, nil
	case t.kind == tQMark && what != "":
		p.record(p.index(0), "Bind variables cannot be used for "+what+" names")
		p.i++
		return "", nil
	}
	return "", p.noViable()
}

// isIdent reports whether the k-th token ahead can be an identifier.
func (p *parser) isIdent(k int) bool {
	t := p.tok(k)
	return !p.pastEnd(k) && (t.kind == tIdent && (t.kw == "" || unreserved[t.kw]) || t.kind == tQuoted || t.kind == tQMark)
}

// qualifiedName parses [ks.]name (Cassandra's columnFamilyName); ks is ""
// when absent.
func (p *parser) qualifiedName() (ks, name string, err error) {
	if p.isIdent(0) && p.isPunct(1, ".") {
		if ks, err = p.ident("keyspace"); err != nil {
			return "", "", err
		}
		p.i++ // '.'
	}
	name, err = p.ident("table")
	return ks, name, err
}

// functionKeywords are the keywords allowed as function names
// (allowedFunctionName: unreserved_function_keyword, TOKEN, COUNT).
func functionKeyword(kw string) bool {
	switch kw {
	case "TTL", "WRITETIME", "MAXWRITETIME", "KEY", "CAST", "JSON", "DISTINCT":
		return false
	case "TOKEN", "COUNT":
		return true
	}
	return unreserved[kw]
}

// isFunctionName reports whether the k-th token ahead can be a function
// name.
func (p *parser) isFunctionName(k int) bool {
	t := p.tok(k)
	return !p.pastEnd(k) && (t.kind == tIdent && (t.kw == "" || functionKeyword(t.kw)) || t.kind == tQuoted)
}

// functionName parses [ks.]name (Cassandra's functionName rule). As in
// Cassandra, an identifier is lower-cased, a quoted name kept, a native
// type keyword gives its type name and any other keyword is kept as
// written.
func (p *parser) functionName() (ks, name string, err error) {
	if p.isIdent(0) && p.isPunct(1, ".") {
		if ks, err = p.ident("keyspace"); err != nil {
			return "", "", err
		}
		p.i++
	}
	if !p.isFunctionName(0) {
		return "", "", p.noViable()
	}
	t := p.advance()
	switch {
	case t.kind == tQuoted:
		return ks, t.val, nil
	case t.kw == "":
		return ks, strings.ToLower(t.text), nil
	case t.kw == "TOKEN" || t.kw == "COUNT":
		return ks, strings.ToLower(t.kw), nil
	case nativeTypes[t.kw] != "":
		return ks, nativeTypes[t.kw], nil
	}
	return ks, t.text, nil
}

// cqlType is a parsed CQL type (Cassandra's comparatorType).
type cqlType struct {
	text   string // normalised CQL text, e.g. "map<text, frozen<list<int>>>"
	frozen bool   // the outermost type is frozen<...>
	udt    string // a user-defined type used in it, as written, or ""
	udtKs  string // its keyspace, if given
}

// reservedTypeNames cannot name user-defined types (Parser.g).
var reservedTypeNames = map[string]bool{
	"byte": true, "complex": true, "enum": true, "date": true, "interval": true, "macaddr": true, "bitstring": true,
}

// maxTypeDepth bounds type nesting, so hostile input cannot exhaust the
// stack.
const maxTypeDepth = 32

// comparatorType parses a CQL type.
func (p *parser) comparatorType(depth int) (cqlType, error) {
	if depth > maxTypeDepth {
		return cqlType{}, p.noViable()
	}
	t := p.tok(0)
	if p.atEnd() {
		return cqlType{}, p.noViable()
	}
	if t.kind == tString {
		p.i++
		return cqlType{text: quoteString(t.val)}, nil
	}
	if t.kind == tIdent {
		if name := nativeTypes[t.kw]; name != "" {
			p.i++
			return cqlType{text: name}, nil
		}
		switch t.kw {
		case "MAP", "LIST", "SET", "TUPLE", "VECTOR", "FROZEN":
			if p.isPunct(1, "<") {
				return p.parameterised(strings.ToLower(t.kw), depth)
			}
		}
	}
	// A user-defined type: (noncol_ident '.')? non_type_ident.
	var ks string
	if p.isIdent(0) && p.isPunct(1, ".") {
		var err error
		if ks, err = p.ident(""); err != nil {
			return cqlType{}, err
		}
		p.i++
	}
	t = p.tok(0)
	if p.atEnd() || !(t.kind == tIdent && (t.kw == "" || unreserved[t.kw] && nativeTypes[t.kw] == "") || t.kind == tQuoted) {
		return cqlType{}, p.noViable()
	}
	p.i++
	name := t.val
	if t.kind == tIdent {
		name = strings.ToLower(t.text)
		if reservedTypeNames[t.text] {
			p.record(p.prevIndex(), "Invalid (reserved) user type name "+t.text)
		}
	}
	text := quoteIdent(name)
	if ks != "" {
		text = quoteIdent(ks) + "." + text
	}
	return cqlType{text: text, udt: name, udtKs: ks}, nil
}

// parameterised parses kind<...> for the collection, tuple, vector and
// frozen types.
func (p *parser) parameterised(kind string, depth int) (cqlType, error) {
	p.i += 2 // kind '<'
	var args []string
	var udt, udtKs string
	for {
		if kind == "vector" && len(args) == 1 {
			n, err := p.expectKind(tInteger, "INTEGER")
			if err != nil {
				return cqlType{}, err
			}
			args = append(args, n.text)
		} else {
			a, err := p.comparatorType(depth + 1)
			if err != nil {
				return cqlType{}, err
			}
			args = append(args, a.text)
			if udt == "" {
				udt, udtKs = a.udt, a.udtKs
			}
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	if err := p.expectPunct(">"); err != nil {
		return cqlType{}, err
	}
	want := map[string]int{"map": 2, "list": 1, "set": 1, "frozen": 1, "vector": 2}[kind]
	if want != 0 && len(args) != want {
		return cqlType{}, p.fail(p.located(p.prevIndex(), "no viable alternative at input '>'"))
	}
	return cqlType{text: kind + "<" + strings.Join(args, ", ") + ">", frozen: kind == "frozen", udt: udt, udtKs: udtKs}, nil
}

// typeList parses '(' (type (',' type)*)? ')'.
func (p *parser) typeList() ([]cqlType, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out []cqlType
	if p.acceptPunct(")") {
		return out, nil
	}
	for {
		t, err := p.comparatorType(0)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if !p.acceptPunct(",") {
			break
		}
	}
	return out, p.expectPunct(")")
}

// functionResource builds the resource of function ks.name(args) as
// Cassandra's FunctionResource.functionFromCql does, with its
// InvalidRequest messages.
func functionResource(ks, name string, args []cqlType) (resource.Resource, error) {
	if ks == "" {
		return resource.Resource{}, invalid("In this context function name must be explictly qualified by a keyspace")
	}
	texts := make([]string, len(args))
	for i, a := range args {
		if a.udt != "" {
			uks := a.udtKs
			if uks == "" {
				uks = ks
			}
			return resource.Resource{}, invalid("Unknown type %s.%s", uks, a.udt)
		}
		texts[i] = a.text
	}
	r, err := resource.Function(ks, name, texts...)
	if err != nil {
		return resource.Resource{}, invalid("%s", err.Error())
	}
	return r, nil
}

// typeTexts returns the texts of types.
func typeTexts(ts []cqlType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.text
	}
	return out
}
