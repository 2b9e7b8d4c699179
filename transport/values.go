package transport

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"time"
	"unicode/utf8"
)

// UUID is a 16-byte [uuid], as used by uuid and timeuuid values and by
// tracing ids.
type UUID [16]byte

// String returns the canonical 8-4-4-4-12 hexadecimal form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// ParseUUID parses the canonical 8-4-4-4-12 hexadecimal form (either case).
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("transport: invalid UUID %q", s)
	}
	digits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(u[:], []byte(digits)); err != nil {
		return UUID{}, fmt.Errorf("transport: invalid UUID %q", s)
	}
	return u, nil
}

// MapEntry is one key/value pair of a map value, as [Unmarshal] returns
// them (in wire order; keys need not be comparable Go values).
type MapEntry struct {
	Key, Value any
}

// dateEpoch is the value of 1970-01-01 in a CQL date (days centered at 2^31).
const dateEpoch = 1 << 31

// Marshal serializes v as a value of CQL type t, in the format of protocol
// v3 and later. nil gives nil (null). Accepted Go values:
//
//	ascii, text           string (ascii: bytes < 0x80; text: valid UTF-8)
//	blob                  []byte (copied)
//	boolean               bool
//	bigint, counter       any integer type
//	int, smallint, tinyint any integer type within the CQL range
//	float, double         float32, float64 (float: exactly representable)
//	timestamp             time.Time, or an integer (milliseconds)
//	date                  time.Time (its UTC day)
//	time                  time.Duration since midnight
//	uuid, timeuuid        UUID, [16]byte
//	inet                  netip.Addr, net.IP
//	list, set             any slice or array of accepted elements
//	map                   any map (entries sorted by encoded key), []MapEntry
//	tuple, UDT            []any, at most one per component (nil elements
//	                      and missing trailing ones are null); UDT also
//	                      map[string]any
//
// Collections may not hold nil elements. Other types (decimal, varint,
// duration, custom) and mismatched values give an error matching
// [ErrUnencodable]. Marshal is safe for concurrent use.
func Marshal(t Type, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	// Start from a non-nil slice: an empty string or blob is the empty
	// value, not null.
	return marshal([]byte{}, t, v)
}

func marshalErr(t Type, v any, why string) error {
	return fmt.Errorf("%w: marshal %T as %s: %s", ErrUnencodable, v, t, why)
}

func marshal(dst []byte, t Type, v any) ([]byte, error) {
	switch t.ID {
	case TypeASCII, TypeVarchar:
		s, ok := v.(string)
		if !ok {
			return nil, marshalErr(t, v, "want a string")
		}
		if t.ID == TypeVarchar && !utf8.ValidString(s) {
			return nil, marshalErr(t, v, "invalid UTF-8")
		}
		if t.ID == TypeASCII && !isASCII(s) {
			return nil, marshalErr(t, v, "non-ASCII byte")
		}
		return append(dst, s...), nil
	case TypeBlob:
		b, ok := v.([]byte)
		if !ok {
			return nil, marshalErr(t, v, "want []byte")
		}
		return append(dst, b...), nil
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, marshalErr(t, v, "want a bool")
		}
		return append(dst, boolByte(b)), nil
	case TypeBigint, TypeCounter:
		n, ok := toInt64(v)
		if !ok {
			return nil, marshalErr(t, v, "want an integer in the int64 range")
		}
		return binary.BigEndian.AppendUint64(dst, uint64(n)), nil
	case TypeInt, TypeSmallint, TypeTinyint:
		return marshalSmallInt(dst, t, v)
	case TypeFloat:
		f, ok := v.(float32)
		if f64, is64 := v.(float64); is64 && (float64(float32(f64)) == f64 || math.IsNaN(f64)) {
			f, ok = float32(f64), true
		}
		if !ok {
			return nil, marshalErr(t, v, "want a float32")
		}
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(f)), nil
	case TypeDouble:
		switch f := v.(type) {
		case float64:
			return binary.BigEndian.AppendUint64(dst, math.Float64bits(f)), nil
		case float32:
			return binary.BigEndian.AppendUint64(dst, math.Float64bits(float64(f))), nil
		}
		return nil, marshalErr(t, v, "want a float64")
	case TypeTimestamp:
		if tm, ok := v.(time.Time); ok {
			return binary.BigEndian.AppendUint64(dst, uint64(tm.UnixMilli())), nil
		}
		n, ok := toInt64(v)
		if !ok {
			return nil, marshalErr(t, v, "want a time.Time or milliseconds")
		}
		return binary.BigEndian.AppendUint64(dst, uint64(n)), nil
	case TypeDate:
		tm, ok := v.(time.Time)
		if !ok {
			return nil, marshalErr(t, v, "want a time.Time")
		}
		days := tm.Unix() / 86400
		if tm.Unix() < 0 && tm.Unix()%86400 != 0 {
			days--
		}
		if days < -dateEpoch || days >= dateEpoch {
			return nil, marshalErr(t, v, "date out of range")
		}
		return binary.BigEndian.AppendUint32(dst, uint32(days+dateEpoch)), nil
	case TypeTime:
		d, ok := v.(time.Duration)
		if !ok || d < 0 || d >= 24*time.Hour {
			return nil, marshalErr(t, v, "want a time.Duration within one day")
		}
		return binary.BigEndian.AppendUint64(dst, uint64(d)), nil
	case TypeUUID, TypeTimeUUID:
		switch u := v.(type) {
		case UUID:
			return append(dst, u[:]...), nil
		case [16]byte:
			return append(dst, u[:]...), nil
		}
		return nil, marshalErr(t, v, "want a UUID")
	case TypeInet:
		return marshalInet(dst, t, v)
	case TypeList, TypeSet, TypeMap:
		return marshalCollection(dst, t, v)
	case TypeTuple, TypeUDT:
		return marshalFields(dst, t, v)
	}
	return nil, marshalErr(t, v, "type not supported by this codec")
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// toInt64 converts any Go integer to int64.
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), uint64(n) <= math.MaxInt64
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}

