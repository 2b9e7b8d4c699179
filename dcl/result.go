package dcl

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ResultKind is the kind of a statement's result, after the native
// protocol's RESULT kinds.
type ResultKind uint8

// The result kinds.
const (
	// ResultVoid: no rows (most statements, and LIST statements that
	// find nothing, as in Cassandra).
	ResultVoid ResultKind = iota
	// ResultRows: Columns and Rows are set.
	ResultRows
	// ResultSetKeyspace: USE; Keyspace is the new session keyspace.
	ResultSetKeyspace
	// ResultSchemaChange: a schema statement changed the catalog;
	// SchemaChange says what.
	ResultSchemaChange
)

// String returns the protocol name of the kind ("Void", "Rows", ...).
func (k ResultKind) String() string {
	switch k {
	case ResultVoid:
		return "Void"
	case ResultRows:
		return "Rows"
	case ResultSetKeyspace:
		return "Set_keyspace"
	case ResultSchemaChange:
		return "Schema_change"
	}
	return fmt.Sprintf("ResultKind(%d)", uint8(k))
}

// Column types of the rows this package returns.
const (
	TypeText    = "text"
	TypeBoolean = "boolean"
	TypeTextMap = "map<text, text>"
)

// Column is one column of a rows result: its name and CQL type (TypeText,
// TypeBoolean or TypeTextMap).
type Column struct {
	Name string
	Type string
}

// SchemaChange describes a schema change, as the native protocol's
// Schema_change result: Change is "CREATED", "UPDATED" or "DROPPED",
// Target "KEYSPACE", "TABLE" or "FUNCTION"; Name is the table or function
// ("" for a keyspace) and ArgTypes a function's CQL argument types.
type SchemaChange struct {
	Change   string
	Target   string
	Keyspace string
	Name     string
	ArgTypes []string
}

// Result is the result of one statement.
type Result struct {
	Kind ResultKind
	// Keyspace and Table name the (pseudo) table of a rows result, as
	// Cassandra's column metadata does ("system_auth", "roles"); for
	// ResultSetKeyspace, Keyspace is the keyspace.
	Keyspace string
	Table    string
	// Columns and Rows of a rows result. Values are string (text), bool
	// (boolean) and map[string]string (map<text, text>), in column order.
	Columns []Column
	Rows    [][]any
	// SchemaChange is set for ResultSchemaChange.
	SchemaChange SchemaChange
	// Warnings are client warnings (Cassandra's ClientWarn), e.g.
	// "Role 'bob' was already granted SELECT on <table ks.t>".
	Warnings []string
}

// voidResult is the empty result.
var voidResult = Result{Kind: ResultVoid}

// rows returns a rows result of (ks, table) with columns cols, or Void when
// there is no row (Cassandra returns Void for empty LIST results).
func rows(ks, table string, cols []Column, data [][]any) Result {
	if len(data) == 0 {
		return voidResult
	}
	return Result{Kind: ResultRows, Keyspace: ks, Table: table, Columns: cols, Rows: data}
}

// String renders r for logs and tests: the kind, then for rows the column
// header and one line per row with cells separated by " | " (maps as
// {'k': 'v'}).
func (r Result) String() string {
	var b strings.Builder
	switch r.Kind {
	case ResultRows:
		fmt.Fprintf(&b, "Rows %s.%s", r.Keyspace, r.Table)
		for _, c := range r.Columns {
			fmt.Fprintf(&b, " %s:%s", c.Name, c.Type)
		}
		for _, row := range r.Rows {
			b.WriteString("\n")
			for i, v := range row {
				if i > 0 {
					b.WriteString(" | ")
				}
				b.WriteString(FormatValue(v))
			}
		}
	case ResultSetKeyspace:
		b.WriteString("Set_keyspace " + r.Keyspace)
	case ResultSchemaChange:
		sc := r.SchemaChange
		fmt.Fprintf(&b, "Schema_change %s %s %s", sc.Change, sc.Target, sc.Keyspace)
		if sc.Name != "" {
			b.WriteString("." + sc.Name)
		}
		if sc.Target == "FUNCTION" {
			b.WriteString("(" + strings.Join(sc.ArgTypes, ", ") + ")")
		}
	default:
		b.WriteString(r.Kind.String())
	}
	return b.String()
}

// FormatValue formats a cell as cqlsh prints it: text as is, booleans as
// true/false, maps as {'k': 'v'} with sorted keys.
func FormatValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return "false"
	case map[string]string:
		parts := make([]string, 0, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, quoteString(k)+": "+quoteString(v[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
