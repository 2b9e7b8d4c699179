package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"slices"
)

// Frame size limits.
const (
	// DefaultMaxFrameSize is the frame size limit [ReadFrame] and
	// [SegmentReader] apply when given 0: 16 MiB, the default of
	// Cassandra 4.0+'s native_transport_max_frame_size.
	DefaultMaxFrameSize = 16 << 20
	// MaxFrameSizeLimit is the protocol's own bound: "currently a frame is
	// limited to 256MB in length". Larger configured limits are clamped.
	MaxFrameSizeLimit = 256 << 20
)

// bodyChunk bounds how much body memory a reader allocates ahead of the
// bytes actually received: a header that claims a large body only costs
// memory as the body arrives.
const bodyChunk = 1 << 20

// Header is a frame header (called "envelope header" in v5):
//
//	v3+: version(1) flags(1) stream(2) opcode(1) length(4)   9 bytes
//	v1/v2: version(1) flags(1) stream(1) opcode(1) length(4) 8 bytes
//
// The version byte's high bit is the direction (1 = response), kept in
// Response.
type Header struct {
	Version  Version
	Response bool
	Flags    HeaderFlags
	Stream   int16 // v1/v2: -128..127
	Opcode   Opcode
	Length   int // body length in bytes, >= 0
}

// Size returns the encoded size of h: [Version.HeaderSize].
func (h Header) Size() int { return h.Version.HeaderSize() }

// ParseHeader decodes the frame header at the start of b. It needs only the
// first byte to recognise the version: an unknown one gives a
// [*VersionError]. A b shorter than the header gives a [*DecodeError]
// matching [ErrTruncated]; a negative length one matching
// [ErrInvalidLength]. The opcode is not checked here (see
// [DecodeEnvelope]).
func ParseHeader(b []byte) (Header, error) {
	if len(b) == 0 {
		return Header{}, &DecodeError{Op: "header", Field: "version", Err: ErrTruncated}
	}
	v := Version(b[0] & 0x7f)
	if !v.Known() {
		return Header{}, &VersionError{Version: int(v), Response: b[0]&0x80 != 0}
	}
	if len(b) < v.HeaderSize() {
		return Header{}, &DecodeError{Op: "header", Offset: len(b), Err: ErrTruncated}
	}
	h := Header{Version: v, Response: b[0]&0x80 != 0, Flags: HeaderFlags(b[1])}
	rest := b[2:]
	if v < V3 {
		h.Stream = int16(int8(rest[0]))
		rest = rest[1:]
	} else {
		h.Stream = int16(binary.BigEndian.Uint16(rest))
		rest = rest[2:]
	}
	h.Opcode = Opcode(rest[0])
	n := int32(binary.BigEndian.Uint32(rest[1:]))
	if n < 0 {
		return Header{}, &DecodeError{Op: "header", Field: "length", Offset: v.HeaderSize() - 4,
			Err: fmt.Errorf("%w: Invalid value for envelope header body length field: %d", ErrInvalidLength, n)}
	}
	h.Length = int(n)
	return h, nil
}

// AppendBinary appends the encoded header to b. It fails (matching
// [ErrUnencodable]) for an unknown version, a v1/v2 stream outside
// -128..127, or a negative or oversized length.
func (h Header) AppendBinary(b []byte) ([]byte, error) {
	if !h.Version.Known() {
		return b, unencodable("header", "unknown protocol version %d", h.Version)
	}
	if h.Length < 0 || h.Length > math.MaxInt32 {
		return b, unencodable("header", "body length %d out of range", h.Length)
	}
	vb := byte(h.Version)
	if h.Response {
		vb |= 0x80
	}
	b = append(b, vb, byte(h.Flags))
	if h.Version < V3 {
		if h.Stream < math.MinInt8 || h.Stream > math.MaxInt8 {
			return b[:len(b)-2], unencodable("header", "stream %d does not fit the one-byte stream of %s", h.Stream, h.Version)
		}
		b = append(b, byte(int8(h.Stream)))
	} else {
		b = binary.BigEndian.AppendUint16(b, uint16(h.Stream))
	}
	b = append(b, byte(h.Opcode))
	return binary.BigEndian.AppendUint32(b, uint32(h.Length)), nil
}

