package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/authn"
)

// connState is the state of Cassandra's ServerConnection.
type connState uint32

const (
	stateUninit connState = iota // expecting STARTUP or OPTIONS
	stateAuth                    // expecting AUTH_RESPONSE (v1: CREDENTIALS)
	stateReady                   // logged in (or no authentication)
)

// conn is one client connection. The read loop (serve) reads frames in
// order and answers connection-level messages itself; authentication and
// statements run in goroutines bounded by sem, and every response is
// written whole under wmu, so pipelined requests are answered by stream
// id in whatever order they finish.
type conn struct {
	s      *Server
	raw    net.Conn // the accepted connection
	nc     net.Conn // raw, or the TLS connection over it
	br     *bufio.Reader
	sess   *Session
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when serve has returned

	version  Version        // set by the first frame, before any goroutine starts
	seg      *SegmentReader // v5 after the STARTUP response; read loop only
	state    atomic.Uint32
	draining atomic.Bool

	wmu sync.Mutex // guards w and serializes writes
	w   io.Writer  // nc, or a SegmentWriter over it after the v5 switch

	authMu sync.Mutex // serializes authentication attempts; guards neg
	neg    authn.Negotiator

	sem  chan struct{}  // bounds the requests running at once
	reqs sync.WaitGroup // requests in flight
}

func newConn(s *Server, nc net.Conn, parent context.Context) *conn {
	ctx, cancel := context.WithCancel(parent)
	c := &conn{s: s, raw: nc, nc: nc, br: bufio.NewReaderSize(nc, 16<<10), ctx: ctx, cancel: cancel,
		done: make(chan struct{}), w: nc, sem: make(chan struct{}, s.maxReqs)}
	c.sess = &Session{Remote: addrPort(nc.RemoteAddr()), Local: addrPort(nc.LocalAddr()), DataCenter: s.node.DataCenter}
	return c
}

// addrPort converts a TCP address; anything else gives the zero value.
func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

// abort closes the connection at once (Server.Close, a failed write).
func (c *conn) abort() {
	c.cancel()
	_ = c.raw.Close()
}

// drain stops the read loop (Server.Shutdown); requests in flight finish.
func (c *conn) drain() {
	c.draining.Store(true)
	_ = c.raw.SetReadDeadline(time.Now())
}

func (c *conn) setState(st connState) { c.state.Store(uint32(st)) }
func (c *conn) getState() connState   { return connState(c.state.Load()) }

