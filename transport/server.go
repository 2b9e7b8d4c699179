package transport

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/roles"
)

// Auth is what the server and cassauth's own handler need of the auth
// subsystem. *cassauth.Auth implements it with its cached parts; an
// embedding server may supply its own. Implementations are safe for
// concurrent use.
type Auth interface {
	// Authenticator runs the handshake: AUTHENTICATE's class name and a
	// negotiator per connection.
	Authenticator() authn.Authenticator
	// Roles is the role manager; the server checks LOGIN through it after
	// a negotiation completes ([authn.Login]).
	Roles() roles.Manager
	// Authorizer stores grants and lists them (DCL, system_auth tables).
	Authorizer() authz.Authorizer
	// Checker is the access check of statements.
	Checker() *authz.Checker
}

// NodeInfo describes this node as the system tables report it.
type NodeInfo struct {
	// ClusterName is cluster_name; "" means "Test Cluster", Cassandra's
	// default.
	ClusterName string
	// DataCenter and Rack are data_center and rack; "" means
	// "datacenter1" and "rack1" (the Python driver's DC-aware policy and
	// a role's ACCESS TO DATACENTERS use the datacenter).
	DataCenter, Rack string
	// HostID is host_id, constant for the server's life (gocql merges
	// hosts by it); the zero UUID means a random one chosen by NewServer
	// or NewHandler.
	HostID UUID
	// ReleaseVersion is release_version; "" means [DefaultReleaseVersion].
	ReleaseVersion string
}

// Defaults of [NodeInfo] and of the SUPPORTED options.
const (
	DefaultClusterName    = "Test Cluster"
	DefaultDataCenter     = "datacenter1"
	DefaultRack           = "rack1"
	DefaultReleaseVersion = "5.0.4"
	// CQLVersion is the CQL version announced in SUPPORTED and in
	// system.local (Cassandra 5.0's QueryProcessor.CQL_VERSION).
	CQLVersion = "3.4.7"
)

// withDefaults fills the zero fields of n.
func (n NodeInfo) withDefaults() NodeInfo {
	if n.ClusterName == "" {
		n.ClusterName = DefaultClusterName
	}
	if n.DataCenter == "" {
		n.DataCenter = DefaultDataCenter
	}
	if n.Rack == "" {
		n.Rack = DefaultRack
	}
	if n.ReleaseVersion == "" {
		n.ReleaseVersion = DefaultReleaseVersion
	}
	if n.HostID == (UUID{}) {
		n.HostID = randomUUID()
	}
	return n
}

// randomUUID returns a random (version 4) UUID.
func randomUUID() UUID {
	var u UUID
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// Config configures a [Server]. Auth is required; every other zero value
// means what its field says.
type Config struct {
	// Addr is the native_transport_address:port to listen on in
	// [Server.ListenAndServe]; "" means ":9042". With TLS enabled and no
	// SSLAddr it serves TLS (or both, with TLS.Optional); with SSLAddr set
	// it serves plain text, as Cassandra's native_transport_port does
	// next to native_transport_port_ssl.
	Addr string
	// SSLAddr is the separate TLS port (native_transport_port_ssl), ""
	// for none. It needs TLS.Enabled.
	SSLAddr string
	// Auth is the auth subsystem. Required.
	Auth Auth
	// Handler runs the statements; nil means [NewHandler] over Auth and
	// Node (DCL, USE and the system and auth tables).
	Handler Handler
	// TLS is client_encryption_options; nil means no TLS.
	TLS *TLSConfig
	// EnableProtocolV1 serves protocol v1 for legacy clients (off by
	// default, as in Cassandra 4.0 and later): v1 clients authenticate
	// with CREDENTIALS through the authenticator's credentials map.
	EnableProtocolV1 bool
	// MaxFrameSize bounds a request frame (native_transport_max_frame_size);
	// 0 means [DefaultMaxFrameSize].
	MaxFrameSize int
	// MaxRequestsPerConnection bounds the requests of one connection that
	// run at once; further requests wait to be read. 0 means 128.
	MaxRequestsPerConnection int
	// WriteTimeout bounds the write of one response; a client that does
	// not read for that long is disconnected. 0 means 30 seconds.
	WriteTimeout time.Duration
	// Node describes this node in system.local and gives the datacenter
	// of sessions.
	Node NodeInfo
	// Logger receives connection errors and TLS reloads; nil discards.
	Logger *slog.Logger
	// Now is the clock of system.local's gossip_generation; nil means
	// time.Now.
	Now func() time.Time
}

// ErrServerClosed is returned by [Server.Serve] and
// [Server.ListenAndServe] after [Server.Close] or [Server.Shutdown].
var ErrServerClosed = errors.New("transport: server closed")

// ErrConfig is matched (errors.Is) by every configuration error of
// [NewServer], [NewHandler] and [TLSConfig].
var ErrConfig = errors.New("transport: invalid configuration")

// configErrorf returns an error matching ErrConfig.
func configErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
}

