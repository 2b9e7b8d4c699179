package dcl

import (
	"errors"
	"fmt"

	"github.com/cassauth/cassauth/roles"
)

// CodeAlreadyExists is the native-protocol code of Cassandra's
// AlreadyExistsException (ALREADY_EXISTS, 0x2400), which CREATE KEYSPACE and
// CREATE TABLE return for an existing object. The [*roles.Error] carrying it
// wraps an [*AlreadyExistsError] with the keyspace and table the ERROR
// response needs.
const CodeAlreadyExists roles.Code = 0x2400

// Sentinel errors, reachable with [errors.Is] from the [*roles.Error] values
// the package returns.
var (
	// ErrSyntax: the statement text could not be parsed. The error also
	// holds a [*SyntaxError] with the position.
	ErrSyntax = errors.New("syntax error")

	// ErrNoCatalog: a schema statement (CREATE/DROP KEYSPACE, TABLE,
	// FUNCTION) was given but [Env].Schema does not accept declarations
	// (it is nil or does not implement [Catalog]).
	ErrNoCatalog = errors.New("no schema catalog accepts declarations")

	// ErrEnv: the [Env] given to [Execute] lacks a required part.
	ErrEnv = errors.New("incomplete dcl environment")

	// ErrUnsupportedStatement: a valid CQL statement that this package
	// does not execute (SELECT, INSERT, ALTER TABLE, CREATE INDEX, ...), so
	// that a server can route the text elsewhere. The error carries
	// roles.CodeInvalid and "Unsupported statement: <first words>".
	ErrUnsupportedStatement = errors.New("statement not handled by dcl")
)

// SyntaxError describes a statement the parser rejected: where, and
// Cassandra's message. [Parse] and [Execute] return it wrapped in a
// [*roles.Error] with [roles.CodeSyntaxError] whose message is Msg, so a CQL
// server can send it unchanged; find it with [errors.As] to read the
// position.
//
// Messages of ANTLR-detected errors start with "line L:C" (as Cassandra's
// do) and end with a snippet of the query with the offending token in
// brackets; the semantic errors Cassandra's grammar raises ("Multiple
// definition for property 'PASSWORD'", "Resource type DataResource does not
// support any of the requested permissions", ...) carry Cassandra's exact
// text and no prefix.
type SyntaxError struct {
	// Statement is the 0-based index, among the statements of the text,
	// of the statement that failed.
	Statement int
	// Line is the 1-based line of the offending token.
	Line int
	// Column is the 0-based column of the offending token, counted in
	// Unicode code points, as ANTLR's charPositionInLine.
	Column int
	// Offset is the byte offset of the offending token in the text.
	Offset int
	// Near is the offending token as written, or "<EOF>".
	Near string
	// Msg is the full message.
	Msg string
}

// Error returns Msg.
func (e *SyntaxError) Error() string { return e.Msg }

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// AlreadyExistsError is the cause of a [CodeAlreadyExists] error: the
// keyspace and, for a table, the table that exist already (the fields of
// Cassandra's ALREADY_EXISTS response; Table is "" for a keyspace).
type AlreadyExistsError struct {
	Keyspace string
	Table    string
}

// Error returns Cassandra's message for the object.
func (e *AlreadyExistsError) Error() string {
	if e.Table == "" {
		return fmt.Sprintf("Cannot add existing keyspace \"%s\"", e.Keyspace)
	}
	return fmt.Sprintf("Cannot add already existing table \"%s\" to keyspace \"%s\"", e.Table, e.Keyspace)
}

// alreadyExists returns the client error for an existing keyspace or table.
func alreadyExists(ks, table string) error {
	cause := &AlreadyExistsError{Keyspace: ks, Table: table}
	return roles.Wrap(CodeAlreadyExists, cause, cause.Error())
}

// invalid returns an InvalidRequest error with a formatted message.
func invalid(format string, args ...any) error {
	return roles.Errorf(roles.CodeInvalid, format, args...)
}

// unauthorized returns an Unauthorized error with a formatted message.
func unauthorized(format string, args ...any) error {
	return roles.Errorf(roles.CodeUnauthorized, format, args...)
}

// syntaxErr wraps e as the client error.
func syntaxErr(e *SyntaxError) error {
	return roles.Wrap(roles.CodeSyntaxError, e, e.Msg)
}