// serve runs the connection until the client leaves, a fatal error, or
// the server closes it.
func (c *conn) serve(mode ConnMode) {
	defer close(c.done)
	defer c.cancel()
	defer func() { _ = c.nc.Close() }()
	defer func() {
		// A panic in the read loop (an authenticator's negotiator, say)
		// closes this connection, not the process.
		if p := recover(); p != nil {
			c.s.log.Error("panic while serving a connection", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			c.abort()
			c.reqs.Wait()
		}
	}()
	if !c.setup(mode) {
		return
	}
	c.loop()
	c.reqs.Wait()
	c.authMu.Lock()
	c.neg = nil
	c.authMu.Unlock()
}

// setup runs the TLS handshake the mode asks for.
func (c *conn) setup(mode ConnMode) bool {
	switch mode {
	case ConnPlain:
		return true
	case ConnTLS:
		if c.s.tls == nil {
			return false
		}
		return c.startTLS(c.raw)
	case ConnOptional:
		if c.s.tls == nil {
			return true
		}
		b, err := c.br.Peek(1)
		if err != nil {
			return false
		}
		if b[0] != tlsHandshakeRecord {
			return true
		}
		return c.startTLS(&bufferedConn{Conn: c.raw, r: c.br})
	}
	return false
}

// tlsHandshakeRecord is the first byte of a TLS ClientHello; no CQL frame
// starts with it.
const tlsHandshakeRecord = 0x16

// bufferedConn is a net.Conn whose reads drain a bufio.Reader first (the
// byte peeked to tell TLS from plain text).
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// startTLS runs the server side of a TLS handshake over under.
func (c *conn) startTLS(under net.Conn) bool {
	tc := tls.Server(under, c.s.tls.current())
	ctx, cancel := context.WithTimeout(c.ctx, c.s.tls.handshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		c.s.log.Debug("TLS handshake failed", slog.String("remote", c.sess.Remote.String()), slog.Any("error", err))
		return false
	}
	st := tc.ConnectionState()
	c.sess.TLS = &st
	c.nc, c.w, c.br = tc, tc, bufio.NewReaderSize(tc, 16<<10)
	return true
}

// readFrame reads the next frame, unframed or from segments.
func (c *conn) readFrame() (*Frame, error) {
	if c.seg != nil {
		return c.seg.ReadFrame()
	}
	return ReadFrame(c.br, c.s.cfg.MaxFrameSize)
}

// loop reads and dispatches frames until the connection ends.
func (c *conn) loop() {
	f, err := c.readFrame()
	if err != nil {
		var ve *VersionError
		var tl *FrameTooLargeError
		switch {
		case errors.As(err, &ve):
			c.rejectVersion(ve.Version)
			return
		case errors.As(err, &tl) && !c.s.serves(tl.Header.Version):
			c.rejectVersion(int(tl.Header.Version))
			return
		case errors.As(err, &tl):
			c.version, c.sess.Version = tl.Header.Version, tl.Header.Version
		default:
			return
		}
	} else {
		if !c.s.serves(f.Header.Version) {
			c.rejectVersion(int(f.Header.Version))
			return
		}
		c.version, c.sess.Version = f.Header.Version, f.Header.Version
	}
	for {
		if err == nil {
			if !c.process(f) {
				return
			}
		} else if !c.readError(err) {
			return
		}
		if c.draining.Load() || c.ctx.Err() != nil {
			return
		}
		f, err = c.readFrame()
	}
}

// readError answers a failed read; false ends the connection.
func (c *conn) readError(err error) bool {
	var tl *FrameTooLargeError
	if errors.As(err, &tl) {
		if c.seg == nil { // unframed: the body is still to be skipped
			if _, err := io.CopyN(io.Discard, c.br, int64(tl.Header.Length)); err != nil {
				return false
			}
		}
		c.send(tl.Header.Stream, &ErrorResponse{Code: CodeInvalid, Message: tl.Error()}, nil)
		return true
	}
	if errors.Is(err, ErrProtocol) && !c.draining.Load() {
		// Framing errors (a bad header, length or CRC) cannot be
		// resynchronised: answer on stream 0 and close.
		c.send(0, protocolError(err), nil)
		c.s.log.Debug("closing connection after a framing error", slog.String("remote", c.sess.Remote.String()), slog.Any("error", err))
	}
	return false
}

// protocolError returns the ERROR 0x000A for a protocol violation.
func protocolError(err error) *ErrorResponse {
	msg := err.Error()
	var oe *OpcodeError
	if errors.As(err, &oe) {
		msg = oe.Message
	}
	return &ErrorResponse{Code: CodeProtocolError, Message: msg}
}

// unexpected returns Cassandra's error for a message the connection's
// state does not allow (ServerConnection.validateNewMessage).
func unexpected(st connState, op Opcode, v Version) *ErrorResponse {
	var msg string
	switch st {
	case stateUninit:
		msg = fmt.Sprintf("Unexpected message %s, expecting STARTUP or OPTIONS", op)
	case stateAuth:
		want := "SASL_RESPONSE"
		if v == V1 {
			want = "CREDENTIALS"
		}
		msg = fmt.Sprintf("Unexpected message %s, expecting %s", op, want)
	default:
		msg = "Unexpected message STARTUP, the connection is already initialized"
	}
	return &ErrorResponse{Code: CodeProtocolError, Message: msg}
}

// process handles one frame; false ends the connection.
func (c *conn) process(f *Frame) bool {
	stream := f.Header.Stream
	if f.Header.Version != c.version {
		c.send(stream, &ErrorResponse{Code: CodeProtocolError, Message: fmt.Sprintf(
			"Invalid message version. Got %s but previous messages on this connection had version %s",
			f.Header.Version, c.version)}, nil)
		return false
	}
	env, err := DecodeEnvelope(f)
	if err != nil {
		c.send(stream, protocolError(err), nil)
		return true
	}
	st := c.getState()
	switch m := env.Message.(type) {
	case *Options:
		c.send(stream, c.supported(), nil)
	case *Startup:
		if st != stateUninit {
			c.send(stream, unexpected(st, OpStartup, c.version), nil)
			return true
		}
		c.startup(stream, m)
	case *AuthResponse:
		if st == stateUninit {
			c.send(stream, unexpected(st, OpAuthResponse, c.version), nil)
			return true
		}
		token := m.Token
		c.dispatch(stream, func(ctx context.Context) (Message, []string) { return c.authResponse(ctx, token), nil })
	case *Credentials:
		if st == stateUninit {
			c.send(stream, unexpected(st, OpCredentials, c.version), nil)
			return true
		}
		creds := m.Credentials
		c.dispatch(stream, func(ctx context.Context) (Message, []string) { return c.credentials(ctx, creds), nil })
	default:
		if st != stateReady {
			c.send(stream, unexpected(st, f.Header.Opcode, c.version), nil)
			return true
		}
		c.request(stream, env.Message)
	}
	return true
}

// request runs a REGISTER or a statement of a READY connection.
func (c *conn) request(stream int16, msg Message) {
	h := c.s.handler
	switch m := msg.(type) {
	case *Register:
		for _, t := range m.EventTypes {
			if t != EventTopologyChange && t != EventStatusChange && t != EventSchemaChange {
				c.send(stream, &ErrorResponse{Code: CodeProtocolError, Message: "Invalid value '" + t + "' for Event.Type"}, nil)
				return
			}
		}
		c.send(stream, &Ready{}, nil)
	case *Query:
		c.dispatch(stream, func(ctx context.Context) (Message, []string) { return c.result(h.Query(ctx, c.sess, m)) })
	case *Prepare:
		c.dispatch(stream, func(ctx context.Context) (Message, []string) {
			r, err := h.Prepare(ctx, c.sess, m)
			if err == nil && r == nil {
				err = errors.New("transport: handler returned no prepared result")
			}
			if err != nil {
				return ErrorResponseFor(err), nil
			}
			return r, nil
		})
	case *Execute:
		c.dispatch(stream, func(ctx context.Context) (Message, []string) { return c.result(h.Execute(ctx, c.sess, m)) })
	case *Batch:
		c.dispatch(stream, func(ctx context.Context) (Message, []string) {
			if bh, ok := h.(BatchHandler); ok {
				return c.result(bh.Batch(ctx, c.sess, m))
			}
			return &ErrorResponse{Code: CodeInvalid, Message: MsgInvalidBatch}, nil
		})
	default:
		// Responses cannot get here (DecodeEnvelope checks the direction).
		c.send(stream, &ErrorResponse{Code: CodeProtocolError, Message: "Unexpected message " + msg.Opcode().String()}, nil)
	}
}

// result turns a handler's answer into a response.
func (c *conn) result(r Result, err error) (Message, []string) {
	if err != nil {
		return ErrorResponseFor(err), nil
	}
	if r == nil {
		return &VoidResult{}, nil
	}
	r, warnings := unwrapWarnings(r)
	if ks, ok := r.(*SetKeyspaceResult); ok {
		c.sess.SetKeyspace(ks.Keyspace)
	}
	return r, warnings
}

// dispatch runs fn in a goroutine, at most maxReqs at once per
// connection, and sends its response on stream. A panic in fn becomes a
// Server_error response.
func (c *conn) dispatch(stream int16, fn func(ctx context.Context) (Message, []string)) {
	select {
	case c.sem <- struct{}{}:
	case <-c.ctx.Done():
		return
	}
	c.reqs.Add(1)
	go func() {
		defer c.reqs.Done()
		defer func() { <-c.sem }()
		msg, warnings := c.safely(fn)
		c.send(stream, msg, warnings)
	}()
}

// safely calls fn, turning a panic into a Server_error.
func (c *conn) safely(fn func(ctx context.Context) (Message, []string)) (msg Message, warnings []string) {
	defer func() {
		if p := recover(); p != nil {
			c.s.log.Error("panic while serving a request", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			msg, warnings = &ErrorResponse{Code: CodeServerError, Message: fmt.Sprintf("java.lang.RuntimeException: %v", p)}, nil
		}
	}()
	return fn(c.ctx)
}

// send encodes and writes one response. A response that cannot be
// encoded becomes a Server_error; a failed write closes the connection.
func (c *conn) send(stream int16, msg Message, warnings []string) {
	v := c.version
	if v < V4 {
		warnings = nil
	}
	if rows, ok := msg.(*RowsResult); ok && v < V3 {
		conv, err := legacyRows(rows)
		if err != nil {
			msg = &ErrorResponse{Code: CodeServerError, Message: err.Error()}
		} else {
			msg = conv
		}
	}
	bp := c.s.getBuf()
	defer c.s.putBuf(bp)
	env := Envelope{Version: v, Stream: stream, Message: msg, Warnings: warnings}
	b, err := env.AppendBinary((*bp)[:0])
	if err != nil {
		c.s.log.Error("cannot encode a response", slog.String("opcode", msg.Opcode().String()), slog.Any("error", err))
		env = Envelope{Version: v, Stream: stream, Message: &ErrorResponse{Code: CodeServerError, Message: err.Error()}}
		if b, err = env.AppendBinary((*bp)[:0]); err != nil {
			c.abort()
			return
		}
	}
	*bp = b
	c.write(b)
}

// write writes one encoded frame (or more) under the write lock.
func (c *conn) write(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.s.writeTO))
	if _, err := c.w.Write(b); err != nil {
		c.s.log.Debug("write failed; closing connection", slog.String("remote", c.sess.Remote.String()), slog.Any("error", err))
		c.abort()
	}
}

