package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/store"
)

// Defaults of the request limits.
const (
	DefaultMaxBodyBytes   = 1 << 20   // 1 MiB, every JSON call
	DefaultMaxImportBytes = 256 << 20 // 256 MiB, POST /v1/import
)

// Config configures a Server. Auth, Env and Store are required; the zero
// value of every other field means the documented default.
type Config struct {
	// Auth is the auth subsystem, set up ([cassauth.Auth.Setup]) by the
	// caller, who also closes it after the Server.
	Auth *cassauth.Auth
	// Env runs statements: the cached parts of Auth (Roles, Authorizer,
	// Checker, Network, CIDR, Hooks) and a schema.
	Env *dcl.Env
	// Store is the store under Auth: tokens read role rows from it (and
	// follow its change feed), /v1/import and /v1/export use it, and
	// /healthz pings it.
	Store store.Store

	// TokenTTL is the lifetime of a bearer token; zero means
	// DefaultTokenTTL.
	TokenTTL time.Duration
	// MaxTokens bounds the tokens held; past it the ones closest to expiry
	// are dropped. Zero means DefaultMaxTokens.
	MaxTokens int
	// MaxBodyBytes bounds the JSON request bodies; zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxImportBytes bounds the body of POST /v1/import; zero means
	// DefaultMaxImportBytes.
	MaxImportBytes int64
	// MaxNameLength bounds names in requests and statements, in bytes;
	// zero means DefaultMaxNameLength.
	MaxNameLength int
	// Datacenter is this server's datacenter, which a role's ACCESS TO
	// DATACENTERS restriction must include ("" checks against no
	// datacenter, which only unrestricted roles pass).
	Datacenter string
	// Now is the clock of token expiry; nil means time.Now.
	Now func() time.Time
	// Logger receives a line per request at Debug, and server errors at
	// Error. Nil discards.
	Logger *slog.Logger
	// ReloadTLS reloads the client TLS certificates of the server's CQL
	// front end: POST /v1/admin/reloadssl, the equivalent of nodetool
	// reloadssl. It re-reads the certificate, key and CA files and, on
	// error, keeps the previous certificates in use. An error wrapping
	// [ErrTLSNotConfigured] says there is nothing to reload. Nil means the
	// server has no client TLS, and the call answers 409. It may be called
	// from several requests at once.
	ReloadTLS func(ctx context.Context) error
}

// Server is the HTTP API: an http.Handler serving /v1/authenticate,
// /v1/logout, /v1/execute, /v1/check, /v1/import, /v1/export,
// /v1/admin/reloadssl, /healthz and /metrics. It is safe for concurrent use; Close releases its token store.
type Server struct {
	cfg     Config
	log     *slog.Logger
	tokens  *tokens
	metrics *metrics
	mux     *http.ServeMux
}

// New returns a Server for cfg. Errors: a missing required part, or a
// failure of the system's random source.
func New(cfg Config) (*Server, error) {
	if cfg.Auth == nil || cfg.Env == nil || cfg.Store == nil {
		return nil, errors.New("httpapi: Config.Auth, Config.Env and Config.Store are required")
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = DefaultMaxTokens
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = DefaultMaxImportBytes
	}
	if cfg.MaxNameLength <= 0 {
		cfg.MaxNameLength = DefaultMaxNameLength
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	t, err := newTokens(cfg.Store, cfg.TokenTTL, cfg.MaxTokens, cfg.Now)
	if err != nil {
		return nil, err
	}
	s.tokens = t
	s.metrics = newMetrics(cfg.Auth.CacheStats, t.count)
	s.routes()
	return s, nil
}

// Close unsubscribes the token store from the store's change feed. The
// Server must not serve requests afterwards. Idempotent.
func (s *Server) Close() error {
	s.tokens.close()
	return nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// route is one endpoint: its path, method and handler, and whether the
// caller must be authenticated.
type route struct {
	path, method string
	auth         bool
	h            func(w http.ResponseWriter, r *http.Request, c *caller) *Error
}

// routes registers every endpoint, plus JSON answers for unknown paths and
// wrong methods (http.ServeMux's own are plain text).
func (s *Server) routes() {
	s.mux = http.NewServeMux()
	for _, rt := range []route{
		{"/v1/authenticate", http.MethodPost, false, s.handleAuthenticate},
		{"/v1/logout", http.MethodPost, true, s.handleLogout},
		{"/v1/execute", http.MethodPost, true, s.handleExecute},
		{"/v1/check", http.MethodPost, true, s.handleCheck},
		{"/v1/import", http.MethodPost, true, s.handleImport},
		{"/v1/export", http.MethodGet, true, s.handleExport},
		{"/v1/admin/reloadssl", http.MethodPost, true, s.handleReloadSSL},
		{"/healthz", http.MethodGet, false, s.handleHealth},
	} {
		s.mux.Handle(rt.path, s.wrap(rt))
	}
	metricsHandler := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	s.mux.Handle("/metrics", s.wrap(route{path: "/metrics", method: http.MethodGet,
		h: func(w http.ResponseWriter, r *http.Request, _ *caller) *Error {
			metricsHandler.ServeHTTP(w, r)
			return nil
		}}))
	s.mux.Handle("/", s.wrap(route{path: routeOther, h: func(_ http.ResponseWriter, r *http.Request, _ *caller) *Error {
		return protocolError(http.StatusNotFound, "No such endpoint: %s", truncate(r.URL.Path, 200))
	}}))
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first status written.
func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// wrap adds to a handler: the method check, authentication, metrics, the
// request log line and the JSON error response.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		apiErr := s.serve(rec, r, rt)
		if apiErr != nil {
			s.writeError(rec, r, apiErr)
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.observeRequest(rt.path, rec.status, d)
		s.log.Debug("request", slog.String("method", r.Method), slog.String("path", truncate(r.URL.Path, 200)),
			slog.Int("status", rec.status), slog.Duration("duration", d))
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) *Error {
	if rt.method != "" && r.Method != rt.method && !(rt.method == http.MethodGet && r.Method == http.MethodHead) {
		w.Header().Set("Allow", rt.method)
		return protocolError(http.StatusMethodNotAllowed, "Method %s is not allowed on %s: use %s", truncate(r.Method, 20), rt.path, rt.method)
	}
	var c *caller
	if rt.auth {
		var err *Error
		if c, err = s.authenticate(r); err != nil {
			if err.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="cassauth", Basic realm="cassauth", charset="UTF-8"`)
			}
			return err
		}
	}
	return rt.h(w, r, c)
}

// writeError writes e as the JSON error body.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	if e.Status >= 500 {
		s.log.Error("request failed", slog.String("path", truncate(r.URL.Path, 200)), slog.Int("status", e.Status),
			slog.String("code", codeName(e.Code)), slog.String("error", e.Msg))
	}
	writeJSON(w, e.Status, ErrorBody{Error: ErrorDetail{Code: int32(e.Code), Name: codeName(e.Code), Message: e.Msg}})
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil { // only values of this package are written: cannot happen
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":0,"name":"SERVER_ERROR","message":"could not encode the response"}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// marshal encodes v as one line of JSON without escaping <, > and &, which
// Cassandra's resource names ("<table ks.t>") are full of; the API serves
// no HTML, so the escaping would only make answers harder to read.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// clientAddr returns the client's IP address (the connection's peer; the
// API does not trust forwarding headers), or the zero Addr.
func clientAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// truncate shortens s for messages and logs.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
