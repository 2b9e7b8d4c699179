package cache

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by [Cache.Get], [Cache.Warm] and [Cache.Reconfigure]
// once [Cache.Close] has been called.
var ErrClosed = errors.New("cache: closed")

// ErrInvalidOptions is returned, wrapped with the name of the offending field,
// by [New] and [Cache.Reconfigure] when the options or settings cannot be
// used (a missing loader, a negative size). Match it with [errors.Is].
var ErrInvalidOptions = errors.New("cache: invalid options")

// PanicError is the error a [Cache.Get] (and every caller waiting on the same
// load) receives when the loader panics. The cache recovers the panic so
// that a faulty loader can neither crash a background refresh nor leave the
// callers sharing its load waiting forever.
type PanicError struct {
	// Value is the value passed to panic.
	Value any
	// Stack is the loader goroutine's stack at the time of the panic.
	Stack []byte
}

// Error reports the panic value; the stack is left to the caller.
func (e *PanicError) Error() string {
	return fmt.Sprintf("cache: loader panicked: %v", e.Value)
}

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidOptions, field, fmt.Sprintf(format, args...))
}
