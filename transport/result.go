package transport

import (
	"encoding/binary"
	"fmt"
)

// ResultKind is the [int] kind that starts a RESULT body.
type ResultKind int32

// The result kinds.
const (
	KindVoid         ResultKind = 0x0001
	KindRows         ResultKind = 0x0002
	KindSetKeyspace  ResultKind = 0x0003
	KindPrepared     ResultKind = 0x0004
	KindSchemaChange ResultKind = 0x0005
)

// Result is a RESULT response: [*VoidResult], [*RowsResult],
// [*SetKeyspaceResult], [*PreparedResult] or [*SchemaChangeResult]. Each
// one's Decode fails unless the body starts with its own kind.
type Result interface {
	Message
	Kind() ResultKind
}

// newResult returns an empty result of the kind body starts with.
func newResult(body []byte) (Result, error) {
	if len(body) < 4 {
		return nil, &DecodeError{Op: "RESULT", Field: "kind", Err: ErrTruncated}
	}
	switch kind := ResultKind(binary.BigEndian.Uint32(body)); kind {
	case KindVoid:
		return new(VoidResult), nil
	case KindRows:
		return new(RowsResult), nil
	case KindSetKeyspace:
		return new(SetKeyspaceResult), nil
	case KindPrepared:
		return new(PreparedResult), nil
	case KindSchemaChange:
		return new(SchemaChangeResult), nil
	default:
		return nil, &DecodeError{Op: "RESULT", Field: "kind", Err: fmt.Errorf("%w: result kind %d", ErrInvalidValue, kind)}
	}
}

// legacyKind reports whether kind exists, with the layout this codec
// implements, in version v: Void, Rows and Set_keyspace in every version;
// Prepared and Schema_change from v3 on (their v1/v2 layouts differ).
func legacyKind(v Version, kind ResultKind) bool {
	return v >= V3 || kind == KindVoid || kind == KindRows || kind == KindSetKeyspace
}

// startResult checks the version and appends the kind.
func startResult(dst []byte, v Version, kind ResultKind) (encoder, error) {
	e := encoder{buf: dst, op: "RESULT"}
	if err := encodeVersion(OpResult, v); err != nil {
		return e, err
	}
	if !legacyKind(v, kind) {
		return e, unencodable("RESULT", "result kind %d is not supported in protocol version %s", kind, v)
	}
	e.int32(int32(kind))
	return e, nil
}

// readResultKind checks the version and the kind at the start of body.
func readResultKind(v Version, body []byte, want ResultKind) (decoder, error) {
	d := decoder{buf: body}
	if err := decodeVersion(OpResult, v); err != nil {
		return d, err
	}
	if !legacyKind(v, want) {
		d.fail("kind", fmt.Errorf("%w: result kind %d is not supported in protocol version %s", ErrInvalidValue, want, v))
		return d, d.finish(OpResult)
	}
	if kind := ResultKind(d.readInt("kind")); d.err == nil && kind != want {
		d.failLast("kind", fmt.Errorf("%w: result kind %d, want %d", ErrInvalidValue, kind, want))
	}
	return d, d.finish(OpResult)
}

// VoidResult is the Void RESULT: success without data. Cassandra answers
// DCL (CREATE ROLE, GRANT, ...) with it, and LIST ... when nothing matches.
type VoidResult struct{}

// Opcode returns [OpResult].
func (*VoidResult) Opcode() Opcode { return OpResult }

// Kind returns [KindVoid].
func (*VoidResult) Kind() ResultKind { return KindVoid }

// Encode appends the body.
func (*VoidResult) Encode(dst []byte, v Version) ([]byte, error) {
	e, err := startResult(dst, v, KindVoid)
	if err != nil {
		return dst, err
	}
	return e.buf, nil
}

// Decode checks the kind.
func (*VoidResult) Decode(v Version, body []byte) error {
	_, err := readResultKind(v, body, KindVoid)
	return err
}

// SetKeyspaceResult is the Set_keyspace RESULT, the answer to USE (gocql
// requires this kind).
type SetKeyspaceResult struct {
	Keyspace string
}

// Opcode returns [OpResult].
func (*SetKeyspaceResult) Opcode() Opcode { return OpResult }

// Kind returns [KindSetKeyspace].
func (*SetKeyspaceResult) Kind() ResultKind { return KindSetKeyspace }

// Encode appends the body.
func (m *SetKeyspaceResult) Encode(dst []byte, v Version) ([]byte, error) {
	e, err := startResult(dst, v, KindSetKeyspace)
	if err != nil {
		return dst, err
	}
	e.string(m.Keyspace)
	return e.buf, e.err
}

// Decode parses the body.
func (m *SetKeyspaceResult) Decode(v Version, body []byte) error {
	d, err := readResultKind(v, body, KindSetKeyspace)
	if err != nil {
		return err
	}
	*m = SetKeyspaceResult{Keyspace: d.readString("keyspace")}
	return d.finish(OpResult)
}

// SchemaChangeResult is the Schema_change RESULT. Returning it makes both
// drivers wait for schema agreement and refresh metadata; cassauth's DCL
// answers Void instead.
type SchemaChangeResult struct {
	Change SchemaChange
}

// Opcode returns [OpResult].
func (*SchemaChangeResult) Opcode() Opcode { return OpResult }

// Kind returns [KindSchemaChange].
func (*SchemaChangeResult) Kind() ResultKind { return KindSchemaChange }

// Encode appends the body.
func (m *SchemaChangeResult) Encode(dst []byte, v Version) ([]byte, error) {
	e, err := startResult(dst, v, KindSchemaChange)
	if err != nil {
		return dst, err
	}
	m.Change.encode(&e)
	return e.buf, e.err
}

// Decode parses the body.
func (m *SchemaChangeResult) Decode(v Version, body []byte) error {
	d, err := readResultKind(v, body, KindSchemaChange)
	if err != nil {
		return err
	}
	m.Change.decode(&d)
	return d.finish(OpResult)
}

// PreparedResult is the Prepared RESULT, the answer to PREPARE. gocql
// decodes the rows of later EXECUTEs with Result (it sets Skip_metadata),
// so Result must describe the statement's columns exactly.
type PreparedResult struct {
	ID []byte
	// ResultMetadataID is sent in v5 only; it must be nil for earlier
	// versions.
	ResultMetadataID []byte
	Bind             PreparedMetadata
	Result           RowsMetadata
}

// Opcode returns [OpResult].
func (*PreparedResult) Opcode() Opcode { return OpResult }

// Kind returns [KindPrepared].
func (*PreparedResult) Kind() ResultKind { return KindPrepared }

// Encode appends the body.
func (m *PreparedResult) Encode(dst []byte, v Version) ([]byte, error) {
	e, err := startResult(dst, v, KindPrepared)
	if err != nil {
		return dst, err
	}
	e.shortBytes(m.ID)
	if v >= V5 {
		e.shortBytes(m.ResultMetadataID)
	} else if m.ResultMetadataID != nil {
		e.fail("a result metadata id needs protocol v5")
	}
	m.Bind.encode(&e, v)
	m.Result.encode(&e, v)
	return e.buf, e.err
}

// Decode parses the body; the ids alias body.
func (m *PreparedResult) Decode(v Version, body []byte) error {
	d, err := readResultKind(v, body, KindPrepared)
	if err != nil {
		return err
	}
	*m = PreparedResult{ID: d.readShortBytes("id")}
	if v >= V5 {
		m.ResultMetadataID = d.readShortBytes("result metadata id")
	}
	m.Bind.decode(&d, v)
	m.Result.decode(&d, v)
	return d.finish(OpResult)
}