// switchFraming starts v5 segment framing in both directions, right after
// the STARTUP response was written (Cassandra's InitialConnectionHandler).
func (c *conn) switchFraming() {
	if c.version < V5 {
		return
	}
	c.wmu.Lock()
	c.w = NewSegmentWriter(c.nc)
	c.wmu.Unlock()
	c.seg = NewSegmentReader(c.br, c.s.cfg.MaxFrameSize)
}

// knownProbe reports whether version is one of the DSE versions (65, 66)
// that every default Python client tries first: Cassandra rejects them
// without logging (KNOWN_INVALID_VERSIONS).
func knownProbe(version int) bool { return version == 0x41 || version == 0x42 }

// rejectVersion answers a first frame of an unsupported version as
// Cassandra does (ERROR 0x000A on stream 0, unframed, in a version the
// client can read) and closes the connection gracefully.
func (c *conn) rejectVersion(version int) {
	if !knownProbe(version) {
		c.s.log.Info("rejected unsupported protocol version", slog.Int("version", version), slog.String("remote", c.sess.Remote.String()))
	}
	hv := V4
	if version == int(V1) || version == int(V2) {
		hv = Version(version) // retired versions get their own version back
	}
	b, err := EncodeFrame(nil, hv, 0, &ErrorResponse{Code: CodeProtocolError,
		Message: UnsupportedVersionMessage(version, c.s.versions)})
	if err != nil { // cannot happen: the message is short
		return
	}
	c.version = hv
	c.write(b)
	c.lingerClose()
}

// lingerClose half-closes the connection and reads what the client still
// sends for a moment, so that closing does not reset the connection
// before the client has read the last response.
func (c *conn) lingerClose() {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(time.Second))
	_, _ = io.Copy(io.Discard, io.LimitReader(c.br, 1<<20))
}

// getBuf and putBuf pool response buffers.
func (s *Server) getBuf() *[]byte {
	if b, ok := s.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1024)
	return &b
}

func (s *Server) putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		s.bufs.Put(b)
	}
}
