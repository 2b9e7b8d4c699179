package transport

import (
	"fmt"
	"slices"
	"strings"
)

// TypeID is the [short] id of a CQL type [option] (spec 4.2.5.2).
type TypeID uint16

// The type ids.
const (
	TypeCustom    TypeID = 0x0000
	TypeASCII     TypeID = 0x0001
	TypeBigint    TypeID = 0x0002
	TypeBlob      TypeID = 0x0003
	TypeBoolean   TypeID = 0x0004
	TypeCounter   TypeID = 0x0005
	TypeDecimal   TypeID = 0x0006
	TypeDouble    TypeID = 0x0007
	TypeFloat     TypeID = 0x0008
	TypeInt       TypeID = 0x0009
	TypeTimestamp TypeID = 0x000B
	TypeUUID      TypeID = 0x000C
	TypeVarchar   TypeID = 0x000D // text; Cassandra sends 13 for text columns
	TypeVarint    TypeID = 0x000E
	TypeTimeUUID  TypeID = 0x000F
	TypeInet      TypeID = 0x0010
	TypeDate      TypeID = 0x0011
	TypeTime      TypeID = 0x0012
	TypeSmallint  TypeID = 0x0013
	TypeTinyint   TypeID = 0x0014
	TypeDuration  TypeID = 0x0015
	TypeList      TypeID = 0x0020
	TypeMap       TypeID = 0x0021
	TypeSet       TypeID = 0x0022
	TypeUDT       TypeID = 0x0030
	TypeTuple     TypeID = 0x0031
)

// maxTypeDepth bounds the nesting of decoded and parsed types, so that a
// hostile body cannot recurse deeply.
const maxTypeDepth = 32

// Type is a CQL column type as the protocol carries it. Native types need
// only ID. The wire does not say whether a collection is frozen, so Type
// has no notion of it.
type Type struct {
	ID TypeID
	// Custom is the Java class name of a TypeCustom.
	Custom string
	// Elems are the component types: one for list and set, key and value
	// for map, the components of a tuple, the field types of a UDT.
	Elems []Type
	// Keyspace and Name identify a UDT; FieldNames are its field names,
	// parallel to Elems.
	Keyspace, Name string
	FieldNames     []string
}

// ListOf returns list<elem>.
func ListOf(elem Type) Type { return Type{ID: TypeList, Elems: []Type{elem}} }

// SetOf returns set<elem>.
func SetOf(elem Type) Type { return Type{ID: TypeSet, Elems: []Type{elem}} }

// MapOf returns map<key, value>.
func MapOf(key, value Type) Type { return Type{ID: TypeMap, Elems: []Type{key, value}} }

// TupleOf returns tuple<elems...>.
func TupleOf(elems ...Type) Type { return Type{ID: TypeTuple, Elems: elems} }

// UDTOf returns the user-defined type keyspace.name with the given fields;
// names and types must have the same length.
func UDTOf(keyspace, name string, names []string, types []Type) Type {
	return Type{ID: TypeUDT, Keyspace: keyspace, Name: name, FieldNames: names, Elems: types}
}

// Equal reports whether t and u denote the same type.
func (t Type) Equal(u Type) bool {
	return t.ID == u.ID && t.Custom == u.Custom && t.Keyspace == u.Keyspace && t.Name == u.Name &&
		slices.Equal(t.FieldNames, u.FieldNames) && slices.EqualFunc(t.Elems, u.Elems, Type.Equal)
}

// nativeNames maps native type ids to CQL names, "|"-separated, in id
// order from 0x0001; "-" marks the unused id 0x000A.
const nativeNames = "ascii|bigint|blob|boolean|counter|decimal|double|float|int|-|timestamp|uuid|text|" +
	"varint|timeuuid|inet|date|time|smallint|tinyint|duration"

// String returns the CQL form of t: "text", "set<text>",
// "map<text, blob>", "tuple<int, text>", "ks.name" for a UDT, and the
// quoted class name for a custom type.
func (t Type) String() string {
	var b strings.Builder
	t.writeTo(&b)
	return b.String()
}

