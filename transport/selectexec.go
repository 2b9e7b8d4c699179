package transport

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/cassauth/cassauth/resource"
)

// errNotOurs: the statement names a table the handler does not serve; an
// embedding server's handler may.
var errNotOurs = errors.New("transport: not a table of cassauth's handler")

// filter is one WHERE equality: a column and a value (bytes of a literal,
// or a bind marker).
type filter struct {
	col    int
	value  []byte // a literal's serialized value
	marker int    // >= 0: the bind marker that supplies the value
}

// selectPlan is a SELECT checked against its table, ready to run any
// number of times (a prepared statement).
type selectPlan struct {
	table     *vtable
	out       []int // projected columns
	meta      RowsMetadata
	filters   []filter
	limit     int // 0: none
	limitMark int // >= 0: LIMIT ?
	bind      []ColumnSpec
	pkIndexes []uint16
}

// compile checks st against the virtual tables. keyspace is the session's
// (or the request's) keyspace for an unqualified table. It returns an
// error wrapping errNotOurs for tables it does not serve.
func (h *AuthHandler) compile(st *selectStmt, keyspace string) (*selectPlan, error) {
	ks := st.keyspace
	if ks == "" {
		ks = keyspace
	}
	if ks == "" {
		return nil, invalidf("No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename")
	}
	tables, ok := h.tables[ks]
	if !ok {
		return nil, fmt.Errorf("%w: %w", errNotOurs, invalidf("keyspace %s does not exist", ks))
	}
	t, ok := tables[st.table]
	if !ok {
		return nil, fmt.Errorf("%w: %w", errNotOurs, invalidf("unconfigured table %s", st.table))
	}
	if st.json {
		return nil, unsupportedSelect("SELECT JSON")
	}
	p := &selectPlan{table: t, limitMark: -1}
	if st.star {
		for i := range t.cols {
			p.out = append(p.out, i)
			p.meta.Columns = append(p.meta.Columns, ColumnSpec{Keyspace: ks, Table: t.name, Name: t.cols[i].name, Type: t.cols[i].typ})
		}
	}
	for _, sel := range st.cols {
		i := t.column(sel.name)
		if i < 0 {
			return nil, invalidf("Undefined column name %s", sel.name)
		}
		p.out = append(p.out, i)
		p.meta.Columns = append(p.meta.Columns, ColumnSpec{Keyspace: ks, Table: t.name, Name: sel.alias, Type: t.cols[i].typ})
	}
	p.bind = make([]ColumnSpec, st.markers)
	seen := map[int]bool{}
	for _, rel := range st.where {
		i := t.column(rel.col)
		if i < 0 {
			return nil, invalidf("Undefined column name %s", rel.col)
		}
		if seen[i] {
			return nil, invalidf("%s cannot be restricted by more than one relation if it includes an Equal", rel.col)
		}
		seen[i] = true
		if i >= t.pk && !st.allowFiltering {
			return nil, invalidf("Cannot execute this query as it might involve data filtering and thus may have an unpredictable performance. If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING")
		}
		f := filter{col: i, marker: -1}
		if rel.val.kind == termMarker {
			f.marker = rel.val.marker
			name := rel.val.text
			if name == "" {
				name = rel.col
			}
			p.bind[rel.val.marker] = ColumnSpec{Keyspace: ks, Table: t.name, Name: name, Type: t.cols[i].typ}
		} else {
			b, err := literal(rel.val, t.cols[i])
			if err != nil {
				return nil, err
			}
			f.value = b
		}
		p.filters = append(p.filters, f)
	}
	if st.limit != nil {
		if st.limit.kind == termMarker {
			p.limitMark = st.limit.marker
			p.bind[st.limit.marker] = ColumnSpec{Keyspace: ks, Table: t.name, Name: "[limit]", Type: Type{ID: TypeInt}}
		} else {
			n, err := strconv.ParseInt(st.limit.text, 10, 32)
			if err != nil || n <= 0 {
				return nil, invalidf("LIMIT must be strictly positive")
			}
			p.limit = int(n)
		}
	}
	// The bind indexes of the partition key, when markers supply all of it.
	for c := 0; c < t.partition; c++ {
		found := false
		for _, f := range p.filters {
			if f.col == c && f.marker >= 0 {
				p.pkIndexes = append(p.pkIndexes, uint16(f.marker))
				found = true
			}
		}
		if !found {
			p.pkIndexes = nil
			break
		}
	}
	return p, nil
}

