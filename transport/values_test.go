package transport

import (
	"math"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// fataler is what mustType needs from *testing.T and *rapid.T alike.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func mustType(t fataler, s string) Type {
	t.Helper()
	typ, err := ParseType(s)
	if err != nil {
		t.Fatalf("ParseType(%q): %v", s, err)
	}
	return typ
}

func TestMarshalUnmarshal(t *testing.T) {
	hostID := UUID{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}
	ts := time.Date(2026, 11, 25, 10, 30, 0, 123_000_000, time.UTC)
	cases := []struct {
		name string
		typ  string
		in   any
		hex  string
		out  any // what Unmarshal returns; nil means "same as in"
	}{
		{"text", "text", "datacenter1", "64617461 63656e74 657231", nil},
		{"empty text", "text", "", "", nil},
		{"ascii", "ascii", "rack1", "7261636b31", nil},
		{"boolean true", "boolean", true, "01", nil},
		{"boolean false", "boolean", false, "00", nil},
		{"int", "int", int32(9042), "00002352", nil},
		{"int from int", "int", 9042, "00002352", int32(9042)},
		{"negative int", "int", int32(-1), "ffffffff", nil},
		{"bigint", "bigint", int64(-2), "fffffffffffffffe", nil},
		{"bigint from uint32", "bigint", uint32(7), "0000000000000007", int64(7)},
		{"counter", "counter", int64(3), "0000000000000003", nil},
		{"smallint", "smallint", int16(-300), "fed4", nil},
		{"tinyint", "tinyint", int8(-5), "fb", nil},
		{"float", "float", float32(1.5), "3fc00000", nil},
		{"float from exact float64", "float", 0.5, "3f000000", float32(0.5)},
		{"double", "double", 2.25, "4002000000000000", nil},
		{"timestamp", "timestamp", ts, "000001a2124150bb", nil},
		{"timestamp from millis", "timestamp", int64(1000), "00000000000003e8", time.UnixMilli(1000).UTC()},
		{"date epoch", "date", time.Unix(0, 0).UTC(), "80000000", nil},
		{"date before epoch", "date", time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), "7fffffff", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"time", "time", 90 * time.Second, "00000014f46b0400", nil},
		{"uuid", "uuid", hostID, "123456789abcdef0123456789abcdef0", nil},
		{"timeuuid from array", "timeuuid", [16]byte(hostID), "123456789abcdef0123456789abcdef0", hostID},
		{"blob", "blob", []byte{0xca, 0xfe}, "cafe", nil},
		{"empty blob", "blob", []byte{}, "", nil},
		{"inet v4", "inet", netip.MustParseAddr("127.0.0.1"), "7f000001", nil},
		{"inet v6", "inet", netip.MustParseAddr("::1"), "00000000000000000000000000000001", nil},
		{"inet net.IP v4", "inet", net.ParseIP("10.1.2.3"), "0a010203", netip.MustParseAddr("10.1.2.3")},
		{"set<text> tokens", "set<text>", []string{"0"}, "00000001 00000001 30", []any{"0"}},
		{"empty set", "set<text>", []string{}, "00000000", []any(nil)},
		{"list<text>", "list<text>", []any{"a", "bc"}, "00000002 00000001 61 00000002 6263", nil},
		{"list<int>", "list<int>", []int32{1, 2}, "00000002 00000004 00000001 00000004 00000002", []any{int32(1), int32(2)}},
		{"map<text,text> sorted", "map<text,text>", map[string]string{"b": "2", "a": "1"},
			"00000002 00000001 61 00000001 31 00000001 62 00000001 32",
			[]MapEntry{{"a", "1"}, {"b", "2"}}},
		{"map entries keep order", "map<text,int>", []MapEntry{{"z", int32(1)}, {"a", int32(2)}},
			"00000002 00000001 7a 00000004 00000001 00000001 61 00000004 00000002", nil},
		{"map<uuid,blob>", "map<uuid,blob>", []MapEntry{{hostID, []byte{1}}},
			"00000001 00000010 123456789abcdef0123456789abcdef0 00000001 01", nil},
		{"tuple with null", "tuple<int, text>", []any{int32(1), nil}, "00000004 00000001 ffffffff", nil},
		{"udt from map", "", map[string]any{"street": "x", "zip": int32(5)}, "00000001 78 00000004 00000005", []any{"x", int32(5)}},
		{"frozen list in map value", "map<text, frozen<list<int>>>", []MapEntry{{"k", []any{int32(7)}}},
			"00000001 00000001 6b 0000000c 00000001 00000004 00000007", nil},
		{"null", "int", nil, "", nil},
	}
	udt := UDTOf("ks", "addr", []string{"street", "zip"}, []Type{text, intType})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			typ := udt
			if c.typ != "" {
				typ = mustType(t, c.typ)
			}
			b, err := Marshal(typ, c.in)
			require.NoError(t, err)
			want := unhex(t, c.hex)
			if c.in == nil {
				assert.Nil(t, b)
			} else {
				assert.Equal(t, want, append([]byte{}, b...))
			}
			got, err := Unmarshal(typ, b)
			require.NoError(t, err)
			out := c.out
			if out == nil {
				out = c.in
			}
			assert.Equal(t, out, got)
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	cases := []struct {
		typ string
		in  any
	}{
		{"text", 5},
		{"text", "\xff\xfe"},
		{"ascii", "é"},
		{"int", int64(math.MaxInt32 + 1)},
		{"int", "1"},
		{"smallint", 40000},
		{"tinyint", 200},
		{"bigint", uint64(math.MaxUint64)},
		{"boolean", 1},
		{"float", 0.1},
		{"double", "x"},
		{"timestamp", "now"},
		{"date", 5},
		{"time", -time.Second},
		{"time", 25 * time.Hour},
		{"uuid", "123"},
		{"inet", "127.0.0.1"},
		{"inet", netip.Addr{}},
		{"blob", "x"},
		{"list<int>", 5},
		{"list<int>", []any{nil}},
		{"list<int>", []string{"x"}},
		{"map<text,text>", []string{"x"}},
		{"map<text,int>", map[string]string{"a": "b"}},
		{"tuple<int>", []any{int32(1), int32(2)}},
		{"tuple<int>", 1},
		{"varint", 1},
		{"decimal", 1},
		{"duration", time.Second},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			_, err := Marshal(mustType(t, c.typ), c.in)
			assert.ErrorIs(t, err, ErrUnencodable)
		})
	}
	_, err := Marshal(Type{ID: TypeList}, []int{1})
	assert.ErrorIs(t, err, ErrUnencodable, "malformed collection type")
	_, err = Marshal(UDTOf("k", "u", []string{"a"}, []Type{intType}), []any{int32(1), int32(2)})
	assert.ErrorIs(t, err, ErrUnencodable, "too many UDT values")
}

