package boltstore

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/cassauth/cassauth/store"
)

// Sentinel errors of this backend, in addition to those of package store.
// They are returned wrapped in a [*store.Error], so callers match them with
// [errors.Is]; the bbolt error behind a failure, when there is one, stays
// reachable the same way.
var (
	// ErrLocked: Open could not take the file lock within Options.Timeout
	// because another process (or another Store in this process) has the
	// file open. The error also wraps bbolt's errors.ErrTimeout.
	ErrLocked = errors.New("file is locked")
	// ErrUnsupportedVersion: the file was written in a format version newer
	// than this build understands. The file is left untouched.
	ErrUnsupportedVersion = errors.New("unsupported format version")
	// ErrCorrupt: the file, or a record in it, is not what this package
	// writes (a bbolt file that fails its checks, a value that does not
	// decode, tables that disagree). Callers must fail closed.
	ErrCorrupt = errors.New("corrupt store file")
)

// errNoChange is returned from a write transaction's body to roll it back
// when the write changes nothing, so that no commit (and no fsync) happens.
// It never leaves the package.
var errNoChange = errors.New("boltstore: no change")

// opErr wraps err in the contract's error type. An err that already is a
// *store.Error is returned as it is.
func opErr(op, key string, err error) error {
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	return &store.Error{Op: op, Key: key, Err: mapBolt(err)}
}

// invalid returns an error wrapping store.ErrInvalid with the reason.
func invalid(op, key, why string) error {
	return &store.Error{Op: op, Key: key, Err: fmt.Errorf("%w: %s", store.ErrInvalid, why)}
}

// corrupt returns an error wrapping ErrCorrupt with what is wrong.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// mapBolt adds the contract's sentinel to the bbolt errors that have one,
// keeping bbolt's error reachable with errors.Is and errors.As.
func mapBolt(err error) error {
	switch {
	case errors.Is(err, store.ErrClosed), errors.Is(err, ErrCorrupt), errors.Is(err, store.ErrInvalid):
		return err
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return fmt.Errorf("%w (%w)", store.ErrClosed, err)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	case errors.Is(err, berrors.ErrKeyTooLarge), errors.Is(err, berrors.ErrValueTooLarge),
		errors.Is(err, berrors.ErrKeyRequired):
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	return err
}

// checkKey returns an error wrapping store.ErrInvalid (and bbolt's
// ErrKeyTooLarge) when k cannot be a bbolt key.
func checkKey(op, key string, k []byte) error {
	if len(k) > bolt.MaxKeySize {
		return &store.Error{Op: op, Key: key, Err: fmt.Errorf("%w: key of %d bytes exceeds bbolt's limit of %d: %w",
			store.ErrInvalid, len(k), bolt.MaxKeySize, berrors.ErrKeyTooLarge)}
	}
	return nil
}
