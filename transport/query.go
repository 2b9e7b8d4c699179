package transport

import "fmt"

// QueryFlags are the flags of <query_parameters> (QUERY, EXECUTE) and of
// BATCH. They are a [byte] up to v4 and an [int] in v5.
type QueryFlags uint32

// The query flags.
const (
	QueryValues            QueryFlags = 0x0001 // values follow
	QuerySkipMetadata      QueryFlags = 0x0002 // answer Rows with No_metadata
	QueryPageSize          QueryFlags = 0x0004 // a result page size follows
	QueryPagingState       QueryFlags = 0x0008 // a paging state follows
	QuerySerialConsistency QueryFlags = 0x0010 // a serial consistency follows
	QueryDefaultTimestamp  QueryFlags = 0x0020 // a default timestamp follows
	QueryNamesForValues    QueryFlags = 0x0040 // each value is preceded by its name
	QueryKeyspace          QueryFlags = 0x0080 // a keyspace follows (v5)
	QueryNowInSeconds      QueryFlags = 0x0100 // now_in_seconds follows (v5)
)

// knownQueryFlags returns the flags version v defines: none in v1 (whose
// QUERY is a query and a consistency only), values to serial consistency
// in v2, and the timestamp and named values from v3 on.
func knownQueryFlags(v Version) QueryFlags {
	switch {
	case v >= V5:
		return 0x01FF
	case v >= V3:
		return 0x007F
	case v == V2:
		return 0x001F
	}
	return 0
}

// QueryParams are the <query_parameters> of QUERY and EXECUTE. Flags says
// which optional fields are present, on the wire and here: a field whose
// flag is clear is neither encoded nor set by decoding. Decoding keeps only
// the flags the version defines and ignores the rest; encoding refuses
// flags the version lacks.
type QueryParams struct {
	Consistency Consistency
	Flags       QueryFlags
	// Values are the bound values (QueryValues), at most 65535.
	Values []Value
	// Names are the value names (QueryNamesForValues with QueryValues), one
	// per value.
	Names             []string
	PageSize          int32  // QueryPageSize
	PagingState       []byte // QueryPagingState; may be nil (null)
	SerialConsistency Consistency
	Timestamp         int64  // QueryDefaultTimestamp, microseconds
	Keyspace          string // QueryKeyspace (v5)
	NowInSeconds      int32  // QueryNowInSeconds (v5)
}

// Has reports whether all of flags are set.
func (p *QueryParams) Has(flags QueryFlags) bool { return p.Flags&flags == flags }

func (p *QueryParams) encode(e *encoder, v Version) {
	if p.Flags&^knownQueryFlags(v) != 0 {
		e.fail("query flags %#x are not defined in protocol version %d", uint32(p.Flags&^knownQueryFlags(v)), v)
		return
	}
	e.consistency(p.Consistency)
	if v < V2 {
		return // v1: <query><consistency>
	}
	if v >= V5 {
		e.int32(int32(p.Flags))
	} else {
		e.byte1(byte(p.Flags))
	}
	if p.Has(QueryValues) {
		named := p.Has(QueryNamesForValues)
		if named && len(p.Names) != len(p.Values) {
			e.fail("%d names for %d values", len(p.Names), len(p.Values))
			return
		}
		e.shortLength(len(p.Values), "values")
		for i, val := range p.Values {
			if named {
				e.string(p.Names[i])
			}
			e.value(val, v)
		}
	}
	if p.Has(QueryPageSize) {
		e.int32(p.PageSize)
	}
	if p.Has(QueryPagingState) {
		e.bytes(p.PagingState)
	}
	if p.Has(QuerySerialConsistency) {
		e.consistency(p.SerialConsistency)
	}
	if p.Has(QueryDefaultTimestamp) {
		e.long(p.Timestamp)
	}
	if p.Has(QueryKeyspace) {
		e.string(p.Keyspace)
	}
	if p.Has(QueryNowInSeconds) {
		e.int32(p.NowInSeconds)
	}
}

