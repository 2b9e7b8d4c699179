package transport

import (
	"errors"
	"fmt"
)

// Message is the body of one request or response. Each message type of this
// package implements it with a pointer receiver.
//
// Encode appends the body for protocol version v to dst; it fails (matching
// [ErrUnencodable]) when a field cannot be represented in v. Decode parses
// body for version v, replacing every field of the receiver; it fails with
// a [*DecodeError] (matching [ErrProtocol]) and never panics. Bytes after
// the message are ignored, as the spec asks. Byte slices of a decoded
// message ([]byte fields, [Value] bytes, row cells) alias body.
//
// A message value is not safe for concurrent mutation; distinct values may
// be used from distinct goroutines.
type Message interface {
	Opcode() Opcode
	Encode(dst []byte, v Version) ([]byte, error)
	Decode(v Version, body []byte) error
}

// Envelope is a decoded frame: the header fields, the optional body prefix
// (tracing id, warnings, custom payload) and the message.
type Envelope struct {
	Version Version
	Stream  int16
	// Flags are the header flags as read. When encoding, only FlagBeta and,
	// on requests, FlagTracing are taken from here; FlagTracing (on
	// responses), FlagWarning and FlagCustomPayload follow the fields
	// below; FlagCompression is refused before v5 (this codec does not
	// compress) and ignored in v5, as the spec says.
	Flags HeaderFlags
	// TracingID is a response's tracing session id (FlagTracing).
	TracingID *UUID
	// Warnings are a response's warnings (FlagWarning, v4+). Both drivers
	// log and discard them.
	Warnings []string
	// CustomPayload is the [bytes map] of FlagCustomPayload (v4+); Cassandra
	// ignores it on requests.
	CustomPayload map[string][]byte
	Message       Message
}

// EncodeFrame appends a complete frame carrying m, for version v on stream,
// to dst: the usual way to build a reply. It is
// (&Envelope{Version: v, Stream: stream, Message: m}).AppendBinary(dst).
func EncodeFrame(dst []byte, v Version, stream int16, m Message) ([]byte, error) {
	e := Envelope{Version: v, Stream: stream, Message: m}
	return e.AppendBinary(dst)
}

// AppendBinary appends the encoded frame (header and body) to b. The
// direction bit and opcode come from the message. It fails, matching
// [ErrUnencodable], when the message does not exist in the version, a
// request carries a tracing id or warnings, v3 and earlier carry warnings
// or a custom payload, FlagCompression is set before v5, or the body
// exceeds [MaxFrameSizeLimit].
func (e *Envelope) AppendBinary(b []byte) ([]byte, error) {
	if e.Message == nil {
		return b, unencodable("envelope", "no message")
	}
	op := e.Message.Opcode()
	resp := op.IsResponse()
	switch {
	case !e.Version.Known():
		return b, unencodable(op.String(), "unknown protocol version %d", e.Version)
	case !op.inVersion(e.Version):
		return b, unencodable(op.String(), "not supported in protocol version %s", e.Version)
	case e.Flags&FlagCompression != 0 && e.Version < V5:
		return b, unencodable(op.String(), "frame compression is not supported")
	case !resp && (e.TracingID != nil || e.Warnings != nil):
		return b, unencodable(op.String(), "requests carry neither a tracing id nor warnings")
	case e.Version < V4 && (e.Warnings != nil || e.CustomPayload != nil):
		return b, unencodable(op.String(), "warnings and custom payloads need protocol v4 or later")
	}
	h := Header{Version: e.Version, Response: resp, Stream: e.Stream, Opcode: op, Flags: e.Flags & FlagBeta}
	if !resp {
		h.Flags |= e.Flags & FlagTracing
	}
	start := len(b)
	b, err := h.AppendBinary(b) // length patched below
	if err != nil {
		return b[:start], err
	}
	bodyStart := len(b)
	enc := encoder{buf: b, op: op.String()}
	if e.TracingID != nil {
		h.Flags |= FlagTracing
		enc.uuid(*e.TracingID)
	}
	if e.Warnings != nil {
		h.Flags |= FlagWarning
		enc.stringList(e.Warnings)
	}
	if e.CustomPayload != nil {
		h.Flags |= FlagCustomPayload
		enc.bytesMap(e.CustomPayload)
	}
	if enc.err != nil {
		return b[:start], enc.err
	}
	b, err = e.Message.Encode(enc.buf, e.Version)
	if err != nil {
		return b[:start], err
	}
	h.Length = len(b) - bodyStart
	if h.Length > MaxFrameSizeLimit-h.Size() {
		return b[:start], unencodable(op.String(), "frame of %d bytes exceeds the protocol limit", h.Length+h.Size())
	}
	if _, err := h.AppendBinary(b[start:start]); err != nil {
		return b[:start], err
	}
	return b, nil
}

