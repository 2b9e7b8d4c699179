package transport

import (
	"encoding/binary"
	"fmt"
)

// Protocol v1 and v2 serialize collections with [short] counts and
// [short bytes] elements where v3 and later use [int]s. Handlers build
// cells in the v3 format ([Marshal]); the server converts the rows it
// sends to a v1/v2 client with legacyRows.

// legacyRows returns rows with every collection cell converted to the
// v1/v2 format. Rows without column metadata are returned unchanged.
func legacyRows(rows *RowsResult) (*RowsResult, error) {
	cols := rows.Metadata.Columns
	conv := make([]bool, len(cols))
	any := false
	for i, c := range cols {
		conv[i] = hasCollection(c.Type)
		any = any || conv[i]
	}
	if !any {
		return rows, nil
	}
	out := &RowsResult{Metadata: rows.Metadata, Rows: make([][][]byte, len(rows.Rows))}
	for i, row := range rows.Rows {
		nr := make([][]byte, len(row))
		for j, cell := range row {
			if j >= len(conv) || !conv[j] || cell == nil {
				nr[j] = cell
				continue
			}
			b, err := legacyCell(nil, cols[j].Type, cell, 0)
			if err != nil {
				return nil, fmt.Errorf("transport: column %s cannot be sent to a protocol v1/v2 client: %w", cols[j].Name, err)
			}
			nr[j] = b
		}
		out.Rows[i] = nr
	}
	return out, nil
}

// hasCollection reports whether t is a list, set or map.
func hasCollection(t Type) bool {
	return t.ID == TypeList || t.ID == TypeSet || t.ID == TypeMap
}

// legacyCell appends the v1/v2 form of the v3 value b of type t.
func legacyCell(dst []byte, t Type, b []byte, depth int) ([]byte, error) {
	if !hasCollection(t) {
		return append(dst, b...), nil
	}
	if depth > maxTypeDepth || len(t.Elems) == 0 {
		return nil, fmt.Errorf("invalid collection type %s", t)
	}
	if len(b) < 4 {
		return nil, fmt.Errorf("truncated %s", t)
	}
	n := int(int32(binary.BigEndian.Uint32(b)))
	if n < 0 || n > 0xffff {
		return nil, fmt.Errorf("%s of %d elements", t, n)
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	b = b[4:]
	per := 1
	if t.ID == TypeMap {
		per = 2
	}
	for i := 0; i < n*per; i++ {
		et := t.Elems[min(i%per, len(t.Elems)-1)]
		if len(b) < 4 {
			return nil, fmt.Errorf("truncated %s", t)
		}
		l := int(int32(binary.BigEndian.Uint32(b)))
		b = b[4:]
		if l < 0 || l > len(b) {
			return nil, fmt.Errorf("element length %d in %s", l, t)
		}
		elem, err := legacyCell(nil, et, b[:l], depth+1)
		if err != nil {
			return nil, err
		}
		if len(elem) > 0xffff {
			return nil, fmt.Errorf("element of %d bytes in %s", len(elem), t)
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(elem)))
		dst = append(dst, elem...)
		b = b[l:]
	}
	return dst, nil
}
