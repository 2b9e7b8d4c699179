package resource

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidType is returned (wrapped) for a CQL or Java type name that
// cannot be used as a function argument type in a resource name.
var ErrInvalidType = errors.New("invalid type")

const marshalPkg = "org.apache.cassandra.db.marshal."

// cqlToJava maps CQL native type names to Cassandra's marshal class names.
var cqlToJava = map[string]string{
	"ascii": "AsciiType", "bigint": "LongType", "blob": "BytesType", "boolean": "BooleanType",
	"counter": "CounterColumnType", "date": "SimpleDateType", "decimal": "DecimalType",
	"double": "DoubleType", "duration": "DurationType", "float": "FloatType",
	"inet": "InetAddressType", "int": "Int32Type", "smallint": "ShortType", "text": "UTF8Type",
	"varchar": "UTF8Type", "time": "TimeType", "timestamp": "TimestampType",
	"timeuuid": "TimeUUIDType", "tinyint": "ByteType", "uuid": "UUIDType", "varint": "IntegerType",
}

// javaToCQL is the inverse of cqlToJava (UTF8Type prints as "text").
var javaToCQL = map[string]string{
	"AsciiType": "ascii", "LongType": "bigint", "BytesType": "blob", "BooleanType": "boolean",
	"CounterColumnType": "counter", "SimpleDateType": "date", "DecimalType": "decimal",
	"DoubleType": "double", "DurationType": "duration", "FloatType": "float",
	"InetAddressType": "inet", "Int32Type": "int", "ShortType": "smallint", "UTF8Type": "text",
	"TimeType": "time", "TimestampType": "timestamp", "DateType": "timestamp",
	"TimeUUIDType": "timeuuid", "ByteType": "tinyint", "UUIDType": "uuid", "IntegerType": "varint",
}

// typeNode is a parsed type expression: a name with optional parameters.
type typeNode struct {
	name string
	args []typeNode
}

// typeParser is a small recursive-descent parser shared by the CQL
// ("list<int>") and Java ("ListType(Int32Type)") type syntaxes.
type typeParser struct {
	s           string
	pos         int
	open, close byte
	depth       int
}

const maxTypeDepth = 32