// DecodeEnvelope checks f's opcode against its direction and version,
// decodes the body prefix the header flags announce, and decodes the
// message. Errors: an [*OpcodeError] for an unknown opcode, a wrong
// direction, or an opcode the version lacks (CREDENTIALS after v1, QUERY in
// v1/v2, ...); a [*DecodeError] for a compressed body before v5 (this
// codec negotiates no compression; v5 ignores the flag) or a malformed
// body, its Offset counted from the start of f.Body. Both match
// [ErrProtocol]; the caller can answer on f.Header.Stream. The envelope's
// byte slices alias f.Body.
func DecodeEnvelope(f *Frame) (*Envelope, error) {
	h := f.Header
	op := h.Opcode
	if err := checkOpcode(h); err != nil {
		return nil, err
	}
	env := &Envelope{Version: h.Version, Stream: h.Stream, Flags: h.Flags}
	d := decoder{buf: f.Body}
	if h.Flags&FlagCompression != 0 && h.Version < V5 {
		d.fail("flags", fmt.Errorf("%w: compressed frames are not supported", ErrInvalidValue))
	}
	if h.Response && h.Flags&FlagTracing != 0 {
		id := d.readUUID("tracing id")
		env.TracingID = &id
	}
	if h.Response && h.Flags&FlagWarning != 0 {
		if h.Version < V4 {
			d.fail("warnings", fmt.Errorf("%w: warning flag with protocol version < 4", ErrInvalidValue))
		}
		env.Warnings = d.readStringList("warnings")
	}
	if h.Flags&FlagCustomPayload != 0 {
		if h.Version < V4 {
			d.fail("custom payload", fmt.Errorf("%w: Received frame with CUSTOM_PAYLOAD flag for native protocol version < 4", ErrInvalidValue))
		}
		env.CustomPayload = d.readBytesMap("custom payload")
	}
	if d.err != nil {
		d.err.Op = op.String()
		return nil, d.err
	}
	msg, err := decodeMessage(h.Version, op, f.Body[d.off:])
	if err != nil {
		if de := (*DecodeError)(nil); errors.As(err, &de) {
			de.Offset += d.off
		}
		return nil, err
	}
	env.Message = msg
	return env, nil
}

// checkOpcode validates a header's opcode, direction and version.
func checkOpcode(h Header) error {
	op := h.Opcode
	oe := &OpcodeError{Opcode: op, Version: h.Version, Stream: h.Stream}
	switch {
	case !op.Known():
		oe.Message = fmt.Sprintf("Unknown opcode %d", op)
	case op.IsResponse() != h.Response:
		oe.Message = fmt.Sprintf("Wrong protocol direction (expected %s, got %s) for opcode %d (%s)",
			direction(op.IsResponse()), direction(h.Response), op, op)
	case !op.inVersion(h.Version):
		oe.Message = fmt.Sprintf("Opcode %d (%s) is not supported in protocol version %s", op, op, h.Version)
	default:
		return nil
	}
	return oe
}

func direction(response bool) string {
	if response {
		return "RESPONSE"
	}
	return "REQUEST"
}

// decodeMessage decodes a body without prefix.
func decodeMessage(v Version, op Opcode, body []byte) (Message, error) {
	var m Message
	switch op {
	case OpError:
		m = new(ErrorResponse)
	case OpStartup:
		m = new(Startup)
	case OpReady:
		m = new(Ready)
	case OpAuthenticate:
		m = new(Authenticate)
	case OpCredentials:
		m = new(Credentials)
	case OpOptions:
		m = new(Options)
	case OpSupported:
		m = new(Supported)
	case OpQuery:
		m = new(Query)
	case OpResult:
		r, err := newResult(body)
		if err != nil {
			return nil, err
		}
		m = r
	case OpPrepare:
		m = new(Prepare)
	case OpExecute:
		m = new(Execute)
	case OpRegister:
		m = new(Register)
	case OpEvent:
		m = new(Event)
	case OpBatch:
		m = new(Batch)
	case OpAuthChallenge:
		m = new(AuthChallenge)
	case OpAuthResponse:
		m = new(AuthResponse)
	case OpAuthSuccess:
		m = new(AuthSuccess)
	default:
		return nil, &DecodeError{Op: op.String(), Field: "opcode", Err: ErrInvalidValue}
	}
	if err := m.Decode(v, body); err != nil {
		return nil, err
	}
	return m, nil
}

// finish returns the decoder's error, labelled with op, or nil.
func (d *decoder) finish(op Opcode) error {
	if d.err == nil {
		return nil
	}
	d.err.Op = op.String()
	return d.err
}

// decodeVersion guards a message's Decode against versions whose layout
// this codec does not implement.
func decodeVersion(op Opcode, v Version) error {
	if v.Known() && op.inVersion(v) {
		return nil
	}
	return &DecodeError{Op: op.String(), Field: "version",
		Err: fmt.Errorf("%w: %s is not part of protocol version %d", ErrInvalidValue, op, v)}
}

// encodeVersion guards a message's Encode likewise.
func encodeVersion(op Opcode, v Version) error {
	if v.Known() && op.inVersion(v) {
		return nil
	}
	return unencodable(op.String(), "not part of protocol version %d", v)
}
