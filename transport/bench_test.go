package transport

import (
	"bytes"
	"io"
	"testing"
)

// benchQuery is what the Python driver sends for LIST ROLES, plus two
// bound values to exercise value decoding.
func benchQuery() *Query {
	return &Query{Query: "SELECT * FROM system_auth.roles WHERE role = ? AND x = ?", Params: QueryParams{
		Consistency: LocalOne, Flags: QueryValues | QueryPageSize | QueryDefaultTimestamp,
		Values: []Value{{Bytes: []byte("cassandra")}, {Bytes: []byte{0, 0, 0, 1}}}, PageSize: 5000, Timestamp: 1764066600000000,
	}}
}

// repeatReader serves the same bytes forever without allocating.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.data[r.off:])
	r.off = (r.off + n) % len(r.data)
	return n, nil
}

func BenchmarkReadFrame(b *testing.B) {
	wire, err := EncodeFrame(nil, V4, 1, benchQuery())
	if err != nil {
		b.Fatal(err)
	}
	r := &repeatReader{data: wire}
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadFrame(r, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeFrame(b *testing.B) {
	q := benchQuery()
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = EncodeFrame(buf[:0], V4, 1, q); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkWriteFrame(b *testing.B) {
	f := &Frame{Header: Header{Version: V4, Stream: 1, Opcode: OpResult}, Body: make([]byte, 100)}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteFrame(io.Discard, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeQuery(b *testing.B) {
	for _, v := range []Version{V4, V5} {
		b.Run(v.String(), func(b *testing.B) {
			body, err := benchQuery().Encode(nil, v)
			if err != nil {
				b.Fatal(err)
			}
			var q Query
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := q.Decode(v, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeEnvelopeQuery(b *testing.B) {
	wire, err := EncodeFrame(nil, V4, 1, benchQuery())
	if err != nil {
		b.Fatal(err)
	}
	f, err := ReadFrame(bytes.NewReader(wire), 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEnvelope(f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeRows encodes a system.local-sized Rows result.
func BenchmarkEncodeRows(b *testing.B) {
	cols := make([]ColumnSpec, 20)
	row := make([][]byte, 20)
	for i := range cols {
		cols[i] = ColumnSpec{Keyspace: "system", Table: "local", Name: "column_name", Type: Type{ID: TypeVarchar}}
		row[i] = []byte("some value")
	}
	m := &RowsResult{Metadata: RowsMetadata{Columns: cols}, Rows: [][][]byte{row}}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = EncodeFrame(buf[:0], V4, 1, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSegmentWrite(b *testing.B) {
	wire, err := EncodeFrame(nil, V5, 1, benchQuery())
	if err != nil {
		b.Fatal(err)
	}
	w := NewSegmentWriter(io.Discard)
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Write(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSegmentReadFrame(b *testing.B) {
	wire, err := EncodeFrame(nil, V5, 1, benchQuery())
	if err != nil {
		b.Fatal(err)
	}
	seg, err := AppendSegment(nil, Segment{Payload: wire, SelfContained: true})
	if err != nil {
		b.Fatal(err)
	}
	sr := NewSegmentReader(&repeatReader{data: seg}, 0)
	b.SetBytes(int64(len(seg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sr.ReadFrame(); err != nil {
			b.Fatal(err)
		}
	}
}
