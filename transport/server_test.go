package transport

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
)

func TestVersionNegotiation(t *testing.T) {
	_, addr := startServer(t, Config{})
	cases := []struct {
		name      string
		first     []byte // the first frame as the client sends it
		replyVer  Version
		reported  int
		headerLen int
	}{
		{"DSE probe 0x42 (Python's first try)", []byte{0x42, 0, 0, 0, 5, 0, 0, 0, 0}, V4, 66, 9},
		{"DSE probe 0x41", []byte{0x41, 0, 0, 0, 5, 0, 0, 0, 0}, V4, 65, 9},
		{"v6", []byte{0x06, 0x10, 0, 0, 5, 0, 0, 0, 0}, V4, 6, 9},
		{"v3", []byte{0x03, 0, 0, 1, 5, 0, 0, 0, 0}, V4, 3, 9},
		{"v2 gets its own version back", []byte{0x02, 0, 1, 5, 0, 0, 0, 0}, V2, 2, 8},
		{"v1 disabled gets its own version back", []byte{0x01, 0, 1, 5, 0, 0, 0, 0}, V1, 1, 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := dialClient(t, addr, V4)
			cl.sendRaw(c.first)
			f, err := ReadFrame(cl.br, 0)
			require.NoError(t, err)
			assert.Equal(t, c.replyVer, f.Header.Version)
			assert.True(t, f.Header.Response)
			assert.Equal(t, int16(0), f.Header.Stream)
			assert.Equal(t, c.headerLen, f.Header.Size())
			env, err := DecodeEnvelope(f)
			require.NoError(t, err)
			requireError(t, env.Message, CodeProtocolError, UnsupportedVersionMessage(c.reported, []Version{V4, V5}))
			assert.Contains(t, env.Message.(*ErrorResponse).Message, "unsupported protocol version", "what the Python driver looks for")
			cl.requireClosed()
		})
	}
	t.Run("exact message", func(t *testing.T) {
		assert.Equal(t, "Invalid or unsupported protocol version (66); supported versions are (4/v4, 5/v5)",
			UnsupportedVersionMessage(66, []Version{V4, V5}))
	})
}

func TestOptionsSupported(t *testing.T) {
	_, addr := startServer(t, Config{})
	for _, v := range []Version{V4, V5} {
		t.Run(v.String(), func(t *testing.T) {
			cl := dialClient(t, addr, v)
			want := &Supported{Options: map[string][]string{
				"CQL_VERSION": {"3.4.7"}, "COMPRESSION": nil, "PROTOCOL_VERSIONS": {"4/v4", "5/v5"}}}
			assert.Equal(t, want, cl.call(0, &Options{}))
			cl.mustLogin("cassandra", "cassandra")
			// Heartbeats after the handshake (v5: in segments).
			assert.Equal(t, want, cl.call(9, &Options{}))
		})
	}
}

func TestStartupErrors(t *testing.T) {
	_, addr := startServer(t, Config{})
	cases := []struct {
		name string
		opts map[string]string
		msg  string
	}{
		{"missing CQL_VERSION", map[string]string{"DRIVER_NAME": "x"}, "Missing value CQL_VERSION in STARTUP message"},
		{"old CQL", map[string]string{"CQL_VERSION": "2.0.0"}, "CQL version 2.0.0 is not supported by the binary protocol (supported version are >= 3.0.0)"},
		{"unparsable", map[string]string{"CQL_VERSION": "three"}, "Invalid version value: three"},
		{"compression", map[string]string{"CQL_VERSION": "3.0.0", "COMPRESSION": "lz4"}, "Unknown compression algorithm: lz4"},
	}
	cl := dialClient(t, addr, V4)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireError(t, cl.call(1, &Startup{Options: c.opts}), CodeProtocolError, c.msg)
		})
	}
	// The connection is still waiting for a valid STARTUP; gocql's
	// CQL_VERSION is accepted.
	_, ok := cl.call(1, &Startup{Options: map[string]string{"CQL_VERSION": "3.0.0"}}).(*Authenticate)
	assert.True(t, ok)
	assert.Empty(t, ValidateStartup(map[string]string{"CQL_VERSION": "3.4.7-SNAPSHOT"}))
}

