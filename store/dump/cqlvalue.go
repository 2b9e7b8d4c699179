package dump

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// cqlKind is the shape of a value as cqlsh prints it.
type cqlKind uint8

const (
	cqlBare  cqlKind = iota // an unquoted scalar: 8, True, 10.0.0.0
	cqlText                 // a quoted string: 'it''s'
	cqlSet                  // {v, ...}
	cqlTuple                // (v, ...)
)

// cqlValue is a parsed collection literal or scalar. For cqlText, text is
// the string with cqlsh's escapes undone; for cqlBare it is the raw token.
type cqlValue struct {
	kind  cqlKind
	text  string
	elems []cqlValue
}

// maxCQLDepth bounds the nesting of collection literals.
const maxCQLDepth = 16

// cqlSyntaxError is a malformed literal; Offset is a byte offset in it.
type cqlSyntaxError struct {
	Offset int
	Msg    string
}

func (e *cqlSyntaxError) Error() string {
	return fmt.Sprintf("%s at character %d", e.Msg, e.Offset+1)
}

type cqlParser struct {
	s string
	i int
}

// parseCQLValue parses a value as cqlsh's formatter writes it in COPY TO
// output: sets {a, b}, tuples (a, b), quoted strings 'a' (a quote inside is
// doubled), and bare scalars. White space around elements is ignored.
func parseCQLValue(s string) (cqlValue, error) {
	p := &cqlParser{s: s}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return cqlValue{}, err
	}
	p.space()
	if p.i < len(s) {
		return cqlValue{}, p.errorf("unexpected %q after the value", s[p.i])
	}
	return v, nil
}

func (p *cqlParser) errorf(format string, args ...any) error {
	return &cqlSyntaxError{Offset: p.i, Msg: fmt.Sprintf(format, args...)}
}

func (p *cqlParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *cqlParser) value(depth int) (cqlValue, error) {
	if p.i >= len(p.s) {
		return cqlValue{}, p.errorf("expected a value, found the end")
	}
	switch c := p.s[p.i]; c {
	case '{':
		return p.collection(cqlSet, '}', depth)
	case '(':
		return p.collection(cqlTuple, ')', depth)
	case '\'':
		return p.quoted()
	case '}', ')', ',', '[', ']':
		return cqlValue{}, p.errorf("expected a value, found %q", c)
	}
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune("{}(),'[]", rune(p.s[p.i])) {
		p.i++
	}
	return cqlValue{kind: cqlBare, text: strings.TrimRight(p.s[start:p.i], " \t\r\n")}, nil
}

func (p *cqlParser) collection(kind cqlKind, closing byte, depth int) (cqlValue, error) {
	if depth >= maxCQLDepth {
		return cqlValue{}, p.errorf("collections nested deeper than %d", maxCQLDepth)
	}
	p.i++ // the opening bracket
	v := cqlValue{kind: kind, elems: []cqlValue{}}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == closing {
		p.i++
		return v, nil
	}
	for {
		p.space()
		e, err := p.value(depth + 1)
		if err != nil {
			return cqlValue{}, err
		}
		v.elems = append(v.elems, e)
		p.space()
		if p.i >= len(p.s) {
			return cqlValue{}, p.errorf("expected ',' or %q, found the end", closing)
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case closing:
			p.i++
			return v, nil
		default:
			return cqlValue{}, p.errorf("expected ',' or %q, found %q", closing, p.s[p.i])
		}
	}
}

func (p *cqlParser) quoted() (cqlValue, error) {
	start := p.i
	p.i++ // the opening quote
	var b strings.Builder
	for {
		j := strings.IndexByte(p.s[p.i:], '\'')
		if j < 0 {
			p.i = start
			return cqlValue{}, p.errorf("unterminated quoted string")
		}
		b.WriteString(p.s[p.i : p.i+j])
		p.i += j + 1
		if p.i < len(p.s) && p.s[p.i] == '\'' { // '' is a quote
			b.WriteByte('\'')
			p.i++
			continue
		}
		return cqlValue{kind: cqlText, text: unescapeText(b.String())}, nil
	}
}