// literal serializes a WHERE literal as a value of column c.
func literal(t term, c vcol) ([]byte, error) {
	bad := func() ([]byte, error) {
		kind := map[termKind]string{termString: "STRING", termNumber: "INTEGER", termBool: "BOOLEAN",
			termUUID: "UUID", termBlob: "HEX"}[t.kind]
		if t.kind == termNumber && strings.ContainsAny(t.text, ".eE") {
			kind = "FLOAT"
		}
		return nil, invalidf("Invalid %s constant (%s) for \"%s\" of type %s", kind, t.text, c.name, c.typ)
	}
	if t.kind == termNull {
		return nil, invalidf("Invalid null value in condition for column %s", c.name)
	}
	var v any
	switch c.typ.ID {
	case TypeVarchar, TypeASCII:
		if t.kind != termString {
			return bad()
		}
		v = t.text
	case TypeInt, TypeBigint, TypeSmallint, TypeTinyint, TypeCounter:
		n, err := strconv.ParseInt(t.text, 10, 64)
		if t.kind != termNumber || err != nil {
			return bad()
		}
		v = n
	case TypeDouble, TypeFloat:
		f, err := strconv.ParseFloat(t.text, 64)
		if t.kind != termNumber || err != nil {
			return bad()
		}
		if c.typ.ID == TypeFloat {
			if f32 := float32(f); float64(f32) == f || math.IsInf(f, 0) {
				v = f32
			} else {
				return bad()
			}
		} else {
			v = f
		}
	case TypeBoolean:
		if t.kind != termBool {
			return bad()
		}
		v = t.text == "true"
	case TypeUUID, TypeTimeUUID:
		u, err := ParseUUID(t.text)
		if t.kind != termUUID || err != nil {
			return bad()
		}
		v = u
	case TypeInet:
		a, err := netip.ParseAddr(t.text)
		if t.kind != termString || err != nil {
			return bad()
		}
		v = a
	case TypeBlob:
		b, err := hex.DecodeString(t.text[2:])
		if t.kind != termBlob || err != nil {
			return bad()
		}
		return b, nil
	default:
		return bad()
	}
	b, err := Marshal(c.typ, v)
	if err != nil {
		return bad()
	}
	return b, nil
}

// bindValues returns the values of a plan's markers from request
// parameters: positional, or by name (marker or column name).
func (p *selectPlan) bindValues(params *QueryParams) ([]Value, error) {
	values := params.Values
	if !params.Has(QueryValues) {
		values = nil
	}
	if len(values) != len(p.bind) {
		return nil, invalidf("There were %d markers(?) in CQL but %d bound variables", len(p.bind), len(values))
	}
	if !params.Has(QueryNamesForValues) {
		return values, nil
	}
	out := make([]Value, len(p.bind))
	for i, spec := range p.bind {
		j := -1
		for k, n := range params.Names {
			if strings.EqualFold(n, spec.Name) {
				j = k
				break
			}
		}
		if j < 0 {
			return nil, invalidf("No value for bind variable %s", spec.Name)
		}
		out[i] = values[j]
	}
	return out, nil
}

// run executes a plan for sess: the login and SELECT permission checks,
// then the rows, filtered, limited and projected.
func (h *AuthHandler) run(ctx context.Context, sess *Session, p *selectPlan, params *QueryParams) (*RowsResult, error) {
	values, err := p.bindValues(params)
	if err != nil {
		return nil, err
	}
	filters := make([]filter, len(p.filters))
	copy(filters, p.filters)
	key, hasKey := "", false
	for i := range filters {
		f := &filters[i]
		if f.marker >= 0 {
			v := values[f.marker]
			name := p.table.cols[f.col].name
			switch {
			case v.Unset:
				return nil, invalidf("Invalid unset value for column %s", name)
			case v.Bytes == nil:
				return nil, invalidf("Invalid null value in condition for column %s", name)
			}
			f.value = v.Bytes
		}
		if f.col == 0 && p.table.partition == 1 && p.table.cols[0].typ.ID == TypeVarchar {
			key, hasKey = string(f.value), true
		}
	}
	limit := p.limit
	if p.limitMark >= 0 {
		v := values[p.limitMark]
		if len(v.Bytes) != 4 {
			return nil, invalidf("Invalid limit value")
		}
		n, _ := Unmarshal(Type{ID: TypeInt}, v.Bytes)
		if l, _ := n.(int32); l <= 0 {
			return nil, invalidf("LIMIT must be strictly positive")
		} else {
			limit = int(l)
		}
	}
	user := sess.User()
	if err := h.env.Checker.ValidateLogin(ctx, user, sess.DataCenter, sess.Remote.Addr()); err != nil {
		return nil, err
	}
	if err := h.env.Checker.EnsureData(ctx, user, resource.Select, resource.Table(p.table.keyspace, p.table.name)); err != nil {
		return nil, err
	}
	rows, err := p.table.rows(ctx, h, sess, key, hasKey)
	if err != nil {
		return nil, err
	}
	res := &RowsResult{Metadata: p.meta}
	cells := make([][]byte, len(p.table.cols))
	done := make([]bool, len(p.table.cols))
	cell := func(row []any, i int) ([]byte, error) {
		if !done[i] {
			b, err := Marshal(p.table.cols[i].typ, row[i])
			if err != nil {
				return nil, fmt.Errorf("transport: column %s.%s.%s: %w", p.table.keyspace, p.table.name, p.table.cols[i].name, err)
			}
			cells[i], done[i] = b, true
		}
		return cells[i], nil
	}
rows:
	for _, row := range rows {
		clear(done)
		for _, f := range filters {
			b, err := cell(row, f.col)
			if err != nil {
				return nil, err
			}
			if b == nil || !bytes.Equal(b, f.value) {
				continue rows
			}
		}
		out := make([][]byte, len(p.out))
		for j, i := range p.out {
			if out[j], err = cell(row, i); err != nil {
				return nil, err
			}
		}
		res.Rows = append(res.Rows, out)
		if limit > 0 && len(res.Rows) == limit {
			break
		}
	}
	return res, nil
}
