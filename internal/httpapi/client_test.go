package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/roles"
)

func TestClient(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	c := &Client{BaseURL: e.http.URL, Username: "cassandra", Password: "cassandra"}
	assert.NotContains(t, c.String(), "cassandra\", Password: \"cassandra")
	assert.NotContains(t, c.GoString(), `"cassandra"}`)

	// Basic auth until Login.
	res, err := c.Execute(ctx, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
	require.NoError(t, err)
	assert.Equal(t, dcl.ResultVoid, res.Kind)

	ar, err := c.Login(ctx)
	require.NoError(t, err)
	assert.Equal(t, "cassandra", ar.Role)
	assert.Equal(t, ar.Token, c.Token)

	res, err = c.Execute(ctx, "LIST ROLES")
	require.NoError(t, err)
	assert.Equal(t, dcl.ResultRows, res.Kind)
	assert.Equal(t, []any{"alice", false, true, map[string]string{}, "ALL"}, res.Rows[0])

	_, err = c.Execute(ctx, "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
	require.NoError(t, err)
	res, err = c.Execute(ctx, "USE ks")
	require.NoError(t, err)
	assert.Equal(t, dcl.ResultSetKeyspace, res.Kind)
	assert.Equal(t, "ks", c.Keyspace)
	_, err = c.Execute(ctx, "CREATE TABLE t (id int PRIMARY KEY)")
	require.NoError(t, err, "the session keyspace is sent back")

	_, err = c.Execute(ctx, "DROP ROLE ghost")
	var ae *Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.Status)
	assert.Equal(t, "ghost doesn't exist", ae.Msg)
	assert.ErrorIs(t, err, roles.ErrInvalid)
	assert.Equal(t, "ghost doesn't exist (HTTP 400, code INVALID)", err.Error())

	cr, err := c.Check(ctx, CheckRequest{Role: "alice", Permission: "SELECT", Resource: "data/ks/t"})
	require.NoError(t, err)
	assert.False(t, cr.Allowed)
	assert.Contains(t, string(cr.Explanation), "User alice has no SELECT permission on <table ks.t> or any of its parents")

	bad := &Client{BaseURL: e.http.URL, Username: "cassandra", Password: "wrong"}
	_, err = bad.Login(ctx)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 401, ae.Status)
	assert.ErrorIs(t, err, roles.ErrBadCredentials)
}

func TestExportImport(t *testing.T) {
	src := newEnv(t, envOptions{})
	ctx := context.Background()
	c := &Client{BaseURL: src.http.URL, Username: "cassandra", Password: "cassandra"}
	for _, s := range []string{
		"CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
		"CREATE ROLE reader",
		"GRANT SELECT ON KEYSPACE shop TO reader",
		"CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true",
		"GRANT reader TO alice",
	} {
		_, err := c.Execute(ctx, s)
		require.NoError(t, err, s)
	}
	var calls int
	var dumpBuf bytes.Buffer
	n, err := c.Export(ctx, &dumpBuf, func(done, total int64) {
		calls++
		assert.LessOrEqual(t, done, total)
	})
	require.NoError(t, err)
	assert.Equal(t, int64(dumpBuf.Len()), n)
	assert.Positive(t, calls)
	assert.Contains(t, dumpBuf.String(), `"format": "cassauth-dump"`)

	// Non-superusers may neither export nor import.
	alice := &Client{BaseURL: src.http.URL, Username: "alice", Password: "pw"}
	_, err = alice.Export(ctx, io.Discard, nil)
	var ae *Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 403, ae.Status)
	assert.Equal(t, "Only superusers may export the store", ae.Msg)
	_, err = alice.ImportDump(ctx, bytes.NewReader(dumpBuf.Bytes()), int64(dumpBuf.Len()), true, nil)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 403, ae.Status)

	// Into a server whose store holds only its default superuser: without
	// merge it is refused, with merge it is added.
	dst := newEnv(t, envOptions{})
	dc := &Client{BaseURL: dst.http.URL, Username: "cassandra", Password: "cassandra"}
	_, err = dc.ImportDump(ctx, bytes.NewReader(dumpBuf.Bytes()), int64(dumpBuf.Len()), false, nil)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 409, ae.Status)
	sum, err := dc.ImportDump(ctx, bytes.NewReader(dumpBuf.Bytes()), int64(dumpBuf.Len()), true, func(int64, int64) {})
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Roles)
	assert.Equal(t, 1, sum.Memberships)
	assert.Equal(t, 5, sum.Grants, "reader's grant and the creator's automatic grants")
	assert.Equal(t, 1, sum.SchemaObjects)
	cr, err := dc.Check(ctx, CheckRequest{Role: "alice", Permission: "SELECT", Resource: "data/shop"})
	require.NoError(t, err)
	assert.True(t, cr.Allowed, "the imported grant is seen at once")
	ac := &Client{BaseURL: dst.http.URL, Username: "alice", Password: "pw"}
	_, err = ac.Login(ctx)
	require.NoError(t, err, "the imported hash logs in")

	// Bad input changes nothing.
	before := dst.roleNames()
	bad := strings.Replace(dumpBuf.String(), `"SELECT"]`, `"SELEKT"]`, 1)
	bad = strings.ReplaceAll(bad, `"alice"`, `"zed"`)
	_, err = dc.ImportDump(ctx, strings.NewReader(bad), int64(len(bad)), true, nil)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.Status)
	assert.Contains(t, ae.Msg, `unknown permission "SELEKT"`)
	assert.Equal(t, before, dst.roleNames())
}

