package transport

import "fmt"

// ColumnSpec describes one column of a result, or one bind marker of a
// prepared statement: the table it belongs to, its name and its type.
type ColumnSpec struct {
	Keyspace, Table string
	Name            string
	Type            Type
}

// The flags of <metadata> in Rows and Prepared results.
const (
	metaGlobalTableSpec = 0x0001
	metaHasMorePages    = 0x0002
	metaNoMetadata      = 0x0004
	metaChanged         = 0x0008 // v5
)

// RowsMetadata is the <metadata> of a Rows result and the
// <result_metadata> of a Prepared result.
//
// The column count on the wire is len(Columns), or ColumnCount when
// Columns is nil; decoding sets both. With NoMetadata (the answer to a
// request with Skip_metadata) no column specs are written, but Columns may
// still be set to supply the count. When all columns share one keyspace
// and table, the single global table spec is used, as Cassandra does; the
// decoder copies it into every ColumnSpec.
type RowsMetadata struct {
	Columns     []ColumnSpec
	ColumnCount int
	NoMetadata  bool
	// PagingState, when non-nil, sets Has_more_pages.
	PagingState []byte
	// NewMetadataID, when non-nil, sets Metadata_changed (v5 only; not
	// with NoMetadata).
	NewMetadataID []byte
}

// count returns the column count to encode.
func (m *RowsMetadata) count() int {
	if m.Columns != nil {
		return len(m.Columns)
	}
	return m.ColumnCount
}

func (m *RowsMetadata) encode(e *encoder, v Version) {
	n := m.count()
	switch {
	case m.Columns != nil && m.ColumnCount != 0 && m.ColumnCount != len(m.Columns):
		e.fail("ColumnCount %d differs from %d columns", m.ColumnCount, len(m.Columns))
		return
	case n < 0:
		e.fail("negative column count %d", n)
		return
	case m.NewMetadataID != nil && v < V5:
		e.fail("a new metadata id needs protocol v5")
		return
	case v < V2 && (m.NoMetadata || m.PagingState != nil):
		e.fail("paging and No_metadata need protocol v2 or later")
		return
	case m.NewMetadataID != nil && m.NoMetadata:
		e.fail("Metadata_changed cannot go with No_metadata")
		return
	}
	var flags int32
	if m.NoMetadata {
		flags |= metaNoMetadata
	}
	if m.PagingState != nil {
		flags |= metaHasMorePages
	}
	if m.NewMetadataID != nil {
		flags |= metaChanged
	}
	global := !m.NoMetadata && sameTable(m.Columns)
	if global {
		flags |= metaGlobalTableSpec
	}
	e.int32(flags)
	e.length(n, "columns")
	if m.PagingState != nil {
		e.bytes(m.PagingState)
	}
	if m.NewMetadataID != nil {
		e.shortBytes(m.NewMetadataID)
	}
	if !m.NoMetadata {
		encodeColumns(e, m.Columns, global)
	}
}

func (m *RowsMetadata) decode(d *decoder, v Version) {
	*m = RowsMetadata{}
	start := d.off
	flags := d.readInt("metadata flags")
	m.NoMetadata = flags&metaNoMetadata != 0
	n := d.count(int(d.readInt("columns count")), columnSize(flags, m.NoMetadata), "columns count")
	m.ColumnCount = n
	if flags&metaHasMorePages != 0 {
		m.PagingState = d.readBytes("paging state")
		if m.PagingState == nil && d.err == nil {
			m.PagingState = []byte{}
		}
	}
	if v >= V5 && flags&metaChanged != 0 {
		if m.NoMetadata && d.err == nil {
			d.failAt(start, "metadata flags", fmt.Errorf("%w: Metadata_changed with No_metadata", ErrInvalidValue))
		}
		m.NewMetadataID = d.readShortBytes("new metadata id")
	}
	if !m.NoMetadata {
		m.Columns = decodeColumns(d, n, flags&metaGlobalTableSpec != 0)
	}
}

// sameTable reports whether cols is non-empty and all its columns share
// one keyspace and table.
func sameTable(cols []ColumnSpec) bool {
	if len(cols) == 0 {
		return false
	}
	for _, c := range cols[1:] {
		if c.Keyspace != cols[0].Keyspace || c.Table != cols[0].Table {
			return false
		}
	}
	return true
}

func encodeColumns(e *encoder, cols []ColumnSpec, global bool) {
	if global {
		e.string(cols[0].Keyspace)
		e.string(cols[0].Table)
	}
	for _, c := range cols {
		if !global {
			e.string(c.Keyspace)
			e.string(c.Table)
		}
		e.string(c.Name)
		e.typ(c.Type, 0)
	}
}

