package shell

import (
	"context"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/internal/httpapi"
)

// Executor runs one statement for the shell and knows the session
// keyspace (for the prompt). Implementations need not be safe for
// concurrent use: a shell runs one statement at a time.
type Executor interface {
	// Execute runs the statement text and returns its results. Errors
	// carry a native-protocol code (a *roles.Error in their chain) when the
	// statement failed, and none when it could not be run at all.
	Execute(ctx context.Context, statement string) ([]dcl.Result, error)
	// Keyspace returns the session keyspace, "" for none.
	Keyspace() string
}

// Local runs statements in process, against a data directory opened by the
// program, as the session's user.
type Local struct {
	Env     *dcl.Env
	Session *dcl.Session
}

// Execute runs statement with dcl.Execute.
func (l *Local) Execute(ctx context.Context, statement string) ([]dcl.Result, error) {
	return dcl.Execute(ctx, l.Env, l.Session, statement)
}

// Keyspace returns the session keyspace.
func (l *Local) Keyspace() string { return l.Session.Keyspace }

// Remote runs statements on a server through its HTTP API.
type Remote struct {
	Client *httpapi.Client
}

// Execute sends statement to POST /v1/execute.
func (r *Remote) Execute(ctx context.Context, statement string) ([]dcl.Result, error) {
	res, err := r.Client.Execute(ctx, statement)
	if err != nil {
		return nil, err
	}
	return []dcl.Result{res}, nil
}

// Keyspace returns the session keyspace the server last reported.
func (r *Remote) Keyspace() string { return r.Client.Keyspace }
