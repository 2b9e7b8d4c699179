package transport

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Protocol v5 wraps envelopes (frames) in segments once the server has
// written its STARTUP response (READY or AUTHENTICATE). This file
// implements the uncompressed format of native_protocol_v5.spec 2.1:
//
//	header  3 bytes LE: payload length (17 bits) | self-contained flag (bit 17)
//	        3 bytes LE: CRC24 of those 3 bytes
//	payload up to 131071 bytes
//	trailer 4 bytes LE: CRC32 of the payload, seeded with FA 2D 55 CA
//
// A self-contained segment holds one or more whole envelopes; an envelope
// larger than one payload travels alone in a run of non-self-contained
// segments.

// Segment sizes.
const (
	// MaxSegmentPayload is the largest payload of one segment: 128 KiB - 1.
	MaxSegmentPayload = 128*1024 - 1
	// SegmentOverhead is the header and trailer size of an uncompressed
	// segment.
	SegmentOverhead = segmentHeaderSize + segmentTrailerSize

	segmentHeaderSize  = 6
	segmentTrailerSize = 4
	selfContainedBit   = 1 << 17
)

// Segment is one uncompressed v5 segment.
type Segment struct {
	Payload       []byte
	SelfContained bool
}

// AppendSegment appends the encoded segment to dst. It fails, matching
// [ErrUnencodable], when the payload exceeds [MaxSegmentPayload].
func AppendSegment(dst []byte, s Segment) ([]byte, error) {
	if len(s.Payload) > MaxSegmentPayload {
		return dst, unencodable("segment", "payload of %d bytes exceeds %d", len(s.Payload), MaxSegmentPayload)
	}
	h := uint32(len(s.Payload))
	if s.SelfContained {
		h |= selfContainedBit
	}
	crc := crc24(uint64(h), 3)
	dst = append(dst, byte(h), byte(h>>8), byte(h>>16), byte(crc), byte(crc>>8), byte(crc>>16))
	dst = append(dst, s.Payload...)
	return binary.LittleEndian.AppendUint32(dst, payloadCRC32(s.Payload)), nil
}

// parseSegmentHeader checks a 6-byte segment header and returns the
// payload length and self-contained flag.
func parseSegmentHeader(b []byte) (int, bool, error) {
	h := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	read := uint32(b[3]) | uint32(b[4])<<8 | uint32(b[5])<<16
	if computed := crc24(uint64(h), 3); computed != read {
		return 0, false, &CRCError{Header: true, Read: read, Computed: computed}
	}
	return int(h & MaxSegmentPayload), h&selfContainedBit != 0, nil
}

// ParseSegment decodes the segment at the start of b and returns it with
// its encoded length; the payload aliases b. Errors: a [*DecodeError]
// matching [ErrTruncated] when b holds less than the whole segment, a
// [*CRCError] when a checksum does not match.
func ParseSegment(b []byte) (Segment, int, error) {
	if len(b) < segmentHeaderSize {
		return Segment{}, 0, &DecodeError{Op: "segment", Field: "header", Offset: len(b), Err: ErrTruncated}
	}
	n, sc, err := parseSegmentHeader(b)
	if err != nil {
		return Segment{}, 0, err
	}
	end := segmentHeaderSize + n + segmentTrailerSize
	if len(b) < end {
		return Segment{}, 0, &DecodeError{Op: "segment", Field: "payload", Offset: len(b), Err: ErrTruncated}
	}
	p := b[segmentHeaderSize : segmentHeaderSize+n : segmentHeaderSize+n]
	read := binary.LittleEndian.Uint32(b[end-segmentTrailerSize:])
	if computed := payloadCRC32(p); computed != read {
		return Segment{}, 0, &CRCError{Read: read, Computed: computed}
	}
	return Segment{Payload: p, SelfContained: sc}, end, nil
}

// SegmentReader reads v5 segments from a connection and yields the frames
// (envelopes) they carry, reassembling envelopes split over
// non-self-contained segments. The frame size limit applies to reassembled
// envelopes too, and memory for one grows only as its segments arrive.
//
// A SegmentReader is not safe for concurrent use; give each connection
// one reader goroutine.
type SegmentReader struct {
	r   io.Reader
	max int

	hdr     [segmentHeaderSize]byte
	buf     []byte // the current segment's payload and trailer
	pending []byte // unread envelopes of the current self-contained payload
	large   []byte // an envelope being reassembled from non-self-contained segments
	discard int    // bytes of an oversized envelope still to skip
}

