package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cassauth/cassauth/store"
)

// Sentinel errors of this backend, in addition to those of package store.
// They are returned wrapped in a [*store.Error]; match them with
// [errors.Is].
var (
	// ErrUnsupportedVersion: the schema was created or migrated by a newer
	// cassauth (its schema_version is above [SchemaVersion]). Open leaves
	// it untouched.
	ErrUnsupportedVersion = errors.New("unsupported schema version")
	// ErrCorrupt: the database holds something this package does not write
	// (a schema with tables but no schema_version, a table missing, a
	// permission name it does not know). Callers must fail closed.
	ErrCorrupt = errors.New("corrupt store schema")
)

// SQLSTATE codes the store acts on.
const (
	codeUniqueViolation      = "23505"
	codeCheckViolation       = "23514"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeProgramLimitExceeded = "54000" // e.g. a key too long for a btree index
)

// opErr wraps err in the contract's error type; an err that already is a
// *store.Error is returned as it is.
func opErr(op, key string, err error) error {
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	return &store.Error{Op: op, Key: key, Err: err}
}

// invalid returns an error wrapping store.ErrInvalid with the reason.
func invalid(op, key, why string) error {
	return &store.Error{Op: op, Key: key, Err: fmt.Errorf("%w: %s", store.ErrInvalid, why)}
}

// corrupt returns an error wrapping ErrCorrupt with what is wrong.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// classify adds to err, a failure of a statement run under ctx, the
// sentinel callers match: the context's error when ctx is done (and then
// nothing else, so that a cut-off call is never taken for an answer),
// store.ErrExists for a unique violation, store.ErrInvalid for data
// PostgreSQL rejects. err stays reachable with errors.Is and errors.As,
// *pgconn.PgError included.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return err
		}
		return fmt.Errorf("%w: %w", cerr, err)
	}
	for _, s := range []error{store.ErrExists, store.ErrInvalid, store.ErrNotFound, store.ErrClosed, ErrCorrupt, ErrUnsupportedVersion} {
		if errors.Is(err, s) {
			return err
		}
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	switch {
	case pg.Code == codeUniqueViolation:
		return fmt.Errorf("%w: %w", store.ErrExists, err)
	case pg.Code == codeCheckViolation, pg.Code == codeProgramLimitExceeded, strings.HasPrefix(pg.Code, "22"):
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	return err
}

// retryable reports whether err is a transient conflict after which the
// whole transaction may be run again.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == codeSerializationFailure || pg.Code == codeDeadlockDetected)
}