// columnSize returns the least encoded size of one column spec (0 when
// no specs follow), to bound a column count by the bytes that remain.
func columnSize(flags int32, noMetadata bool) int {
	switch {
	case noMetadata:
		return 0
	case flags&metaGlobalTableSpec != 0:
		return 4 // name [string] + type [short]
	}
	return 8 // keyspace, table, name [string]s + type [short]
}

// decodeColumns reads n column specs; n has been checked with columnSize.
func decodeColumns(d *decoder, n int, global bool) []ColumnSpec {
	var ks, table string
	if global {
		ks = d.readString("global keyspace")
		table = d.readString("global table")
	}
	if d.err != nil {
		return nil
	}
	cols := makeN[ColumnSpec](n)
	for i := range cols {
		c := &cols[i]
		if global {
			c.Keyspace, c.Table = ks, table
		} else {
			c.Keyspace = d.readString("keyspace")
			c.Table = d.readString("table")
		}
		c.Name = d.readString("column name")
		c.Type = d.readType(0)
		if d.err != nil {
			return nil
		}
	}
	return cols
}

// RowsResult is the Rows RESULT: metadata and rows of [bytes] cells, each
// a serialized value (see [Marshal]) or nil for null. Every row must have
// exactly the metadata's column count of cells. Decoded cells alias the
// body.
type RowsResult struct {
	Metadata RowsMetadata
	Rows     [][][]byte
}

// Opcode returns [OpResult].
func (*RowsResult) Opcode() Opcode { return OpResult }

// Kind returns [KindRows].
func (*RowsResult) Kind() ResultKind { return KindRows }

// Encode appends the body.
func (m *RowsResult) Encode(dst []byte, v Version) ([]byte, error) {
	e, err := startResult(dst, v, KindRows)
	if err != nil {
		return dst, err
	}
	m.Metadata.encode(&e, v)
	n := m.Metadata.count()
	e.length(len(m.Rows), "rows")
	for i, row := range m.Rows {
		if len(row) != n {
			e.fail("row %d has %d cells for %d columns", i, len(row), n)
			break
		}
		for _, cell := range row {
			e.bytes(cell)
		}
	}
	return e.buf, e.err
}

// Decode parses the body. A result that declares rows but no columns is
// refused, since its row count would not be bounded by the body's size.
func (m *RowsResult) Decode(v Version, body []byte) error {
	d, err := readResultKind(v, body, KindRows)
	if err != nil {
		return err
	}
	*m = RowsResult{}
	m.Metadata.decode(&d, v)
	cols := m.Metadata.ColumnCount
	rows := d.count(int(d.readInt("rows count")), 0, "rows count")
	if d.err != nil {
		return d.finish(OpResult)
	}
	switch {
	case rows == 0:
		return d.finish(OpResult)
	case cols == 0:
		d.failLast("rows count", fmt.Errorf("%w: %d rows without columns", ErrInvalidValue, rows))
		return d.finish(OpResult)
	case cols > d.remaining()/4 || rows > d.remaining()/4/cols:
		d.failLast("rows count", fmt.Errorf("%w: %d rows of %d columns", ErrInvalidLength, rows, cols))
		return d.finish(OpResult)
	}
	cells := make([][]byte, rows*cols)
	m.Rows = make([][][]byte, rows)
	for i := range m.Rows {
		row := cells[i*cols : (i+1)*cols : (i+1)*cols]
		for j := range row {
			row[j] = d.readBytes("cell")
		}
		m.Rows[i] = row
	}
	return d.finish(OpResult)
}

// PreparedMetadata is the bind-marker <metadata> of a Prepared result.
// PKIndexes (v4+) are the bind-marker indexes of the partition key columns,
// in partition key order.
type PreparedMetadata struct {
	PKIndexes []uint16
	Columns   []ColumnSpec
}

func (m *PreparedMetadata) encode(e *encoder, v Version) {
	global := sameTable(m.Columns)
	var flags int32
	if global {
		flags = metaGlobalTableSpec
	}
	e.int32(flags)
	e.length(len(m.Columns), "bind markers")
	if v >= V4 {
		e.length(len(m.PKIndexes), "partition key indexes")
		for _, i := range m.PKIndexes {
			e.short(i)
		}
	} else if len(m.PKIndexes) != 0 {
		e.fail("partition key indexes need protocol v4 or later")
	}
	encodeColumns(e, m.Columns, global)
}

func (m *PreparedMetadata) decode(d *decoder, v Version) {
	*m = PreparedMetadata{}
	flags := d.readInt("metadata flags")
	n := d.count(int(d.readInt("columns count")), columnSize(flags, false), "columns count")
	if v >= V4 {
		pk := d.count(int(d.readInt("pk count")), 2, "pk count")
		if d.err == nil {
			m.PKIndexes = makeN[uint16](pk)
			for i := range m.PKIndexes {
				m.PKIndexes[i] = d.readShort("pk index")
			}
		}
	}
	m.Columns = decodeColumns(d, n, flags&metaGlobalTableSpec != 0)
}
