package transport

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/roles"
)

// Handler runs the statements of authenticated connections: QUERY,
// PREPARE and EXECUTE. The server calls it only once the connection is
// READY (logged in, or authentication off), each request in its own
// goroutine: implementations are safe for concurrent use, also for calls
// with the same Session.
//
// Results are the RESULT kinds of this package ([*VoidResult],
// [*RowsResult], [*SetKeyspaceResult], [*SchemaChangeResult]; PREPARE
// returns a [*PreparedResult]), optionally wrapped by [WithWarnings]. Row
// cells are serialized as [Marshal] does (protocol v3 and later); the
// server converts them for v1 clients. A Set_keyspace result also sets the
// session keyspace. An error becomes an ERROR response (see
// [ErrorResponseFor]): a [*roles.Error] gives its code and message, an
// [*ErrorResponse] is sent as is, an [*UnpreparedError] gives
// Unprepared (0x2500) with the id, anything else a Server_error. Never
// return protocol errors (0x000A) for statements: the Python driver drops
// the connection on them.
//
// [NewHandler] returns cassauth's own handler (DCL, USE, the system and
// auth tables), which passes whatever it does not handle to an embedding
// server's handler.
type Handler interface {
	// Query runs a QUERY.
	Query(ctx context.Context, sess *Session, q *Query) (Result, error)
	// Prepare prepares a statement; the id in the result is what EXECUTE
	// will carry, on this or any other connection.
	Prepare(ctx context.Context, sess *Session, p *Prepare) (*PreparedResult, error)
	// Execute runs a prepared statement; an unknown id is an
	// [*UnpreparedError], after which drivers prepare again.
	Execute(ctx context.Context, sess *Session, e *Execute) (Result, error)
}

// BatchHandler is an optional capability of a [Handler]: running BATCH.
// Without it the server answers a BATCH with Cassandra's message for
// statements that may not be batched (Invalid, 0x2200).
type BatchHandler interface {
	Handler
	Batch(ctx context.Context, sess *Session, b *Batch) (Result, error)
}

// MsgInvalidBatch is Cassandra's message for a BATCH holding statements
// other than INSERT, UPDATE and DELETE (DCL, SELECT, ...).
const MsgInvalidBatch = "Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed."

// warningsResult is a result with client warnings.
type warningsResult struct {
	Result
	warnings []string
}

// WithWarnings returns r with client warnings (Cassandra's ClientWarn),
// sent in the response's warnings field on protocol v4 and later and
// dropped for earlier versions. It returns r itself when there are none.
func WithWarnings(r Result, warnings ...string) Result {
	if len(warnings) == 0 || r == nil {
		return r
	}
	return &warningsResult{Result: r, warnings: warnings}
}

// unwrapWarnings splits a handler's result into the message and warnings.
func unwrapWarnings(r Result) (Result, []string) {
	if w, ok := r.(*warningsResult); ok {
		return w.Result, w.warnings
	}
	return r, nil
}

// UnpreparedError is what a [Handler] returns for an EXECUTE of an unknown
// prepared id. The server sends ERROR Unprepared (0x2500) with the id,
// which both drivers answer by preparing again.
type UnpreparedError struct {
	ID []byte
}

// Error returns Cassandra's message for an unknown prepared id.
func (e *UnpreparedError) Error() string {
	return fmt.Sprintf("Prepared query with ID %s not found (either the query was not prepared on this host (maybe the host has been restarted?) or you have prepared too many queries and it has been evicted from the internal cache)", hex.EncodeToString(e.ID))
}

// ErrorResponseFor returns the ERROR response the server sends for a
// handler's error err:
//   - an [*ErrorResponse] anywhere in err's chain is sent as is;
//   - an [*UnpreparedError] gives Unprepared (0x2500) with its id;
//   - a [*roles.Error] gives its code and message (the [dcl] package's
//     Already_exists errors also carry the keyspace and table);
//   - anything else gives Server_error (0x0000) with err's text.
func ErrorResponseFor(err error) *ErrorResponse {
	var er *ErrorResponse
	if errors.As(err, &er) {
		c := *er
		return &c
	}
	var ue *UnpreparedError
	if errors.As(err, &ue) {
		return &ErrorResponse{Code: CodeUnprepared, Message: ue.Error(), UnpreparedID: ue.ID}
	}
	var re *roles.Error
	if errors.As(err, &re) {
		resp := &ErrorResponse{Code: ErrorCode(re.Code), Message: re.Msg}
		if resp.Code == CodeAlreadyExists {
			var ae *dcl.AlreadyExistsError
			if errors.As(err, &ae) {
				resp.Keyspace, resp.Table = ae.Keyspace, ae.Table
			}
		}
		return resp
	}
	return &ErrorResponse{Code: CodeServerError, Message: err.Error()}
}

// invalidf returns an Invalid (0x2200) error with Cassandra's message.
func invalidf(format string, args ...any) error {
	return roles.Errorf(roles.CodeInvalid, format, args...)
}

// syntaxf returns a Syntax_error (0x2000) with a message.
func syntaxf(format string, args ...any) error {
	return roles.Errorf(roles.CodeSyntaxError, format, args...)
}
