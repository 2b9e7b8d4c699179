package boltstore

import (
	"encoding/binary"
	"errors"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Encoding of keys and values (format version 1).
//
// Values use encoding/binary varints rather than JSON: a record costs a few
// bytes more than its strings, decoding allocates only the strings it
// returns, and the form is canonical (one encoding per value, checked when
// decoding), so a value that does not decode, or decodes to something this
// package would not have written, is reported as ErrCorrupt instead of
// being served. Every decoder bounds each length and count by the bytes
// that remain, so corrupt input can neither panic nor make it allocate
// more than the input's size.
//
// Composite keys (role_members, role_permissions and the resource index)
// are the first column in an order-preserving escaped form followed by the
// second column as it is: byte 0x00 of the first column is written as
// 0x00 0xFF and the column ends with 0x00 0x01. Keys therefore sort by the
// first column, then the second, in byte order, a partition is a key
// prefix, and no column value can forge another's boundary.

const (
	flagSuperuser = 1 << 0
	flagLogin     = 1 << 1
	knownFlags    = flagSuperuser | flagLogin
)

// appendString appends uvarint(len(s)) and s.
func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// encodeRole encodes the columns of a roles row other than its name:
// flags byte, salted hash, member_of (sorted), options (sorted by key).
func encodeRole(r *store.RoleRecord) []byte {
	n := 1 + binary.MaxVarintLen64*3 + len(r.SaltedHash)
	for _, m := range r.MemberOf {
		n += binary.MaxVarintLen64 + len(m)
	}
	for k, v := range r.Options {
		n += 2*binary.MaxVarintLen64 + len(k) + len(v)
	}
	dst := make([]byte, 0, n)
	var flags byte
	if r.IsSuperuser {
		flags |= flagSuperuser
	}
	if r.CanLogin {
		flags |= flagLogin
	}
	dst = append(dst, flags)
	dst = appendString(dst, r.SaltedHash)
	dst = binary.AppendUvarint(dst, uint64(len(r.MemberOf)))
	for _, m := range r.MemberOf {
		dst = appendString(dst, m)
	}
	dst = binary.AppendUvarint(dst, uint64(len(r.Options)))
	for _, k := range slices.Sorted(maps.Keys(r.Options)) {
		dst = appendString(dst, k)
		dst = appendString(dst, r.Options[k])
	}
	return dst
}

// decodeRole decodes a roles value into a record named name. It returns an
// error wrapping ErrCorrupt unless b is exactly what encodeRole writes for
// a valid record (member_of strictly increasing and without empty names,
// option keys strictly increasing).
func decodeRole(name string, b []byte) (store.RoleRecord, error) {
	d := decoder{b: b}
	flags := d.byte()
	if flags&^knownFlags != 0 {
		return store.RoleRecord{}, corrupt("role %q: unknown flags %#x", name, flags)
	}
	r := store.RoleRecord{
		Name:        name,
		IsSuperuser: flags&flagSuperuser != 0,
		CanLogin:    flags&flagLogin != 0,
		SaltedHash:  d.string(),
	}
	if n := d.count(); n > 0 {
		r.MemberOf = make([]string, 0, n)
		for range n {
			m := d.string()
			if d.err == nil && (m == "" || len(r.MemberOf) > 0 && r.MemberOf[len(r.MemberOf)-1] >= m) {
				return store.RoleRecord{}, corrupt("role %q: member_of not sorted, or with an empty name", name)
			}
			r.MemberOf = append(r.MemberOf, m)
		}
	}
	if n := d.count(); n > 0 {
		r.Options = make(map[string]string, n)
		last := ""
		for i := range n {
			k, v := d.string(), d.string()
			if d.err == nil && i > 0 && last >= k {
				return store.RoleRecord{}, corrupt("role %q: options not sorted by key", name)
			}
			last = k
			r.Options[k] = v
		}
	}
	if err := d.end(); err != nil {
		return store.RoleRecord{}, corrupt("role %q: %v", name, err)
	}
	return r, nil
}

// encodeStrings encodes a sorted set of strings: uvarint count, then each
// string.
func encodeStrings(xs []string) []byte {
	n := binary.MaxVarintLen64
	for _, x := range xs {
		n += binary.MaxVarintLen64 + len(x)
	}
	dst := binary.AppendUvarint(make([]byte, 0, n), uint64(len(xs)))
	for _, x := range xs {
		dst = appendString(dst, x)
	}
	return dst
}

// decodeStrings decodes what encodeStrings writes. The result is never nil
// and must be strictly increasing, else the error wraps ErrCorrupt.
func decodeStrings(b []byte) ([]string, error) {
	d := decoder{b: b}
	n := d.count()
	out := make([]string, 0, n)
	for range n {
		x := d.string()
		if d.err == nil && len(out) > 0 && out[len(out)-1] >= x {
			return nil, corrupt("string set not sorted")
		}
		out = append(out, x)
	}
	if err := d.end(); err != nil {
		return nil, corrupt("string set: %v", err)
	}
	return out, nil
}

// normalizeStrings returns xs sorted without duplicates, in a new slice
// that is never nil.
func normalizeStrings(xs []string) []string {
	out := append(make([]string, 0, len(xs)), xs...)
	slices.Sort(out)
	return slices.Clip(slices.Compact(out))
}

// comparePrefix orders prefixes by address, then by length.
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// sortPrefixes sorts ps by address, then length.
func sortPrefixes(ps []netip.Prefix) { slices.SortFunc(ps, comparePrefix) }

// encodePrefixes encodes a sorted set of valid prefixes: uvarint count,
// then for each a family byte (4 or 6), the address (4 or 16 bytes) and
// the length in bits.
func encodePrefixes(ps []netip.Prefix) []byte {
	dst := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+18*len(ps)), uint64(len(ps)))
	for _, p := range ps {
		a := p.Addr()
		if a.Is4() {
			b := a.As4()
			dst = append(dst, 4)
			dst = append(dst, b[:]...)
		} else {
			b := a.As16()
			dst = append(dst, 6)
			dst = append(dst, b[:]...)
		}
		dst = append(dst, byte(p.Bits()))
	}
	return dst
}