func (p *QueryParams) decode(d *decoder, v Version) {
	*p = QueryParams{Consistency: d.readConsistency("consistency")}
	if v < V2 {
		return // v1: <query><consistency>
	}
	if v >= V5 {
		p.Flags = QueryFlags(uint32(d.readInt("flags")))
	} else {
		p.Flags = QueryFlags(d.readByte("flags"))
	}
	p.Flags &= knownQueryFlags(v)
	if p.Has(QueryValues) {
		named := p.Has(QueryNamesForValues)
		minSize := 4
		if named {
			minSize = 6
		}
		n := d.count(int(d.readShort("values")), minSize, "values")
		if d.err != nil {
			return
		}
		p.Values = makeN[Value](n)
		if named {
			p.Names = makeN[string](n)
		}
		for i := range n {
			if named {
				p.Names[i] = d.readString("value name")
			}
			p.Values[i] = d.readValue(v, "[value]")
		}
	}
	if p.Has(QueryPageSize) {
		p.PageSize = d.readInt("page size")
	}
	if p.Has(QueryPagingState) {
		p.PagingState = d.readBytes("paging state")
	}
	if p.Has(QuerySerialConsistency) {
		p.SerialConsistency = d.readConsistency("serial consistency")
	}
	if p.Has(QueryDefaultTimestamp) {
		p.Timestamp = d.readLong("timestamp")
	}
	if p.Has(QueryKeyspace) {
		p.Keyspace = d.readString("keyspace")
	}
	if p.Has(QueryNowInSeconds) {
		p.NowInSeconds = d.readInt("now in seconds")
	}
}

// Query is the QUERY request: a [long string] statement and its
// parameters. In v1 the parameters are the consistency alone; in v2 the
// flags up to serial consistency exist.
type Query struct {
	Query  string
	Params QueryParams
}

// Opcode returns [OpQuery].
func (*Query) Opcode() Opcode { return OpQuery }

// Encode appends the body.
func (m *Query) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpQuery, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "QUERY"}
	e.longString(m.Query)
	m.Params.encode(&e, v)
	return e.buf, e.err
}

// Decode parses the body.
func (m *Query) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpQuery, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	m.Query = d.readLongString("query")
	m.Params.decode(&d, v)
	return d.finish(OpQuery)
}

// Execute is the EXECUTE request (v3+): a prepared statement id, in v5 the
// result metadata id the client holds, and the parameters.
type Execute struct {
	ID []byte
	// ResultMetadataID is sent from v5 on; it must be nil for earlier
	// versions.
	ResultMetadataID []byte
	Params           QueryParams
}

// Opcode returns [OpExecute].
func (*Execute) Opcode() Opcode { return OpExecute }

// Encode appends the body.
func (m *Execute) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpExecute, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "EXECUTE"}
	e.shortBytes(m.ID)
	if v >= V5 {
		e.shortBytes(m.ResultMetadataID)
	} else if m.ResultMetadataID != nil {
		e.fail("a result metadata id needs protocol v5")
	}
	m.Params.encode(&e, v)
	return e.buf, e.err
}

// Decode parses the body; the ids alias body.
func (m *Execute) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpExecute, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Execute{ID: d.readShortBytes("id")}
	if v >= V5 {
		m.ResultMetadataID = d.readShortBytes("result metadata id")
	}
	m.Params.decode(&d, v)
	return d.finish(OpExecute)
}

// BatchType is the [byte] type of a BATCH.
type BatchType uint8

// The batch types.
const (
	BatchLogged   BatchType = 0
	BatchUnlogged BatchType = 1
	BatchCounter  BatchType = 2
)

// BatchStatement is one statement of a BATCH: a query string, or (Prepared)
// a prepared statement id, with its values.
type BatchStatement struct {
	Prepared bool
	Query    string // when !Prepared
	ID       []byte // when Prepared
	Values   []Value
}

// Batch is the BATCH request (v3+). The protocol's "names for values" flag
// (0x40) cannot work for batches (CASSANDRA-10246): decoding a batch that
// sets it fails, and Flags may only hold QuerySerialConsistency,
// QueryDefaultTimestamp and, in v5, QueryKeyspace and QueryNowInSeconds.
type Batch struct {
	Type              BatchType
	Statements        []BatchStatement // at most 65535
	Consistency       Consistency
	Flags             QueryFlags
	SerialConsistency Consistency
	Timestamp         int64
	Keyspace          string
	NowInSeconds      int32
}

