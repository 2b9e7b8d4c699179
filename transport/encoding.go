package transport

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"slices"
)

// This file implements the notation types of the native protocol spec
// (section 3): [byte] [short] [int] [long] [string] [long string] [uuid]
// [string list] [bytes] [value] [short bytes] [inet] [inetaddr]
// [consistency] [string map] [string multimap] [bytes map]. All integers
// are big-endian.

// Value is a bound [value] of QUERY, EXECUTE and BATCH: a serialized CQL
// value (see [Marshal]), null, or "not set". Bytes == nil is null; a
// non-nil empty Bytes is the empty value; Unset (v4+) leaves the column
// unchanged and requires Bytes == nil.
type Value struct {
	Bytes []byte
	Unset bool
}

// IsNull reports whether v is null (and not unset).
func (v Value) IsNull() bool { return v.Bytes == nil && !v.Unset }

// decoder reads notation types from buf. The first failure sticks: later
// reads return zero values, and err holds a [*DecodeError] whose Offset
// points at the failing field. Byte slices it returns alias buf.
type decoder struct {
	buf  []byte
	off  int
	last int // offset of the most recent read, for errors about its value
	err  *DecodeError
}

// fail records a failure at the current offset.
func (d *decoder) fail(field string, err error) {
	if d.err == nil {
		d.err = &DecodeError{Field: field, Offset: d.off, Err: err}
	}
}

// failLast records a failure about the value just read.
func (d *decoder) failLast(field string, err error) { d.failAt(d.last, field, err) }

// failAt records a failure about the field at offset off.
func (d *decoder) failAt(off int, field string, err error) {
	if d.err == nil {
		d.err = &DecodeError{Field: field, Offset: off, Err: err}
	}
}

// remaining returns the number of unread bytes.
func (d *decoder) remaining() int { return len(d.buf) - d.off }