// Server serves the CQL native protocol: version negotiation, the
// handshake and SASL authentication, then statements through its
// [Handler]. Build it with [NewServer]; it is safe for concurrent use, and
// every goroutine it starts ends by [Server.Close].
type Server struct {
	cfg       Config
	node      NodeInfo
	handler   Handler
	log       *slog.Logger
	now       func() time.Time
	versions  []Version // served, ascending
	tls       *tlsState // nil without TLS
	maxReqs   int
	writeTO   time.Duration
	bufs      sync.Pool // *[]byte response buffers
	closeOnce sync.Once
	closed    chan struct{}
	stopping  atomic.Bool    // Shutdown has begun
	wg        sync.WaitGroup // Serve loops, connections, the TLS poller

	mu        sync.Mutex // guards listeners, conns, addr, sslAddr
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	addr      net.Addr
	sslAddr   net.Addr
}

// NewServer validates cfg and returns a server. With TLS enabled it loads
// the certificate, key and CA files (an error names the file) and starts
// the reload poller. Errors match [ErrConfig] or come from loading files.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Auth == nil {
		return nil, configErrorf("Config.Auth is required")
	}
	if cfg.MaxFrameSize < 0 || cfg.MaxRequestsPerConnection < 0 || cfg.WriteTimeout < 0 {
		return nil, configErrorf("MaxFrameSize, MaxRequestsPerConnection and WriteTimeout must not be negative")
	}
	tlsOn := cfg.TLS != nil && cfg.TLS.Enabled
	if cfg.SSLAddr != "" && !tlsOn {
		return nil, configErrorf("SSLAddr (native_transport_port_ssl) needs TLS.Enabled")
	}
	s := &Server{cfg: cfg, node: cfg.Node.withDefaults(), log: cfg.Logger, now: cfg.Now,
		maxReqs: cfg.MaxRequestsPerConnection, writeTO: cfg.WriteTimeout, closed: make(chan struct{}),
		listeners: map[net.Listener]struct{}{}, conns: map[*conn]struct{}{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxReqs == 0 {
		s.maxReqs = 128
	}
	if s.writeTO == 0 {
		s.writeTO = 30 * time.Second
	}
	if cfg.EnableProtocolV1 {
		s.versions = append(s.versions, V1)
	}
	s.versions = append(s.versions, V4, V5)
	s.handler = cfg.Handler
	if s.handler == nil {
		h, err := NewHandler(HandlerConfig{Auth: cfg.Auth, Node: s.node, Logger: cfg.Logger, Now: cfg.Now})
		if err != nil {
			return nil, err
		}
		s.handler = h
	}
	if tlsOn {
		st, err := newTLSState(*cfg.TLS, s.log)
		if err != nil {
			return nil, err
		}
		s.tls = st
		if iv := st.interval(); iv > 0 {
			s.wg.Add(1)
			go s.pollTLS(iv)
		}
	}
	return s, nil
}

// Versions returns the protocol versions the server serves, ascending:
// 4 and 5, and 1 with EnableProtocolV1.
func (s *Server) Versions() []Version { return append([]Version(nil), s.versions...) }

// serves reports whether v is served.
func (s *Server) serves(v Version) bool {
	for _, x := range s.versions {
		if x == v {
			return true
		}
	}
	return false
}

// Handler returns the handler the server runs statements with.
func (s *Server) Handler() Handler { return s.handler }

// ConnMode says how the connections of a listener, or one connection
// handed to [Server.ServeConn], speak.
type ConnMode uint8

// The connection modes.
const (
	// ConnPlain: plain-text CQL.
	ConnPlain ConnMode = iota
	// ConnTLS: TLS first (needs TLS.Enabled).
	ConnTLS
	// ConnOptional: TLS or plain text, told apart by the first byte (0x16
	// starts a TLS handshake; CQL starts with a version byte).
	ConnOptional
)

// mainMode is the mode of Addr.
func (s *Server) mainMode() ConnMode {
	switch {
	case s.tls == nil || s.cfg.SSLAddr != "":
		return ConnPlain
	case s.cfg.TLS.Optional:
		return ConnOptional
	}
	return ConnTLS
}

// Serve accepts connections on ln and serves them as the main port (Addr)
// does: plain text, TLS, or both with TLS.Optional. It blocks until the
// server is closed (returning [ErrServerClosed]), ctx is done (the server
// is then closed, and Serve returns ctx's error), or ln fails. Connections
// inherit ctx's values. Serve closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.serve(ctx, ln, s.mainMode(), false)
}