// Frame is one frame (a v5 "envelope"): a header and its raw body. The
// body still holds the optional tracing id, warnings and custom payload
// the header flags announce; [DecodeEnvelope] strips and decodes them.
// A body may hold secrets (an AUTH_RESPONSE token, a CREATE ROLE ...
// PASSWORD statement): never log it.
type Frame struct {
	Header Header
	Body   []byte

	hdr [9]byte // read scratch, so that ReadFrame allocates only the Frame and its body
}

// AppendBinary appends the encoded frame to b, with Header.Length taken
// from len(Body).
func (f *Frame) AppendBinary(b []byte) ([]byte, error) {
	h := f.Header
	h.Length = len(f.Body)
	b, err := h.AppendBinary(b)
	if err != nil {
		return b, err
	}
	return append(b, f.Body...), nil
}

// clampMax maps a configured frame size limit to the one applied.
func clampMax(maxSize int) int {
	if maxSize <= 0 {
		return DefaultMaxFrameSize
	}
	return min(maxSize, MaxFrameSizeLimit)
}

// ReadFrame reads one unframed (pre-v5, or v5 before the STARTUP
// response) frame from r. maxSize bounds header plus body; 0 selects
// [DefaultMaxFrameSize] and values above [MaxFrameSizeLimit] are clamped.
// Body memory grows with the bytes received, never ahead of them by more
// than 1 MiB.
//
// Errors: [io.EOF] when r ends before the first byte; [io.ErrUnexpectedEOF]
// when it ends inside the frame; a [*VersionError] after reading only the
// first byte (answer and close); a [*DecodeError] for a negative length
// (close: the stream cannot be resynchronised); a [*FrameTooLargeError]
// after reading the header only, so a caller may skip the body with
// io.CopyN(io.Discard, r, int64(err.Header.Length)), answer on its stream
// and go on, as Cassandra does. Other errors come from r.
//
// ReadFrame reads exactly one frame's bytes and no more; give it a
// buffered reader. It is safe for concurrent use with distinct readers.
func ReadFrame(r io.Reader, maxSize int) (*Frame, error) {
	maxSize = clampMax(maxSize)
	f := new(Frame)
	if _, err := io.ReadFull(r, f.hdr[:1]); err != nil {
		return nil, err
	}
	v := Version(f.hdr[0] & 0x7f)
	if !v.Known() {
		return nil, &VersionError{Version: int(v), Response: f.hdr[0]&0x80 != 0}
	}
	n := v.HeaderSize()
	if _, err := io.ReadFull(r, f.hdr[1:n]); err != nil {
		return nil, noEOF(err)
	}
	h, err := ParseHeader(f.hdr[:n])
	if err != nil {
		return nil, err
	}
	if h.Length > maxSize-n {
		return nil, &FrameTooLargeError{Header: h, Max: maxSize}
	}
	f.Header = h
	if f.Body, err = readBody(r, h.Length); err != nil {
		return nil, err
	}
	return f, nil
}

// readBody reads exactly n bytes, growing its buffer as data arrives.
func readBody(r io.Reader, n int) ([]byte, error) {
	if n <= bodyChunk {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, noEOF(err)
		}
		return b, nil
	}
	b := make([]byte, 0, bodyChunk)
	for len(b) < n {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(cap(b), n-len(b)))
		}
		m, err := io.ReadFull(r, b[len(b):min(n, cap(b))])
		b = b[:len(b)+m]
		if err != nil {
			return nil, noEOF(err)
		}
	}
	return b, nil
}

// noEOF turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// WriteFrame writes f to w as one unframed frame, with Header.Length taken
// from len(Body), in a single vectored write when w is a network
// connection. Callers serialise writes to one w.
func WriteFrame(w io.Writer, f *Frame) error {
	h := f.Header
	h.Length = len(f.Body)
	var scratch [9]byte
	hdr, err := h.AppendBinary(scratch[:0])
	if err != nil {
		return err
	}
	bufs := net.Buffers{hdr, f.Body}
	_, err = bufs.WriteTo(w)
	return err
}
