package transport

import (
	"strconv"
	"strings"
)

// Version is a native protocol version number, without the direction bit.
type Version uint8

// The protocol versions this codec can frame. Versions 1 and 2 use the
// 8-byte header with a one-byte stream id; only the handshake messages
// (OPTIONS, STARTUP, CREDENTIALS (v1), AUTH_* (v2), REGISTER, READY,
// AUTHENTICATE, SUPPORTED, ERROR), QUERY and the Void, Rows and
// Set_keyspace results are decoded for them.
const (
	V1 Version = 1
	V2 Version = 2
	V3 Version = 3
	V4 Version = 4
	V5 Version = 5

	// MinVersion and MaxVersion bound the versions this codec knows.
	MinVersion = V1
	MaxVersion = V5
)

// String returns the form Cassandra uses in SUPPORTED's PROTOCOL_VERSIONS and
// in its version error, e.g. "4/v4".
func (v Version) String() string {
	n := strconv.Itoa(int(v))
	return n + "/v" + n
}

// Known reports whether v is one of V1..V5.
func (v Version) Known() bool { return v >= MinVersion && v <= MaxVersion }

// HeaderSize returns the frame header size of v: 8 bytes for v1 and v2, 9
// for v3 and later.
func (v Version) HeaderSize() int {
	if v < V3 {
		return 8
	}
	return 9
}

// Opcode identifies the message a frame carries.
type Opcode uint8

// The opcodes of the native protocol.
const (
	OpError         Opcode = 0x00
	OpStartup       Opcode = 0x01
	OpReady         Opcode = 0x02
	OpAuthenticate  Opcode = 0x03
	OpCredentials   Opcode = 0x04 // protocol v1 only
	OpOptions       Opcode = 0x05
	OpSupported     Opcode = 0x06
	OpQuery         Opcode = 0x07
	OpResult        Opcode = 0x08
	OpPrepare       Opcode = 0x09
	OpExecute       Opcode = 0x0A
	OpRegister      Opcode = 0x0B
	OpEvent         Opcode = 0x0C
	OpBatch         Opcode = 0x0D
	OpAuthChallenge Opcode = 0x0E
	OpAuthResponse  Opcode = 0x0F
	OpAuthSuccess   Opcode = 0x10
)

// opcodeNames lists the opcode names in opcode order, "|"-separated.
const opcodeNames = "ERROR|STARTUP|READY|AUTHENTICATE|CREDENTIALS|OPTIONS|SUPPORTED|QUERY|RESULT|" +
	"PREPARE|EXECUTE|REGISTER|EVENT|BATCH|AUTH_CHALLENGE|AUTH_RESPONSE|AUTH_SUCCESS"

// String returns the protocol name of o ("QUERY"), or "UNKNOWN(0x42)".
func (o Opcode) String() string {
	if name, ok := nthName(opcodeNames, int(o)); ok {
		return name
	}
	return "UNKNOWN(0x" + strconv.FormatUint(uint64(o), 16) + ")"
}

// Known reports whether o is an opcode of the protocol.
func (o Opcode) Known() bool { return o <= OpAuthSuccess }

// IsResponse reports whether o travels from server to client.
func (o Opcode) IsResponse() bool {
	switch o {
	case OpError, OpReady, OpAuthenticate, OpSupported, OpResult, OpEvent, OpAuthChallenge, OpAuthSuccess:
		return true
	}
	return false
}

// inVersion reports whether the codec decodes o for version v.
func (o Opcode) inVersion(v Version) bool {
	switch o {
	case OpError, OpStartup, OpReady, OpAuthenticate, OpOptions, OpSupported, OpRegister:
		return true
	case OpCredentials:
		return v == V1
	case OpAuthChallenge, OpAuthResponse, OpAuthSuccess:
		return v >= V2
	case OpQuery, OpResult:
		// Legacy clients on v1 and v2 (the front end's protocol-v1 option)
		// query the system tables with QUERY and read RESULT; their
		// v1/v2 layouts are implemented in query.go, result.go and rows.go.
		// The Prepared and Schema_change results stay v3+.
		return true
	}
	return v >= V3
}

// HeaderFlags are the flags byte of a frame header.
type HeaderFlags uint8

// The header flags.
const (
	// FlagCompression: the body is compressed (v4 and earlier; ignored in
	// v5, where compression belongs to the segment layer). This codec does
	// not compress; a decoder given such a frame reads garbage, so servers
	// should negotiate no compression.
	FlagCompression HeaderFlags = 0x01
	// FlagTracing: on a request, tracing is requested; on a response, the
	// body starts with a tracing id ([Envelope.TracingID]).
	FlagTracing HeaderFlags = 0x02
	// FlagCustomPayload: a [bytes map] precedes the message (v4+).
	FlagCustomPayload HeaderFlags = 0x04
	// FlagWarning: a response body carries a [string list] of warnings
	// (v4+).
	FlagWarning HeaderFlags = 0x08
	// FlagBeta: the client opts in to a beta protocol version (v5+).
	FlagBeta HeaderFlags = 0x10
)

// Consistency is a [consistency] level.
type Consistency uint16

// The consistency levels.
const (
	Any         Consistency = 0x0000
	One         Consistency = 0x0001
	Two         Consistency = 0x0002
	Three       Consistency = 0x0003
	Quorum      Consistency = 0x0004
	All         Consistency = 0x0005
	LocalQuorum Consistency = 0x0006
	EachQuorum  Consistency = 0x0007
	Serial      Consistency = 0x0008
	LocalSerial Consistency = 0x0009
	LocalOne    Consistency = 0x000A
)

// consistencyNames lists the level names in code order, "|"-separated.
const consistencyNames = "ANY|ONE|TWO|THREE|QUORUM|ALL|LOCAL_QUORUM|EACH_QUORUM|SERIAL|LOCAL_SERIAL|LOCAL_ONE"

// String returns the CQL name of c ("LOCAL_ONE"), or "UNKNOWN(0x2a)".
func (c Consistency) String() string {
	if name, ok := nthName(consistencyNames, int(c)); ok {
		return name
	}
	return "UNKNOWN(0x" + strconv.FormatUint(uint64(c), 16) + ")"
}

// nthName returns the i-th "|"-separated element of names.
func nthName(names string, i int) (string, bool) {
	for ; i > 0; i-- {
		j := strings.IndexByte(names, '|')
		if j < 0 {
			return "", false
		}
		names = names[j+1:]
	}
	if j := strings.IndexByte(names, '|'); j >= 0 {
		names = names[:j]
	}
	return names, true
}