func TestUnexpectedMessages(t *testing.T) {
	_, addr := startServer(t, Config{})
	cl := dialClient(t, addr, V4)
	requireError(t, cl.query(3, "LIST ROLES"), CodeProtocolError, "Unexpected message QUERY, expecting STARTUP or OPTIONS")
	requireError(t, cl.call(4, &Register{EventTypes: []string{EventSchemaChange}}), CodeProtocolError,
		"Unexpected message REGISTER, expecting STARTUP or OPTIONS")
	requireError(t, cl.call(5, &AuthResponse{Token: []byte("\x00a\x00b")}), CodeProtocolError,
		"Unexpected message AUTH_RESPONSE, expecting STARTUP or OPTIONS")
	cl.startup()
	requireError(t, cl.query(6, "LIST ROLES"), CodeProtocolError, "Unexpected message QUERY, expecting SASL_RESPONSE")
	requireError(t, cl.call(7, &Startup{Options: map[string]string{"CQL_VERSION": "3.0.0"}}), CodeProtocolError,
		"Unexpected message STARTUP, expecting SASL_RESPONSE")
	require.Equal(t, &AuthSuccess{}, cl.call(8, &AuthResponse{Token: []byte("\x00cassandra\x00cassandra")}))
	requireError(t, cl.call(9, &Startup{Options: map[string]string{"CQL_VERSION": "3.0.0"}}), CodeProtocolError,
		"Unexpected message STARTUP, the connection is already initialized")
	assert.Equal(t, &Ready{}, cl.call(10, &Register{EventTypes: []string{EventTopologyChange, EventStatusChange, EventSchemaChange}}))
	requireError(t, cl.call(11, &Register{EventTypes: []string{"NOPE"}}), CodeProtocolError, "")
	// A response opcode sent as a request: answered on its stream, and
	// the connection goes on.
	b, err := EncodeFrame(nil, V4, 12, &VoidResult{})
	require.NoError(t, err)
	b[0] = byte(V4) // clear the response bit
	cl.sendRaw(b)
	env := cl.recv()
	assert.Equal(t, int16(12), env.Stream)
	requireError(t, env.Message, CodeProtocolError, "Wrong protocol direction (expected RESPONSE, got REQUEST) for opcode 8 (RESULT)")
	_, ok := cl.query(13, "LIST ROLES").(*RowsResult)
	assert.True(t, ok)
}

func TestPasswordLogin(t *testing.T) {
	a := newTestAuth(t, authOptions{})
	ctx := context.Background()
	yes, no, pw := true, false, "secret"
	require.NoError(t, a.Roles().CreateRole(ctx, roles.System, "nologin", roles.Options{Login: &no, Password: &pw}))
	require.NoError(t, a.Roles().CreateRole(ctx, roles.System, "bob", roles.Options{Login: &yes, Password: &pw}))
	_, addr := startServer(t, Config{Auth: a})
	for _, v := range []Version{V4, V5} {
		t.Run(v.String(), func(t *testing.T) {
			cl := dialClient(t, addr, v)
			requireError(t, cl.login("cassandra", "wrong"), CodeBadCredentials, "Provided username cassandra and/or password are incorrect")
			// The connection stays open for another attempt.
			requireError(t, cl.call(3, &AuthResponse{Token: []byte("\x00nobody\x00x")}), CodeBadCredentials,
				"Provided username nobody and/or password are incorrect")
			requireError(t, cl.call(4, &AuthResponse{Token: []byte("cassandra")}), CodeBadCredentials, "Password must not be null")
			requireError(t, cl.call(5, &AuthResponse{Token: []byte("\x00nologin\x00secret")}), CodeBadCredentials,
				"nologin is not permitted to log in")
			require.Equal(t, &AuthSuccess{}, cl.call(6, &AuthResponse{Token: []byte("authz\x00bob\x00secret")}))
			rows := cl.rows(7, "LIST ROLES OF bob")
			require.Len(t, rows, 1)
			assert.Equal(t, "bob", rows[0]["role"])
		})
	}
}