// batchFlags returns the flags a BATCH may carry in version v.
func batchFlags(v Version) QueryFlags {
	return knownQueryFlags(v) &^ (QueryValues | QuerySkipMetadata | QueryPageSize | QueryPagingState | QueryNamesForValues)
}

// Opcode returns [OpBatch].
func (*Batch) Opcode() Opcode { return OpBatch }

// Encode appends the body.
func (m *Batch) Encode(dst []byte, v Version) ([]byte, error) {
	if err := encodeVersion(OpBatch, v); err != nil {
		return dst, err
	}
	e := encoder{buf: dst, op: "BATCH"}
	if m.Type > BatchCounter {
		e.fail("unknown batch type %d", m.Type)
	}
	if m.Flags&^batchFlags(v) != 0 {
		e.fail("batch flags %#x are not allowed in protocol version %d", uint32(m.Flags&^batchFlags(v)), v)
	}
	e.byte1(byte(m.Type))
	e.shortLength(len(m.Statements), "statements")
	for _, s := range m.Statements {
		if s.Prepared {
			e.byte1(1)
			e.shortBytes(s.ID)
		} else {
			e.byte1(0)
			e.longString(s.Query)
		}
		e.shortLength(len(s.Values), "values")
		for _, val := range s.Values {
			e.value(val, v)
		}
	}
	e.consistency(m.Consistency)
	if v >= V5 {
		e.int32(int32(m.Flags))
	} else {
		e.byte1(byte(m.Flags))
	}
	if m.Flags&QuerySerialConsistency != 0 {
		e.consistency(m.SerialConsistency)
	}
	if m.Flags&QueryDefaultTimestamp != 0 {
		e.long(m.Timestamp)
	}
	if m.Flags&QueryKeyspace != 0 {
		e.string(m.Keyspace)
	}
	if m.Flags&QueryNowInSeconds != 0 {
		e.int32(m.NowInSeconds)
	}
	return e.buf, e.err
}

// Decode parses the body; ids and values alias body.
func (m *Batch) Decode(v Version, body []byte) error {
	if err := decodeVersion(OpBatch, v); err != nil {
		return err
	}
	d := decoder{buf: body}
	*m = Batch{Type: BatchType(d.readByte("type"))}
	if d.err == nil && m.Type > BatchCounter {
		d.failLast("type", fmt.Errorf("%w: batch type %d", ErrInvalidValue, m.Type))
	}
	// Each statement needs at least a kind byte, a 2-byte id length and a
	// 2-byte value count.
	n := d.count(int(d.readShort("statements")), 5, "statements")
	if d.err == nil {
		m.Statements = makeN[BatchStatement](n)
	}
	for i := 0; i < n && d.err == nil; i++ {
		s := &m.Statements[i]
		switch kind := d.readByte("kind"); kind {
		case 0:
			s.Query = d.readLongString("query")
		case 1:
			s.Prepared = true
			s.ID = d.readShortBytes("id")
		default:
			if d.err == nil {
				d.failLast("kind", fmt.Errorf("%w: statement kind %d", ErrInvalidValue, kind))
			}
		}
		nv := d.count(int(d.readShort("values")), 4, "values")
		if d.err != nil {
			break
		}
		s.Values = makeN[Value](nv)
		for j := range s.Values {
			s.Values[j] = d.readValue(v, "[value]")
		}
	}
	m.Consistency = d.readConsistency("consistency")
	if v >= V5 {
		m.Flags = QueryFlags(uint32(d.readInt("flags")))
	} else {
		m.Flags = QueryFlags(d.readByte("flags"))
	}
	if d.err == nil && m.Flags&QueryNamesForValues != 0 {
		d.failLast("flags", fmt.Errorf("%w: named values are not supported in BATCH", ErrInvalidValue))
	}
	m.Flags &= batchFlags(v)
	if m.Flags&QuerySerialConsistency != 0 {
		m.SerialConsistency = d.readConsistency("serial consistency")
	}
	if m.Flags&QueryDefaultTimestamp != 0 {
		m.Timestamp = d.readLong("timestamp")
	}
	if m.Flags&QueryKeyspace != 0 {
		m.Keyspace = d.readString("keyspace")
	}
	if m.Flags&QueryNowInSeconds != 0 {
		m.NowInSeconds = d.readInt("now in seconds")
	}
	return d.finish(OpBatch)
}
