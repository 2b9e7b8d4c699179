package boltstore

import (
	"bytes"
	"testing"
)

// The decoders read bytes from disk: on any input they must return a value
// or an error wrapping ErrCorrupt, never panic, and what they accept must
// be canonical (encoding the result gives the input back). Seeds are in
// testdata/fuzz/<FuzzName>/.

func FuzzDecodeRole(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRole("r", b)
		if err != nil {
			return
		}
		if got := encodeRole(&r); !bytes.Equal(got, b) {
			t.Fatalf("decodeRole(%x) = %v re-encodes to %x", b, r, got)
		}
	})
}

func FuzzDecodeStrings(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		xs, err := decodeStrings(b)
		if err != nil {
			return
		}
		if got := encodeStrings(xs); !bytes.Equal(got, b) {
			t.Fatalf("decodeStrings(%x) = %q re-encodes to %x", b, xs, got)
		}
	})
}

func FuzzDecodePrefixes(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := decodePrefixes(b)
		if err != nil {
			return
		}
		if got := encodePrefixes(ps); !bytes.Equal(got, b) {
			t.Fatalf("decodePrefixes(%x) = %v re-encodes to %x", b, ps, got)
		}
	})
}

func FuzzSplitPair(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		first, second, err := splitPair(b)
		if err != nil {
			return
		}
		if got := pairKey(first, second); !bytes.Equal(got, b) {
			t.Fatalf("splitPair(%x) = %q, %q re-encodes to %x", b, first, second, got)
		}
	})
}
