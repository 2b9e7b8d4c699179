package transport

import (
	"bytes"
	"hash/crc32"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The test vectors of the spec notes (shared/spec/cql-drivers.md section 4),
// checked there against the Python driver's segment.py.
func TestSegmentVectors(t *testing.T) {
	assert.Equal(t, uint32(0xeeffa5), crc24(50|selfContainedBit, 3), "header 32 00 02 has CRC24 a5 ff ee")
	seg, err := AppendSegment(nil, Segment{Payload: []byte("hello"), SelfContained: true})
	require.NoError(t, err)
	assert.Equal(t, unhex(t, "050002 19999a 68656c6c6f 74800eb6"), seg)

	s, n, err := ParseSegment(seg)
	require.NoError(t, err)
	assert.Equal(t, len(seg), n)
	assert.Equal(t, Segment{Payload: []byte("hello"), SelfContained: true}, s)

	// The header of a 50-byte self-contained segment.
	seg50, err := AppendSegment(nil, Segment{Payload: make([]byte, 50), SelfContained: true})
	require.NoError(t, err)
	assert.Equal(t, unhex(t, "320002 a5ffee"), seg50[:6])
}

func TestCRC32Seed(t *testing.T) {
	assert.Equal(t, crc32.ChecksumIEEE([]byte{0xfa, 0x2d, 0x55, 0xca}), crc32Seed)
	// Priming with the seed bytes equals checksumming them as a prefix.
	p := []byte("some payload")
	assert.Equal(t, crc32.ChecksumIEEE(append([]byte{0xfa, 0x2d, 0x55, 0xca}, p...)), payloadCRC32(p))
}

func TestCRC24(t *testing.T) {
	// Bitwise reference of the spec's description, written independently
	// of crc24: the register holds 24 bits, the input byte enters at the
	// top, the polynomial's x^24 term is implicit.
	ref := func(b []byte) uint32 {
		reg := uint32(0x875060)
		for _, c := range b {
			for i := 7; i >= 0; i-- {
				top := (reg >> 23) & 1
				in := uint32(c>>uint(i)) & 1
				reg = (reg << 1) & 0xffffff
				if top^in == 1 {
					reg ^= 0x1974F0B & 0xffffff
				}
			}
		}
		return reg
	}
	for _, h := range []uint32{0, 1, 5 | selfContainedBit, 50 | selfContainedBit, MaxSegmentPayload, MaxSegmentPayload | selfContainedBit, 0xffffff} {
		b := []byte{byte(h), byte(h >> 8), byte(h >> 16)}
		assert.Equal(t, ref(b), crc24(uint64(h), 3), "header %#x", h)
	}
	assert.Equal(t, uint32(crc24Init), crc24(0, 0))
}

func TestParseSegmentErrors(t *testing.T) {
	good, err := AppendSegment(nil, Segment{Payload: []byte("hello"), SelfContained: true})
	require.NoError(t, err)
	flipBit := func(i int, bit byte) []byte {
		b := bytes.Clone(good)
		b[i] ^= bit
		return b
	}
	flip := func(i int) []byte { return flipBit(i, 0x01) }
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"header cut", good[:5], ErrTruncated},
		{"payload cut", good[:8], ErrTruncated},
		{"trailer cut", good[:len(good)-1], ErrTruncated},
		{"length bit flipped", flip(0), ErrBadCRC},
		{"length bit 16 flipped", flip(2), ErrBadCRC},
		{"flag flipped", flipBit(2, 0x02), ErrBadCRC},
		{"padding bit flipped", flipBit(2, 0x80), ErrBadCRC},
		{"header CRC flipped", flip(4), ErrBadCRC},
		{"payload flipped", flip(7), ErrBadCRC},
		{"trailer flipped", flip(len(good) - 1), ErrBadCRC},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ParseSegment(c.in)
			assert.ErrorIs(t, err, c.want)
			assert.ErrorIs(t, err, ErrProtocol)
		})
	}
	var ce *CRCError
	_, _, err = ParseSegment(flip(0))
	require.ErrorAs(t, err, &ce)
	assert.True(t, ce.Header)
	_, _, err = ParseSegment(flip(7))
	require.ErrorAs(t, err, &ce)
	assert.False(t, ce.Header)
	assert.Contains(t, ce.Error(), "payload CRC mismatch")

	_, err = AppendSegment(nil, Segment{Payload: make([]byte, MaxSegmentPayload+1)})
	assert.ErrorIs(t, err, ErrUnencodable)
}

// segments splits encoded segment bytes into their parsed segments.
func segments(t testing.TB, b []byte) []Segment {
	t.Helper()
	var out []Segment
	for len(b) > 0 {
		s, n, err := ParseSegment(b)
		require.NoError(t, err)
		out = append(out, s)
		b = b[n:]
	}
	return out
}

func frameBytes(t testing.TB, stream int16, bodyLen int) []byte {
	t.Helper()
	body := make([]byte, bodyLen)
	for i := range body {
		body[i] = byte(i * 7)
	}
	b, err := (&Frame{Header: Header{Version: V5, Stream: stream, Opcode: OpQuery}, Body: body}).AppendBinary(nil)
	require.NoError(t, err)
	return b
}

