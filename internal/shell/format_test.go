package shell

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/roles"
)

func TestPrintResult(t *testing.T) {
	tests := []struct {
		name string
		res  dcl.Result
		want string
	}{
		{"void", dcl.Result{Kind: dcl.ResultVoid}, ""},
		{"warnings only", dcl.Result{Kind: dcl.ResultVoid, Warnings: []string{"w1", "w2"}}, "\nWarnings :\nw1\n\nw2\n\n"},
		{"unicode widths", dcl.Result{Kind: dcl.ResultRows,
			Columns: []dcl.Column{{Name: "role", Type: dcl.TypeText}, {Name: "options", Type: dcl.TypeTextMap}},
			Rows:    [][]any{{"héloïse", map[string]string{"b": "2", "a": "it's"}}, {"x", map[string]string{}}}},
			"\n role    | options\n---------+--------------------------\n héloïse | {'a': 'it''s', 'b': '2'}\n       x |                       {}\n\n(2 rows)\n"},
		{"short header is padded then trimmed", dcl.Result{Kind: dcl.ResultRows,
			Columns: []dcl.Column{{Name: "r", Type: dcl.TypeText}, {Name: "s", Type: dcl.TypeBoolean}},
			Rows:    [][]any{{"alice", true}}},
			"\n r     | s\n-------+------\n alice | True\n\n(1 rows)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, PrintResult(&b, tt.res))
			assert.Equal(t, tt.want, b.String())
		})
	}
}

func TestFormatError(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{roles.Errorf(roles.CodeInvalid, "ghost doesn't exist"), `InvalidRequest: Error from server: code=2200 [Invalid query] message="ghost doesn't exist"`},
		{roles.Errorf(roles.CodeUnauthorized, "no"), `Unauthorized: Error from server: code=2100 [Unauthorized] message="no"`},
		{roles.Errorf(roles.CodeSyntaxError, "line 1:0"), `SyntaxException: Error from server: code=2000 [Syntax error in CQL query] message="line 1:0"`},
		{roles.Errorf(roles.CodeConfigError, "c"), `ConfigurationException: Error from server: code=2300 [Query invalid because of configuration issue] message="c"`},
		{roles.Errorf(dcl.CodeAlreadyExists, "e"), `AlreadyExists: Error from server: code=2400 [Already exists] message="e"`},
		{roles.Errorf(roles.CodeBadCredentials, "b"), `AuthenticationFailed: Error from server: code=0100 [Bad credentials] message="b"`},
		{&httpapi.Error{Status: 413, Code: httpapi.CodeProtocolError, Msg: "too big"}, `ProtocolException: Error from server: code=000a [Protocol error] message="too big"`},
		{fmt.Errorf("wrapped: %w", roles.Errorf(roles.CodeServerError, "boom")), `ServerError: Error from server: code=0000 [Server error] message="boom"`},
		{errors.New("dial tcp: connection refused"), "ConnectionError: dial tcp: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatError(tt.err))
		})
	}
}

func TestMaskPasswords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CREATE ROLE a WITH PASSWORD = 'secret' AND LOGIN = true;", "CREATE ROLE a WITH PASSWORD = '*******' AND LOGIN = true;"},
		{"alter user a with password 'it''s';", "alter user a with password '*******';"},
		{"CREATE ROLE a WITH HASHED PASSWORD = '$2a$10$x';", "CREATE ROLE a WITH HASHED PASSWORD = '*******';"},
		{"CREATE ROLE a WITH PASSWORD = $$p'w$$;", "CREATE ROLE a WITH PASSWORD = '*******';"},
		{"WITH PASSWORD = 'a' AND password = 'b'", "WITH PASSWORD = '*******' AND password = '*******'"},
		{"CREATE ROLE a WITH PASSWORD = 'unterminated", "CREATE ROLE a WITH PASSWORD = '*******'"},
		{"-- passwords are secret", "-- passwords are secret"},
		{"LIST ROLES;", "LIST ROLES;"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, MaskPasswords(tt.in), tt.in)
	}
}
