package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/transport"
)

// tlsReloader reloads the client TLS certificates of the CQL server on
// demand, the program's nodetool reloadssl: on SIGHUP, and through POST
// /v1/admin/reloadssl. A failed reload keeps the previous certificates.
// It is safe for concurrent use; the transport serializes the reloads.
type tlsReloader struct {
	log     *slog.Logger
	enabled bool                             // the CQL front end is configured with TLS
	srv     atomic.Pointer[transport.Server] // set once the CQL server runs
}

// newTLSReloader returns the reloader of the CQL front end c configures
// (with TLS or not); set gives it the server once started.
func newTLSReloader(c *cqlOptions, log *slog.Logger) *tlsReloader {
	return &tlsReloader{log: log, enabled: c.tlsServed()}
}

// set installs the running CQL server (nil: none).
func (r *tlsReloader) set(srv *transport.Server) { r.srv.Store(srv) }

// reload re-reads the certificate, key and CA files. Errors: one wrapping
// httpapi.ErrTLSNotConfigured when there is no TLS to reload (or the CQL
// server has not started yet), ctx's error, or the transport's loading
// error (the previous certificates then stay in use).
func (r *tlsReloader) reload(ctx context.Context) error {
	if !r.enabled {
		return fmt.Errorf("%w (serve CQL with --cql, --cql-tls-cert and --cql-tls-key)", httpapi.ErrTLSNotConfigured)
	}
	srv := r.srv.Load()
	if srv == nil {
		return fmt.Errorf("%w yet: the CQL server has not started", httpapi.ErrTLSNotConfigured)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return srv.ReloadTLS()
}

// hook is the httpapi.Config.ReloadTLS of the server: nil without TLS.
func (r *tlsReloader) hook() func(context.Context) error {
	if !r.enabled {
		return nil
	}
	return r.reload
}

// onSignal reloads after one signal and logs the outcome; a failure is
// logged, never fatal.
func (r *tlsReloader) onSignal(sig os.Signal) {
	if !r.enabled {
		r.log.Info("no client TLS to reload", "signal", sig.String())
		return
	}
	if err := r.reload(context.Background()); err != nil {
		r.log.Error("TLS reload failed; the previous certificates stay in use", "signal", sig.String(), "error", err)
		return
	}
	r.log.Info("TLS certificates reloaded", "signal", sig.String())
}

// watch reloads after every signal received on sigs until stop is called;
// stop waits for a reload in progress and is idempotent.
func (r *tlsReloader) watch(sigs <-chan os.Signal) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case sig := <-sigs:
				r.onSignal(sig)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
		})
	}
}

// watchSIGHUP takes over SIGHUP, which would otherwise end the process,
// and reloads the certificates on each until stop, which gives SIGHUP
// back.
func (r *tlsReloader) watchSIGHUP() (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP)
	stopWatch := r.watch(sigs)
	return func() {
		signal.Stop(sigs)
		stopWatch()
	}
}