func TestSegmentWriterLayout(t *testing.T) {
	var out bytes.Buffer
	w := NewSegmentWriter(&out)
	small := frameBytes(t, 1, 10)
	large := frameBytes(t, 2, 300_000)
	n, err := w.Write(append(append(bytes.Clone(small), large...), small...))
	require.NoError(t, err)
	assert.Equal(t, 2*len(small)+len(large), n)
	segs := segments(t, out.Bytes())
	require.Len(t, segs, 5)
	assert.Equal(t, Segment{Payload: small, SelfContained: true}, segs[0])
	assert.Len(t, segs[1].Payload, MaxSegmentPayload)
	assert.Len(t, segs[2].Payload, MaxSegmentPayload)
	assert.Len(t, segs[3].Payload, len(large)-2*MaxSegmentPayload)
	for _, s := range segs[1:4] {
		assert.False(t, s.SelfContained)
	}
	assert.Equal(t, large, append(append(bytes.Clone(segs[1].Payload), segs[2].Payload...), segs[3].Payload...))
	assert.True(t, segs[4].SelfContained)

	// An envelope of exactly the maximum payload still fits one segment.
	out.Reset()
	exact := frameBytes(t, 3, MaxSegmentPayload-9)
	_, err = w.Write(exact)
	require.NoError(t, err)
	assert.Equal(t, []Segment{{Payload: exact, SelfContained: true}}, segments(t, out.Bytes()))
}

func TestSegmentWriterRejectsPartialEnvelopes(t *testing.T) {
	var out bytes.Buffer
	w := NewSegmentWriter(&out)
	f := frameBytes(t, 1, 10)
	for name, p := range map[string][]byte{
		"cut":          f[:len(f)-1],
		"trailing":     append(bytes.Clone(f), 0x05),
		"not envelope": []byte("hello world"),
	} {
		t.Run(name, func(t *testing.T) {
			n, err := w.Write(p)
			assert.ErrorIs(t, err, ErrUnencodable)
			assert.Zero(t, n)
			assert.Zero(t, out.Len(), "nothing is written")
		})
	}
	n, err := w.Write(nil)
	assert.NoError(t, err)
	assert.Zero(t, n)
	_, err = NewSegmentWriter(errWriter{}).Write(f)
	assert.EqualError(t, err, "write failed")
	assert.ErrorIs(t, w.WriteFrame(&Frame{Header: Header{Version: 0}}), ErrUnencodable)
}

// TestSegmentRoundTrip: any sequence of envelopes written in any grouping
// reads back identical, through short reads too.
func TestSegmentRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sizes := rapid.SliceOfN(rapid.OneOf(rapid.IntRange(0, 300), rapid.IntRange(MaxSegmentPayload-12, MaxSegmentPayload+12),
			rapid.IntRange(0, 3*MaxSegmentPayload)), 1, 6).Draw(t, "sizes")
		var frames []*Frame
		var out bytes.Buffer
		w := NewSegmentWriter(&out)
		var pending []byte
		for i, n := range sizes {
			body := make([]byte, n)
			for j := range body {
				body[j] = byte(i + j)
			}
			f := &Frame{Header: Header{Version: V5, Stream: int16(i), Opcode: OpQuery, Length: n}, Body: body}
			frames = append(frames, f)
			b, err := f.AppendBinary(nil)
			if err != nil {
				t.Fatal(err)
			}
			pending = append(pending, b...)
			if rapid.Bool().Draw(t, "flush") {
				if _, err := w.Write(pending); err != nil {
					t.Fatal(err)
				}
				pending = nil
			}
		}
		if _, err := w.Write(pending); err != nil {
			t.Fatal(err)
		}
		var r io.Reader = &out
		if rapid.Bool().Draw(t, "short reads") {
			r = iotest.HalfReader(r)
		}
		sr := NewSegmentReader(r, 0)
		for i, want := range frames {
			got, err := sr.ReadFrame()
			if err != nil {
				t.Fatalf("frame %d: %v", i, err)
			}
			if got.Header != want.Header || !bytes.Equal(got.Body, want.Body) {
				t.Fatalf("frame %d: got header %+v, %d bytes; want %+v, %d bytes", i, got.Header, len(got.Body), want.Header, len(want.Body))
			}
		}
		if _, err := sr.ReadFrame(); err != io.EOF {
			t.Fatalf("after the last frame: %v, want io.EOF", err)
		}
	})
}

