package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/testpki"
)

// certDir is a test CA that writes PEM files into a directory: ca.pem,
// and server.pem/server.key for the server certificate of the moment.
type certDir struct {
	t   testing.TB
	dir string
	ca  *testpki.CA
}

func newCertDir(t testing.TB) *certDir {
	t.Helper()
	ca, err := testpki.NewCA("cassauth e2e CA")
	require.NoError(t, err)
	d := &certDir{t: t, dir: t.TempDir(), ca: ca}
	d.write("ca.pem", ca.PEM)
	return d
}

func (d *certDir) path(name string) string { return filepath.Join(d.dir, name) }

// write replaces a file the way a certificate rotation does: a new file
// renamed over the old one.
func (d *certDir) write(name string, b []byte) {
	d.t.Helper()
	tmp := d.path(name + ".tmp")
	require.NoError(d.t, os.WriteFile(tmp, b, 0o600))
	require.NoError(d.t, os.Rename(tmp, d.path(name)))
}

// issueServer writes a new server certificate (IP SAN 127.0.0.1) and key
// and returns its serial number.
func (d *certDir) issueServer() *big.Int {
	d.t.Helper()
	leaf, err := d.ca.Issue(testpki.LeafOptions{CommonName: "server", Server: true})
	require.NoError(d.t, err)
	d.write("server.key", leaf.KeyPEM)
	d.write("server.pem", leaf.CertPEM)
	return leaf.Cert.SerialNumber
}

// tlsFlags are serve's flags for d's server files.
func (d *certDir) tlsFlags() []string {
	return []string{"--cql-tls-cert", d.path("server.pem"), "--cql-tls-key", d.path("server.key")}
}

// client is a client configuration that trusts d's CA, for versions
// lo..hi (0: Go's defaults).
func (d *certDir) client(lo, hi uint16) *tls.Config {
	return &tls.Config{RootCAs: d.ca.Pool, ServerName: "127.0.0.1", MinVersion: lo, MaxVersion: hi}
}

// dialTLS connects to addr with TLS and returns the server's leaf
// certificate serial and the negotiated version.
func dialTLS(t *testing.T, addr string, cfg *tls.Config) (*big.Int, uint16, error) {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return nil, 0, err
	}
	defer c.Close()
	st := c.ConnectionState()
	// One CQL round trip: the connection is served, not just accepted.
	op, _ := cqlFrame(t, c, 0x05, nil) // OPTIONS
	assert.Equal(t, byte(0x06), op, "SUPPORTED over TLS")
	return st.PeerCertificates[0].SerialNumber, st.Version, nil
}

// serial is dialTLS that must succeed, returning the serial.
func serial(t *testing.T, addr string, d *certDir) *big.Int {
	t.Helper()
	s, _, err := dialTLS(t, addr, d.client(0, 0))
	require.NoError(t, err)
	return s
}

// plainOptions sends OPTIONS in plain text and reports whether SUPPORTED
// came back.
func plainOptions(t testing.TB, addr string) bool {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	if _, err := c.Write([]byte{0x04, 0, 0, 1, 0x05, 0, 0, 0, 0}); err != nil {
		return false
	}
	resp := make([]byte, 9)
	n, _ := c.Read(resp)
	return n >= 5 && resp[0] == 0x84 && resp[4] == 0x06
}

// sslAddr is the separate TLS port from the server's "listening" line.
func sslAddr(t testing.TB, s *server) string {
	t.Helper()
	for line := range strings.SplitSeq(s.logs.String(), "\n") {
		var rec struct{ Msg, API, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" && rec.API == "cql-ssl" {
			return rec.Addr
		}
	}
	t.Fatalf("no cql-ssl listening line:\n%s", s.logs)
	return ""
}

// reloadSSL calls POST /v1/admin/reloadssl.
func reloadSSL(s *server, auth string) (int, []byte) {
	return s.raw(http.MethodPost, "/v1/admin/reloadssl", auth, "", nil)
}