// NewSegmentReader returns a reader of segments from r. maxFrameSize
// bounds each envelope, header included, as for [ReadFrame] (0 selects
// [DefaultMaxFrameSize]). Give it a buffered reader.
func NewSegmentReader(r io.Reader, maxFrameSize int) *SegmentReader {
	return &SegmentReader{r: r, max: clampMax(maxFrameSize)}
}

// ReadSegment reads and checks the next segment. Its payload is valid
// until the next call of ReadSegment or ReadFrame. Use either ReadSegment
// or ReadFrame on one reader, not both.
func (sr *SegmentReader) ReadSegment() (Segment, error) {
	if _, err := io.ReadFull(sr.r, sr.hdr[:]); err != nil {
		if errors.Is(err, io.EOF) && (sr.large != nil || sr.discard > 0) {
			err = io.ErrUnexpectedEOF
		}
		return Segment{}, err
	}
	n, sc, err := parseSegmentHeader(sr.hdr[:])
	if err != nil {
		return Segment{}, err
	}
	if cap(sr.buf) < n+segmentTrailerSize {
		sr.buf = make([]byte, n+segmentTrailerSize)
	}
	b := sr.buf[:n+segmentTrailerSize]
	if _, err := io.ReadFull(sr.r, b); err != nil {
		return Segment{}, noEOF(err)
	}
	read := binary.LittleEndian.Uint32(b[n:])
	if computed := payloadCRC32(b[:n]); computed != read {
		return Segment{}, &CRCError{Read: read, Computed: computed}
	}
	return Segment{Payload: b[:n:n], SelfContained: sc}, nil
}

// ReadFrame returns the next frame. Its body is its own (not shared with
// the reader).
//
// Errors: [io.EOF] at a clean end between envelopes; [io.ErrUnexpectedEOF]
// inside a segment or a split envelope; a [*CRCError] (after a header CRC
// error, or a payload CRC error inside a split envelope, close the
// connection; after a payload CRC error of a self-contained segment the
// segment is dropped and reading may go on); a [*VersionError] or [*DecodeError] for envelopes that do not
// fit their segments, bytes after a split envelope, or a self-contained
// segment in the middle of one (close the connection); a
// [*FrameTooLargeError] for an envelope over the limit, which is skipped,
// so the caller may answer on its stream and call ReadFrame again.
func (sr *SegmentReader) ReadFrame() (*Frame, error) {
	for {
		if len(sr.pending) > 0 {
			return sr.fromPending()
		}
		seg, err := sr.ReadSegment()
		if err != nil {
			sr.large, sr.discard = nil, 0
			return nil, err
		}
		if seg.SelfContained {
			if sr.large != nil || sr.discard > 0 {
				sr.large, sr.discard = nil, 0
				return nil, &DecodeError{Op: "segment", Field: "self-contained flag",
					Err: fmt.Errorf("%w: self-contained segment inside a split envelope", ErrInvalidValue)}
			}
			sr.pending = seg.Payload
			continue
		}
		if f, err := sr.addLarge(seg.Payload); f != nil || err != nil {
			return f, err
		}
	}
}

// fromPending returns the next envelope of the current self-contained
// payload.
func (sr *SegmentReader) fromPending() (*Frame, error) {
	p := sr.pending
	h, err := ParseHeader(p)
	if err != nil {
		sr.pending = nil
		if errors.Is(err, ErrTruncated) {
			err = &DecodeError{Op: "segment", Field: "envelope header",
				Err: fmt.Errorf("%w: envelope header split across a self-contained segment", ErrTruncated)}
		}
		return nil, err
	}
	total := h.Size() + h.Length
	if total > len(p) {
		sr.pending = nil
		return nil, &DecodeError{Op: "segment", Field: "envelope",
			Err: fmt.Errorf("%w: envelope of %d bytes in %d bytes of a self-contained segment", ErrTruncated, total, len(p))}
	}
	sr.pending = p[total:]
	if total > sr.max {
		return nil, &FrameTooLargeError{Header: h, Max: sr.max}
	}
	return &Frame{Header: h, Body: bytes.Clone(p[h.Size():total])}, nil
}