func (t Type) writeTo(b *strings.Builder) {
	switch t.ID {
	case TypeCustom:
		b.WriteString("'" + strings.ReplaceAll(t.Custom, "'", "''") + "'")
	case TypeList, TypeSet, TypeMap, TypeTuple:
		b.WriteString(collectionName(t.ID))
		b.WriteByte('<')
		for i, e := range t.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			e.writeTo(b)
		}
		b.WriteByte('>')
	case TypeUDT:
		b.WriteString(t.Keyspace + "." + t.Name)
	default:
		if name, ok := nthName(nativeNames, int(t.ID)-1); ok && t.ID > 0 && name != "-" {
			b.WriteString(name)
		} else {
			fmt.Fprintf(b, "unknown(0x%04x)", uint16(t.ID))
		}
	}
}

func collectionName(id TypeID) string {
	switch id {
	case TypeList:
		return "list"
	case TypeSet:
		return "set"
	case TypeMap:
		return "map"
	}
	return "tuple"
}

// ParseType parses the CQL form of a type: native names (varchar is text),
// list<>, set<>, map<,>, tuple<>, frozen<> (accepted and dropped), and a
// quoted class name for a custom type. Spaces are allowed between tokens;
// names are case-insensitive. UDTs cannot be parsed (their fields are not
// in the name). It fails for anything else.
func ParseType(s string) (Type, error) {
	p := typeParser{s: s}
	t, err := p.parse(0)
	if err == nil {
		p.skipSpace()
		if p.pos != len(p.s) {
			err = p.errorf("unexpected %q", p.s[p.pos:])
		}
	}
	if err != nil {
		return Type{}, err
	}
	return t, nil
}

type typeParser struct {
	s   string
	pos int
}

func (p *typeParser) errorf(format string, args ...any) error {
	return fmt.Errorf("transport: parse type %q at %d: %s", p.s, p.pos, fmt.Sprintf(format, args...))
}

func (p *typeParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n') {
		p.pos++
	}
}

func (p *typeParser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos] | 0x20
		if (c < 'a' || c > 'z') && (p.s[p.pos] < '0' || p.s[p.pos] > '9') && p.s[p.pos] != '_' {
			break
		}
		p.pos++
	}
	return strings.ToLower(p.s[start:p.pos])
}

func (p *typeParser) expect(c byte) error {
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != c {
		return p.errorf("expected %q", c)
	}
	p.pos++
	return nil
}

// args parses "<t1, t2, ...>" with exactly n types (any number when n < 0).
func (p *typeParser) args(depth, n int) ([]Type, error) {
	if err := p.expect('<'); err != nil {
		return nil, err
	}
	var ts []Type
	for {
		t, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		break
	}
	if err := p.expect('>'); err != nil {
		return nil, err
	}
	if n >= 0 && len(ts) != n {
		return nil, p.errorf("expected %d type arguments, got %d", n, len(ts))
	}
	return ts, nil
}

func (p *typeParser) parse(depth int) (Type, error) {
	if depth > maxTypeDepth {
		return Type{}, p.errorf("types nested deeper than %d", maxTypeDepth)
	}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '\'' {
		return p.custom()
	}
	name := p.ident()
	switch name {
	case "":
		return Type{}, p.errorf("expected a type")
	case "frozen":
		ts, err := p.args(depth, 1)
		if err != nil {
			return Type{}, err
		}
		return ts[0], nil
	case "list", "set":
		ts, err := p.args(depth, 1)
		if err != nil {
			return Type{}, err
		}
		if name == "list" {
			return ListOf(ts[0]), nil
		}
		return SetOf(ts[0]), nil
	case "map":
		ts, err := p.args(depth, 2)
		if err != nil {
			return Type{}, err
		}
		return MapOf(ts[0], ts[1]), nil
	case "tuple":
		ts, err := p.args(depth, -1)
		if err != nil {
			return Type{}, err
		}
		return TupleOf(ts...), nil
	case "varchar":
		return Type{ID: TypeVarchar}, nil
	}
	for id := TypeASCII; id <= TypeDuration; id++ {
		if n, ok := nthName(nativeNames, int(id)-1); ok && n == name {
			return Type{ID: id}, nil
		}
	}
	return Type{}, p.errorf("unknown type %q", name)
}