// TestSegmentReaderSeveralEnvelopes: a self-contained segment may carry
// several envelopes (Cassandra packs them); an envelope may also be split
// over non-self-contained segments with its header cut in two.
func TestSegmentReaderSeveralEnvelopes(t *testing.T) {
	a, b := frameBytes(t, 1, 3), frameBytes(t, 2, 0)
	var wire []byte
	wire, _ = AppendSegment(wire, Segment{Payload: append(bytes.Clone(a), b...), SelfContained: true})
	c := frameBytes(t, 3, 20)
	wire, _ = AppendSegment(wire, Segment{Payload: c[:5]})
	wire, _ = AppendSegment(wire, Segment{Payload: nil})
	wire, _ = AppendSegment(wire, Segment{Payload: c[5:]})
	wire, _ = AppendSegment(wire, Segment{SelfContained: true}) // empty: skipped
	sr := NewSegmentReader(bytes.NewReader(wire), 0)
	for _, want := range []int16{1, 2, 3} {
		f, err := sr.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, want, f.Header.Stream)
	}
	_, err := sr.ReadFrame()
	assert.Equal(t, io.EOF, err)
}

func TestSegmentReaderErrors(t *testing.T) {
	env := frameBytes(t, 1, 20)
	seg := func(p []byte, sc bool) []byte {
		b, err := AppendSegment(nil, Segment{Payload: p, SelfContained: sc})
		require.NoError(t, err)
		return b
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name string
		wire []byte
		want error
	}{
		{"envelope cut in self-contained", seg(env[:15], true), ErrTruncated},
		{"header cut in self-contained", seg(env[:4], true), ErrTruncated},
		{"self-contained inside split envelope", cat(seg(env[:12], false), seg(env, true)), ErrInvalidValue},
		{"bytes after split envelope", cat(seg(env[:12], false), seg(append(bytes.Clone(env[12:]), 1), false)), ErrInvalidLength},
		{"EOF inside split envelope", seg(env[:12], false), io.ErrUnexpectedEOF},
		{"EOF inside segment", seg(env, true)[:10], io.ErrUnexpectedEOF},
		{"bad version in envelope", seg(append([]byte{0x42}, env[1:]...), true), ErrUnsupportedVersion},
		{"bad version in split envelope", seg(append([]byte{0x07}, env[1:]...), false), ErrUnsupportedVersion},
		{"header CRC", func() []byte { b := seg(env, true); b[3] ^= 1; return b }(), ErrBadCRC},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sr := NewSegmentReader(bytes.NewReader(c.wire), 0)
			var err error
			for range 3 {
				if _, err = sr.ReadFrame(); err != nil {
					break
				}
			}
			assert.ErrorIs(t, err, c.want)
		})
	}
}

// TestSegmentReaderPayloadCRCRecovery: a self-contained segment with a bad
// payload CRC is dropped and the next one is read.
func TestSegmentReaderPayloadCRCRecovery(t *testing.T) {
	bad, _ := AppendSegment(nil, Segment{Payload: frameBytes(t, 1, 5), SelfContained: true})
	bad[8] ^= 0xff
	good, _ := AppendSegment(nil, Segment{Payload: frameBytes(t, 2, 5), SelfContained: true})
	sr := NewSegmentReader(bytes.NewReader(append(bad, good...)), 0)
	_, err := sr.ReadFrame()
	var ce *CRCError
	require.ErrorAs(t, err, &ce)
	assert.False(t, ce.Header)
	f, err := sr.ReadFrame()
	require.NoError(t, err)
	assert.Equal(t, int16(2), f.Header.Stream)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestSegmentReaderTooLarge: the frame limit applies to split envelopes
// (CASSANDRA-20052); the error comes as soon as the header is seen, the
// rest of the envelope is skipped, and reading goes on.
func TestSegmentReaderTooLarge(t *testing.T) {
	var out bytes.Buffer
	w := NewSegmentWriter(&out)
	_, err := w.Write(frameBytes(t, 1, 400_000))
	require.NoError(t, err)
	_, err = w.Write(append(frameBytes(t, 2, 100), frameBytes(t, 3, 10)...))
	require.NoError(t, err)
	total := out.Len()
	cr := &countingReader{r: &out}
	sr := NewSegmentReader(cr, 100)
	_, err = sr.ReadFrame()
	var tl *FrameTooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, int16(1), tl.Header.Stream)
	assert.Equal(t, 400_009, tl.Header.Size()+tl.Header.Length)
	assert.Less(t, cr.n, 2*MaxSegmentPayload, "the error comes after the first segment")
	assert.Nil(t, sr.large, "nothing of the oversized envelope is kept")

	// The next envelope, in a self-contained segment, is over the limit too.
	_, err = sr.ReadFrame()
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, int16(2), tl.Header.Stream)
	assert.Greater(t, cr.n, 400_000, "the split envelope has been skipped")

	f, err := sr.ReadFrame()
	require.NoError(t, err)
	assert.Equal(t, int16(3), f.Header.Stream)
	_, err = sr.ReadFrame()
	assert.Equal(t, io.EOF, err)
	assert.Equal(t, total, cr.n)
}

func TestSegmentReaderReadSegment(t *testing.T) {
	wire, _ := AppendSegment(nil, Segment{Payload: []byte("abc")})
	sr := NewSegmentReader(bytes.NewReader(wire), 0)
	s, err := sr.ReadSegment()
	require.NoError(t, err)
	assert.Equal(t, Segment{Payload: []byte("abc")}, s)
	_, err = sr.ReadSegment()
	assert.Equal(t, io.EOF, err)
}
