package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cassauth/cassauth/internal/app"
	"github.com/cassauth/cassauth/internal/httpapi"
)

// serveOptions are serve's flags.
type serveOptions struct {
	target
	listen          string
	tokenTTL        time.Duration
	maxTokens       int
	maxImportBytes  int64
	datacenter      string
	datacenters     listFlag
	logLevel        string
	logFormat       string
	shutdownTimeout time.Duration
	storeFeed       bool
	cql             cqlOptions
}

const serveDescription = `
Run the policy server: the HTTP API (JSON; see README.md) on --listen, and,
with --cql, Cassandra's native protocol for CQL drivers and cqlsh.

The store is the embedded one in --data, created on first start, or the one
--store names. On first start with an empty store the server creates
Cassandra's default superuser, cassandra with the password cassandra, and
logs a warning that it must be replaced; --no-default-superuser skips it.

Servers sharing a PostgreSQL store hear each other's changes through
LISTEN/NOTIFY and invalidate their caches at once. With --store-feed=false
this server neither hears nor announces changes: the servers' caches then
catch up with each other's writes only as their entries expire
(permissions_validity, roles_validity, ...).

The authentication and authorization settings are cassandra.yaml's, read
from --config (a whole cassandra.yaml may be given: other keys are ignored);
unlike Cassandra, the server defaults to PasswordAuthenticator and
CassandraAuthorizer. The file's cassauth: section sets flags by name
(listen: 127.0.0.1:8181, token_ttl: 30m, ...). Flags win over $CASSAUTH_*
variables, which win over the file.

Logs are structured (log/slog) on stderr; the "listening" line gives the
bound address (use --listen 127.0.0.1:0 for a free port). SIGINT and
SIGTERM stop the server gracefully; SIGHUP reloads the CQL TLS certificate,
key and CA files, as POST /v1/admin/reloadssl does (a failed reload keeps
the previous ones). The file's client_encryption_options (enabled,
optional, require_client_auth, certificate, private_key, ca,
accepted_protocols, cipher_suites) and native_transport_port_ssl set the
--cql-tls-* flags and --cql-ssl.`

func runServe(ctx context.Context, args []string, e *env) int {
	var o serveOptions
	f := newFlags("serve", "serve [flags]", serveDescription)
	o.addStoreFlags(f)
	f.StringVar(&o.listen, "listen", "127.0.0.1:8181", "the HTTP API's `address`")
	f.BoolVar(&o.noDefaultSuperuser, "no-default-superuser", false, "do not create cassandra/cassandra in an empty store")
	f.DurationVar(&o.tokenTTL, "token-ttl", httpapi.DefaultTokenTTL, "the lifetime of a bearer token")
	f.IntVar(&o.maxTokens, "max-tokens", httpapi.DefaultMaxTokens, "the most bearer tokens held at once")
	f.Int64Var(&o.maxImportBytes, "max-import-bytes", httpapi.DefaultMaxImportBytes, "the largest body POST /v1/import accepts")
	f.StringVar(&o.datacenter, "datacenter", "datacenter1", "this server's datacenter, checked against ACCESS TO DATACENTERS")
	f.Var(&o.datacenters, "datacenters", "the cluster's datacenters, comma-separated, against which ACCESS TO DATACENTERS is validated (default: not validated)")
	f.StringVar(&o.logLevel, "log-level", "info", "the log `level`: debug, info, warn or error")
	f.StringVar(&o.logFormat, "log-format", "text", "the log `format`: text or json")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long a graceful shutdown waits for requests in flight")
	f.DurationVar(&o.lockTimeout, "lock-timeout", 5*time.Second, "how long to wait for the data directory's lock")
	f.BoolVar(&o.storeFeed, "store-feed", true, "with a PostgreSQL --store, hear and announce changes across servers (LISTEN/NOTIFY); false leaves them to the caches' validity")
	o.cql.addFlags(f)
	if err := o.parse(f, args, e); err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		return fail(e, "serve", err)
	}
	if f.NArg() > 0 {
		return fail(e, "serve", fmt.Errorf("unexpected arguments: %s", strings.Join(f.Args(), " ")))
	}
	logger, err := newLogger(e.stderr, o.logLevel, o.logFormat)
	if err != nil {
		return fail(e, "serve", err)
	}
	if err := serve(ctx, &o, logger); err != nil {
		logger.Error("server failed", "error", errText(err))
		return exitError
	}
	return exitOK
}

