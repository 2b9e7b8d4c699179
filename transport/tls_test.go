package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/internal/testpki"
	"github.com/cassauth/cassauth/roles"
)

// testPKI is a CA with helpers to issue and write certificates.
type testPKI struct {
	t   testing.TB
	dir string
	ca  *testpki.CA
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	ca, err := testpki.NewCA("cassauth test CA")
	require.NoError(t, err)
	p := &testPKI{t: t, dir: t.TempDir(), ca: ca}
	p.write("ca.pem", ca.PEM)
	return p
}

func (p *testPKI) path(name string) string { return filepath.Join(p.dir, name) }

func (p *testPKI) write(name string, b []byte) {
	p.t.Helper()
	require.NoError(p.t, os.WriteFile(p.path(name), b, 0o600))
}

// issue returns a certificate for cn (server: with the IP SAN 127.0.0.1)
// and its PEM forms.
func (p *testPKI) issue(cn string, server bool) (tls.Certificate, []byte, []byte, *x509.Certificate) {
	p.t.Helper()
	leaf, err := p.ca.Issue(testpki.LeafOptions{CommonName: cn, Server: server})
	require.NoError(p.t, err)
	pair, err := leaf.TLSCertificate()
	require.NoError(p.t, err)
	return pair, leaf.CertPEM, leaf.KeyPEM, leaf.Cert
}

// serverFiles issues a server certificate into server.pem/server.key.
func (p *testPKI) serverFiles(cn string) *x509.Certificate {
	p.t.Helper()
	_, c, k, leaf := p.issue(cn, true)
	p.write("server.pem", c)
	p.write("server.key", k)
	return leaf
}

func (p *testPKI) tlsConfig(clientAuth authn.ClientAuth) *TLSConfig {
	return &TLSConfig{Enabled: true, CertFile: p.path("server.pem"), KeyFile: p.path("server.key"),
		CAFile: p.path("ca.pem"), ClientAuth: clientAuth, ReloadInterval: -1}
}

// clientTLS is the client side: verify the server by IP, optionally
// present a certificate.
func (p *testPKI) clientTLS(cert *tls.Certificate) *tls.Config {
	c := &tls.Config{RootCAs: p.ca.Pool, ServerName: "127.0.0.1"}
	if cert != nil {
		c.Certificates = []tls.Certificate{*cert}
	}
	return c
}