func TestImportCassandraCSV(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	write("roles.csv", "role,can_login,is_superuser,member_of,salted_hash\nbob,True,False,{'staff'},\nstaff,False,False,,\n")
	write("role_permissions.csv", "role,resource,permissions\nstaff,data/shop,{'SELECT'}\n")
	c := &Client{BaseURL: e.http.URL, Username: "cassandra", Password: "cassandra"}
	sum, err := c.ImportCassandraDir(ctx, dir, true, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Roles)
	assert.Equal(t, 1, sum.Grants)
	cr, err := c.Check(ctx, CheckRequest{Role: "bob", Permission: "SELECT", Resource: "data/shop/t"})
	require.NoError(t, err)
	assert.True(t, cr.Allowed)

	// A part the importer does not know is refused.
	var body bytes.Buffer
	body.WriteString("--b\r\nContent-Disposition: form-data; name=\"users.csv\"; filename=\"users.csv\"\r\n\r\nx\r\n--b--\r\n")
	r := e.request(http.MethodPost, "/v1/import?format=cassandra", "multipart/form-data; boundary=b", basic("cassandra", "cassandra"), body.Bytes())
	assert.Equal(t, 400, r.status)
	assert.Contains(t, r.errBody(t).Message, `Unknown part "users.csv"`)
	r = e.request(http.MethodPost, "/v1/import?format=xml", "application/json", basic("cassandra", "cassandra"), []byte("{}"))
	assert.Equal(t, 400, r.status)
	r = e.request(http.MethodPost, "/v1/import?nope=1", "application/json", basic("cassandra", "cassandra"), []byte("{}"))
	assert.Equal(t, 400, r.status)
}

func TestImportTooLarge(t *testing.T) {
	e := newEnv(t, envOptions{config: func(c *Config) { c.MaxImportBytes = 1000 }})
	r := e.request(http.MethodPost, "/v1/import", "application/json", basic("cassandra", "cassandra"), []byte(`{"format":"cassauth-dump","version":1,"roles":[`+strings.Repeat(" ", 2000)+`]}`))
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
}

func TestClientNonAPIError(t *testing.T) {
	hs := http.NewServeMux()
	hs.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "bad gateway", http.StatusBadGateway) })
	e := newEnv(t, envOptions{})
	e.http.Config.Handler = hs
	c := &Client{BaseURL: e.http.URL}
	_, err := c.Execute(context.Background(), "LIST ROLES")
	var ae *Error
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, http.StatusBadGateway, ae.Status)
	assert.Equal(t, roles.CodeServerError, ae.Code)
}