// newLogger returns the server's logger.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	ho := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, ho)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, ho)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// serve runs the server until ctx is done, then shuts it down gracefully.
func serve(ctx context.Context, o *serveOptions, log *slog.Logger) error {
	spec, err := app.ParseSpec(o.store, o.data)
	if err != nil {
		return err
	}
	// The store's own lines (bbolt's file handling) only from WARN up.
	storeLog := slog.New(minLevel{Handler: log.Handler(), min: slog.LevelWarn})
	st, closer, err := app.OpenStore(ctx, spec, app.StoreOptions{LockTimeout: o.lockTimeout, Logger: storeLog, DisableFeed: !o.storeFeed})
	if err != nil {
		return err
	}
	defer func() {
		if err := closer.Close(); err != nil {
			log.Error("closing the store", "error", err)
		}
	}()
	log.Info("store open", "store", spec.String())
	if spec.Kind == app.KindPostgres && !o.storeFeed {
		log.Info("change feed off (--store-feed=false): other servers' changes reach the caches only when their entries expire, and this server's reach theirs the same way")
	}
	ce, err := o.cql.clientEncryption()
	if err != nil {
		return err
	}
	if ce != nil { // the flags, which include the file's client_encryption_options
		o.file.auth.ClientEncryption = *ce
	}
	a, err := app.Build(ctx, st, app.Options{
		Config:                  app.ServerConfig(o.file.auth),
		DisableDefaultSuperuser: o.noDefaultSuperuser,
		Datacenters:             o.datacenters,
		Logger:                  log,
	})
	if err != nil {
		return err
	}
	defer a.Close()
	reloader := newTLSReloader(&o.cql, log)
	defer reloader.watchSIGHUP()() // before "listening": a SIGHUP must never stop the server
	api, err := httpapi.New(httpapi.Config{
		Auth: a.Auth, Env: a.Env, Store: st,
		TokenTTL: o.tokenTTL, MaxTokens: o.maxTokens, MaxImportBytes: o.maxImportBytes,
		Datacenter: o.datacenter, Logger: log, ReloadTLS: reloader.hook(),
	})
	if err != nil {
		return err
	}
	defer api.Close()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Minute, // an import of --max-import-bytes on a slow link
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("listening", "api", "http", "addr", ln.Addr().String())

	cql, err := o.cql.start(ctx, a, log, o.datacenter, errc)
	if err != nil {
		_ = hs.Close()
		return err
	}
	reloader.set(cql)

	select {
	case <-ctx.Done():
		log.Info("shutting down", "reason", context.Cause(ctx).Error())
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			_ = hs.Close()
			if cql != nil {
				_ = cql.Close()
			}
			return err
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.shutdownTimeout)
	defer cancel()
	var errs []error
	if cql != nil {
		if err := cql.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("CQL shutdown: %w", err))
		}
	}
	if err := hs.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("HTTP shutdown: %w", err))
	}
	if len(errs) == 0 {
		log.Info("stopped")
	}
	return errors.Join(errs...)
}

// minLevel is a handler that drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

// Enabled reports whether level is at least min and the handler takes it.
func (m minLevel) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= m.min && m.Handler.Enabled(ctx, level)
}

// WithAttrs keeps the filter.
func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{Handler: m.Handler.WithAttrs(as), min: m.min}
}

// WithGroup keeps the filter.
func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: m.Handler.WithGroup(name), min: m.min}
}