// take returns the next n bytes, or nil and records ErrTruncated.
func (d *decoder) take(n int, field string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.remaining() {
		d.fail(field, ErrTruncated)
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.last = d.off
	d.off += n
	return b
}

// count validates an element count read from the wire: it must be >= 0
// and each element needs at least minSize bytes, so a hostile count cannot
// make the caller allocate more than the body could hold.
func (d *decoder) count(n int, minSize int, field string) int {
	if d.err != nil {
		return 0
	}
	if n < 0 || (minSize > 0 && n > d.remaining()/minSize) {
		d.failLast(field, fmt.Errorf("%w: %d elements", ErrInvalidLength, n))
		return 0
	}
	return n
}

func (d *decoder) readByte(field string) byte {
	b := d.take(1, field)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) readShort(field string) uint16 {
	b := d.take(2, field)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (d *decoder) readInt(field string) int32 {
	b := d.take(4, field)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

func (d *decoder) readLong(field string) int64 {
	b := d.take(8, field)
	if b == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// readString reads a [string].
func (d *decoder) readString(field string) string {
	n := int(d.readShort(field))
	return string(d.take(n, field))
}

// readLongString reads a [long string]; a negative length is an error.
func (d *decoder) readLongString(field string) string {
	n := int(d.readInt(field))
	if n < 0 {
		d.failLast(field, fmt.Errorf("%w: %d", ErrInvalidLength, n))
		return ""
	}
	return string(d.take(n, field))
}

// readBytes reads a [bytes]: nil when the length is negative (null),
// otherwise a non-nil slice aliasing the buffer.
func (d *decoder) readBytes(field string) []byte {
	n := int(d.readInt(field))
	if n < 0 || d.err != nil {
		return nil
	}
	return d.take(n, field)
}

// readShortBytes reads a [short bytes]. It has no null, so an empty one
// is returned as nil.
func (d *decoder) readShortBytes(field string) []byte {
	n := int(d.readShort(field))
	if n == 0 {
		return nil
	}
	return d.take(n, field)
}

// readValue reads a [value]. "Not set" (-2) exists from v4 on.
func (d *decoder) readValue(v Version, field string) Value {
	n := int(d.readInt(field))
	if d.err != nil {
		return Value{}
	}
	switch {
	case n >= 0:
		return Value{Bytes: d.take(n, field)}
	case n == -1:
		return Value{}
	case n == -2 && v >= V4:
		return Value{Unset: true}
	}
	d.failLast(field, fmt.Errorf("%w: [value] length %d", ErrInvalidValue, n))
	return Value{}
}

// readStringList reads a [string list].
func (d *decoder) readStringList(field string) []string {
	n := d.count(int(d.readShort(field)), 2, field)
	if d.err != nil {
		return nil
	}
	l := makeN[string](n)
	for i := range l {
		l[i] = d.readString(field)
	}
	return l
}

// readStringMap reads a [string map]; a repeated key keeps its last value.
func (d *decoder) readStringMap(field string) map[string]string {
	n := d.count(int(d.readShort(field)), 4, field)
	if d.err != nil {
		return nil
	}
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.readString(field)
		m[k] = d.readString(field)
	}
	return m
}

// readStringMultimap reads a [string multimap].
func (d *decoder) readStringMultimap(field string) map[string][]string {
	n := d.count(int(d.readShort(field)), 4, field)
	if d.err != nil {
		return nil
	}
	if n == 0 {
		return nil
	}
	m := make(map[string][]string, n)
	for range n {
		k := d.readString(field)
		m[k] = d.readStringList(field)
	}
	return m
}

// readBytesMap reads a [bytes map]; values alias the buffer.
func (d *decoder) readBytesMap(field string) map[string][]byte {
	n := d.count(int(d.readShort(field)), 6, field)
	if d.err != nil {
		return nil
	}
	if n == 0 {
		return nil
	}
	m := make(map[string][]byte, n)
	for range n {
		k := d.readString(field)
		m[k] = d.readBytes(field)
	}
	return m
}

// readUUID reads a [uuid].
func (d *decoder) readUUID(field string) UUID {
	var u UUID
	copy(u[:], d.take(16, field))
	return u
}

// readInetAddr reads an [inetaddr]: a [byte] size (4 or 16) and the address.
func (d *decoder) readInetAddr(field string) netip.Addr {
	n := int(d.readByte(field))
	if d.err != nil {
		return netip.Addr{}
	}
	if n != 4 && n != 16 {
		d.failLast(field, fmt.Errorf("%w: address of %d bytes", ErrInvalidValue, n))
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(d.take(n, field))
	return a
}

// readInet reads an [inet]: an [inetaddr] and an [int] port.
func (d *decoder) readInet(field string) netip.AddrPort {
	a := d.readInetAddr(field)
	p := d.readInt(field)
	if d.err != nil {
		return netip.AddrPort{}
	}
	if p < 0 || p > math.MaxUint16 {
		d.failLast(field, fmt.Errorf("%w: port %d", ErrInvalidValue, p))
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, uint16(p))
}

// readConsistency reads a [consistency].
func (d *decoder) readConsistency(field string) Consistency {
	return Consistency(d.readShort(field))
}

// encoder appends notation types to buf. The first failure sticks in err
// (matching [ErrUnencodable]); op names the message for the error text.
type encoder struct {
	buf []byte
	op  string
	err error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = unencodable(e.op, format, args...)
	}
}

func (e *encoder) byte1(b byte) { e.buf = append(e.buf, b) }

func (e *encoder) short(v uint16) { e.buf = binary.BigEndian.AppendUint16(e.buf, v) }

func (e *encoder) int32(v int32) { e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(v)) }

func (e *encoder) long(v int64) { e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(v)) }

// length appends an [int] length, failing when n does not fit.
func (e *encoder) length(n int, what string) {
	if n > math.MaxInt32 {
		e.fail("%s of %d bytes or elements exceeds the [int] range", what, n)
		return
	}
	e.int32(int32(n))
}

// shortLength appends a [short] length, failing when n does not fit.
func (e *encoder) shortLength(n int, what string) {
	if n > math.MaxUint16 {
		e.fail("%s of %d bytes or elements exceeds the [short] range", what, n)
		return
	}
	e.short(uint16(n))
}

func (e *encoder) string(s string) {
	e.shortLength(len(s), "[string]")
	e.buf = append(e.buf, s...)
}

func (e *encoder) longString(s string) {
	e.length(len(s), "[long string]")
	e.buf = append(e.buf, s...)
}

// bytes appends a [bytes]; nil is null (length -1).
func (e *encoder) bytes(b []byte) {
	if b == nil {
		e.int32(-1)
		return
	}
	e.length(len(b), "[bytes]")
	e.buf = append(e.buf, b...)
}

func (e *encoder) shortBytes(b []byte) {
	e.shortLength(len(b), "[short bytes]")
	e.buf = append(e.buf, b...)
}

// value appends a [value].
func (e *encoder) value(v Value, version Version) {
	switch {
	case v.Unset && v.Bytes != nil:
		e.fail("a value cannot be both unset and set")
	case v.Unset && version < V4:
		e.fail("unset values need protocol v4 or later")
	case v.Unset:
		e.int32(-2)
	default:
		e.bytes(v.Bytes)
	}
}

func (e *encoder) stringList(l []string) {
	e.shortLength(len(l), "[string list]")
	for _, s := range l {
		e.string(s)
	}
}

// stringMap appends a [string map] in sorted key order, so that encodings
// are deterministic.
func (e *encoder) stringMap(m map[string]string) {
	e.shortLength(len(m), "[string map]")
	for _, k := range sortedKeys(m) {
		e.string(k)
		e.string(m[k])
	}
}

func (e *encoder) stringMultimap(m map[string][]string) {
	e.shortLength(len(m), "[string multimap]")
	for _, k := range sortedKeys(m) {
		e.string(k)
		e.stringList(m[k])
	}
}

func (e *encoder) bytesMap(m map[string][]byte) {
	e.shortLength(len(m), "[bytes map]")
	for _, k := range sortedKeys(m) {
		e.string(k)
		e.bytes(m[k])
	}
}

func (e *encoder) uuid(u UUID) { e.buf = append(e.buf, u[:]...) }

func (e *encoder) inetAddr(a netip.Addr) {
	if !a.IsValid() {
		e.fail("invalid IP address")
		return
	}
	if a.Is4() {
		b := a.As4()
		e.buf = append(append(e.buf, 4), b[:]...)
		return
	}
	b := a.As16()
	e.buf = append(append(e.buf, 16), b[:]...)
}

func (e *encoder) inet(ap netip.AddrPort) {
	e.inetAddr(ap.Addr())
	e.int32(int32(ap.Port()))
}

func (e *encoder) consistency(c Consistency) { e.short(uint16(c)) }

// makeN returns a slice of n elements, nil when n is 0, so that decoded
// empty lists compare equal to unset ones.
func makeN[T any](n int) []T {
	if n == 0 {
		return nil
	}
	return make([]T, n)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
