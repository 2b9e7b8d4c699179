package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/store/memstore"
	"github.com/cassauth/cassauth/transport"
)

// newTestReloader returns a reloader for c logging as text into the
// returned buffer.
func newTestReloader(c *cqlOptions) (*tlsReloader, *lockedBuffer) {
	logs := &lockedBuffer{}
	return newTLSReloader(c, slog.New(slog.NewTextHandler(logs, nil))), logs
}

// waitLog waits for a log line containing want.
func waitLog(t *testing.T, logs *lockedBuffer, want string) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), want) }, 5*time.Second, 5*time.Millisecond,
		"want %q in:\n%s", want, logs)
}

func TestTLSReloaderWithoutTLS(t *testing.T) {
	r, logs := newTestReloader(&cqlOptions{addr: "127.0.0.1:0", clientAuth: "false"})
	assert.Nil(t, r.hook(), "no hook: the admin call answers 409 by itself")
	err := r.reload(context.Background())
	require.ErrorIs(t, err, httpapi.ErrTLSNotConfigured)

	sigs := make(chan os.Signal, 1)
	stop := r.watch(sigs)
	sigs <- syscall.SIGHUP
	waitLog(t, logs, `msg="no client TLS to reload" signal=hangup`)
	stop()
	stop() // idempotent
}

// TestTLSReloaderServer reloads a real transport server's certificates
// through the hook and through signals.
func TestTLSReloaderServer(t *testing.T) {
	d := newCertDir(t)
	d.issueServer()
	c := &cqlOptions{addr: "127.0.0.1:0", cert: d.path("server.pem"), key: d.path("server.key"), clientAuth: "false"}
	r, logs := newTestReloader(c)
	require.NotNil(t, r.hook())

	// Before the server starts: nothing to reload yet.
	err := r.hook()(context.Background())
	require.ErrorIs(t, err, httpapi.ErrTLSNotConfigured)
	assert.Contains(t, err.Error(), "the CQL server has not started")

	a, err := cassauth.New(cassauth.Config{Authenticator: cassauth.PasswordAuthenticator, BcryptRounds: 4}, memstore.New(), cassauth.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	tc, err := c.tls()
	require.NoError(t, err)
	srv, err := transport.NewServer(transport.Config{Auth: a, TLS: tc})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	r.set(srv)

	require.NoError(t, r.hook()(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, r.hook()(ctx), context.Canceled)

	sigs := make(chan os.Signal, 1)
	stop := r.watch(sigs)
	defer stop()
	d.issueServer()
	sigs <- syscall.SIGHUP
	waitLog(t, logs, `msg="TLS certificates reloaded" signal=hangup`)

	d.write("server.pem", []byte("garbage"))
	err = r.hook()(context.Background())
	require.Error(t, err)
	assert.NotErrorIs(t, err, httpapi.ErrTLSNotConfigured)
	sigs <- syscall.SIGHUP
	waitLog(t, logs, `msg="TLS reload failed; the previous certificates stay in use" signal=hangup`)
}