func TestAllowAllAuthenticator(t *testing.T) {
	a := newTestAuth(t, authOptions{authenticator: "AllowAllAuthenticator", authorizer: "AllowAllAuthorizer"})
	_, addr := startServer(t, Config{Auth: a})
	cl := dialClient(t, addr, V5)
	require.Equal(t, &Ready{}, cl.startup())
	rows := cl.rows(2, "SELECT cluster_name, data_center FROM system.local")
	assert.Equal(t, []map[string]any{{"cluster_name": DefaultClusterName, "data_center": DefaultDataCenter}}, rows)
	// DCL needs a logged-in, non-anonymous user.
	resp := cl.query(3, "LIST ROLES")
	requireError(t, resp, CodeUnauthorized, "")
}

func TestPipelinedRequestsAnsweredByStream(t *testing.T) {
	gate := make(chan struct{})
	next := &funcHandler{query: func(ctx context.Context, _ *Session, q *Query) (Result, error) {
		if q.Query == "SLOW" {
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return &SetKeyspaceResult{Keyspace: "k" + q.Query}, nil
	}}
	a := newTestAuth(t, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a, Next: next})
	require.NoError(t, err)
	_, addr := startServer(t, Config{Auth: a, Handler: h})
	for _, v := range []Version{V4, V5} {
		t.Run(v.String(), func(t *testing.T) {
			cl := dialClient(t, addr, v)
			cl.mustLogin("cassandra", "cassandra")
			cl.send(100, &Query{Query: "SLOW"})
			for i := range 30 {
				cl.send(int16(200+i), &Query{Query: "SELECT key FROM system.local WHERE key = 'local'"})
			}
			cl.send(300, &Options{}) // a heartbeat while a request is slow
			seen := map[int16]bool{}
			for range 31 {
				env := cl.recv()
				seen[env.Stream] = true
				switch {
				case env.Stream == 300:
					assert.IsType(t, &Supported{}, env.Message)
				case env.Stream >= 200 && env.Stream < 230:
					assert.IsType(t, &RowsResult{}, env.Message)
				default:
					t.Fatalf("unexpected stream %d before the slow request finished", env.Stream)
				}
			}
			assert.Len(t, seen, 31)
			gate <- struct{}{}
			env := cl.recv()
			assert.Equal(t, int16(100), env.Stream)
			assert.Equal(t, &SetKeyspaceResult{Keyspace: "kSLOW"}, env.Message)
		})
	}
}

// funcHandler is a Handler made of functions, for embedding tests.
type funcHandler struct {
	query   func(context.Context, *Session, *Query) (Result, error)
	prepare func(context.Context, *Session, *Prepare) (*PreparedResult, error)
	execute func(context.Context, *Session, *Execute) (Result, error)
}

func (f *funcHandler) Query(ctx context.Context, s *Session, q *Query) (Result, error) {
	if f.query == nil {
		return nil, invalidf("no")
	}
	return f.query(ctx, s, q)
}

func (f *funcHandler) Prepare(ctx context.Context, s *Session, p *Prepare) (*PreparedResult, error) {
	if f.prepare == nil {
		return nil, invalidf("no")
	}
	return f.prepare(ctx, s, p)
}

func (f *funcHandler) Execute(ctx context.Context, s *Session, e *Execute) (Result, error) {
	if f.execute == nil {
		return nil, &UnpreparedError{ID: e.ID}
	}
	return f.execute(ctx, s, e)
}

func TestV5LargeResponsesSpanSegments(t *testing.T) {
	big := &RowsResult{Metadata: RowsMetadata{ColumnCount: 1, Columns: []ColumnSpec{{Keyspace: "big", Table: "t", Name: "v", Type: Type{ID: TypeBlob}}}}}
	for i := range 5 {
		big.Rows = append(big.Rows, [][]byte{bytes.Repeat([]byte{byte(i)}, 60_000)})
	}
	a := newTestAuth(t, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a, Next: &funcHandler{query: func(context.Context, *Session, *Query) (Result, error) {
		return big, nil
	}}})
	require.NoError(t, err)
	_, addr := startServer(t, Config{Auth: a, Handler: h})
	cl := dialClient(t, addr, V5)
	cl.mustLogin("cassandra", "cassandra")
	// A request larger than one segment, too.
	long := "SELECT * FROM big.t WHERE v = 0x" + string(bytes.Repeat([]byte("ab"), 80_000))
	resp := cl.query(5, long)
	assert.Equal(t, big, resp)
}