// TestServeCQLSSLPortReload serves plain CQL on --cql and TLS on --cql-ssl,
// then rotates the certificate: through SIGHUP, through the admin call (a
// superuser's only), and with broken files, which keep the old one.
func TestServeCQLSSLPortReload(t *testing.T) {
	d := newCertDir(t)
	first := d.issueServer()
	s := startServer(t, append([]string{"--data", t.TempDir(), "--cql", "127.0.0.1:0", "--cql-ssl", "127.0.0.1:0"}, d.tlsFlags()...)...)
	ssl := sslAddr(t, s)
	require.NotEqual(t, s.cqlAddr, ssl)

	assert.Equal(t, first, serial(t, ssl, d))
	assert.True(t, plainOptions(t, s.cqlAddr), "the --cql port speaks plain text")
	assert.False(t, plainOptions(t, ssl), "the --cql-ssl port speaks TLS only")
	_, _, err := dialTLS(t, s.cqlAddr, d.client(0, 0))
	assert.Error(t, err, "no TLS on the --cql port")

	// SIGHUP: reloaded, and the server keeps running.
	second := d.issueServer()
	assert.Equal(t, first, serial(t, ssl, d), "no reload before asked (polling every 10 minutes)")
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return serial(t, ssl, d).Cmp(second) == 0 }, 10*time.Second, 50*time.Millisecond)
	assert.Contains(t, s.logs.String(), `"msg":"TLS certificates reloaded","signal":"hangup"`)
	status, _ := s.raw(http.MethodGet, "/healthz", "", "", nil)
	assert.Equal(t, http.StatusOK, status)

	// The admin call: superusers only.
	su := s.login("cassandra", "cassandra")
	s.exec(su, "CREATE ROLE ops WITH PASSWORD = 'ops-pw' AND LOGIN = true")
	third := d.issueServer()
	status, body := reloadSSL(s, s.login("ops", "ops-pw"))
	require.Equal(t, http.StatusForbidden, status, "%s", body)
	code, msg := errorOf(t, body)
	assert.Equal(t, int32(0x2100), code)
	assert.Equal(t, "Only superusers may reload the TLS certificates", msg)
	assert.Equal(t, second, serial(t, ssl, d), "a refused call reloads nothing")
	status, body = reloadSSL(s, su)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.JSONEq(t, `{"reloaded": true}`, string(body))
	assert.Equal(t, third, serial(t, ssl, d), "reloaded before the answer")

	// Broken files: the call fails with the reason, SIGHUP logs it, and
	// the third certificate stays in use.
	d.write("server.key", []byte("not a key"))
	status, body = reloadSSL(s, su)
	require.Equal(t, http.StatusInternalServerError, status, "%s", body)
	code, msg = errorOf(t, body)
	assert.Equal(t, int32(0), code)
	assert.Contains(t, msg, "Cannot reload the TLS certificates, the previous ones stay in use: ")
	assert.Contains(t, msg, "server.key")
	assert.Equal(t, third, serial(t, ssl, d))
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool {
		return strings.Contains(s.logs.String(), `"msg":"TLS reload failed; the previous certificates stay in use","signal":"hangup"`)
	}, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, third, serial(t, ssl, d))

	assert.Equal(t, 0, s.stop(syscall.SIGTERM), "SIGHUP never stopped the server")
}

// TestServeCQLTLSProtocols: TLS 1.2 and later by default; an older
// version only when --cql-tls-protocols lists it.
func TestServeCQLTLSProtocols(t *testing.T) {
	d := newCertDir(t)
	d.issueServer()
	tests := []struct {
		name  string
		extra []string
		ok    map[uint16]bool // client version -> accepted
	}{
		{"default", nil, map[uint16]bool{tls.VersionTLS11: false, tls.VersionTLS12: true, tls.VersionTLS13: true}},
		{"TLSv1.1 listed", []string{"--cql-tls-protocols", "TLSv1.1,TLSv1.3"},
			map[uint16]bool{tls.VersionTLS10: false, tls.VersionTLS11: true, tls.VersionTLS12: true, tls.VersionTLS13: true}},
		{"TLSv1.3 only", []string{"--cql-tls-protocols", "TLSv1.3"}, map[uint16]bool{tls.VersionTLS12: false, tls.VersionTLS13: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--data", t.TempDir(), "--cql", "127.0.0.1:0"}, d.tlsFlags()...)
			s := startServer(t, append(args, tt.extra...)...)
			for v, ok := range tt.ok {
				_, got, err := dialTLS(t, s.cqlAddr, d.client(v, v))
				if ok {
					if assert.NoError(t, err, tls.VersionName(v)) {
						assert.Equal(t, v, got)
					}
				} else {
					assert.Error(t, err, tls.VersionName(v))
				}
			}
		})
	}
}