func (p *typeParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func (p *typeParser) parse() (typeNode, error) {
	p.depth++
	if p.depth > maxTypeDepth {
		return typeNode{}, fmt.Errorf("%w: %q is nested too deeply", ErrInvalidType, p.s)
	}
	defer func() { p.depth-- }()
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '_' || c == '.' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		return typeNode{}, fmt.Errorf("%w: %q: expected a type name at offset %d", ErrInvalidType, p.s, p.pos)
	}
	n := typeNode{name: p.s[start:p.pos]}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == p.open {
		p.pos++
		for {
			arg, err := p.parse()
			if err != nil {
				return typeNode{}, err
			}
			n.args = append(n.args, arg)
			p.skipSpace()
			if p.pos >= len(p.s) {
				return typeNode{}, fmt.Errorf("%w: %q: unterminated parameter list", ErrInvalidType, p.s)
			}
			if p.s[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.s[p.pos] == p.close {
				p.pos++
				break
			}
			return typeNode{}, fmt.Errorf("%w: %q: unexpected %q at offset %d", ErrInvalidType, p.s, p.s[p.pos], p.pos)
		}
	}
	return n, nil
}

func parseTypeExpr(s string, open, close byte) (typeNode, error) {
	p := &typeParser{s: s, open: open, close: close}
	n, err := p.parse()
	if err != nil {
		return typeNode{}, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return typeNode{}, fmt.Errorf("%w: %q: unexpected %q at offset %d", ErrInvalidType, s, p.s[p.pos], p.pos)
	}
	return n, nil
}

// JavaType converts a CQL type ("int", "text", "frozen<list<int>>",
// "map<text, int>", "tuple<int, text>", "vector<float, 3>") to the Java type
// name Cassandra embeds in a function resource's name. Collections are frozen,
// as Cassandra does for function argument types. User-defined types cannot be
// resolved without a schema and return an error wrapping [ErrInvalidType].
func JavaType(cql string) (string, error) {
	n, err := parseTypeExpr(cql, '<', '>')
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := writeJava(&b, n, false); err != nil {
		return "", fmt.Errorf("%w (in %q)", err, cql)
	}
	return b.String(), nil
}

func writeJava(b *strings.Builder, n typeNode, frozen bool) error {
	name := strings.ToLower(n.name)
	arity := func(k int) error {
		if len(n.args) != k {
			return fmt.Errorf("%w: %s takes %d type parameter(s), got %d", ErrInvalidType, name, k, len(n.args))
		}
		return nil
	}
	if j, ok := cqlToJava[name]; ok {
		if len(n.args) != 0 {
			return fmt.Errorf("%w: %s takes no type parameters", ErrInvalidType, name)
		}
		b.WriteString(marshalPkg + j)
		return nil
	}
	switch name {
	case "frozen":
		if err := arity(1); err != nil {
			return err
		}
		return writeJava(b, n.args[0], frozen)
	case "list", "set", "map":
		want := 1
		if name == "map" {
			want = 2
		}
		if err := arity(want); err != nil {
			return err
		}
		b.WriteString(marshalPkg + "FrozenType(" + marshalPkg)
		b.WriteString(map[string]string{"list": "ListType", "set": "SetType", "map": "MapType"}[name])
		b.WriteByte('(')
		for i, a := range n.args {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJava(b, a, true); err != nil {
				return err
			}
		}
		b.WriteString("))")
		return nil
	case "tuple":
		if len(n.args) == 0 {
			return fmt.Errorf("%w: tuple needs at least one type parameter", ErrInvalidType)
		}
		b.WriteString(marshalPkg + "TupleType(")
		for i, a := range n.args {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJava(b, a, true); err != nil {
				return err
			}
		}
		b.WriteByte(')')
		return nil
	case "vector":
		if err := arity(2); err != nil {
			return err
		}
		dim, err := strconv.Atoi(n.args[1].name)
		if err != nil || dim <= 0 || len(n.args[1].args) != 0 {
			return fmt.Errorf("%w: vector dimension %q must be a positive integer", ErrInvalidType, n.args[1].name)
		}
		b.WriteString(marshalPkg + "VectorType(")
		if err := writeJava(b, n.args[0], true); err != nil {
			return err
		}
		b.WriteString("," + strconv.Itoa(dim) + ")")
		return nil
	}
	return fmt.Errorf("%w: unknown CQL type %q (user-defined types are not supported here)", ErrInvalidType, n.name)
}

// CQLType converts a Java type name from a function resource's name to the
// CQL form Cassandra displays ("org.apache.cassandra.db.marshal.Int32Type" ->
// "int"). A name it does not know is returned quoted, the way CQL prints a
// custom type.
func CQLType(java string) string {
	n, err := parseTypeExpr(java, '(', ')')
	if err != nil {
		return "'" + java + "'"
	}
	var b strings.Builder
	if !writeCQL(&b, n) {
		return "'" + java + "'"
	}
	return b.String()
}

func writeCQL(b *strings.Builder, n typeNode) bool {
	short := strings.TrimPrefix(n.name, marshalPkg)
	if c, ok := javaToCQL[short]; ok && len(n.args) == 0 {
		b.WriteString(c)
		return true
	}
	list := func(prefix string, args []typeNode) bool {
		b.WriteString(prefix + "<")
		for i, a := range args {
			if i > 0 {
				b.WriteString(", ")
			}
			if !writeCQL(b, a) {
				return false
			}
		}
		b.WriteByte('>')
		return true
	}
	switch {
	case short == "FrozenType" && len(n.args) == 1:
		return list("frozen", n.args)
	case short == "ListType" && len(n.args) == 1:
		return list("list", n.args)
	case short == "SetType" && len(n.args) == 1:
		return list("set", n.args)
	case short == "MapType" && len(n.args) == 2:
		return list("map", n.args)
	case short == "TupleType" && len(n.args) > 0:
		return list("tuple", n.args)
	case short == "VectorType" && len(n.args) == 2 && len(n.args[1].args) == 0:
		b.WriteString("vector<")
		if !writeCQL(b, n.args[0]) {
			return false
		}
		b.WriteString(", " + n.args[1].name + ">")
		return true
	}
	return false
}

// canonicalJavaType validates a Java type name from a stored function
// resource and returns it with white space removed, the form Cassandra's
// TypeParser prints.
func canonicalJavaType(java string) (string, error) {
	n, err := parseTypeExpr(java, '(', ')')
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeJavaNode(&b, n)
	return b.String(), nil
}

func writeJavaNode(b *strings.Builder, n typeNode) {
	b.WriteString(n.name)
	if len(n.args) == 0 {
		return
	}
	b.WriteByte('(')
	for i, a := range n.args {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJavaNode(b, a)
	}
	b.WriteByte(')')
}

// splitArgs splits the '^'-joined argument list of a function resource name,
// trimming pieces and dropping empty ones as Cassandra does.
func splitArgs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "^") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