func marshalSmallInt(dst []byte, t Type, v any) ([]byte, error) {
	n, ok := toInt64(v)
	switch {
	case ok && t.ID == TypeInt && n >= math.MinInt32 && n <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(dst, uint32(n)), nil
	case ok && t.ID == TypeSmallint && n >= math.MinInt16 && n <= math.MaxInt16:
		return binary.BigEndian.AppendUint16(dst, uint16(n)), nil
	case ok && t.ID == TypeTinyint && n >= math.MinInt8 && n <= math.MaxInt8:
		return append(dst, byte(n)), nil
	}
	return nil, marshalErr(t, v, "want an integer within the type's range")
}

func marshalInet(dst []byte, t Type, v any) ([]byte, error) {
	var a netip.Addr
	switch ip := v.(type) {
	case netip.Addr:
		a = ip
	case net.IP:
		if ip4 := ip.To4(); ip4 != nil {
			ip = ip4
		}
		a, _ = netip.AddrFromSlice(ip)
	default:
		return nil, marshalErr(t, v, "want a netip.Addr or net.IP")
	}
	switch {
	case a.Is4():
		b := a.As4()
		return append(dst, b[:]...), nil
	case a.Is6():
		b := a.As16()
		return append(dst, b[:]...), nil
	}
	return nil, marshalErr(t, v, "invalid address")
}

// appendElem appends one collection element or field as [bytes].
func appendElem(dst []byte, t Type, v any, nullable bool) ([]byte, error) {
	if v == nil {
		if !nullable {
			return nil, marshalErr(t, v, "collections cannot hold null")
		}
		return binary.BigEndian.AppendUint32(dst, math.MaxUint32), nil
	}
	at := len(dst)
	dst, err := marshal(binary.BigEndian.AppendUint32(dst, 0), t, v)
	if err != nil {
		return nil, err
	}
	n := len(dst) - at - 4
	if n > math.MaxInt32 {
		return nil, marshalErr(t, v, "element too large")
	}
	binary.BigEndian.PutUint32(dst[at:], uint32(n))
	return dst, nil
}

