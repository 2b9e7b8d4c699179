package transport

import (
	"fmt"
	"net/netip"
	"strconv"
)

// ErrorCode is the [int] code of an ERROR response (spec section 9).
type ErrorCode int32

// The error codes. cassauth answers with CodeServerError,
// CodeProtocolError, CodeBadCredentials, CodeSyntaxError,
// CodeUnauthorized, CodeInvalid and CodeConfigError (and CodeUnprepared for
// an unknown prepared id); the rest exist for completeness and for clients.
const (
	CodeServerError     ErrorCode = 0x0000
	CodeProtocolError   ErrorCode = 0x000A // connection-fatal for the Python driver
	CodeBadCredentials  ErrorCode = 0x0100
	CodeUnavailable     ErrorCode = 0x1000
	CodeOverloaded      ErrorCode = 0x1001
	CodeIsBootstrapping ErrorCode = 0x1002
	CodeTruncateError   ErrorCode = 0x1003
	CodeWriteTimeout    ErrorCode = 0x1100
	CodeReadTimeout     ErrorCode = 0x1200
	CodeReadFailure     ErrorCode = 0x1300
	CodeFunctionFailure ErrorCode = 0x1400
	CodeWriteFailure    ErrorCode = 0x1500
	CodeCDCWriteFailure ErrorCode = 0x1600
	CodeCASWriteUnknown ErrorCode = 0x1700
	CodeSyntaxError     ErrorCode = 0x2000
	CodeUnauthorized    ErrorCode = 0x2100
	CodeInvalid         ErrorCode = 0x2200
	CodeConfigError     ErrorCode = 0x2300
	CodeAlreadyExists   ErrorCode = 0x2400
	CodeUnprepared      ErrorCode = 0x2500
)

// String returns Cassandra's name for c (its ExceptionCode enum), e.g.
// "BAD_CREDENTIALS", or "0x1234" for an unknown code.
func (c ErrorCode) String() string {
	switch c {
	case CodeServerError:
		return "SERVER_ERROR"
	case CodeProtocolError:
		return "PROTOCOL_ERROR"
	case CodeBadCredentials:
		return "BAD_CREDENTIALS"
	case CodeUnavailable:
		return "UNAVAILABLE"
	case CodeOverloaded:
		return "OVERLOADED"
	case CodeIsBootstrapping:
		return "IS_BOOTSTRAPPING"
	case CodeTruncateError:
		return "TRUNCATE_ERROR"
	case CodeWriteTimeout:
		return "WRITE_TIMEOUT"
	case CodeReadTimeout:
		return "READ_TIMEOUT"
	case CodeReadFailure:
		return "READ_FAILURE"
	case CodeFunctionFailure:
		return "FUNCTION_FAILURE"
	case CodeWriteFailure:
		return "WRITE_FAILURE"
	case CodeCDCWriteFailure:
		return "CDC_WRITE_FAILURE"
	case CodeCASWriteUnknown:
		return "CAS_WRITE_UNKNOWN"
	case CodeSyntaxError:
		return "SYNTAX_ERROR"
	case CodeUnauthorized:
		return "UNAUTHORIZED"
	case CodeInvalid:
		return "INVALID"
	case CodeConfigError:
		return "CONFIG_ERROR"
	case CodeAlreadyExists:
		return "ALREADY_EXISTS"
	case CodeUnprepared:
		return "UNPREPARED"
	}
	return "0x" + strconv.FormatInt(int64(c), 16)
}

// FailureReason is one entry of a v5 Read_failure/Write_failure reason map.
type FailureReason struct {
	Endpoint netip.Addr
	Code     uint16
}

// ErrorResponse is the ERROR response: a code, a [string] message, and the
// code-specific fields below (zero for codes without them). It also
// implements error, so a client can return it as is.
type ErrorResponse struct {
	Code    ErrorCode
	Message string

	// Unavailable, Write_timeout, Read_timeout, Read_failure,
	// Write_failure, CAS_write_unknown.
	Consistency Consistency
	// Unavailable.
	Required, Alive int32
	// Write_timeout, Read_timeout, Read_failure, Write_failure,
	// CAS_write_unknown.
	Received, BlockFor int32
	// Read_failure, Write_failure: the failure count (v4 and earlier; set
	// to len(Reasons) when decoding v5).
	NumFailures int32
	// Read_failure, Write_failure: the reason map (v5).
	Reasons []FailureReason
	// Read_timeout, Read_failure.
	DataPresent bool
	// Write_timeout, Write_failure: "SIMPLE", "BATCH", "CAS", ...
	WriteType string
	// Write_timeout with WriteType "CAS", v5.
	Contentions uint16
	// Already_exists (Table "" for a keyspace), Function_failure.
	Keyspace, Table string
	// Function_failure.
	Function string
	ArgTypes []string
	// Unprepared: the unknown prepared id.
	UnpreparedID []byte
}

