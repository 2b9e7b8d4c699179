package dump

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// csvTable describes one system_auth table as cqlsh COPY TO exports it.
type csvTable struct {
	table   string   // the system_auth table
	columns []string // cqlsh's default order: partition key, clustering, the rest by name
	key     string   // the partition key column
}

// csvRow is one record of a table, addressed by column name.
type csvRow struct {
	file   string
	line   int
	values []string
	index  map[string]int // column -> position, shared by the rows of a file
}

func (r csvRow) get(col string) string { return r.values[r.index[col]] }

// text returns a text column with cqlsh's escapes undone.
func (r csvRow) text(col string) string { return unescapeText(r.get(col)) }

func (r csvRow) loc(col string) Location { return Location{File: r.file, Line: r.line, Field: col} }

// required returns a text column that must not be null (empty).
func (r csvRow) required(col, what string) (string, error) {
	v := r.text(col)
	if v == "" {
		return "", inputErr(r.loc(col), ErrMalformed, "%s is empty (null)", what)
	}
	return v, nil
}

// boolean parses a boolean column as cqlsh writes it (True / False, in any
// case). Null is an error: Cassandra rejects such a role ("Invalid
// metadata has been detected for role %s").
func (r csvRow) boolean(col, role string) (bool, error) {
	v := strings.TrimSpace(r.get(col))
	switch {
	case strings.EqualFold(v, "true"):
		return true, nil
	case strings.EqualFold(v, "false"):
		return false, nil
	case v == "":
		return false, inputErr(r.loc(col), ErrMalformed,
			"%s is null; Cassandra rejects such a row (Invalid metadata has been detected for role %s)", col, role)
	}
	return false, inputErr(r.loc(col), ErrMalformed, "bad boolean %q (want True or False)", v)
}

// isIdentifier reports whether s looks like a column name as cqlsh writes it
// in a header: an unquoted lower-case CQL identifier.
func isIdentifier(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// readTable reads a whole CSV file of table t and calls fn for each data
// row. The first record is a header when it names t's partition key column
// and holds only lower-case identifiers; its columns may then come in any
// order, extra columns are ignored with a warning, and missing ones are
// errors. Without a header, records must have exactly t's columns in
// cqlsh's default order.
func readTable(file string, r io.Reader, t csvTable, p *plan, fn func(csvRow) error) error {
	cr := newCSVReader(r)
	index := make(map[string]int, len(t.columns))
	width := len(t.columns)
	first := true
	for {
		rec, line, err := cr.read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *csvSyntaxError
			if errors.As(err, &se) {
				return inputErr(Location{File: file, Line: se.Line}, ErrMalformed, "broken CSV: %s", se.Msg)
			}
			return fmt.Errorf("dump: reading %s: %w", file, err)
		}
		if first {
			first = false
			if isHeader(rec, t) {
				if err := headerIndex(file, line, rec, t, p, index); err != nil {
					return err
				}
				width = len(rec)
				continue
			}
			if len(rec) != width {
				return inputErr(Location{File: file, Line: line}, ErrMalformed,
					"found %d fields, expected %d: without a header row the columns must be %s, cqlsh's default order for system_auth.%s",
					len(rec), width, strings.Join(t.columns, ", "), t.table)
			}
			for i, c := range t.columns {
				index[c] = i
			}
		}
		if len(rec) != width {
			return inputErr(Location{File: file, Line: line}, ErrMalformed, "found %d fields, expected %d", len(rec), width)
		}
		for i, v := range rec {
			if !utf8.ValidString(v) {
				col := ""
				for c, j := range index {
					if j == i {
						col = c
					}
				}
				return inputErr(Location{File: file, Line: line, Field: col}, ErrMalformed,
					"invalid UTF-8 (export with cqlsh's default ENCODING = 'utf8')")
			}
		}
		if err := fn(csvRow{file: file, line: line, values: rec, index: index}); err != nil {
			return err
		}
	}
}

func isHeader(rec []string, t csvTable) bool {
	hasKey := false
	for _, f := range rec {
		if !isIdentifier(f) {
			return false
		}
		hasKey = hasKey || f == t.key
	}
	return hasKey
}

// headerIndex fills index from a header row.
func headerIndex(file string, line int, rec []string, t csvTable, p *plan, index map[string]int) error {
	for i, name := range rec {
		loc := Location{File: file, Line: line, Field: name}
		if _, dup := index[name]; dup {
			return inputErr(loc, ErrMalformed, "column %q appears twice in the header", name)
		}
		index[name] = i
		known := false
		for _, c := range t.columns {
			known = known || c == name
		}
		if !known {
			p.warn(loc, fmt.Sprintf("column %q is not a column of system_auth.%s; ignored", name, t.table))
		}
	}
	for _, c := range t.columns {
		if _, ok := index[c]; !ok {
			return inputErr(Location{File: file, Line: line}, ErrMalformed,
				"missing column %q (system_auth.%s has columns %s)", c, t.table, strings.Join(t.columns, ", "))
		}
	}
	return nil
}
