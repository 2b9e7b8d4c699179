package httpapi

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// The bodies the API exchanges. Server and Client use the same types, so the
// two cannot drift apart; README.md documents them for other clients.

// AuthenticateRequest is the body of POST /v1/authenticate. It redacts the
// password in fmt and slog output.
type AuthenticateRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// String returns the request with the password redacted.
func (r AuthenticateRequest) String() string {
	return fmt.Sprintf("{username: %q, password: <redacted>}", r.Username)
}

// GoString returns the request with the password redacted, for %#v.
func (r AuthenticateRequest) GoString() string { return "httpapi.AuthenticateRequest" + r.String() }

// LogValue makes slog print the request with the password redacted.
func (r AuthenticateRequest) LogValue() slog.Value { return slog.StringValue(r.String()) }

// AuthenticateResponse is the body of a successful POST /v1/authenticate: the
// authenticated role, a bearer token for the next calls and when it expires.
// It redacts the token in fmt and slog output.
type AuthenticateResponse struct {
	Role      string    `json:"role"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	// ExpiresIn is the token's lifetime in whole seconds from the response.
	ExpiresIn int64 `json:"expires_in"`
}

// String returns the response with the token redacted.
func (r AuthenticateResponse) String() string {
	return fmt.Sprintf("{role: %q, token: <redacted>, expires_at: %s}", r.Role, r.ExpiresAt.Format(time.RFC3339))
}

// GoString returns the response with the token redacted, for %#v.
func (r AuthenticateResponse) GoString() string { return "httpapi.AuthenticateResponse" + r.String() }

// LogValue makes slog print the response with the token redacted.
func (r AuthenticateResponse) LogValue() slog.Value { return slog.StringValue(r.String()) }

// ExecuteRequest is the body of POST /v1/execute: one statement, and the
// session keyspace to run it in ("" for none; USE returns a new one).
type ExecuteRequest struct {
	Statement string `json:"statement"`
	Keyspace  string `json:"keyspace,omitempty"`
}

// ExecuteResponse is the body of a successful POST /v1/execute, shaped like
// the native protocol's RESULT: Kind is "Void", "Rows", "Set_keyspace" or
// "Schema_change". Columns and Types are parallel (names and CQL types);
// each row holds one value per column: a JSON string (text), boolean, or
// object of strings (map<text, text>). Columns, Types and Rows are empty
// arrays, never null, when there are no rows. Keyspace is the session
// keyspace after the statement, which the caller passes back with the next
// one.
type ExecuteResponse struct {
	Kind         string        `json:"kind"`
	Keyspace     string        `json:"keyspace,omitempty"`
	Table        string        `json:"table,omitempty"`
	Columns      []string      `json:"columns"`
	Types        []string      `json:"types"`
	Rows         [][]any       `json:"rows"`
	Warnings     []string      `json:"warnings,omitempty"`
	SchemaChange *SchemaChange `json:"schema_change,omitempty"`
}

// SchemaChange describes a CREATE or DROP of a keyspace, table or function
// declared in the server's catalog.
type SchemaChange struct {
	Change   string   `json:"change"`
	Target   string   `json:"target"`
	Keyspace string   `json:"keyspace"`
	Name     string   `json:"name,omitempty"`
	ArgTypes []string `json:"arg_types,omitempty"`
}

// CheckRequest is the body of POST /v1/check: may Role hold Permission on
// Resource (a canonical name such as "data/ks/t")? An empty Role means the
// caller's own role. Explain, when false, skips the explanation (the
// decision then comes straight from the permissions cache).
type CheckRequest struct {
	Role       string `json:"role,omitempty"`
	Permission string `json:"permission"`
	Resource   string `json:"resource"`
	Explain    *bool  `json:"explain,omitempty"`
}

// CheckResponse is the body of a successful POST /v1/check. Explanation is
// the access check's explanation (package authz's Explanation as JSON:
// allowed, reason, user, permission, resource, resource_name, roles,
// grants, consulted, message), absent when not asked for.
type CheckResponse struct {
	Allowed     bool            `json:"allowed"`
	Explanation json.RawMessage `json:"explanation,omitempty"`
}

// ErrorBody is the body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is an error: the native-protocol code of Cassandra's exception
// (256 for bad credentials, 8448 unauthorized, 8704 invalid, ...), its name,
// and Cassandra's message.
type ErrorDetail struct {
	Code    int32  `json:"code"`
	Name    string `json:"name"`
	Message string `json:"message"`
}

// ImportSummary is the body of a successful POST /v1/import: the rows
// written, table by table, and the import's warnings.
type ImportSummary struct {
	Roles           int      `json:"roles"`
	Memberships     int      `json:"memberships"`
	Grants          int      `json:"grants"`
	Network         int      `json:"network"`
	CIDRPermissions int      `json:"cidr_permissions"`
	CIDRGroups      int      `json:"cidr_groups"`
	Identities      int      `json:"identities"`
	SchemaObjects   int      `json:"schema_objects"`
	Warnings        []string `json:"warnings,omitempty"`
}

// Rows returns the total number of rows written.
func (s ImportSummary) Rows() int {
	return s.Roles + s.Memberships + s.Grants + s.Network + s.CIDRPermissions + s.CIDRGroups + s.Identities + s.SchemaObjects
}

// HealthResponse is the body of GET /healthz.
type HealthResponse struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// ReloadSSLResponse is the body of a successful POST /v1/admin/reloadssl:
// Reloaded is true once the certificate, key and CA files were read and
// are the ones new CQL connections get (files that did not change leave
// the certificates as they were; connections already open keep theirs).
type ReloadSSLResponse struct {
	Reloaded bool `json:"reloaded"`
}
