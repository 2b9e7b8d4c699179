package dump

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors. Every error about the input is an [*InputError] whose Err
// is one of these (or, for resource names and permissions, the error of
// package resource, which wraps [resource.ErrInvalidName] or
// [resource.ErrUnknownPermission]); match them with [errors.Is].
var (
	// ErrMalformed: the input is not well-formed: broken JSON or CSV, a
	// value of the wrong type, a missing field or column, a bad boolean, a
	// malformed set or tuple, an invalid CIDR.
	ErrMalformed = errors.New("malformed input")
	// ErrDuplicate: two rows have the same key (role, (role, resource),
	// identity, CIDR group, schema object).
	ErrDuplicate = errors.New("duplicate row")
	// ErrInconsistent: rows contradict each other: a membership names a role
	// that is defined nowhere, memberships form a cycle, or role_members and
	// roles.member_of disagree.
	ErrInconsistent = errors.New("inconsistent rows")
	// ErrUnsupportedVersion: the dump's format version is newer than this
	// package reads.
	ErrUnsupportedVersion = errors.New("unsupported dump version")
	// ErrNotEmpty: Import without [ImportOptions].Merge found data in the
	// target store. Nothing was written.
	ErrNotEmpty = errors.New("store is not empty")
)

// Location says where in the input a row or value comes from.
type Location struct {
	// File is the input's name: a CSV file name such as "roles.csv" or
	// [ImportOptions].Name for a JSON dump.
	File string
	// Line is the 1-based line, or 0 when unknown. For CSV it is the line
	// the record starts on (or, for a syntax error, the line of the error).
	Line int
	// Column is the 1-based column in characters, in JSON input; 0 for CSV,
	// where Field names the column instead.
	Column int
	// Field is the CSV column name, or the JSON path of the value such as
	// "grants[3].resource"; "" when the whole row or document is meant.
	Field string
}

// String formats l as "file:line:column: field", leaving out what is unknown.
func (l Location) String() string {
	s := l.File
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
		if l.Column > 0 {
			s += ":" + strconv.Itoa(l.Column)
		}
	}
	if l.Field != "" {
		if s != "" {
			s += ": "
		}
		s += l.Field
	}
	return s
}

// InputError reports a problem with the input and where it is. Import and
// ImportCassandraCSV return the first one they find, before writing anything.
type InputError struct {
	Location
	Msg string // what is wrong, e.g. `unknown permission "SELEKT"`
	Err error  // a sentinel of this package or an error of package resource
}

// Error formats the error as "dump: file:line:column: field: message".
func (e *InputError) Error() string {
	return "dump: " + e.Location.String() + ": " + e.Msg
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Warning is something an import accepted but the caller should know about,
// such as a role_members row left behind by Cassandra's DROP ROLE.
type Warning struct {
	Location
	Msg string
}

// String formats the warning like an [InputError].
func (w Warning) String() string { return w.Location.String() + ": " + w.Msg }

// WriteError reports a store write that failed after the input had been
// validated. The store has no transaction across tables, so it then holds
// the rows listed in Written and nothing after them; the row that failed is
// at Location.
type WriteError struct {
	Location
	Op      string  // the store method that failed, e.g. "AddPermissions"
	Key     string  // the key written, e.g. "app on data/ks/t"
	Written Summary // what had been written before the failure
	Err     error   // the store's error
}

// Error says which row failed, how, and how many rows had been written.
func (e *WriteError) Error() string {
	return fmt.Sprintf("dump: %s: %s %s failed after %d rows were written (the store holds a partial import): %v",
		e.Location.String(), e.Op, e.Key, e.Written.Rows(), e.Err)
}

// Unwrap returns the store's error.
func (e *WriteError) Unwrap() error { return e.Err }

// inputErr builds an *InputError.
func inputErr(loc Location, err error, format string, args ...any) *InputError {
	return &InputError{Location: loc, Msg: fmt.Sprintf(format, args...), Err: err}
}
