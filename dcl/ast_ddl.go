package dcl

import "strings"

// Use is USE keyspace.
type Use struct {
	Keyspace string
}

// String renders the statement as CQL, passwords redacted.
func (s *Use) String() string { return "USE " + quoteIdent(s.Keyspace) }

// Property is one WITH property of CREATE KEYSPACE: its name and its value
// as written (a constant or a map literal).
type Property struct {
	Name  string
	Value string
}

// CreateKeyspace is CREATE KEYSPACE [IF NOT EXISTS] ks WITH properties.
// Only the name matters to cassauth; the properties are kept as written
// (replication must be present, as in Cassandra).
type CreateKeyspace struct {
	Name        string
	IfNotExists bool
	Properties  []Property
}

// String renders the statement as CQL, passwords redacted.
func (s *CreateKeyspace) String() string {
	out := "CREATE KEYSPACE" + ifNotExists(s.IfNotExists) + " " + quoteIdent(s.Name)
	for i, p := range s.Properties {
		if i == 0 {
			out += " WITH "
		} else {
			out += " AND "
		}
		out += quoteIdent(p.Name) + " = " + p.Value
	}
	return out
}

// CreateTable is CREATE TABLE [IF NOT EXISTS] [ks.]table (...). Only the
// name matters to cassauth; Definition keeps the rest as written (column
// definitions and options). Keyspace is "" when the session keyspace
// applies.
type CreateTable struct {
	Keyspace    string
	Name        string
	IfNotExists bool
	Definition  string
}

// String renders the statement as CQL, passwords redacted.
func (s *CreateTable) String() string {
	return "CREATE TABLE" + ifNotExists(s.IfNotExists) + " " + qualified(s.Keyspace, s.Name) + " " + s.Definition
}

// CreateFunction is CREATE [OR REPLACE] FUNCTION [IF NOT EXISTS]
// [ks.]name (arg type, ...) (CALLED | RETURNS NULL) ON NULL INPUT RETURNS
// type LANGUAGE lang AS 'body'. Only the name and argument types matter to
// cassauth; the rest is kept for String. Keyspace is "" when the session
// keyspace applies.
type CreateFunction struct {
	Keyspace          string
	Name              string
	OrReplace         bool
	IfNotExists       bool
	ArgNames          []string
	ArgTypes          []string
	CalledOnNullInput bool
	ReturnType        string
	Language          string
	Body              string
}

// String renders the statement as CQL, passwords redacted.
func (s *CreateFunction) String() string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if s.OrReplace {
		b.WriteString("OR REPLACE ")
	}
	b.WriteString("FUNCTION" + ifNotExists(s.IfNotExists) + " " + qualified(s.Keyspace, s.Name) + "(")
	for i := range s.ArgNames {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(s.ArgNames[i]) + " " + s.ArgTypes[i])
	}
	b.WriteString(")")
	if s.CalledOnNullInput {
		b.WriteString(" CALLED")
	} else {
		b.WriteString(" RETURNS NULL")
	}
	b.WriteString(" ON NULL INPUT RETURNS " + s.ReturnType + " LANGUAGE " + s.Language + " AS " + quoteString(s.Body))
	return b.String()
}

// DropKeyspace is DROP KEYSPACE [IF EXISTS] ks.
type DropKeyspace struct {
	Name     string
	IfExists bool
}

// String renders the statement as CQL, passwords redacted.
func (s *DropKeyspace) String() string {
	return "DROP KEYSPACE" + ifExists(s.IfExists) + " " + quoteIdent(s.Name)
}

// DropTable is DROP TABLE [IF EXISTS] [ks.]table. Keyspace is "" when the
// session keyspace applies.
type DropTable struct {
	Keyspace string
	Name     string
	IfExists bool
}

// String renders the statement as CQL, passwords redacted.
func (s *DropTable) String() string {
	return "DROP TABLE" + ifExists(s.IfExists) + " " + qualified(s.Keyspace, s.Name)
}

// DropFunction is DROP FUNCTION [IF EXISTS] [ks.]name [(type, ...)].
// HasArgs records whether an argument list was given (possibly empty).
type DropFunction struct {
	Keyspace string
	Name     string
	ArgTypes []string
	HasArgs  bool
	IfExists bool
}

// String renders the statement as CQL, passwords redacted.
func (s *DropFunction) String() string {
	out := "DROP FUNCTION" + ifExists(s.IfExists) + " " + qualified(s.Keyspace, s.Name)
	if s.HasArgs {
		out += "(" + strings.Join(s.ArgTypes, ", ") + ")"
	}
	return out
}