func TestUnmarshalErrors(t *testing.T) {
	cases := []struct {
		typ  string
		hex  string
		want error
	}{
		{"int", "000001", ErrInvalidValue},
		{"bigint", "01", ErrInvalidValue},
		{"uuid", "0102", ErrInvalidValue},
		{"inet", "010203", ErrInvalidValue},
		{"text", "ff", ErrInvalidValue},
		{"ascii", "80", ErrInvalidValue},
		{"time", "ffffffffffffffff", ErrInvalidValue},
		{"list<int>", "000000", ErrTruncated},
		{"list<int>", "00000001", ErrInvalidLength},
		{"list<int>", "7fffffff 00000004 00000001", ErrInvalidLength},
		{"list<int>", "ffffffff", ErrInvalidLength},
		{"list<int>", "00000001 00000008 00000001", ErrTruncated},
		{"list<int>", "00000001 00000003 000001", ErrInvalidValue},
		{"list<int>", "00000001 ffffffff", ErrInvalidValue},
		{"list<int>", "00000001 00000000", ErrInvalidValue},
		{"map<text,text>", "00000001 00000001 61 ffffffff", ErrInvalidValue},
		{"map<int,int>", "00000002 00000004 00000001", ErrInvalidLength},
		{"map<int,int>", "00000001 00000004 00000001", ErrTruncated},
		{"tuple<int>", "00000004 00000001 00000004 00000002", ErrInvalidValue},
		{"tuple<int>", "000000", ErrTruncated},
		{"varint", "01", ErrInvalidValue},
	}
	for _, c := range cases {
		t.Run(c.typ+"/"+c.hex, func(t *testing.T) {
			_, err := Unmarshal(mustType(t, c.typ), unhex(t, c.hex))
			assert.ErrorIs(t, err, c.want)
		})
	}
	// Empty values of fixed-size types are Cassandra's legacy "empty": nil.
	v, err := Unmarshal(intType, []byte{})
	require.NoError(t, err)
	assert.Nil(t, v)
}

func TestUUID(t *testing.T) {
	u, err := ParseUUID("550E8400-e29b-41d4-a716-446655440000")
	require.NoError(t, err)
	assert.Equal(t, "550e8400-e29b-41d4-a716-446655440000", u.String())
	for _, bad := range []string{"", "550e8400e29b41d4a716446655440000", "550e8400-e29b-41d4-a716-44665544000g", "550e8400-e29b-41d4-a716_446655440000"} {
		_, err := ParseUUID(bad)
		assert.Error(t, err, bad)
	}
}

// TestMarshalRoundTripProperty: Unmarshal inverts Marshal for the types the
// system tables use.
func TestMarshalRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		strs := rapid.SliceOf(rapid.StringMatching(`[a-z0-9]{0,8}`)).Draw(t, "strs")
		m := rapid.MapOf(rapid.String(), rapid.String()).Draw(t, "map")
		n32 := rapid.Int32().Draw(t, "n32")
		n64 := rapid.Int64().Draw(t, "n64")
		ms := rapid.Int64Range(-1<<50, 1<<50).Draw(t, "ms")
		var u UUID
		copy(u[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "uuid"))
		ip := netip.AddrFrom16([16]byte(rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "ip")))
		check := func(typ string, in, want any) {
			b, err := Marshal(mustType(t, typ), in)
			if err != nil {
				t.Fatalf("Marshal(%s, %v): %v", typ, in, err)
			}
			got, err := Unmarshal(mustType(t, typ), b)
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", typ, err)
			}
			assert.Equal(t, want, got, typ)
		}
		check("text", s, s)
		check("int", n32, n32)
		check("bigint", n64, n64)
		check("timestamp", time.UnixMilli(ms), time.UnixMilli(ms).UTC())
		check("uuid", u, u)
		check("inet", ip, ip)
		check("boolean", n32%2 == 0, n32%2 == 0)
		var wantList []any
		for _, x := range strs {
			wantList = append(wantList, x)
		}
		check("list<text>", strs, wantList)
		b, err := Marshal(mustType(t, "map<text,text>"), m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Unmarshal(mustType(t, "map<text,text>"), b)
		if err != nil {
			t.Fatal(err)
		}
		back := map[string]string{}
		var prev string
		for i, e := range got.([]MapEntry) {
			if i > 0 && e.Key.(string) <= prev {
				t.Fatalf("map keys not sorted: %q after %q", e.Key, prev)
			}
			prev = e.Key.(string)
			back[e.Key.(string)] = e.Value.(string)
		}
		assert.Equal(t, m, back)
	})
}