// Error returns "transport: server replied CODE (0x....): message".
func (m *ErrorResponse) Error() string {
	return fmt.Sprintf("transport: server replied %s (%#04x): %s", m.Code, int32(m.Code), m.Message)
}

// Opcode returns [OpError].
func (*ErrorResponse) Opcode() Opcode { return OpError }

// Encode appends the body, with the fields m.Code defines.
func (m *ErrorResponse) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpError, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "ERROR"}
	e.int32(int32(m.Code))
	e.string(m.Message)
	switch m.Code {
	case CodeUnavailable:
		e.consistency(m.Consistency)
		e.int32(m.Required)
		e.int32(m.Alive)
	case CodeWriteTimeout:
		m.encodeCounts(&e)
		e.string(m.WriteType)
		if v >= V5 && m.WriteType == "CAS" {
			e.short(m.Contentions)
		}
	case CodeReadTimeout:
		m.encodeCounts(&e)
		e.byte1(boolByte(m.DataPresent))
	case CodeReadFailure:
		m.encodeCounts(&e)
		m.encodeFailures(&e, v)
		e.byte1(boolByte(m.DataPresent))
	case CodeWriteFailure:
		m.encodeCounts(&e)
		m.encodeFailures(&e, v)
		e.string(m.WriteType)
	case CodeCASWriteUnknown:
		m.encodeCounts(&e)
	case CodeFunctionFailure:
		e.string(m.Keyspace)
		e.string(m.Function)
		e.stringList(m.ArgTypes)
	case CodeAlreadyExists:
		e.string(m.Keyspace)
		e.string(m.Table)
	case CodeUnprepared:
		e.shortBytes(m.UnpreparedID)
	}
	return e.buf, e.err
}

func (m *ErrorResponse) encodeCounts(e *encoder) {
	e.consistency(m.Consistency)
	e.int32(m.Received)
	e.int32(m.BlockFor)
}

func (m *ErrorResponse) encodeFailures(e *encoder, v Version) {
	if v < V5 {
		e.int32(m.NumFailures)
		return
	}
	e.length(len(m.Reasons), "reason map")
	for _, r := range m.Reasons {
		e.inetAddr(r.Endpoint)
		e.short(r.Code)
	}
}

// Decode parses the body, including the fields of known codes.
func (m *ErrorResponse) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpError, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = ErrorResponse{Code: ErrorCode(d.readInt("code")), Message: d.readString("message")}
	switch m.Code {
	case CodeUnavailable:
		m.Consistency = d.readConsistency("consistency")
		m.Required = d.readInt("required")
		m.Alive = d.readInt("alive")
	case CodeWriteTimeout:
		m.decodeCounts(&d)
		m.WriteType = d.readString("write type")
		if v >= V5 && m.WriteType == "CAS" && d.remaining() >= 2 {
			m.Contentions = d.readShort("contentions")
		}
	case CodeReadTimeout:
		m.decodeCounts(&d)
		m.DataPresent = d.readByte("data present") != 0
	case CodeReadFailure:
		m.decodeCounts(&d)
		m.decodeFailures(&d, v)
		m.DataPresent = d.readByte("data present") != 0
	case CodeWriteFailure:
		m.decodeCounts(&d)
		m.decodeFailures(&d, v)
		m.WriteType = d.readString("write type")
	case CodeCASWriteUnknown:
		m.decodeCounts(&d)
	case CodeFunctionFailure:
		m.Keyspace = d.readString("keyspace")
		m.Function = d.readString("function")
		m.ArgTypes = d.readStringList("argument types")
	case CodeAlreadyExists:
		m.Keyspace = d.readString("keyspace")
		m.Table = d.readString("table")
	case CodeUnprepared:
		m.UnpreparedID = d.readShortBytes("id")
	}
	return d.finish(OpError)
}

func (m *ErrorResponse) decodeCounts(d *decoder) {
	m.Consistency = d.readConsistency("consistency")
	m.Received = d.readInt("received")
	m.BlockFor = d.readInt("block for")
}

func (m *ErrorResponse) decodeFailures(d *decoder, v Version) {
	if v < V5 {
		m.NumFailures = d.readInt("failures")
		return
	}
	// Each entry is at least a 1-byte size, 4 address bytes and a code.
	n := d.count(int(d.readInt("reason map")), 7, "reason map")
	if d.err != nil {
		return
	}
	m.Reasons = makeN[FailureReason](n)
	for i := range m.Reasons {
		m.Reasons[i] = FailureReason{Endpoint: d.readInetAddr("endpoint"), Code: d.readShort("failure code")}
	}
	m.NumFailures = int32(n)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