func marshalCollection(dst []byte, t Type, v any) ([]byte, error) {
	if len(t.Elems) != elemCount(t.ID) {
		return nil, marshalErr(t, v, "malformed collection type")
	}
	if entries, ok := v.([]MapEntry); ok && t.ID == TypeMap {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(entries)))
		var err error
		for _, e := range entries {
			if dst, err = appendElem(dst, t.Elems[0], e.Key, false); err != nil {
				return nil, err
			}
			if dst, err = appendElem(dst, t.Elems[1], e.Value, false); err != nil {
				return nil, err
			}
		}
		return dst, nil
	}
	rv := reflect.ValueOf(v)
	if t.ID == TypeMap {
		if rv.Kind() != reflect.Map {
			return nil, marshalErr(t, v, "want a map or []MapEntry")
		}
		type kv struct{ k, v []byte }
		pairs := make([]kv, 0, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k, err := appendElem(nil, t.Elems[0], it.Key().Interface(), false)
			if err != nil {
				return nil, err
			}
			val, err := appendElem(nil, t.Elems[1], it.Value().Interface(), false)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, kv{k, val})
		}
		// Sort by the key's serialized bytes, without the length prefix.
		slices.SortFunc(pairs, func(a, b kv) int { return bytes.Compare(a.k[4:], b.k[4:]) })
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(pairs)))
		for _, p := range pairs {
			dst = append(append(dst, p.k...), p.v...)
		}
		return dst, nil
	}
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, marshalErr(t, v, "want a slice or array")
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(rv.Len()))
	var err error
	for i := range rv.Len() {
		if dst, err = appendElem(dst, t.Elems[0], rv.Index(i).Interface(), false); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

func marshalFields(dst []byte, t Type, v any) ([]byte, error) {
	vals, ok := v.([]any)
	if m, isMap := v.(map[string]any); isMap && t.ID == TypeUDT {
		vals, ok = make([]any, len(t.FieldNames)), true
		for i, name := range t.FieldNames {
			vals[i] = m[name]
		}
	}
	if !ok {
		return nil, marshalErr(t, v, "want []any")
	}
	if len(vals) > len(t.Elems) {
		return nil, marshalErr(t, v, fmt.Sprintf("%d values for %d components", len(vals), len(t.Elems)))
	}
	var err error
	for i, val := range vals {
		if dst, err = appendElem(dst, t.Elems[i], val, true); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// Unmarshal decodes a serialized value of CQL type t (protocol v3+
// collection format). nil (null) gives nil; so does an empty value of a
// fixed-size type (Cassandra's legacy "empty" values). Results: string,
// []byte (copied), bool, int64 (bigint, counter), int32, int16, int8,
// float32, float64, time.Time (timestamp, date; UTC), time.Duration (time),
// UUID, netip.Addr, []any (list, set, tuple, UDT) and []MapEntry (map).
// Collections may not hold null (or empty fixed-size) elements. Malformed
// input gives an error matching [ErrInvalidValue], [ErrInvalidLength] or
// [ErrTruncated]; unsupported types one matching [ErrInvalidValue].
// Unmarshal never panics and is safe for concurrent use.
func Unmarshal(t Type, b []byte) (any, error) {
	return unmarshal(t, b, 0)
}

func unmarshalErr(t Type, kind error, format string, args ...any) error {
	return fmt.Errorf("transport: unmarshal %s: %w: %s", t, kind, fmt.Sprintf(format, args...))
}

func unmarshal(t Type, b []byte, depth int) (any, error) {
	if b == nil {
		return nil, nil
	}
	if depth > maxTypeDepth {
		return nil, unmarshalErr(t, ErrInvalidValue, "nested deeper than %d", maxTypeDepth)
	}
	switch t.ID {
	case TypeASCII, TypeVarchar:
		if t.ID == TypeVarchar && !utf8.Valid(b) {
			return nil, unmarshalErr(t, ErrInvalidValue, "invalid UTF-8")
		}
		if t.ID == TypeASCII && !isASCII(string(b)) {
			return nil, unmarshalErr(t, ErrInvalidValue, "non-ASCII byte")
		}
		return string(b), nil
	case TypeBlob:
		return bytes.Clone(b), nil
	case TypeList, TypeSet, TypeMap:
		return unmarshalCollection(t, b, depth)
	case TypeTuple, TypeUDT:
		return unmarshalFields(t, b, depth)
	}
	if len(b) == 0 && t.ID.native() {
		return nil, nil
	}
	size := fixedSize(t.ID)
	if t.ID == TypeInet && (len(b) == 4 || len(b) == 16) {
		a, _ := netip.AddrFromSlice(b)
		return a, nil
	}
	if size == 0 {
		if t.ID == TypeInet {
			return nil, unmarshalErr(t, ErrInvalidValue, "address of %d bytes", len(b))
		}
		return nil, unmarshalErr(t, ErrInvalidValue, "type not supported by this codec")
	}
	if len(b) != size {
		return nil, unmarshalErr(t, ErrInvalidValue, "%d bytes, want %d", len(b), size)
	}
	switch t.ID {
	case TypeBoolean:
		return b[0] != 0, nil
	case TypeBigint, TypeCounter:
		return int64(binary.BigEndian.Uint64(b)), nil
	case TypeTimestamp:
		return time.UnixMilli(int64(binary.BigEndian.Uint64(b))).UTC(), nil
	case TypeInt:
		return int32(binary.BigEndian.Uint32(b)), nil
	case TypeSmallint:
		return int16(binary.BigEndian.Uint16(b)), nil
	case TypeTinyint:
		return int8(b[0]), nil
	case TypeFloat:
		return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
	case TypeDouble:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case TypeDate:
		days := int64(binary.BigEndian.Uint32(b)) - dateEpoch
		return time.Unix(days*86400, 0).UTC(), nil
	case TypeTime:
		d := time.Duration(binary.BigEndian.Uint64(b))
		if d < 0 || d >= 24*time.Hour {
			return nil, unmarshalErr(t, ErrInvalidValue, "time of day %d ns out of range", int64(d))
		}
		return d, nil
	default: // uuid, timeuuid
		var u UUID
		copy(u[:], b)
		return u, nil
	}
}

// elemCount returns the number of element types of a collection type.
func elemCount(id TypeID) int {
	if id == TypeMap {
		return 2
	}
	return 1
}

// fixedSize returns the value size of a fixed-size native type, or 0.
func fixedSize(id TypeID) int {
	switch id {
	case TypeBoolean, TypeTinyint:
		return 1
	case TypeSmallint:
		return 2
	case TypeInt, TypeFloat, TypeDate:
		return 4
	case TypeBigint, TypeCounter, TypeTimestamp, TypeDouble, TypeTime:
		return 8
	case TypeUUID, TypeTimeUUID:
		return 16
	}
	return 0
}

func unmarshalCollection(t Type, b []byte, depth int) (any, error) {
	want := elemCount(t.ID)
	if len(t.Elems) != want {
		return nil, unmarshalErr(t, ErrInvalidValue, "malformed collection type")
	}
	d := decoder{buf: b}
	n := d.count(int(d.readInt("count")), 4*want, "count")
	if d.err != nil {
		return nil, unmarshalErr(t, d.err.Err, "element count")
	}
	next := func(et Type) (any, error) {
		at := d.off
		eb := d.readBytes("element")
		if d.err != nil {
			return nil, unmarshalErr(t, d.err.Err, "element at %d", d.err.Offset)
		}
		v, err := unmarshal(et, eb, depth+1)
		if err == nil && v == nil {
			// Cassandra refuses null in collections; an empty fixed-size
			// element would read back as null, so it is refused too.
			err = unmarshalErr(t, ErrInvalidValue, "null or empty element at %d", at)
		}
		return v, err
	}
	if t.ID == TypeMap {
		entries := makeN[MapEntry](n)
		for i := range entries {
			k, err := next(t.Elems[0])
			if err != nil {
				return nil, err
			}
			v, err := next(t.Elems[1])
			if err != nil {
				return nil, err
			}
			entries[i] = MapEntry{Key: k, Value: v}
		}
		return entries, nil
	}
	elems := makeN[any](n)
	for i := range elems {
		v, err := next(t.Elems[0])
		if err != nil {
			return nil, err
		}
		elems[i] = v
	}
	return elems, nil
}

func unmarshalFields(t Type, b []byte, depth int) (any, error) {
	d := decoder{buf: b}
	var vals []any
	for i := 0; d.remaining() > 0; i++ {
		if i >= len(t.Elems) {
			return nil, unmarshalErr(t, ErrInvalidValue, "more values than the %d components", len(t.Elems))
		}
		eb := d.readBytes("component")
		if d.err != nil {
			return nil, unmarshalErr(t, d.err.Err, "component %d", i)
		}
		v, err := unmarshal(t.Elems[i], eb, depth+1)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}