// TestServeCQLTLSOptional serves TLS and plain text on one port.
func TestServeCQLTLSOptional(t *testing.T) {
	d := newCertDir(t)
	want := d.issueServer()
	s := startServer(t, append([]string{"--data", t.TempDir(), "--cql", "127.0.0.1:0", "--cql-tls-optional"}, d.tlsFlags()...)...)
	assert.True(t, plainOptions(t, s.cqlAddr), "plain text")
	assert.Equal(t, want, serial(t, s.cqlAddr, d), "TLS")
	assert.Contains(t, s.logs.String(), `"api":"cql","addr":"`+s.cqlAddr+`","tls":"optional"`)
}

// TestServeCQLTLSFromCassandraYAML configures TLS with cassandra.yaml's
// client_encryption_options and native_transport_port_ssl.
func TestServeCQLTLSFromCassandraYAML(t *testing.T) {
	d := newCertDir(t)
	want := d.issueServer()
	cfg := fmt.Sprintf(`%s
client_encryption_options:
  enabled: true
  optional: false
  certificate: %s
  private_key: %s
  ca: %s
  require_client_auth: optional
  accepted_protocols: [TLSv1.3]
native_transport_port_ssl: 0
`, testConfig, d.path("server.pem"), d.path("server.key"), d.path("ca.pem"))
	s := startServerConfig(t, cfg, "--data", t.TempDir(), "--cql", "127.0.0.1:0")
	ssl := sslAddr(t, s)
	assert.Equal(t, want, serial(t, ssl, d))
	_, _, err := dialTLS(t, ssl, d.client(tls.VersionTLS12, tls.VersionTLS12))
	assert.Error(t, err, "accepted_protocols: [TLSv1.3]")
	assert.True(t, plainOptions(t, s.cqlAddr))
}

// TestServeCQLWithoutTLSReload: without client TLS, SIGHUP is logged and
// harmless, and the admin call answers 409.
func TestServeCQLWithoutTLSReload(t *testing.T) {
	s := startServer(t, "--data", t.TempDir(), "--cql", "127.0.0.1:0")
	su := s.login("cassandra", "cassandra")
	status, body := reloadSSL(s, su)
	require.Equal(t, http.StatusConflict, status, "%s", body)
	code, msg := errorOf(t, body)
	assert.Equal(t, int32(0x2300), code)
	assert.Equal(t, "Cannot reload the TLS certificates: client TLS is not configured", msg)

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(s.logs.String(), `"msg":"no client TLS to reload"`) },
		10*time.Second, 20*time.Millisecond)
	assert.True(t, plainOptions(t, s.cqlAddr))
	assert.Equal(t, 0, s.stop(syscall.SIGTERM))
}

// TestServeCQLJavaKeystore: a cassandra.yaml whose keystore is a Java
// keystore fails at start with a message that says what to give instead.
func TestServeCQLJavaKeystore(t *testing.T) {
	dir := t.TempDir()
	jks := filepath.Join(dir, ".keystore")
	require.NoError(t, os.WriteFile(jks, []byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1}, 0o600))
	cfg := writeConfig(t, testConfig+"client_encryption_options:\n  enabled: true\n  keystore: "+jks+"\n  keystore_password: cassandra\n")
	code, _, stderr := cli(t, "", "serve", "--config", cfg, "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--cql", "127.0.0.1:0")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--cql-tls-cert "+jks+" is not a PEM file")
}
