package store

import "errors"

// Sentinel errors of the storage contract. Backends return them wrapped (in
// an [*Error] or with %w) so callers match them with [errors.Is].
var (
	// ErrNotFound: the role, identity or CIDR group does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a role or identity with that key already exists.
	ErrExists = errors.New("already exists")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store closed")
	// ErrInvalid: the backend rejected a malformed record (empty role name,
	// invalid permission bits, ...). Nothing was written.
	ErrInvalid = errors.New("invalid record")
)

// Error is the structured error of the storage contract: which operation on
// which key failed, and why. Err is a sentinel of this package, a backend's
// native error, or both joined; [errors.Is] and [errors.As] reach all of them.
type Error struct {
	Op  string // the method, e.g. "GetRole"
	Key string // the role, resource or identity concerned
	Err error
}

// Error formats the operation, key and cause.
func (e *Error) Error() string {
	if e.Key == "" {
		return "store: " + e.Op + ": " + e.Err.Error()
	}
	return "store: " + e.Op + " " + e.Key + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errorf is a helper for backends: it returns &Error{op, key, err}, or nil
// when err is nil.
func Errorf(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Key: key, Err: err}
}