// ServeTLS is [Server.Serve] for the separate TLS port (SSLAddr): every
// connection must speak TLS. It fails with an error matching [ErrConfig]
// when TLS is not enabled.
func (s *Server) ServeTLS(ctx context.Context, ln net.Listener) error {
	if s.tls == nil {
		_ = ln.Close()
		return configErrorf("ServeTLS needs TLS.Enabled")
	}
	return s.serve(ctx, ln, ConnTLS, true)
}

// ListenAndServe listens on Addr (and SSLAddr when set) and serves them
// until the server is closed or ctx is done, like [Server.Serve].
func (s *Server) ListenAndServe(ctx context.Context) error {
	addr := s.cfg.Addr
	if addr == "" {
		addr = ":9042"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	if s.cfg.SSLAddr == "" {
		return s.Serve(ctx, ln)
	}
	sln, err := lc.Listen(ctx, "tcp", s.cfg.SSLAddr)
	if err != nil {
		_ = ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- s.ServeTLS(ctx, sln) }()
	err = s.Serve(ctx, ln)
	if errors.Is(err, ErrServerClosed) {
		return <-errc // ErrServerClosed too, unless the TLS port failed
	}
	_ = s.Close()
	<-errc
	return err
}

// Addr returns the address of the last listener given to Serve (or
// opened by ListenAndServe for Addr), nil before.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// SSLAddr returns the address of the last listener given to ServeTLS,
// nil before.
func (s *Server) SSLAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sslAddr
}

func (s *Server) serve(ctx context.Context, ln net.Listener, mode ConnMode, ssl bool) error {
	s.mu.Lock()
	if s.isClosed() {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	if ssl {
		s.sslAddr = ln.Addr()
	} else {
		s.addr = ln.Addr()
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	defer stop()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		_ = ln.Close()
	}()
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() || s.stopping.Load() {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTemporary) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", slog.Any("error", err), slog.Duration("delay", delay))
				select {
				case <-time.After(delay):
					continue
				case <-s.closed:
					return ErrServerClosed
				}
			}
			return err
		}
		delay = 0
		s.ServeConn(ctx, nc, mode)
	}
}

// errTemporary marks accept errors worth retrying (tests inject it).
var errTemporary = errors.New("temporary accept error")

// ServeConn serves one accepted connection in a new goroutine, as Serve
// does for each connection of its listener; mode says how it speaks
// (ConnTLS and ConnOptional need TLS.Enabled, else the connection is
// closed). On a closed server it closes nc at once. It is how an embedding
// server with its own accept loop hands connections over; ctx is the
// connection's parent context.
func (s *Server) ServeConn(ctx context.Context, nc net.Conn, mode ConnMode) {
	c := newConn(s, nc, ctx)
	s.mu.Lock()
	if s.isClosed() {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
		c.serve(mode)
	}()
}

func (s *Server) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// Close closes the listeners and every connection at once (requests in
// flight see their context cancelled and their responses are dropped),
// stops the TLS poller and waits for every goroutine of the server to
// end. It is idempotent and returns nil.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.closed)
		for ln := range s.listeners {
			_ = ln.Close()
		}
		for c := range s.conns {
			c.abort()
		}
		s.mu.Unlock()
	})
	s.wg.Wait()
	return nil
}

// Shutdown closes the listeners, stops reading new requests, lets the
// requests in flight finish and write their responses, then closes the
// connections. If ctx ends first it closes everything as [Server.Close]
// does and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopping.Store(true)
	s.mu.Lock()
	for ln := range s.listeners {
		_ = ln.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.drain()
	}
	for _, c := range conns {
		select {
		case <-c.done:
		case <-ctx.Done():
			_ = s.Close()
			return ctx.Err()
		}
	}
	return s.Close()
}

// ReloadTLS is Cassandra's nodetool reloadssl: it re-reads the
// certificate, key and CA files and, if they changed, uses them for new
// connections (existing ones keep theirs). On error the previous
// certificates stay in use. Without TLS it does nothing and returns nil.
// The program wires SIGHUP and its authenticated admin call to it.
func (s *Server) ReloadTLS() error {
	if s.tls == nil {
		return nil
	}
	_, err := s.tls.reload(false)
	return err
}

// pollTLS reloads changed TLS files every interval until Close.
func (s *Server) pollTLS(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			_, _ = s.tls.reload(false) // logged by reload
		}
	}
}