// decodePrefixes decodes what encodePrefixes writes. The result is never
// nil and must be strictly increasing (see comparePrefix), else the error
// wraps ErrCorrupt.
func decodePrefixes(b []byte) ([]netip.Prefix, error) {
	d := decoder{b: b}
	n := d.countOf(6) // an IPv4 entry takes 6 bytes, an IPv6 one 18
	out := make([]netip.Prefix, 0, n)
	for range n {
		var a netip.Addr
		switch fam := d.byte(); fam {
		case 4:
			a = netip.AddrFrom4([4]byte(d.bytes(4)))
		case 6:
			a = netip.AddrFrom16([16]byte(d.bytes(16)))
		default:
			if d.err == nil {
				return nil, corrupt("prefix: unknown address family %d", fam)
			}
		}
		bits := int(d.byte())
		if d.err != nil {
			break
		}
		p := netip.PrefixFrom(a, bits)
		if !p.IsValid() {
			return nil, corrupt("prefix: %d bits for %v", bits, a)
		}
		if len(out) > 0 && comparePrefix(out[len(out)-1], p) >= 0 {
			return nil, corrupt("prefix set not sorted")
		}
		out = append(out, p)
	}
	if err := d.end(); err != nil {
		return nil, corrupt("prefix set: %v", err)
	}
	return out, nil
}

// encodePerms encodes a permission set in 2 bytes, big-endian.
func encodePerms(p resource.PermissionSet) []byte {
	return binary.BigEndian.AppendUint16(make([]byte, 0, 2), uint16(p))
}

// decodePerms decodes a role_permissions value: 2 bytes holding a
// non-empty set of known permissions, else the error wraps ErrCorrupt.
func decodePerms(b []byte) (resource.PermissionSet, error) {
	if len(b) != 2 {
		return 0, corrupt("permission set of %d bytes", len(b))
	}
	p := resource.PermissionSet(binary.BigEndian.Uint16(b))
	if p.IsEmpty() || p&^resource.AllPermissions != 0 {
		return 0, corrupt("permission set %#04x", uint16(p))
	}
	return p, nil
}

// appendEscaped appends s in the order-preserving escaped form of a
// composite key's first column, terminator included.
func appendEscaped(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, 0xFF)
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, 0x00, 0x01)
}

// partition returns the key prefix of first's partition.
func partition(first string) []byte {
	return appendEscaped(make([]byte, 0, len(first)+2), first)
}

// pairKey returns the composite key (first, second).
func pairKey(first, second string) []byte {
	return appendPair(make([]byte, 0, len(first)+len(second)+2), first, second)
}

// appendPair appends the composite key (first, second) to dst.
func appendPair(dst []byte, first, second string) []byte {
	return append(appendEscaped(dst, first), second...)
}

// splitPair decodes a composite key into its two columns; the error wraps
// ErrCorrupt when k has no well-formed first column.
func splitPair(k []byte) (first, second string, err error) {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if k[i] != 0 {
			continue
		}
		if i+1 >= len(k) {
			return "", "", corrupt("key %q: truncated escape", k)
		}
		switch k[i+1] {
		case 0xFF:
			b.Write(k[:i+1])
			k = k[i+2:]
			i = -1
		case 0x01:
			b.Write(k[:i])
			return b.String(), string(k[i+2:]), nil
		default:
			return "", "", corrupt("key %q: bad escape %#x", k, k[i+1])
		}
	}
	return "", "", corrupt("key without a column terminator")
}

// decoder reads the varint-framed encoding. The first error sticks; every
// read after it returns zero values. Its errors are bare descriptions: the
// decoding functions wrap them in ErrCorrupt with what was being decoded.
type decoder struct {
	b   []byte
	err error
}

// fail records the first error.
func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = errors.New(what)
	}
}

// byte reads one byte.
func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.fail("truncated")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// uvarint reads a uvarint.
func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n > 1 && d.b[n-1] == 0 { // overflow, truncated, or not minimal
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// countOf reads a count of entries taking at least min bytes each, and
// checks that they can fit in what remains.
func (d *decoder) countOf(min int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/min) {
		d.fail("count exceeds the data")
		return 0
	}
	return int(n)
}

// count reads a count of entries taking at least one byte each.
func (d *decoder) count() int { return d.countOf(1) }

// bytes reads n bytes; the result aliases the input. On error it returns
// n zero bytes, so callers may convert it to an array.
func (d *decoder) bytes(n int) []byte {
	if d.err != nil || len(d.b) < n {
		d.fail("truncated")
		return make([]byte, n)
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

// string reads a length-prefixed string (copied out of the input).
func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.fail("truncated string")
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// end returns the first error, or one if bytes remain.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) > 0 {
		d.fail("trailing bytes")
	}
	return d.err
}