// custom parses a quoted class name, in which a doubled quote stands for
// one quote.
func (p *typeParser) custom() (Type, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		if c != '\'' {
			b.WriteByte(c)
			continue
		}
		if p.pos < len(p.s) && p.s[p.pos] == '\'' {
			b.WriteByte('\'')
			p.pos++
			continue
		}
		return Type{ID: TypeCustom, Custom: b.String()}, nil
	}
	return Type{}, p.errorf("unterminated custom type name")
}

// encodeType appends t as an [option].
func (e *encoder) typ(t Type, depth int) {
	if depth > maxTypeDepth {
		e.fail("types nested deeper than %d", maxTypeDepth)
		return
	}
	e.short(uint16(t.ID))
	switch t.ID {
	case TypeCustom:
		e.string(t.Custom)
	case TypeList, TypeSet:
		if len(t.Elems) != 1 {
			e.fail("%s needs one element type, has %d", t, len(t.Elems))
			return
		}
		e.typ(t.Elems[0], depth+1)
	case TypeMap:
		if len(t.Elems) != 2 {
			e.fail("map needs a key and a value type, has %d types", len(t.Elems))
			return
		}
		e.typ(t.Elems[0], depth+1)
		e.typ(t.Elems[1], depth+1)
	case TypeTuple:
		e.shortLength(len(t.Elems), "tuple")
		for _, el := range t.Elems {
			e.typ(el, depth+1)
		}
	case TypeUDT:
		if len(t.FieldNames) != len(t.Elems) {
			e.fail("UDT %s.%s has %d field names for %d types", t.Keyspace, t.Name, len(t.FieldNames), len(t.Elems))
			return
		}
		e.string(t.Keyspace)
		e.string(t.Name)
		e.shortLength(len(t.Elems), "UDT fields")
		for i, el := range t.Elems {
			e.string(t.FieldNames[i])
			e.typ(el, depth+1)
		}
	default:
		if !t.ID.native() {
			e.fail("unknown type id %#04x", uint16(t.ID))
		}
	}
}

// native reports whether id is a native (parameterless, non-custom) type.
func (id TypeID) native() bool {
	return id >= TypeASCII && id <= TypeDuration && id != 0x000A
}

// readType reads an [option] type.
func (d *decoder) readType(depth int) Type {
	id := TypeID(d.readShort("type"))
	if d.err != nil {
		return Type{}
	}
	if depth > maxTypeDepth {
		d.failLast("type", fmt.Errorf("%w: types nested deeper than %d", ErrInvalidValue, maxTypeDepth))
		return Type{}
	}
	t := Type{ID: id}
	switch id {
	case TypeCustom:
		t.Custom = d.readString("custom type")
	case TypeList, TypeSet:
		t.Elems = []Type{d.readType(depth + 1)}
	case TypeMap:
		k := d.readType(depth + 1)
		t.Elems = []Type{k, d.readType(depth + 1)}
	case TypeTuple:
		n := d.count(int(d.readShort("tuple")), 2, "tuple")
		t.Elems = makeN[Type](n)
		for i := range t.Elems {
			t.Elems[i] = d.readType(depth + 1)
		}
	case TypeUDT:
		t.Keyspace = d.readString("UDT keyspace")
		t.Name = d.readString("UDT name")
		n := d.count(int(d.readShort("UDT fields")), 4, "UDT fields")
		t.FieldNames = makeN[string](n)
		t.Elems = makeN[Type](n)
		for i := range t.Elems {
			t.FieldNames[i] = d.readString("UDT field name")
			t.Elems[i] = d.readType(depth + 1)
		}
	default:
		if !id.native() {
			d.failLast("type", fmt.Errorf("%w: type id %#04x", ErrInvalidValue, uint16(id)))
		}
	}
	return t
}
