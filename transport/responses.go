package transport

import (
	"fmt"
	"net/netip"
)

// This file holds the responses other than ERROR (error_response.go) and
// RESULT (result.go, rows.go).

// Ready is the READY response (empty body): the answer to STARTUP when no
// authentication is needed, and to REGISTER.
type Ready struct{}

// Opcode returns [OpReady].
func (*Ready) Opcode() Opcode { return OpReady }

// Encode appends the (empty) body.
func (*Ready) Encode(dst []byte, v Version) ([]byte, error) { return dst, encodeVersion(OpReady, v) }

// Decode accepts any body.
func (*Ready) Decode(v Version, _ []byte) error { return decodeVersion(OpReady, v) }

// Authenticate is the AUTHENTICATE response: the authenticator's Java class
// name, e.g. "org.apache.cassandra.auth.PasswordAuthenticator" (gocql
// checks it against an allow list).
type Authenticate struct {
	Authenticator string
}

// Opcode returns [OpAuthenticate].
func (*Authenticate) Opcode() Opcode { return OpAuthenticate }

// Encode appends the [string].
func (m *Authenticate) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpAuthenticate, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "AUTHENTICATE"}
	e.string(m.Authenticator)
	return e.buf, e.err
}

// Decode parses the [string].
func (m *Authenticate) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpAuthenticate, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Authenticate{Authenticator: d.readString("authenticator")}
	return d.finish(OpAuthenticate)
}

// Supported is the SUPPORTED response: a [string multimap] of STARTUP
// options and their values. The Python driver requires the keys
// CQL_VERSION (non-empty) and COMPRESSION (may be empty); Cassandra also
// sends PROTOCOL_VERSIONS (e.g. ["4/v4", "5/v5"]). Keys are encoded in
// sorted order.
type Supported struct {
	Options map[string][]string
}

// Opcode returns [OpSupported].
func (*Supported) Opcode() Opcode { return OpSupported }

// Encode appends the multimap.
func (m *Supported) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpSupported, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "SUPPORTED"}
	e.stringMultimap(m.Options)
	return e.buf, e.err
}

// Decode parses the multimap.
func (m *Supported) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpSupported, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Supported{Options: d.readStringMultimap("options")}
	return d.finish(OpSupported)
}

// AuthChallenge is the AUTH_CHALLENGE response (v2+): a SASL challenge
// token ([bytes], nil = null). Never send one to a PLAIN client: gocql
// panics on it.
type AuthChallenge struct {
	Token []byte
}

// Opcode returns [OpAuthChallenge].
func (*AuthChallenge) Opcode() Opcode { return OpAuthChallenge }

// Encode appends the token.
func (m *AuthChallenge) Encode(dst []byte, v Version) ([]byte, error) {
	return encodeToken(OpAuthChallenge, dst, v, m.Token)
}

// Decode parses the token; it aliases body.
func (m *AuthChallenge) Decode(v Version, body []byte) error {
	t, err := decodeToken(OpAuthChallenge, v, body)
	*m = AuthChallenge{Token: t}
	return err
}

// AuthSuccess is the AUTH_SUCCESS response (v2+): a final token ([bytes],
// nil = null, which is what Cassandra sends for PLAIN). The Python driver
// decodes it as UTF-8: send null or UTF-8 only.
type AuthSuccess struct {
	Token []byte
}

// Opcode returns [OpAuthSuccess].
func (*AuthSuccess) Opcode() Opcode { return OpAuthSuccess }

// Encode appends the token.
func (m *AuthSuccess) Encode(dst []byte, v Version) ([]byte, error) {
	return encodeToken(OpAuthSuccess, dst, v, m.Token)
}

// Decode parses the token; it aliases body.
func (m *AuthSuccess) Decode(v Version, body []byte) error {
	t, err := decodeToken(OpAuthSuccess, v, body)
	*m = AuthSuccess{Token: t}
	return err
}

// The event types of EVENT and REGISTER.
const (
	EventTopologyChange = "TOPOLOGY_CHANGE"
	EventStatusChange   = "STATUS_CHANGE"
	EventSchemaChange   = "SCHEMA_CHANGE"
)

// SchemaChange is the body of a SCHEMA_CHANGE event and of a Schema_change
// result (v3+): <change_type><target><options>.
type SchemaChange struct {
	Change   string // "CREATED", "UPDATED" or "DROPPED"
	Target   string // "KEYSPACE", "TABLE", "TYPE", "FUNCTION" or "AGGREGATE"
	Keyspace string
	Name     string   // the table, type, function or aggregate (not for KEYSPACE)
	ArgTypes []string // argument types as CQL types (FUNCTION, AGGREGATE)
}

func (s *SchemaChange) encode(e *encoder) {
	e.string(s.Change)
	e.string(s.Target)
	e.string(s.Keyspace)
	switch s.Target {
	case "KEYSPACE":
	case "TABLE", "TYPE":
		e.string(s.Name)
	case "FUNCTION", "AGGREGATE":
		e.string(s.Name)
		e.stringList(s.ArgTypes)
	default:
		e.fail("unknown schema change target %q", s.Target)
	}
}

func (s *SchemaChange) decode(d *decoder) {
	*s = SchemaChange{Change: d.readString("change type")}
	targetAt := d.off
	s.Target = d.readString("target")
	s.Keyspace = d.readString("keyspace")
	switch s.Target {
	case "KEYSPACE":
	case "TABLE", "TYPE":
		s.Name = d.readString("name")
	case "FUNCTION", "AGGREGATE":
		s.Name = d.readString("name")
		s.ArgTypes = d.readStringList("argument types")
	default:
		if d.err == nil {
			d.failAt(targetAt, "target", fmt.Errorf("%w: schema change target %q", ErrInvalidValue, s.Target))
		}
	}
}

// Event is the EVENT response (v3+), pushed on stream -1 to connections
// that sent REGISTER. TOPOLOGY_CHANGE ("NEW_NODE", "REMOVED_NODE") and
// STATUS_CHANGE ("UP", "DOWN") use Change and Address; SCHEMA_CHANGE uses
// Schema.
type Event struct {
	Type    string
	Change  string
	Address netip.AddrPort
	Schema  SchemaChange
}

// Opcode returns [OpEvent].
func (*Event) Opcode() Opcode { return OpEvent }

// Encode appends the body.
func (m *Event) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpEvent, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "EVENT"}
	e.string(m.Type)
	switch m.Type {
	case EventTopologyChange, EventStatusChange:
		e.string(m.Change)
		e.inet(m.Address)
	case EventSchemaChange:
		m.Schema.encode(&e)
	default:
		e.fail("unknown event type %q", m.Type)
	}
	return e.buf, e.err
}

// Decode parses the body.
func (m *Event) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpEvent, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Event{Type: d.readString("event type")}
	switch m.Type {
	case EventTopologyChange, EventStatusChange:
		m.Change = d.readString("change")
		m.Address = d.readInet("address")
	case EventSchemaChange:
		m.Schema.decode(&d)
	default:
		if d.err == nil {
			d.failAt(0, "event type", fmt.Errorf("%w: event type %q", ErrInvalidValue, m.Type))
		}
	}
	return d.finish(OpEvent)
}