// unescapeText undoes the escapes cqlsh's text formatter adds: a doubled
// backslash, and \t, \n, \r and \xHH for control characters (Python's repr
// of U+0000-U+001F and U+007F-U+00A0). Any other backslash is kept as it
// is, which is also what an older cqlsh needs (see the package
// documentation).
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
			i++
		case 'n':
			b.WriteByte('\n')
			i++
		case 't':
			b.WriteByte('\t')
			i++
		case 'r':
			b.WriteByte('\r')
			i++
		case 'x':
			if i+4 <= len(s) {
				if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
					b.WriteRune(rune(n))
					i += 3
					continue
				}
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// scalarText returns the text of a scalar: a quoted string, or a bare token
// with cqlsh's escapes undone.
func (v cqlValue) scalarText() (string, bool) {
	switch v.kind {
	case cqlText:
		return v.text, true
	case cqlBare:
		return unescapeText(v.text), true
	}
	return "", false
}

// parseTextSet parses a set<text> column: "" (null) is no set, {} the
// empty set.
func parseTextSet(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	v, err := parseCQLValue(s)
	if err != nil {
		return nil, err
	}
	if v.kind != cqlSet {
		return nil, fmt.Errorf("expected a set {'a', 'b'}, found %q", s)
	}
	out := make([]string, 0, len(v.elems))
	for _, e := range v.elems {
		t, ok := e.scalarText()
		if !ok {
			return nil, fmt.Errorf("expected text elements, found a nested collection in %q", s)
		}
		out = append(out, t)
	}
	return out, nil
}

// parseCIDRSet parses a frozen<set<tuple<inet, smallint>>> column, such as
// {('10.0.0.0', 8), ('2001:db8::', 32)}.
func parseCIDRSet(s string) ([]netip.Prefix, error) {
	if s == "" {
		return nil, nil
	}
	v, err := parseCQLValue(s)
	if err != nil {
		return nil, err
	}
	if v.kind != cqlSet {
		return nil, fmt.Errorf("expected a set of (address, length) tuples, found %q", s)
	}
	out := make([]netip.Prefix, 0, len(v.elems))
	for _, e := range v.elems {
		if e.kind != cqlTuple || len(e.elems) != 2 {
			return nil, fmt.Errorf("expected an (address, length) tuple in %q", s)
		}
		addrText, ok1 := e.elems[0].scalarText()
		bitsText, ok2 := e.elems[1].scalarText()
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("expected an (address, length) tuple in %q", s)
		}
		addr, err := netip.ParseAddr(addrText)
		if err != nil {
			return nil, fmt.Errorf("invalid address in %q: %v", s, err)
		}
		bits, err := strconv.Atoi(bitsText)
		if err != nil || bits < 0 || bits > addr.BitLen() {
			return nil, fmt.Errorf("invalid prefix length %q for %s in %q", bitsText, addr, s)
		}
		out = append(out, netip.PrefixFrom(addr, bits))
	}
	return out, nil
}

// formatText quotes s as cqlsh prints a text element of a collection: the
// inverse of the quoted-string rule of parseCQLValue.
func formatText(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte(s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\'':
			b.WriteString(`''`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || (r >= 0x7f && r <= 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

// format writes v back in cqlsh's notation.
func (v cqlValue) format() string {
	switch v.kind {
	case cqlText:
		return formatText(v.text)
	case cqlSet, cqlTuple:
		open, closing := "{", "}"
		if v.kind == cqlTuple {
			open, closing = "(", ")"
		}
		parts := make([]string, len(v.elems))
		for i, e := range v.elems {
			parts[i] = e.format()
		}
		return open + strings.Join(parts, ", ") + closing
	}
	return v.text
}
