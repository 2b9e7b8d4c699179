package transport

import (
	"fmt"
	"strings"
)

// This file holds the connection-level requests: OPTIONS, STARTUP,
// AUTH_RESPONSE, CREDENTIALS, REGISTER and PREPARE. QUERY, EXECUTE and BATCH
// are in query.go.

// Options is the OPTIONS request (empty body); the reply is [Supported].
// Drivers also send it as a heartbeat on idle connections.
type Options struct{}

// Opcode returns [OpOptions].
func (*Options) Opcode() Opcode { return OpOptions }

// Encode appends the (empty) body.
func (*Options) Encode(dst []byte, v Version) ([]byte, error) {
	return dst, encodeVersion(OpOptions, v)
}

// Decode accepts any body (extra bytes are ignored).
func (*Options) Decode(v Version, _ []byte) error { return decodeVersion(OpOptions, v) }

// Startup is the STARTUP request: a [string map] of options such as
// CQL_VERSION (mandatory for Cassandra), COMPRESSION, DRIVER_NAME,
// DRIVER_VERSION, NO_COMPACT, THROW_ON_OVERLOAD.
type Startup struct {
	Options map[string]string
}

// Opcode returns [OpStartup].
func (*Startup) Opcode() Opcode { return OpStartup }

// Encode appends the options in sorted key order.
func (m *Startup) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpStartup, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "STARTUP"}
	e.stringMap(m.Options)
	return e.buf, e.err
}

// Decode parses the options.
func (m *Startup) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpStartup, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Startup{Options: d.readStringMap("options")}
	return d.finish(OpStartup)
}

// AuthResponse is the AUTH_RESPONSE request (v2+): a SASL token, a [bytes]
// that may be null (Token == nil). For PLAIN the token is
// "authzid \0 user \0 password", so the value redacts itself in fmt output.
type AuthResponse struct {
	Token []byte
}

// Opcode returns [OpAuthResponse].
func (*AuthResponse) Opcode() Opcode { return OpAuthResponse }

// Encode appends the token.
func (m *AuthResponse) Encode(dst []byte, v Version) ([]byte, error) {
	return encodeToken(OpAuthResponse, dst, v, m.Token)
}

// Decode parses the token; it aliases body.
func (m *AuthResponse) Decode(v Version, body []byte) error {
	t, err := decodeToken(OpAuthResponse, v, body)
	*m = AuthResponse{Token: t}
	return err
}

// String returns a redacted form that shows only the token's length.
func (m *AuthResponse) String() string {
	return fmt.Sprintf("AUTH_RESPONSE{Token: %s}", redactedBytes(m.Token))
}

// GoString returns the same redacted form as String.
func (m *AuthResponse) GoString() string { return m.String() }

// Format prints the redacted form for every verb.
func (m *AuthResponse) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// Credentials is the protocol v1 CREDENTIALS request: a [string map] such
// as {"username": ..., "password": ...} sent after AUTHENTICATE. Only
// "username" is shown by its fmt output; every other value is redacted.
type Credentials struct {
	Credentials map[string]string
}

// Opcode returns [OpCredentials].
func (*Credentials) Opcode() Opcode { return OpCredentials }

// Encode appends the map (v1 only).
func (m *Credentials) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpCredentials, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "CREDENTIALS"}
	e.stringMap(m.Credentials)
	return e.buf, e.err
}

// Decode parses the map (v1 only).
func (m *Credentials) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpCredentials, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Credentials{Credentials: d.readStringMap("credentials")}
	return d.finish(OpCredentials)
}

// String returns a redacted form.
func (m *Credentials) String() string {
	var b strings.Builder
	b.WriteString("CREDENTIALS{")
	for i, k := range sortedKeys(m.Credentials) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString(": ")
		if k == "username" {
			b.WriteString(m.Credentials[k])
		} else {
			b.WriteString("<redacted>")
		}
	}
	b.WriteString("}")
	return b.String()
}

// GoString returns the same redacted form as String.
func (m *Credentials) GoString() string { return m.String() }

// Format prints the redacted form for every verb.
func (m *Credentials) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// Register is the REGISTER request: the event types to receive
// ("TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"). The reply is
// [Ready].
type Register struct {
	EventTypes []string
}

// Opcode returns [OpRegister].
func (*Register) Opcode() Opcode { return OpRegister }

// Encode appends the [string list].
func (m *Register) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpRegister, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "REGISTER"}
	e.stringList(m.EventTypes)
	return e.buf, e.err
}

// Decode parses the [string list].
func (m *Register) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpRegister, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Register{EventTypes: d.readStringList("event types")}
	return d.finish(OpRegister)
}

// Prepare is the PREPARE request (v3+): a [long string] query and, in v5,
// [int] flags with an optional keyspace (flag 0x01). Keyspace == "" means
// no keyspace; a non-empty Keyspace needs v5.
type Prepare struct {
	Query    string
	Keyspace string
}

// prepareWithKeyspace is the v5 PREPARE flag.
const prepareWithKeyspace = 0x01

// Opcode returns [OpPrepare].
func (*Prepare) Opcode() Opcode { return OpPrepare }

// Encode appends the body.
func (m *Prepare) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpPrepare, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "PREPARE"}
	e.longString(m.Query)
	switch {
	case v >= V5 && m.Keyspace != "":
		e.int32(prepareWithKeyspace)
		e.string(m.Keyspace)
	case v >= V5:
		e.int32(0)
	case m.Keyspace != "":
		e.fail("a keyspace needs protocol v5")
	}
	return e.buf, e.err
}

// Decode parses the body; unknown v5 flags are ignored.
func (m *Prepare) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpPrepare, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Prepare{Query: d.readLongString("query")}
	if v >= V5 {
		if d.readInt("flags")&prepareWithKeyspace != 0 {
			m.Keyspace = d.readString("keyspace")
		}
	}
	return d.finish(OpPrepare)
}

// encodeToken appends a [bytes] token body.
func encodeToken(op Opcode, dst []byte, v Version, token []byte) ([]byte, error) {
	if err := encodeVersion(op, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: op.String()}
	e.bytes(token)
	return e.buf, e.err
}

// decodeToken parses a [bytes] token body.
func decodeToken(op Opcode, v Version, body []byte) ([]byte, error) {
	if err := decodeVersion(op, v); err != nil {
		return nil, err
	}
	d := decoder{buf: body}
	t := d.readBytes("token")
	return t, d.finish(op)
}

// redactedBytes describes a secret byte slice without showing it.
func redactedBytes(b []byte) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprintf("<redacted, %d bytes>", len(b))
}
