package transport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverConnSeeds are client byte streams: the drivers' connect sequences
// (v4 unframed, v5 switching to segments after the STARTUP response, v1
// with CREDENTIALS), probes and broken frames.
func serverConnSeeds() [][]byte {
	frame := func(v Version, stream int16, m Message) []byte {
		b, err := EncodeFrame(nil, v, stream, m)
		if err != nil {
			panic(err)
		}
		return b
	}
	seg := func(frames ...[]byte) []byte {
		var out []byte
		for _, f := range frames {
			b, err := AppendSegment(nil, Segment{Payload: f, SelfContained: true})
			if err != nil {
				panic(err)
			}
			out = append(out, b...)
		}
		return out
	}
	startup := &Startup{Options: map[string]string{"CQL_VERSION": "3.4.7"}}
	auth := &AuthResponse{Token: []byte("\x00cassandra\x00cassandra")}
	q := func(s string) *Query { return &Query{Query: s, Params: QueryParams{Consistency: One}} }
	var v4 []byte
	for i, m := range []Message{&Options{}, startup, auth, &Register{EventTypes: []string{EventSchemaChange}},
		q("SELECT * FROM system.local WHERE key='local'"), q("LIST ROLES"), q("CREATE ROLE r"),
		&Prepare{Query: "SELECT key FROM system.local WHERE key = ?"}, &Batch{Consistency: One}} {
		v4 = append(v4, frame(V4, int16(i+1), m)...)
	}
	v5 := append(frame(V5, 0, &Options{}), frame(V5, 1, startup)...)
	v5 = append(v5, seg(frame(V5, 2, auth), frame(V5, 3, q("SELECT * FROM system_schema.tables")), frame(V5, 4, q("LIST USERS")))...)
	v1 := append(frame(V1, 0, &Options{}), frame(V1, 1, startup)...)
	v1 = append(v1, frame(V1, 2, &Credentials{Credentials: map[string]string{"username": "cassandra", "password": "cassandra"}})...)
	v1 = append(v1, frame(V1, 3, q("SELECT * FROM system.local"))...)
	return [][]byte{
		v4, v5, v1,
		{0x42, 0, 0, 0, 5, 0, 0, 0, 0},
		append(frame(V4, 1, startup), 0x04, 0, 0, 2, 7, 0x7f, 0xff, 0xff, 0xff),
		append(frame(V4, 1, q("x")), frame(V5, 2, &Options{})...),
		frame(V4, 3, q("SELECT * FROM system.local")),
	}
}

// FuzzServerConn feeds a byte stream to a server connection (over
// net.Pipe, authentication on): no input may panic the server or leave the
// connection running once the client has gone.
func FuzzServerConn(f *testing.F) {
	a := newTestAuth(f, authOptions{})
	srv, err := NewServer(Config{Auth: a, EnableProtocolV1: true, MaxFrameSize: 1 << 16})
	require.NoError(f, err)
	f.Cleanup(func() { _ = srv.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		s, c := net.Pipe()
		srv.ServeConn(context.Background(), s, ConnPlain)
		drained := make(chan struct{})
		go func() {
			_, _ = io.Copy(io.Discard, c)
			close(drained)
		}()
		_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
		_, _ = c.Write(data)
		_ = c.Close()
		<-drained
		deadline := time.Now().Add(5 * time.Second)
		for {
			srv.mu.Lock()
			n := len(srv.conns)
			srv.mu.Unlock()
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the connection is still served 5s after the client left (input %x)", data)
			}
			time.Sleep(time.Millisecond)
		}
	})
}

// TestServerFuzzSeedCorpus keeps testdata/fuzz/FuzzServerConn and
// FuzzParseSelect in step with their seed functions (run with
// -update-seeds to rewrite).
func TestServerFuzzSeedCorpus(t *testing.T) {
	files := map[string][]string{}
	for _, s := range serverConnSeeds() {
		files["FuzzServerConn"] = append(files["FuzzServerConn"], corpusFile(s))
	}
	for _, s := range selectSeeds() {
		files["FuzzParseSelect"] = append(files["FuzzParseSelect"], corpusFile(s))
	}
	for name, contents := range files {
		checkCorpus(t, name, contents)
	}
}

// checkCorpus checks (or with -update-seeds writes) the seed files of a
// fuzz target.
func checkCorpus(t *testing.T, name string, contents []string) {
	dir := filepath.Join("testdata", "fuzz", name)
	for _, content := range contents {
		sum := sha256.Sum256([]byte(content))
		path := filepath.Join(dir, "seed-"+hex.EncodeToString(sum[:8]))
		if *updateSeeds {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		if assert.NoError(t, err, "seed missing; run go test -run TestServerFuzzSeedCorpus -update-seeds") {
			assert.Equal(t, content, string(got))
		}
	}
}

// TestNoGoroutineLeak: after Close, every goroutine the server started
// (accept loops, connections, requests, the TLS poller) has ended.
func TestNoGoroutineLeak(t *testing.T) {
	pki := newTestPKI(t)
	pki.serverFiles("server")
	a := newTestAuth(t, authOptions{})
	time.Sleep(10 * time.Millisecond)
	before := runtime.NumGoroutine()
	cfg := pki.tlsConfig(0)
	cfg.Optional = true
	cfg.ReloadInterval = time.Hour
	srv, err := NewServer(Config{Auth: a, TLS: cfg})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(context.Background(), ln) }()
	addr := ln.Addr().String()
	var clients []*testClient
	for i := range 4 {
		cl := dialClient(t, addr, []Version{V4, V5}[i%2])
		cl.mustLogin("cassandra", "cassandra")
		for j := range 10 { // requests in flight at Close
			cl.send(int16(10+j), &Query{Query: "LIST ROLES", Params: QueryParams{Consistency: One}})
		}
		clients = append(clients, cl)
	}
	tc, err := dialTLSClient(t, addr, V4, pki.clientTLS(nil))
	require.NoError(t, err)
	tc.startup()
	half := dialClient(t, addr, V4) // connected, never speaks
	_ = half
	require.NoError(t, srv.Close())
	require.ErrorIs(t, <-served, ErrServerClosed)
	for _, cl := range append(clients, tc, half) {
		_ = cl.nc.Close()
	}
	// Polled here rather than with assert.Eventually, whose own goroutine
	// would be counted.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if runtime.NumGoroutine() > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines: %d before Serve, %d after Close:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
	}
	assert.NoError(t, srv.Close(), "Close is idempotent")
	assert.ErrorIs(t, srv.Serve(context.Background(), mustListen(t)), ErrServerClosed)
}

func mustListen(t testing.TB) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}