func TestTLSModes(t *testing.T) {
	pki := newTestPKI(t)
	pki.serverFiles("server")
	t.Run("TLS only", func(t *testing.T) {
		_, addr := startServer(t, Config{TLS: pki.tlsConfig(authn.ClientAuthNotRequired)})
		cl, err := dialTLSClient(t, addr, V5, pki.clientTLS(nil))
		require.NoError(t, err)
		cl.mustLogin("cassandra", "cassandra")
		assert.Len(t, cl.rows(3, "SELECT key FROM system.local"), 1)
		plain := dialClient(t, addr, V4)
		plain.send(0, &Options{})
		plain.requireClosed()
	})
	t.Run("optional: TLS and plain text on one port", func(t *testing.T) {
		cfg := pki.tlsConfig(authn.ClientAuthNotRequired)
		cfg.Optional = true
		_, addr := startServer(t, Config{TLS: cfg})
		cl, err := dialTLSClient(t, addr, V4, pki.clientTLS(nil))
		require.NoError(t, err)
		cl.mustLogin("cassandra", "cassandra")
		plain := dialClient(t, addr, V4)
		plain.mustLogin("cassandra", "cassandra")
		// The probe is answered in plain text too.
		probe := dialClient(t, addr, V4)
		probe.sendRaw([]byte{0x42, 0, 0, 0, 5, 0, 0, 0, 0})
		requireError(t, probe.recv().Message, CodeProtocolError, UnsupportedVersionMessage(66, []Version{V4, V5}))
	})
	t.Run("separate TLS port", func(t *testing.T) {
		srv, err := NewServer(Config{Auth: newTestAuth(t, authOptions{}), SSLAddr: "127.0.0.1:0", TLS: pki.tlsConfig(authn.ClientAuthNotRequired)})
		require.NoError(t, err)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		sln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		go func() { _ = srv.Serve(context.Background(), ln) }()
		go func() { _ = srv.ServeTLS(context.Background(), sln) }()
		t.Cleanup(func() { _ = srv.Close() })
		plain := dialClient(t, ln.Addr().String(), V4)
		plain.mustLogin("cassandra", "cassandra")
		cl, err := dialTLSClient(t, sln.Addr().String(), V4, pki.clientTLS(nil))
		require.NoError(t, err)
		cl.mustLogin("cassandra", "cassandra")
		require.Eventually(t, func() bool { return srv.SSLAddr() != nil && srv.Addr() != nil }, time.Second, time.Millisecond)
		assert.Equal(t, sln.Addr().String(), srv.SSLAddr().String())
	})
	t.Run("TLS 1.2 minimum by default", func(t *testing.T) {
		_, addr := startServer(t, Config{TLS: pki.tlsConfig(authn.ClientAuthNotRequired)})
		c := pki.clientTLS(nil)
		c.MaxVersion = tls.VersionTLS11
		_, err := dialTLSClient(t, addr, V4, c)
		assert.Error(t, err)
	})
	t.Run("configured protocols and ciphers", func(t *testing.T) {
		cfg := pki.tlsConfig(authn.ClientAuthNotRequired)
		cfg.Protocols = []string{"TLSv1.2"}
		cfg.CipherSuites = []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"}
		_, addr := startServer(t, Config{TLS: cfg})
		cl, err := dialTLSClient(t, addr, V4, pki.clientTLS(nil))
		require.NoError(t, err)
		st := cl.nc.(*tls.Conn).ConnectionState()
		assert.Equal(t, uint16(tls.VersionTLS12), st.Version)
		assert.Equal(t, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, st.CipherSuite)
	})
}

func TestMutualTLSLogin(t *testing.T) {
	pki := newTestPKI(t)
	pki.serverFiles("server")
	a := newTestAuth(t, authOptions{authenticator: "MutualTlsAuthenticator",
		params:     map[string]string{"validator_class_name": "CommonNameCertificateValidator"},
		encryption: authn.ClientEncryption{Enabled: true, RequireClientAuth: authn.ClientAuthRequired}})
	ctx := context.Background()
	yes := true
	require.NoError(t, a.Roles().CreateRole(ctx, roles.System, "alice", roles.Options{Login: &yes}))
	require.NoError(t, a.Roles().AddIdentity(ctx, "alice-cert", "alice"))
	_, addr := startServer(t, Config{Auth: a, TLS: pki.tlsConfig(authn.ClientAuthRequired)})

	alice, _, _, _ := pki.issue("alice-cert", false)
	cl, err := dialTLSClient(t, addr, V5, pki.clientTLS(&alice))
	require.NoError(t, err)
	// Early authentication: READY at once, no AUTHENTICATE.
	require.Equal(t, &Ready{}, cl.startup())
	rows := cl.rows(3, "LIST ROLES OF alice")
	require.Len(t, rows, 1)
	assert.Equal(t, "alice", rows[0]["role"])

	mallory, _, _, _ := pki.issue("mallory", false)
	cl, err = dialTLSClient(t, addr, V4, pki.clientTLS(&mallory))
	require.NoError(t, err)
	requireError(t, cl.call(1, &Startup{Options: map[string]string{"CQL_VERSION": "3.4.7"}}), CodeBadCredentials,
		"Certificate identity 'mallory' not authorized")

	// require_client_auth true: no certificate, no connection.
	cl, err = dialTLSClient(t, addr, V4, pki.clientTLS(nil))
	if err == nil { // TLS 1.3 reports the refusal on the first read
		cl.send(0, &Options{})
		_, err = cl.read()
	}
	assert.Error(t, err)
}

