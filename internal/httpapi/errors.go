package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/dump"
)

// CodeProtocolError is the native-protocol code of Cassandra's
// ProtocolException (PROTOCOL_ERROR, 0x000A). The API uses it for requests
// that are malformed at the HTTP level: bad JSON, unknown fields, wrong
// content type, oversized bodies, unknown routes and methods.
const CodeProtocolError roles.Code = 0x000A

// Messages of the HTTP layer itself (Cassandra has none for these).
const (
	MsgAuthRequired     = "Authentication required: send Authorization: Bearer <token> or HTTP Basic credentials"
	MsgInvalidToken     = "Invalid or expired token"
	MsgBadAuthorization = "Malformed Authorization header"
	// MsgReloadSSLPrefix starts the message of a POST /v1/admin/reloadssl
	// that reloaded nothing; the reason follows.
	MsgReloadSSLPrefix = "Cannot reload the TLS certificates: "
	// MsgReloadSSLFailedPrefix starts the message of a POST
	// /v1/admin/reloadssl whose files could not be loaded; the error
	// follows.
	MsgReloadSSLFailedPrefix = "Cannot reload the TLS certificates, the previous ones stay in use: "
)

// ErrTLSNotConfigured is what a [Config.ReloadTLS] hook returns (wrapped,
// with a reason) when the server has no client TLS to reload; POST
// /v1/admin/reloadssl then answers 409 with CONFIG_ERROR.
var ErrTLSNotConfigured = errors.New("client TLS is not configured")

// Error is an error response of the API: the HTTP status, the
// native-protocol code and the message. The Client returns it for every
// non-2xx answer; Unwrap gives a *roles.Error with the same code and
// message, so errors.Is(err, roles.ErrUnauthorized) and friends work.
type Error struct {
	Status int
	Code   roles.Code
	Msg    string
}

// Error returns "<message> (HTTP <status>, code <code name>)".
func (e *Error) Error() string {
	return fmt.Sprintf("%s (HTTP %d, code %s)", e.Msg, e.Status, codeName(e.Code))
}

// Unwrap returns the error as a *roles.Error.
func (e *Error) Unwrap() error { return &roles.Error{Code: e.Code, Msg: e.Msg} }

// codeName names a native-protocol code, including the two this layer adds
// to package roles' list.
func codeName(c roles.Code) string {
	switch c {
	case CodeProtocolError:
		return "PROTOCOL_ERROR"
	case dcl.CodeAlreadyExists:
		return "ALREADY_EXISTS"
	}
	return c.String()
}

// protocolError returns an HTTP-level error with CodeProtocolError.
func protocolError(status int, format string, args ...any) *Error {
	return &Error{Status: status, Code: CodeProtocolError, Msg: fmt.Sprintf(format, args...)}
}

// invalid returns a 400 with CodeInvalid (Cassandra's InvalidRequest).
func invalid(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: roles.CodeInvalid, Msg: fmt.Sprintf(format, args...)}
}

// toError converts an error of the library into the API error the client
// sees: the code of the *roles.Error in its chain (SERVER_ERROR if none),
// its message, and an HTTP status that keeps "denied" apart from "could not
// decide":
//
//	BAD_CREDENTIALS             401 (503 when authentication could not be performed)
//	UNAUTHORIZED                403 (503 when the decision could not be made)
//	SYNTAX_ERROR, INVALID,
//	CONFIG_ERROR                400
//	ALREADY_EXISTS              409
//	SERVER_ERROR and the rest   500 (503 for a closed store or a cancelled request)
func toError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var ie *dump.InputError
	switch {
	case errors.As(err, &ie):
		return &Error{Status: http.StatusBadRequest, Code: roles.CodeInvalid, Msg: ie.Error()}
	case errors.Is(err, dump.ErrNotEmpty):
		return &Error{Status: http.StatusConflict, Code: roles.CodeInvalid,
			Msg: "The store is not empty: import with merge=true to add to it"}
	}
	code := roles.CodeOf(err)
	msg := err.Error()
	var re *roles.Error
	if errors.As(err, &re) {
		msg = re.Msg
	}
	status := http.StatusInternalServerError
	switch code {
	case roles.CodeBadCredentials:
		status = http.StatusUnauthorized
		if errors.Is(err, authn.ErrUnavailable) {
			status = http.StatusServiceUnavailable
		}
	case roles.CodeUnauthorized:
		status = http.StatusForbidden
		if errors.Is(err, authz.ErrUndecided) {
			status = http.StatusServiceUnavailable
		}
	case roles.CodeSyntaxError, roles.CodeInvalid, roles.CodeConfigError:
		status = http.StatusBadRequest
	case dcl.CodeAlreadyExists:
		status = http.StatusConflict
	default:
		if errors.Is(err, store.ErrClosed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			status = http.StatusServiceUnavailable
		}
	}
	return &Error{Status: status, Code: code, Msg: msg}
}
