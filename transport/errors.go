package transport

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of the codec. Every error returned by a decoder of this
// package matches one of them with [errors.Is].
var (
	// ErrProtocol: the peer violated the native protocol (malformed body,
	// unknown opcode, wrong direction, bad segment CRC, unknown version).
	// Cassandra answers these with ERROR [CodeProtocolError] on the frame's
	// stream. [*DecodeError], [*OpcodeError], [*VersionError] and
	// [*CRCError] all match it.
	ErrProtocol = errors.New("transport: protocol error")

	// ErrTruncated: a body, header or segment ended before a field did.
	ErrTruncated = errors.New("not enough bytes")
	// ErrInvalidLength: a length or element count is negative where the
	// protocol forbids it, or larger than the bytes that remain.
	ErrInvalidLength = errors.New("invalid length")
	// ErrInvalidValue: a field holds a value the protocol does not define
	// (a [value] length below -2, an unknown result kind, type id, event
	// type, batch type, an inet of neither 4 nor 16 bytes, ...).
	ErrInvalidValue = errors.New("invalid value")

	// ErrUnsupportedVersion: the version byte of a frame is not 1..5.
	// Returned as a [*VersionError].
	ErrUnsupportedVersion = errors.New("transport: unsupported protocol version")

	// ErrFrameTooLarge: a frame's declared size exceeds the configured
	// maximum. Returned as a [*FrameTooLargeError]; its body was not read.
	ErrFrameTooLarge = errors.New("transport: frame too large")

	// ErrBadCRC: a v5 segment failed its CRC24 header check or CRC32
	// payload check. Returned as a [*CRCError].
	ErrBadCRC = errors.New("transport: segment CRC mismatch")

	// ErrUnencodable: a message cannot be encoded for the requested
	// version (a [string] longer than 65535 bytes, a v5-only field with v4,
	// rows whose cell count differs from the column count, ...). Nothing
	// usable was produced.
	ErrUnencodable = errors.New("transport: message cannot be encoded")
)

// DecodeError reports a body, header or segment that could not be decoded:
// what was being decoded (Op, e.g. "QUERY" or "segment"), which field, at
// which byte offset, and why (Err is [ErrTruncated], [ErrInvalidLength] or
// [ErrInvalidValue], possibly wrapped with detail). It matches
// [ErrProtocol].
type DecodeError struct {
	Op     string // message or structure, e.g. "QUERY", "RESULT", "header", "segment"
	Field  string // the field or notation type, e.g. "[long string]", "flags"
	Offset int    // byte offset of the field within the decoded buffer
	Err    error
}

// Error describes the failure: what, which field, where and why.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("transport: decode ")
	b.WriteString(e.Op)
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	fmt.Fprintf(&b, " at offset %d: %v", e.Offset, e.Err)
	return b.String()
}

// Unwrap returns the reason ([ErrTruncated], [ErrInvalidLength] or
// [ErrInvalidValue], possibly wrapped).
func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrProtocol].
func (e *DecodeError) Is(target error) bool { return target == ErrProtocol }

// VersionError reports a frame whose version byte names no protocol version
// this codec knows (1..5). Version is the byte without its direction bit,
// e.g. 0x41 or 0x42 for the DSE probes the Python driver starts with.
// Cassandra answers with ERROR [CodeProtocolError] whose message is
// [UnsupportedVersionMessage], on stream 0, then closes the connection.
// It matches [ErrUnsupportedVersion] and [ErrProtocol].
type VersionError struct {
	Version  int  // the version number, 0..127
	Response bool // the direction bit was set
}

// Error names the version in Cassandra's wording (without the list of
// supported versions, which only the server knows; see
// [UnsupportedVersionMessage]).
func (e *VersionError) Error() string {
	return fmt.Sprintf("transport: Invalid or unsupported protocol version (%d)", e.Version)
}

// Is reports whether target is [ErrUnsupportedVersion] or [ErrProtocol].
func (e *VersionError) Is(target error) bool {
	return target == ErrUnsupportedVersion || target == ErrProtocol
}

// UnsupportedVersionMessage returns Cassandra's exact text for a rejected
// protocol version, e.g. "Invalid or unsupported protocol version (66);
// supported versions are (4/v4, 5/v5)". The Python driver downgrades only
// when the ERROR message contains "unsupported protocol version".
func UnsupportedVersionMessage(version int, supported []Version) string {
	names := make([]string, len(supported))
	for i, v := range supported {
		names[i] = v.String()
	}
	return fmt.Sprintf("Invalid or unsupported protocol version (%d); supported versions are (%s)",
		version, strings.Join(names, ", "))
}

// FrameTooLargeError reports a frame (or a v5 envelope) whose header
// declares more bytes than the reader accepts. Header is fully decoded, so
// a server can answer on Header.Stream; the body has not been consumed
// (see [ReadFrame] and [SegmentReader.ReadFrame] for how to go on). Its
// message is Cassandra's text, which Cassandra sends as ERROR
// [CodeInvalid]. It matches [ErrFrameTooLarge].
type FrameTooLargeError struct {
	Header Header
	Max    int // the limit, header included
}

// Error returns Cassandra's exact text, suitable as the ERROR message.
func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("Request is too big: length %d exceeds maximum allowed length %d.",
		e.Header.Size()+e.Header.Length, e.Max)
}

// Is reports whether target is [ErrFrameTooLarge].
func (e *FrameTooLargeError) Is(target error) bool { return target == ErrFrameTooLarge }

// OpcodeError reports a frame whose opcode is unknown, travels in the wrong
// direction, or is not part of the frame's protocol version. Message holds
// Cassandra's text where it has one ("Unknown opcode 4", "Wrong protocol
// direction (expected REQUEST, got RESPONSE) for opcode 8 (RESULT)"). The
// body can still be skipped, so a server may answer on Stream and go on.
// It matches [ErrProtocol].
type OpcodeError struct {
	Opcode  Opcode
	Version Version
	Stream  int16
	Message string
}

// Error returns Message with the package prefix.
func (e *OpcodeError) Error() string { return "transport: " + e.Message }

// Is reports whether target is [ErrProtocol].
func (e *OpcodeError) Is(target error) bool { return target == ErrProtocol }

// CRCError reports a v5 segment whose header CRC24 (Header true) or payload
// CRC32 (Header false) does not match. After a header mismatch the stream
// cannot be resynchronised and the connection must be closed; after a
// payload mismatch the segment has been consumed and, for a self-contained
// segment, reading may go on (the envelopes it carried are lost). It
// matches [ErrBadCRC] and [ErrProtocol].
type CRCError struct {
	Header   bool
	Read     uint32
	Computed uint32
}

// Error says which checksum failed, with the values read and computed.
func (e *CRCError) Error() string {
	part := "payload"
	if e.Header {
		part = "header"
	}
	return fmt.Sprintf("transport: segment %s CRC mismatch: read %#x, computed %#x", part, e.Read, e.Computed)
}

// Is reports whether target is [ErrBadCRC] or [ErrProtocol].
func (e *CRCError) Is(target error) bool { return target == ErrBadCRC || target == ErrProtocol }

// unencodable builds an error that matches [ErrUnencodable].
func unencodable(op, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrUnencodable, op, fmt.Sprintf(format, args...))
}
