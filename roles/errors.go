package roles

import (
	"errors"
	"fmt"
)

// Code is a CQL native-protocol error code. Every error the auth layers
// return to a client carries one, so a CQL server can put it on the wire
// unchanged. The error types live here, in the lowest layer that the
// authenticator, authorizer, DCL and transport layers all import.
type Code int32

// The native-protocol error codes used by the auth layers (Cassandra's
// ExceptionCode).
const (
	CodeServerError    Code = 0x0000 // anything unexpected
	CodeBadCredentials Code = 0x0100 // AuthenticationException
	CodeSyntaxError    Code = 0x2000 // SyntaxException
	CodeUnauthorized   Code = 0x2100 // UnauthorizedException
	CodeInvalid        Code = 0x2200 // InvalidRequestException
	CodeConfigError    Code = 0x2300 // ConfigurationException
)

// String returns Cassandra's name for the code ("UNAUTHORIZED").
func (c Code) String() string {
	switch c {
	case CodeServerError:
		return "SERVER_ERROR"
	case CodeBadCredentials:
		return "BAD_CREDENTIALS"
	case CodeSyntaxError:
		return "SYNTAX_ERROR"
	case CodeUnauthorized:
		return "UNAUTHORIZED"
	case CodeInvalid:
		return "INVALID"
	case CodeConfigError:
		return "CONFIG_ERROR"
	}
	return fmt.Sprintf("Code(0x%04x)", int32(c))
}

// Error is an error a client sees: a native-protocol code and Cassandra's
// message. Err, when set, is the cause (a store failure, say); it is reachable
// through errors.Is/As but not part of the message unless the message says so.
type Error struct {
	Code Code
	Msg  string
	Err  error
}

// Error returns the message the client sees.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnauthorized) (and the other code sentinels)
// match any *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Code sentinels: errors.Is(err, roles.ErrUnauthorized) is true for every
// *Error with that code.
var (
	ErrServer         = &Error{Code: CodeServerError}
	ErrBadCredentials = &Error{Code: CodeBadCredentials}
	ErrSyntax         = &Error{Code: CodeSyntaxError}
	ErrUnauthorized   = &Error{Code: CodeUnauthorized}
	ErrInvalid        = &Error{Code: CodeInvalid}
	ErrConfiguration  = &Error{Code: CodeConfigError}
)

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with code and message msg whose cause is err.
func Wrap(code Code, err error, msg string) *Error {
	return &Error{Code: code, Msg: msg, Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or
// CodeServerError if there is none (an unexpected failure).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeServerError
}
