package transport

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/, generated from the
// seed functions of seeds_test.go (go test -run TestFuzzSeedCorpora
// -update-seeds); a plain `go test` runs every seed once.

// FuzzParseHeader: ParseHeader never panics, and a header it accepts
// re-encodes to the same bytes.
func FuzzParseHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHeader(data)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v does not match ErrProtocol", err)
			}
			return
		}
		enc, err := h.AppendBinary(nil)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", h, err)
		}
		if !bytes.Equal(enc, data[:h.Size()]) {
			t.Fatalf("re-encoded %x, read %x", enc, data[:h.Size()])
		}
		// ReadFrame agrees with ParseHeader.
		fr, err := ReadFrame(bytes.NewReader(data), 1<<16)
		switch {
		case err == nil:
			if fr.Header != h || len(fr.Body) != h.Length {
				t.Fatalf("ReadFrame header %+v, ParseHeader %+v", fr.Header, h)
			}
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrFrameTooLarge):
		default:
			t.Fatalf("ReadFrame: %v", err)
		}
	})
}

// FuzzParseSegment: ParseSegment never panics, and a segment it accepts
// re-encodes to the same bytes (up to the header's padding bits, which the
// CRC covers but the format discards).
func FuzzParseSegment(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, n, err := ParseSegment(data)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v does not match ErrProtocol", err)
			}
			return
		}
		enc, err := AppendSegment(nil, s)
		if err != nil {
			t.Fatal(err)
		}
		if data[2]&0xfc == 0 && !bytes.Equal(enc, data[:n]) {
			t.Fatalf("re-encoded %x, read %x", enc, data[:n])
		}
		if len(enc) != n {
			t.Fatalf("re-encoded %d bytes, read %d", len(enc), n)
		}
	})
}

// FuzzSegmentReader: reading frames from arbitrary segment streams never
// panics, never loops, and every frame fits the limit.
func FuzzSegmentReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 300
		sr := NewSegmentReader(bytes.NewReader(data), limit)
		for i := 0; ; i++ {
			if i > len(data) {
				t.Fatal("more frames than input bytes")
			}
			fr, err := sr.ReadFrame()
			if err != nil {
				if errors.Is(err, ErrFrameTooLarge) || (errors.Is(err, ErrBadCRC) && !err.(*CRCError).Header) {
					continue // recoverable: the reader skips and goes on
				}
				return
			}
			if fr.Header.Size()+len(fr.Body) > limit || len(fr.Body) != fr.Header.Length {
				t.Fatalf("frame %+v with %d body bytes", fr.Header, len(fr.Body))
			}
		}
	})
}

// FuzzSegmentStream builds valid segments (correct CRCs) from the input,
// so that the fuzzer reaches the reassembly logic behind the checksums:
// each chunk is a control byte (0x80: self-contained; low 6 bits: payload
// length) and its payload. Reading never panics or loops, and every frame
// it yields fits the limit and its own header.
func FuzzSegmentStream(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var wire []byte
		for len(data) > 0 {
			ctl := data[0]
			n := min(int(ctl&0x3f), len(data)-1)
			wire, _ = AppendSegment(wire, Segment{Payload: data[1 : 1+n], SelfContained: ctl&0x80 != 0})
			data = data[1+n:]
		}
		const limit = 100
		sr := NewSegmentReader(bytes.NewReader(wire), limit)
		for i := 0; ; i++ {
			if i > len(wire) {
				t.Fatal("more frames than input bytes")
			}
			fr, err := sr.ReadFrame()
			if errors.Is(err, ErrFrameTooLarge) {
				continue
			}
			if err != nil {
				if errors.Is(err, ErrBadCRC) {
					t.Fatalf("CRC error on valid segments: %v", err)
				}
				return
			}
			if fr.Header.Size()+len(fr.Body) > limit || len(fr.Body) != fr.Header.Length {
				t.Fatalf("frame %+v with %d body bytes", fr.Header, len(fr.Body))
			}
		}
	})
}

// FuzzDecodeEnvelope: decoding any frame never panics; whatever decodes
// re-encodes, and re-encoding is stable: decode(encode(m)) encodes to the
// same bytes and yields an equal message.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ReadFrame(bytes.NewReader(data), 1<<20)
		if err != nil {
			return
		}
		env, err := DecodeEnvelope(fr)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v does not match ErrProtocol", err)
			}
			return
		}
		enc1, err := env.AppendBinary(nil)
		if err != nil {
			t.Fatalf("re-encoding %#v: %v", env.Message, err)
		}
		fr2, err := ReadFrame(bytes.NewReader(enc1), 1<<21)
		if err != nil {
			t.Fatal(err)
		}
		env2, err := DecodeEnvelope(fr2)
		if err != nil {
			t.Fatalf("decoding the re-encoded frame: %v", err)
		}
		enc2, err := env2.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc1, enc2) {
			t.Fatalf("unstable encoding:\n%x\n%x", enc1, enc2)
		}
		if !reflect.DeepEqual(env.Message, env2.Message) {
			t.Fatalf("message changed:\n%#v\n%#v", env.Message, env2.Message)
		}
	})
}

// FuzzParseType: ParseType never panics; what it accepts prints to a form
// it parses back to the same type.
func FuzzParseType(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		typ, err := ParseType(s)
		if err != nil {
			return
		}
		again, err := ParseType(typ.String())
		if err != nil || !again.Equal(typ) {
			t.Fatalf("%q -> %q -> %v, %v", s, typ.String(), again, err)
		}
	})
}

// FuzzUnmarshal: Unmarshal never panics on any type [option] and value;
// what it decodes marshals back, and from then on the bytes are stable.
func FuzzUnmarshal(f *testing.F) {
	f.Fuzz(func(t *testing.T, option, value []byte) {
		d := decoder{buf: option}
		typ := d.readType(0)
		if d.err != nil {
			return
		}
		v, err := Unmarshal(typ, value)
		if err != nil {
			return
		}
		b1, err := Marshal(typ, v)
		if err != nil {
			t.Fatalf("Marshal(%s, %#v): %v", typ, v, err)
		}
		v2, err := Unmarshal(typ, b1)
		if err != nil {
			t.Fatalf("Unmarshal(%s, %x): %v", typ, b1, err)
		}
		b2, err := Marshal(typ, v2)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("unstable: %x then %x (%v)", b1, b2, err)
		}
	})
}