func TestTLSReload(t *testing.T) {
	pki := newTestPKI(t)
	first := pki.serverFiles("first")
	srv, addr := startServer(t, Config{TLS: pki.tlsConfig(authn.ClientAuthOptional)})
	leaf := func() *x509.Certificate {
		cl, err := dialTLSClient(t, addr, V4, pki.clientTLS(nil))
		require.NoError(t, err)
		return cl.nc.(*tls.Conn).ConnectionState().PeerCertificates[0]
	}
	assert.Equal(t, first.SerialNumber, leaf().SerialNumber)
	require.NoError(t, srv.ReloadTLS(), "unchanged files reload as a no-op")
	second := pki.serverFiles("second")
	assert.Equal(t, first.SerialNumber, leaf().SerialNumber, "no reload without a request")
	require.NoError(t, srv.ReloadTLS())
	assert.Equal(t, second.SerialNumber, leaf().SerialNumber)

	// A broken file keeps the current certificate.
	pki.write("server.key", []byte("not a key"))
	assert.Error(t, srv.ReloadTLS())
	assert.Equal(t, second.SerialNumber, leaf().SerialNumber)

	// With client certificates optional, a certificate still reaches the
	// session.
	pki.serverFiles("third")
	require.NoError(t, srv.ReloadTLS())
	client, _, _, _ := pki.issue("client", false)
	cl, err := dialTLSClient(t, addr, V4, pki.clientTLS(&client))
	require.NoError(t, err)
	cl.mustLogin("cassandra", "cassandra")
}

func TestTLSReloadPolling(t *testing.T) {
	pki := newTestPKI(t)
	first := pki.serverFiles("first")
	cfg := pki.tlsConfig(authn.ClientAuthNotRequired)
	cfg.ReloadInterval = 20 * time.Millisecond
	_, addr := startServer(t, Config{TLS: cfg})
	serial := func() *big.Int {
		cl, err := dialTLSClient(t, addr, V4, pki.clientTLS(nil))
		require.NoError(t, err)
		defer cl.nc.Close()
		return cl.nc.(*tls.Conn).ConnectionState().PeerCertificates[0].SerialNumber
	}
	assert.Equal(t, first.SerialNumber, serial())
	second := pki.serverFiles("second")
	require.Eventually(t, func() bool { return serial().Cmp(second.SerialNumber) == 0 }, 5*time.Second, 20*time.Millisecond)
}

func TestParseClientAuth(t *testing.T) {
	for in, want := range map[string]authn.ClientAuth{"": authn.ClientAuthNotRequired, "false": authn.ClientAuthNotRequired,
		"TRUE": authn.ClientAuthRequired, " optional ": authn.ClientAuthOptional} {
		got, err := ParseClientAuth(in)
		require.NoError(t, err)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseClientAuth("yes")
	assert.ErrorIs(t, err, ErrConfig)
}

func TestListenAndServe(t *testing.T) {
	pki := newTestPKI(t)
	pki.serverFiles("server")
	srv, err := NewServer(Config{Auth: newTestAuth(t, authOptions{}), Addr: "127.0.0.1:0", SSLAddr: "127.0.0.1:0",
		TLS: pki.tlsConfig(authn.ClientAuthNotRequired)})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx) }()
	require.Eventually(t, func() bool { return srv.Addr() != nil && srv.SSLAddr() != nil }, 5*time.Second, time.Millisecond)
	plain := dialClient(t, srv.Addr().String(), V4)
	plain.mustLogin("cassandra", "cassandra")
	cl, err := dialTLSClient(t, srv.SSLAddr().String(), V4, pki.clientTLS(nil))
	require.NoError(t, err)
	cl.mustLogin("cassandra", "cassandra")
	cancel() // a done context closes the server
	assert.ErrorIs(t, <-done, context.Canceled)
	plain.requireClosed()
	assert.NoError(t, srv.Close())
}