// addLarge adds a non-self-contained payload to the envelope being
// reassembled; it returns the envelope once complete.
func (sr *SegmentReader) addLarge(p []byte) (*Frame, error) {
	if sr.discard > 0 {
		if len(p) > sr.discard {
			sr.discard = 0
			return nil, extraBytes()
		}
		sr.discard -= len(p)
		return nil, nil
	}
	if len(sr.large)+len(p) > cap(sr.large) {
		// Grow with the data received, doubling, never past the limit.
		want := min(max(2*cap(sr.large), len(sr.large)+len(p)), max(sr.max, len(sr.large)+len(p)))
		sr.large = slices.Grow(sr.large, want-len(sr.large))
	}
	sr.large = append(sr.large, p...)
	if len(sr.large) == 0 {
		return nil, nil
	}
	h, err := ParseHeader(sr.large)
	if errors.Is(err, ErrTruncated) {
		return nil, nil // the header continues in the next segment
	}
	if err != nil {
		sr.large = nil
		return nil, err
	}
	total := h.Size() + h.Length
	switch {
	case total > sr.max:
		sr.discard = max(0, total-len(sr.large))
		sr.large = nil
		return nil, &FrameTooLargeError{Header: h, Max: sr.max}
	case len(sr.large) < total:
		return nil, nil
	case len(sr.large) > total:
		sr.large = nil
		return nil, extraBytes()
	}
	f := &Frame{Header: h, Body: sr.large[h.Size():total:total]}
	sr.large = nil
	return f, nil
}

func extraBytes() error {
	return &DecodeError{Op: "segment", Field: "payload",
		Err: fmt.Errorf("%w: non-self-contained segment carries bytes past its envelope", ErrInvalidLength)}
}

// SegmentWriter writes frames to a connection as v5 segments: each
// envelope that fits goes into its own self-contained segment (what the
// Python driver reads most safely); a larger one is split over
// non-self-contained segments of [MaxSegmentPayload] bytes.
//
// A SegmentWriter is not safe for concurrent use; callers serialise
// writes to one connection.
type SegmentWriter struct {
	w     io.Writer
	buf   []byte
	frame []byte
}

// NewSegmentWriter returns a writer of segments to w.
func NewSegmentWriter(w io.Writer) *SegmentWriter { return &SegmentWriter{w: w} }

// Write frames p, which must hold one or more complete encoded envelopes
// (as built by [EncodeFrame]), and writes all its segments with a single
// call to the underlying writer. It returns len(p) on success; when p does
// not consist of whole envelopes it writes nothing and fails with an error
// matching [ErrUnencodable]. This lets a connection switch from plain
// frames to segments by swapping its io.Writer.
func (sw *SegmentWriter) Write(p []byte) (int, error) {
	sw.buf = sw.buf[:0]
	for off := 0; off < len(p); {
		h, err := ParseHeader(p[off:])
		if err != nil {
			return 0, unencodable("segment", "bytes at offset %d are not an envelope: %v", off, err)
		}
		end := off + h.Size() + h.Length
		if end > len(p) {
			return 0, unencodable("segment", "envelope at offset %d needs %d bytes, has %d", off, end-off, len(p)-off)
		}
		env := p[off:end]
		if len(env) <= MaxSegmentPayload {
			sw.buf, _ = AppendSegment(sw.buf, Segment{Payload: env, SelfContained: true})
		} else {
			for len(env) > 0 {
				n := min(len(env), MaxSegmentPayload)
				sw.buf, _ = AppendSegment(sw.buf, Segment{Payload: env[:n]})
				env = env[n:]
			}
		}
		off = end
	}
	if len(sw.buf) == 0 {
		return 0, nil
	}
	if _, err := sw.w.Write(sw.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WriteFrame encodes f (Header.Length taken from len(Body)) and writes it
// as segments.
func (sw *SegmentWriter) WriteFrame(f *Frame) error {
	var err error
	if sw.frame, err = f.AppendBinary(sw.frame[:0]); err != nil {
		return err
	}
	_, err = sw.Write(sw.frame)
	return err
}
