package shell

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/internal/app"
	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

// newApp returns the auth subsystem over a fresh memstore with the default
// superuser (bcrypt cost 4).
func newApp(t *testing.T) *app.App {
	t.Helper()
	a, err := app.Build(context.Background(), memstore.New(), app.Options{
		Config: app.ServerConfig(cassauth.Config{BcryptRounds: 4}),
	})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	return a
}

// runShell runs input through a shell over exec and returns stdout,
// stderr and the failure count.
func runShell(t *testing.T, exec Executor, user, input string, hist *History) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	r := NewStreamReader(strings.NewReader(input))
	r.Out, r.Prompt, r.History = &out, true, hist
	sh := &Shell{Reader: r, Out: &out, Err: &errOut, Exec: exec, User: user}
	failed, err := sh.Run(context.Background())
	require.NoError(t, err)
	return out.String(), errOut.String(), failed
}

const session = `CREATE ROLE alice WITH PASSWORD = 'secret'
   AND LOGIN = true;
LIST ROLES;
CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
use shop;
CREATE TABLE orders (id int PRIMARY KEY); GRANT SELECT ON orders TO alice;
GRANT SELECT ON orders TO alice;
DROP ROLE ghost;
LIST ROLES OF
`

// wantOut is what cqlsh would print for session: prompts (the stream
// echoes no input), the table, warnings.
const wantOut = `cassandra@cassauth>    ... cassandra@cassauth> 
 role      | super | login | options | datacenters
-----------+-------+-------+---------+-------------
     alice | False |  True |      {} |         ALL
 cassandra |  True |  True |      {} |         ALL

(2 rows)
cassandra@cassauth> cassandra@cassauth> cassandra@cassauth:shop> cassandra@cassauth:shop> 
Warnings :
Role 'alice' was already granted SELECT on <table shop.orders>

cassandra@cassauth:shop> cassandra@cassauth:shop>    ... `

const wantErr = `InvalidRequest: Error from server: code=2200 [Invalid query] message="ghost doesn't exist"
SyntaxException: Error from server: code=2000 [Syntax error in CQL query] message="line 1:13 mismatched input '<EOF>' expecting IDENT (LIST ROLES OF[])"
`

func TestShellLocal(t *testing.T) {
	a := newApp(t)
	hist, err := OpenHistory(filepath.Join(t.TempDir(), "history"), 0)
	require.NoError(t, err)
	exec := &Local{Env: a.Env, Session: &dcl.Session{User: roles.NewUser("cassandra")}}
	out, errOut, failed := runShell(t, exec, "cassandra", session, hist)
	assert.Equal(t, wantOut, out)
	assert.Equal(t, 2, failed)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, strings.Split(wantErr, "\n")[0], lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "SyntaxException: Error from server: code=2000 [Syntax error in CQL query] message="), lines[1])

	// The history holds every line, with the password masked in the file.
	assert.Equal(t, "CREATE ROLE alice WITH PASSWORD = 'secret'", hist.Lines()[0])
	data, err := os.ReadFile(hist.path)
	require.NoError(t, err)
	assert.Contains(t, string(data), "CREATE ROLE alice WITH PASSWORD = '*******'\n")
	assert.NotContains(t, string(data), "secret")
	again, err := OpenHistory(hist.path, 0)
	require.NoError(t, err)
	assert.Equal(t, 9, again.Len())
}

// TestShellRemote runs the same session through the HTTP API: the output
// is the same.
func TestShellRemote(t *testing.T) {
	a := newApp(t)
	srv, err := httpapi.New(httpapi.Config{Auth: a.Auth, Env: a.Env, Store: a.Store})
	require.NoError(t, err)
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := &httpapi.Client{BaseURL: hs.URL, Username: "cassandra", Password: "cassandra"}
	_, err = c.Login(context.Background())
	require.NoError(t, err)
	out, errOut, failed := runShell(t, &Remote{Client: c}, "cassandra", session, nil)
	assert.Equal(t, wantOut, out)
	assert.Equal(t, 2, failed)
	assert.True(t, strings.HasPrefix(errOut, strings.Split(wantErr, "\n")[0]+"\n"), errOut)
}

func TestShellCommands(t *testing.T) {
	a := newApp(t)
	exec := &Local{Env: a.Env, Session: &dcl.Session{User: roles.NewUser("cassandra")}}
	tests := []struct {
		name, input string
		outHas      []string
		outLacks    []string
		failed      int
	}{
		{"exit stops", "EXIT\nCREATE ROLE x;\n", nil, []string{"(1 rows)"}, 0},
		{"quit with semicolon", "quit;\nLIST ROLES;\n", nil, []string{"(1 rows)"}, 0},
		{"help", "help\n", []string{"LIST PERMISSIONS"}, nil, 0},
		{"exit inside a statement is text", "LIST\nexit\n;\n", nil, nil, 1},
		{"unterminated last statement runs", "LIST ROLES", []string{"(1 rows)"}, nil, 0},
		{"comments only", "-- nothing\n/* still\nnothing; */\n", nil, []string{"rows"}, 0},
		{"two per line", "LIST ROLES; LIST USERS;\n", []string{" role ", " name "}, nil, 0},
		{"semicolon in a string", "CREATE ROLE \"a;b\" WITH PASSWORD = 'x;y';\nLIST ROLES;\n", []string{"a;b"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, failed := runShell(t, exec, "", tt.input, nil)
			for _, s := range tt.outHas {
				assert.Contains(t, out, s)
			}
			for _, s := range tt.outLacks {
				assert.NotContains(t, out, s)
			}
			assert.Equal(t, tt.failed, failed)
			assert.True(t, strings.HasPrefix(out, "cassauth> "), out)
		})
	}
}

func TestShellStopOnError(t *testing.T) {
	a := newApp(t)
	exec := &Local{Env: a.Env, Session: &dcl.Session{User: roles.NewUser("cassandra")}}
	var out, errOut bytes.Buffer
	sh := &Shell{Reader: NewStreamReader(strings.NewReader("DROP ROLE ghost;\nCREATE ROLE x;\n")), Out: &out, Err: &errOut,
		Exec: exec, StopOnError: true}
	failed, err := sh.Run(context.Background())
	assert.ErrorIs(t, err, ErrStatementFailed)
	assert.Equal(t, 1, failed)
	ok, err := a.Env.Roles.IsExistingRole(context.Background(), "x")
	require.NoError(t, err)
	assert.False(t, ok, "nothing runs after the failure")
}

func TestShellContextCancelled(t *testing.T) {
	a := newApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sh := &Shell{Reader: NewStreamReader(strings.NewReader("LIST ROLES;\n")), Out: &bytes.Buffer{}, Err: &bytes.Buffer{},
		Exec: &Local{Env: a.Env, Session: &dcl.Session{User: roles.NewUser("cassandra")}}}
	_, err := sh.Run(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestStreamReaderLongLine(t *testing.T) {
	r := NewStreamReader(strings.NewReader(strings.Repeat("x", maxLineBytes+10) + "\nok\n"))
	_, err := r.ReadLine("")
	assert.ErrorIs(t, err, ErrLineTooLong)
}
