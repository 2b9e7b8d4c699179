package transport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var (
	text    = Type{ID: TypeVarchar}
	intType = Type{ID: TypeInt}
)

func TestParseType(t *testing.T) {
	cases := []struct {
		in     string
		want   Type
		string string
	}{
		{"text", text, "text"},
		{"varchar", text, "text"},
		{"VarChar", text, "text"},
		{"ascii", Type{ID: TypeASCII}, "ascii"},
		{"bigint", Type{ID: TypeBigint}, "bigint"},
		{"blob", Type{ID: TypeBlob}, "blob"},
		{"boolean", Type{ID: TypeBoolean}, "boolean"},
		{"int", intType, "int"},
		{"timestamp", Type{ID: TypeTimestamp}, "timestamp"},
		{"uuid", Type{ID: TypeUUID}, "uuid"},
		{"timeuuid", Type{ID: TypeTimeUUID}, "timeuuid"},
		{"inet", Type{ID: TypeInet}, "inet"},
		{"duration", Type{ID: TypeDuration}, "duration"},
		{"set<varchar>", SetOf(text), "set<text>"},
		{"map<text,text>", MapOf(text, text), "map<text, text>"},
		{" map < uuid , blob > ", MapOf(Type{ID: TypeUUID}, Type{ID: TypeBlob}), "map<uuid, blob>"},
		{"list<text>", ListOf(text), "list<text>"},
		{"frozen<list<int>>", ListOf(intType), "list<int>"},
		{"map<text, frozen<set<int>>>", MapOf(text, SetOf(intType)), "map<text, set<int>>"},
		{"tuple<int, text, list<blob>>", TupleOf(intType, text, ListOf(Type{ID: TypeBlob})), "tuple<int, text, list<blob>>"},
		{"'org.apache.cassandra.db.marshal.Foo'", Type{ID: TypeCustom, Custom: "org.apache.cassandra.db.marshal.Foo"}, "'org.apache.cassandra.db.marshal.Foo'"},
		{"'it''s'", Type{ID: TypeCustom, Custom: "it's"}, "'it''s'"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseType(c.in)
			require.NoError(t, err)
			assert.True(t, c.want.Equal(got), "got %v", got)
			assert.Equal(t, c.string, got.String())
			again, err := ParseType(got.String())
			require.NoError(t, err)
			assert.True(t, got.Equal(again))
		})
	}
}

func TestParseTypeErrors(t *testing.T) {
	for _, in := range []string{
		"", "nope", "list", "list<>", "list<int", "list<int,text>", "map<int>", "set<int> x", "frozen<int, int>",
		"'unterminated", "ks.udt", "tuple<>", "list<" + strings.Repeat("list<", 40) + "int" + strings.Repeat(">", 41),
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseType(in)
			assert.Error(t, err)
		})
	}
}

func TestTypeString(t *testing.T) {
	assert.Equal(t, "ks.addr", UDTOf("ks", "addr", []string{"a"}, []Type{intType}).String())
	assert.Equal(t, "unknown(0x000a)", Type{ID: 0x000A}.String())
	assert.Equal(t, "unknown(0x0099)", Type{ID: 0x0099}.String())
	assert.False(t, ListOf(intType).Equal(SetOf(intType)))
	assert.False(t, MapOf(text, intType).Equal(MapOf(text, text)))
}

// genType draws a random type up to depth levels of nesting.
func genType(depth int) *rapid.Generator[Type] {
	natives := []TypeID{TypeASCII, TypeBigint, TypeBlob, TypeBoolean, TypeCounter, TypeDecimal, TypeDouble, TypeFloat,
		TypeInt, TypeTimestamp, TypeUUID, TypeVarchar, TypeVarint, TypeTimeUUID, TypeInet, TypeDate, TypeTime,
		TypeSmallint, TypeTinyint, TypeDuration}
	return rapid.Custom(func(t *rapid.T) Type {
		if depth == 0 || rapid.IntRange(0, 2).Draw(t, "leaf") > 0 {
			return Type{ID: rapid.SampledFrom(natives).Draw(t, "id")}
		}
		sub := genType(depth - 1)
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			return ListOf(sub.Draw(t, "elem"))
		case 1:
			return SetOf(sub.Draw(t, "elem"))
		case 2:
			return MapOf(sub.Draw(t, "key"), sub.Draw(t, "value"))
		default:
			return TupleOf(rapid.SliceOfN(sub, 1, 3).Draw(t, "elems")...)
		}
	})
}

// TestTypeRoundTripProperty: String and ParseType are inverse, and so are
// the [option] encoder and decoder.
func TestTypeRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		typ := genType(4).Draw(t, "type")
		parsed, err := ParseType(typ.String())
		if err != nil || !parsed.Equal(typ) {
			t.Fatalf("ParseType(%q) = %v, %v", typ.String(), parsed, err)
		}
		e := encoder{}
		e.typ(typ, 0)
		if e.err != nil {
			t.Fatal(e.err)
		}
		d := decoder{buf: e.buf}
		got := d.readType(0)
		if d.err != nil || !got.Equal(typ) || d.remaining() != 0 {
			t.Fatalf("decoded %v, %v, %d left", got, d.err, d.remaining())
		}
	})
}
