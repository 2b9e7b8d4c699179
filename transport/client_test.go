package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/store/memstore"
)

// testClient is a small CQL client on top of the codec: enough to drive
// the server as the drivers do (shared/spec/cql-drivers.md), including
// pipelining and v5 segments.
type testClient struct {
	t   testing.TB
	nc  net.Conn
	br  *bufio.Reader
	v   Version
	seg *SegmentReader
	wmu sync.Mutex
	w   interface{ Write([]byte) (int, error) }
}

// newTestClient wraps an open connection speaking version v.
func newTestClient(t testing.TB, nc net.Conn, v Version) *testClient {
	t.Helper()
	c := &testClient{t: t, nc: nc, br: bufio.NewReader(nc), v: v, w: nc}
	t.Cleanup(func() { _ = nc.Close() })
	return c
}

// dialClient connects to addr over plain TCP.
func dialClient(t testing.TB, addr string, v Version) *testClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	return newTestClient(t, nc, v)
}

// dialTLSClient connects to addr over TLS.
func dialTLSClient(t testing.TB, addr string, v Version, cfg *tls.Config) (*testClient, error) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	nc, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	return newTestClient(t, nc, v), nil
}

// sendRaw writes bytes as they are.
func (c *testClient) sendRaw(b []byte) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.w.Write(b)
	require.NoError(c.t, err)
}

// send writes one request on stream.
func (c *testClient) send(stream int16, m Message) {
	c.t.Helper()
	b, err := EncodeFrame(nil, c.v, stream, m)
	require.NoError(c.t, err)
	c.sendRaw(b)
}

// read reads the next response frame, or returns the read error.
func (c *testClient) read() (*Envelope, error) {
	var f *Frame
	var err error
	if c.seg != nil {
		f, err = c.seg.ReadFrame()
	} else {
		f, err = ReadFrame(c.br, 0)
	}
	if err != nil {
		return nil, err
	}
	if !f.Header.Response {
		return nil, fmt.Errorf("frame without the response bit: %+v", f.Header)
	}
	return DecodeEnvelope(f)
}

// recv reads the next response and fails the test on a read error.
func (c *testClient) recv() *Envelope {
	c.t.Helper()
	env, err := c.read()
	require.NoError(c.t, err)
	return env
}

// call sends m on stream and returns the response, which must carry the
// same stream.
func (c *testClient) call(stream int16, m Message) Message {
	c.t.Helper()
	c.send(stream, m)
	env := c.recv()
	require.Equal(c.t, stream, env.Stream, "response stream")
	require.Equal(c.t, c.v, env.Version, "response version")
	return env.Message
}

// switchFraming starts v5 segments, as drivers do after the STARTUP
// response.
func (c *testClient) switchFraming() {
	if c.v < V5 {
		return
	}
	c.seg = NewSegmentReader(c.br, 0)
	c.wmu.Lock()
	c.w = NewSegmentWriter(c.nc)
	c.wmu.Unlock()
}

// startup sends STARTUP with the Python driver's options and returns the
// response, switching to segments after READY or AUTHENTICATE.
func (c *testClient) startup() Message {
	c.t.Helper()
	resp := c.call(1, &Startup{Options: map[string]string{"CQL_VERSION": CQLVersion, "DRIVER_NAME": "cassauth test client"}})
	switch resp.(type) {
	case *Ready, *Authenticate:
		c.switchFraming()
	}
	return resp
}

// login runs STARTUP and a PLAIN AUTH_RESPONSE; it returns the response
// to the AUTH_RESPONSE.
func (c *testClient) login(user, password string) Message {
	c.t.Helper()
	resp := c.startup()
	a, ok := resp.(*Authenticate)
	require.True(c.t, ok, "STARTUP answered %#v", resp)
	require.Equal(c.t, authn.PasswordClassName, a.Authenticator)
	return c.call(2, &AuthResponse{Token: []byte("\x00" + user + "\x00" + password)})
}

// mustLogin logs in and requires AUTH_SUCCESS with a null token.
func (c *testClient) mustLogin(user, password string) {
	c.t.Helper()
	resp := c.login(user, password)
	require.Equal(c.t, &AuthSuccess{}, resp)
}

// query runs a statement with consistency ONE.
func (c *testClient) query(stream int16, text string) Message {
	c.t.Helper()
	return c.call(stream, &Query{Query: text, Params: QueryParams{Consistency: One}})
}

// rows runs a statement that must return rows and decodes them to Go values
// by column name.
func (c *testClient) rows(stream int16, text string) []map[string]any {
	c.t.Helper()
	resp := c.query(stream, text)
	r, ok := resp.(*RowsResult)
	require.True(c.t, ok, "%s answered %v", text, resp)
	return decodeRows(c.t, r)
}

func decodeRows(t testing.TB, r *RowsResult) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = map[string]any{}
		for j, col := range r.Metadata.Columns {
			v, err := Unmarshal(col.Type, row[j])
			require.NoError(t, err)
			out[i][col.Name] = v
		}
	}
	return out
}

// requireError checks an ERROR response's code and message.
func requireError(t testing.TB, m Message, code ErrorCode, msg string) {
	t.Helper()
	e, ok := m.(*ErrorResponse)
	require.True(t, ok, "want ERROR %s, got %#v", code, m)
	require.Equal(t, code, e.Code, e.Message)
	if msg != "" {
		require.Equal(t, msg, e.Message)
	}
}

// requireClosed checks that the server closes the connection. Replies the
// server sent before closing (an error for a request it cut short, say)
// are read and passed over.
func (c *testClient) requireClosed() {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var err error
	for err == nil {
		_, err = c.read()
	}
	var ne net.Error
	require.False(c.t, errors.As(err, &ne) && ne.Timeout(), "connection still open: %v", err)
}

// authOptions configure newTestAuth.
type authOptions struct {
	authenticator string
	authorizer    string
	params        map[string]string
	encryption    authn.ClientEncryption
	verified      bool
	credentials   cassauth.CacheConfig
}

// newTestAuth returns a set-up cassauth.Auth over a memory store, with the
// default superuser cassandra/cassandra and bcrypt cost 4.
func newTestAuth(t testing.TB, o authOptions) *cassauth.Auth {
	t.Helper()
	if o.authenticator == "" {
		o.authenticator = "PasswordAuthenticator"
	}
	if o.authorizer == "" {
		o.authorizer = "CassandraAuthorizer"
	}
	cfg := cassauth.Config{Authenticator: o.authenticator, Authorizer: o.authorizer, AuthenticatorParameters: o.params,
		BcryptRounds: 4, ClientEncryption: o.encryption, VerifiedCredentialsCache: o.verified, Credentials: o.credentials}
	if o.authenticator == "AllowAllAuthenticator" {
		cfg.Authenticator = ""
	}
	a, err := cassauth.New(cfg, memstore.New(), cassauth.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	require.NoError(t, a.Setup(context.Background()))
	return a
}

// startServer runs a server on a loopback port until the test ends.
func startServer(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	if cfg.Auth == nil {
		cfg.Auth = newTestAuth(t, authOptions{})
	}
	srv, err := NewServer(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-done, ErrServerClosed)
	})
	return srv, ln.Addr().String()
}