func TestFrameTooLarge(t *testing.T) {
	_, addr := startServer(t, Config{MaxFrameSize: 2000})
	for _, v := range []Version{V4, V5} {
		t.Run(v.String(), func(t *testing.T) {
			cl := dialClient(t, addr, v)
			cl.mustLogin("cassandra", "cassandra")
			resp := cl.query(4, "SELECT * FROM system.local WHERE key = '"+string(bytes.Repeat([]byte("x"), 3000))+"'")
			requireError(t, resp, CodeInvalid, "")
			assert.Contains(t, resp.(*ErrorResponse).Message, "exceeds maximum allowed length 2000")
			_, ok := cl.query(5, "SELECT key FROM system.local").(*RowsResult)
			assert.True(t, ok, "the connection goes on")
		})
	}
}

func TestMalformedBodyKeepsConnection(t *testing.T) {
	_, addr := startServer(t, Config{})
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	// A QUERY whose [long string] claims more bytes than the body has.
	body := binary.BigEndian.AppendUint32(nil, 100)
	hdr, err := Header{Version: V4, Stream: 8, Opcode: OpQuery, Length: len(body)}.AppendBinary(nil)
	require.NoError(t, err)
	cl.sendRaw(append(hdr, body...))
	env := cl.recv()
	assert.Equal(t, int16(8), env.Stream)
	requireError(t, env.Message, CodeProtocolError, "")
	_, ok := cl.query(9, "SELECT key FROM system.local").(*RowsResult)
	assert.True(t, ok)
	// A second version on the same connection is fatal.
	b, err := EncodeFrame(nil, V5, 10, &Options{})
	require.NoError(t, err)
	cl.sendRaw(b)
	env = cl.recv()
	requireError(t, env.Message, CodeProtocolError, "Invalid message version. Got 5/v5 but previous messages on this connection had version 4/v4")
	cl.requireClosed()
}

func TestBadSegmentClosesConnection(t *testing.T) {
	_, addr := startServer(t, Config{})
	cl := dialClient(t, addr, V5)
	cl.mustLogin("cassandra", "cassandra")
	seg, err := AppendSegment(nil, Segment{Payload: []byte("garbage"), SelfContained: true})
	require.NoError(t, err)
	seg[len(seg)-1] ^= 0xff // payload CRC
	cl.nc.Write(seg)        // raw, under the segment layer
	env := cl.recv()
	requireError(t, env.Message, CodeProtocolError, "")
	cl.requireClosed()
}

func TestBatchIsInvalid(t *testing.T) {
	_, addr := startServer(t, Config{})
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	resp := cl.call(3, &Batch{Statements: []BatchStatement{{Query: "CREATE ROLE x"}}, Consistency: One})
	requireError(t, resp, CodeInvalid, MsgInvalidBatch)
}

func TestReauthenticationOnReadyConnection(t *testing.T) {
	a := newTestAuth(t, authOptions{})
	yes, pw := true, "pw"
	require.NoError(t, a.Roles().CreateRole(context.Background(), roles.System, "bob", roles.Options{Login: &yes, Password: &pw}))
	_, addr := startServer(t, Config{Auth: a})
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	requireError(t, cl.call(3, &AuthResponse{Token: []byte("\x00bob\x00bad")}), CodeBadCredentials, "")
	rows := cl.rows(4, "LIST ROLES OF cassandra")
	require.NotEmpty(t, rows, "a failed re-authentication keeps the user")
	require.Equal(t, &AuthSuccess{}, cl.call(5, &AuthResponse{Token: []byte("\x00bob\x00pw")}))
	requireError(t, cl.query(6, "LIST ROLES OF cassandra"), CodeUnauthorized, "")
}

func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	a := newTestAuth(t, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a, Next: &funcHandler{query: func(context.Context, *Session, *Query) (Result, error) {
		close(started)
		<-release
		return &VoidResult{}, nil
	}}})
	require.NoError(t, err)
	srv, err := NewServer(Config{Auth: a, Handler: h})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(context.Background(), ln) }()
	cl := dialClient(t, ln.Addr().String(), V4)
	cl.mustLogin("cassandra", "cassandra")
	cl.send(7, &Query{Query: "INSERT INTO ks.t (a) VALUES (1)"})
	<-started
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	require.ErrorIs(t, <-served, ErrServerClosed)
	time.Sleep(20 * time.Millisecond) // Shutdown is waiting for the request
	close(release)
	env := cl.recv()
	assert.Equal(t, int16(7), env.Stream)
	assert.Equal(t, &VoidResult{}, env.Message)
	require.NoError(t, <-shut)
	_, err = cl.read()
	assert.ErrorIs(t, err, io.EOF)
}

