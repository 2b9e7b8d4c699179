package boltstore

import (
	"bytes"
	"cmp"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

func TestRoleRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		r    store.RoleRecord
	}{
		{"zero", store.RoleRecord{Name: "r"}},
		{"flags", store.RoleRecord{Name: "r", IsSuperuser: true, CanLogin: true}},
		{"hash", store.RoleRecord{Name: "r", SaltedHash: "$2a$10$0123456789012345678901uJ9J9Z8yM2z8d0b9m8ZJ6c0bY0b8a2"}},
		{"member_of", store.RoleRecord{Name: "r", MemberOf: []string{"a", "b\x00", "é"}}},
		{"options", store.RoleRecord{Name: "r", Options: map[string]string{"": "empty key", "k": "", "z": "\x00"}}},
		{"long", store.RoleRecord{Name: "r", SaltedHash: strings.Repeat("h", 300), MemberOf: []string{strings.Repeat("m", 200)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := encodeRole(&tt.r)
			got, err := decodeRole(tt.r.Name, b)
			require.NoError(t, err)
			assert.Equal(t, tt.r, got)
		})
	}
}

func TestRoleEncodingIsCompact(t *testing.T) {
	b := encodeRole(&store.RoleRecord{Name: "alice", CanLogin: true, SaltedHash: strings.Repeat("x", 60), MemberOf: []string{"admins"}})
	// flags, hash length and hash, member count, member length and
	// name, option count.
	assert.Len(t, b, 1+1+60+1+1+6+1)
	assert.Equal(t, []byte{0x00, 0x01}, encodePerms(resource.SetOf(resource.Create)), "big-endian bit set")
	assert.Equal(t, []byte{0x03, 0xff}, encodePerms(resource.AllPermissions))
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name   string
		decode func() error
	}{
		{"role empty", func() error { _, err := decodeRole("r", nil); return err }},
		{"role unknown flag", func() error { _, err := decodeRole("r", []byte{4, 0, 0, 0}); return err }},
		{"role trailing", func() error { _, err := decodeRole("r", []byte{0, 0, 0, 0, 0}); return err }},
		{"role huge count", func() error { _, err := decodeRole("r", []byte{0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}); return err }},
		{"role bad varint", func() error {
			_, err := decodeRole("r", []byte{0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80})
			return err
		}},
		{"role member_of unsorted", func() error { _, err := decodeRole("r", []byte{0, 0, 2, 1, 'b', 1, 'a', 0}); return err }},
		{"role member_of duplicate", func() error { _, err := decodeRole("r", []byte{0, 0, 2, 1, 'a', 1, 'a', 0}); return err }},
		{"role member_of empty name", func() error { _, err := decodeRole("r", []byte{0, 0, 1, 0, 0}); return err }},
		{"role options unsorted", func() error { _, err := decodeRole("r", []byte{0, 0, 0, 2, 1, 'b', 0, 1, 'a', 0}); return err }},
		{"role string past end", func() error { _, err := decodeRole("r", []byte{0, 9, 'a'}); return err }},
		{"strings unsorted", func() error { _, err := decodeStrings([]byte{2, 1, 'b', 1, 'a'}); return err }},
		{"strings truncated", func() error { _, err := decodeStrings([]byte{2, 1, 'a'}); return err }},
		{"strings empty input", func() error { _, err := decodeStrings(nil); return err }},
		{"prefix family", func() error { _, err := decodePrefixes([]byte{1, 5, 1, 2, 3, 4, 8}); return err }},
		{"prefix bits", func() error { _, err := decodePrefixes([]byte{1, 4, 10, 0, 0, 0, 33}); return err }},
		{"prefix truncated", func() error { _, err := decodePrefixes([]byte{1, 6, 0, 0}); return err }},
		{"prefix unsorted", func() error {
			_, err := decodePrefixes([]byte{2, 4, 10, 0, 0, 0, 8, 4, 9, 0, 0, 0, 8})
			return err
		}},
		{"prefix count", func() error { _, err := decodePrefixes([]byte{2, 4, 10, 0, 0, 0, 8}); return err }},
		{"perms short", func() error { _, err := decodePerms([]byte{1}); return err }},
		{"perms empty set", func() error { _, err := decodePerms([]byte{0, 0}); return err }},
		{"perms unknown bit", func() error { _, err := decodePerms([]byte{0x80, 0}); return err }},
		{"key no terminator", func() error { _, _, err := splitPair([]byte("abc")); return err }},
		{"key bad escape", func() error { _, _, err := splitPair([]byte("a\x00\x02b")); return err }},
		{"key truncated escape", func() error { _, _, err := splitPair([]byte("a\x00")); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.decode(), ErrCorrupt)
		})
	}
}

func TestPrefixesRoundTrip(t *testing.T) {
	ps := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("10.1.2.3/32"),
		netip.MustParsePrefix("::ffff:10.0.0.0/104"), netip.MustParsePrefix("2001:db8::1/32"), netip.MustParsePrefix("0.0.0.0/0"),
	}
	norm := append([]netip.Prefix(nil), ps...)
	sortPrefixes(norm)
	got, err := decodePrefixes(encodePrefixes(norm))
	require.NoError(t, err)
	assert.Equal(t, norm, got)
	got, err = decodePrefixes(encodePrefixes(nil))
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

// TestPairKeyOrder: composite keys sort as their columns do, and split
// back into them.
func TestPairKeyOrder(t *testing.T) {
	str := rapid.StringOfN(rapid.SampledFrom([]rune{0, 1, 'a', 0xff, 'é'}), 0, 6, -1)
	rapid.Check(t, func(t *rapid.T) {
		a1, b1 := str.Draw(t, "a1"), str.Draw(t, "b1")
		a2, b2 := str.Draw(t, "a2"), str.Draw(t, "b2")
		k1, k2 := pairKey(a1, b1), pairKey(a2, b2)
		want := cmp.Or(strings.Compare(a1, a2), strings.Compare(b1, b2))
		if got := bytes.Compare(k1, k2); got != want {
			t.Fatalf("Compare(pairKey(%q, %q), pairKey(%q, %q)) = %d, want %d", a1, b1, a2, b2, got, want)
		}
		first, second, err := splitPair(k1)
		if err != nil || first != a1 || second != b1 {
			t.Fatalf("splitPair(pairKey(%q, %q)) = %q, %q, %v", a1, b1, first, second, err)
		}
		if !bytes.HasPrefix(k1, partition(a1)) {
			t.Fatalf("pairKey(%q, %q) outside its partition", a1, b1)
		}
		if a1 != a2 && bytes.HasPrefix(k2, partition(a1)) {
			t.Fatalf("pairKey(%q, %q) inside the partition of %q", a2, b2, a1)
		}
	})
}