func TestShutdownDeadlineCloses(t *testing.T) {
	a := newTestAuth(t, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a, Next: &funcHandler{query: func(ctx context.Context, _ *Session, _ *Query) (Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}})
	require.NoError(t, err)
	srv, addr := startServer(t, Config{Auth: a, Handler: h})
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	cl.send(7, &Query{Query: "INSERT INTO ks.t (a) VALUES (1)"})
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, srv.Shutdown(ctx), context.DeadlineExceeded)
	cl.requireClosed()
}

func TestNewServerConfigErrors(t *testing.T) {
	a := newTestAuth(t, authOptions{})
	cases := map[string]Config{
		"no auth":            {},
		"negative frame":     {Auth: a, MaxFrameSize: -1},
		"ssl port, no TLS":   {Auth: a, SSLAddr: ":9142"},
		"TLS without files":  {Auth: a, TLS: &TLSConfig{Enabled: true}},
		"client auth, no CA": {Auth: a, TLS: &TLSConfig{Enabled: true, CertFile: "c", KeyFile: "k", ClientAuth: authn.ClientAuthRequired}},
		"bad protocol":       {Auth: a, TLS: &TLSConfig{Enabled: true, CertFile: "c", KeyFile: "k", Protocols: []string{"SSLv3"}}},
		"bad cipher":         {Auth: a, TLS: &TLSConfig{Enabled: true, CertFile: "c", KeyFile: "k", CipherSuites: []string{"NOPE"}}},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewServer(cfg)
			assert.ErrorIs(t, err, ErrConfig)
		})
	}
	_, err := NewServer(Config{Auth: a, TLS: &TLSConfig{Enabled: true, CertFile: "/nonexistent", KeyFile: "/nonexistent"}})
	assert.Error(t, err)
}

func TestHandlerPanicIsServerError(t *testing.T) {
	a := newTestAuth(t, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a, Next: &funcHandler{query: func(context.Context, *Session, *Query) (Result, error) {
		panic("boom")
	}}})
	require.NoError(t, err)
	_, addr := startServer(t, Config{Auth: a, Handler: h, MaxRequestsPerConnection: 1})
	cl := dialClient(t, addr, V4)
	cl.mustLogin("cassandra", "cassandra")
	for i := range 5 { // pipelined through a bound of one request at a time
		cl.send(int16(10+i), &Query{Query: "INSERT INTO ks.t (a) VALUES (1)"})
	}
	for range 5 {
		env := cl.recv()
		requireError(t, env.Message, CodeServerError, "java.lang.RuntimeException: boom")
	}
	_, ok := cl.query(20, "LIST ROLES").(*RowsResult)
	assert.True(t, ok)
}

func TestSessionState(t *testing.T) {
	sessions := make(chan *Session, 1)
	a := newTestAuth(t, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a, Next: &funcHandler{query: func(_ context.Context, s *Session, _ *Query) (Result, error) {
		sessions <- s
		return &SetKeyspaceResult{Keyspace: "shop"}, nil
	}}})
	require.NoError(t, err)
	_, addr := startServer(t, Config{Auth: a, Handler: h, Node: NodeInfo{DataCenter: "dc2"}})
	cl := dialClient(t, addr, V5)
	cl.mustLogin("cassandra", "cassandra")
	assert.Equal(t, &SetKeyspaceResult{Keyspace: "shop"}, cl.query(3, "USE_MINE shop"))
	seen := <-sessions
	assert.Equal(t, "cassandra", seen.User().Name())
	assert.Equal(t, "shop", seen.Keyspace(), "a Set_keyspace result sets the session keyspace")
	assert.Equal(t, V5, seen.Version)
	assert.Equal(t, "dc2", seen.DataCenter)
	assert.Equal(t, "cassauth test client", seen.Options["DRIVER_NAME"])
	assert.Equal(t, addr, seen.Local.String())
	assert.True(t, seen.Remote.Addr().IsLoopback())
	assert.Nil(t, seen.TLS)
	assert.Nil(t, seen.PeerCertificates())
}
