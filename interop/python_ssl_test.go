package interop

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sslCase is one SSL setup of the driver's documentation with an
// expectation: connect and see the superuser, or fail with a host error
// whose class and message match the regular expressions wantClass and
// want.
type sslCase struct {
	name     string
	protocol *int
	ssl      pySSL
	password string
	// wantClass and want match the per-host error of a failure; an empty
	// wantClass means success.
	wantClass, want string
}

// runSSLCases runs each case against srv as cassandra.
func runSSLCases(t *testing.T, srv *server, cases []sslCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pw := tc.password
			if pw == "" {
				pw = "cassandra"
			}
			res := runPython(t, pySpec{Port: srv.port, Protocol: tc.protocol, SSL: tc.ssl,
				Auth:       pyAuth{Kind: "plain", Username: "cassandra", Password: pw},
				Statements: []pyStmt{{CQL: "LIST ROLES"}}})
			if tc.wantClass == "" {
				require.True(t, res.OK, "connect failed: %+v", res.Error)
				assert.Equal(t, []any{"cassandra"}, column(res.rowsOf(t, 0), "role"))
				return
			}
			require.False(t, res.OK, "connected although it must not")
			he := res.Error.hostError(t)
			assert.Regexp(t, "^(?:"+tc.wantClass+")$", he.Class, "message: %s", he.Message)
			assert.Regexp(t, tc.want, he.Message)
		})
	}
}

// TestPythonSSLServerOnly covers the documentation's setups against a
// server with client_encryption_options enabled and require_client_auth
// false: no verification, client verifies server, hostname verification,
// and the ssl_options-only form of driver versions 3.16 and lower.
func TestPythonSSLServerOnly(t *testing.T) {
	requirePython(t)
	srv := startServer(t, serverConfig{tls: true, clientAuth: "false"})
	// The driver reports a failed verification as socket.error(1, ...),
	// which Python 3 turns into PermissionError.
	const refused = "PermissionError"
	const verifyFailed = `\[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: unable to get local issuer certificate`
	runSSLCases(t, srv, []sslCase{
		{name: "no verification", ssl: pySSL{Mode: "context"}},
		{name: "no verification bad password", ssl: pySSL{Mode: "context"}, password: "wrong",
			wantClass: "AuthenticationFailed", want: regexp.QuoteMeta(badCredentialsMessage)},
		{name: "client verifies server", ssl: pySSL{Mode: "context", Verify: true, CA: fx.caCert}},
		{name: "client verifies server v4", protocol: intPtr(4), ssl: pySSL{Mode: "context", Verify: true, CA: fx.caCert}},
		{name: "client verifies server untrusted CA", ssl: pySSL{Mode: "context", Verify: true, CA: fx.otherCA},
			wantClass: refused, want: verifyFailed},
		{name: "hostname verification", ssl: pySSL{Mode: "context", Verify: true, CA: fx.caCert,
			CheckHostname: true, ServerHostname: "127.0.0.1"}},
		{name: "hostname verification by DNS name", ssl: pySSL{Mode: "context", Verify: true, CA: fx.caCert,
			CheckHostname: true, ServerHostname: "cassauth.test"}},
		{name: "hostname verification from endpoint", ssl: pySSL{Mode: "context", Verify: true, CA: fx.caCert,
			CheckHostname: true}},
		{name: "hostname verification wrong name", ssl: pySSL{Mode: "context", Verify: true, CA: fx.caCert,
			CheckHostname: true, ServerHostname: "wrong.cassauth.test"},
			wantClass: refused, want: `CERTIFICATE_VERIFY_FAILED\] certificate verify failed: Hostname mismatch, ` +
				`certificate is not valid for 'wrong.cassauth.test'`},
		{name: "legacy ssl_options", ssl: pySSL{Mode: "legacy", CA: fx.caCert}},
		{name: "legacy ssl_options untrusted CA", ssl: pySSL{Mode: "legacy", CA: fx.otherCA},
			wantClass: refused, want: verifyFailed},
	})
}

// TestPythonSSLClientAuth covers "server verifies client" and two-way
// verification against require_client_auth true.
func TestPythonSSLClientAuth(t *testing.T) {
	requirePython(t)
	srv := startServer(t, serverConfig{tls: true, clientAuth: "true"})
	// The server's refusal reaches the client as an alert, or as a closed
	// connection when the server closes first.
	const rejected = "SSLError|SSLEOFError|ConnectionResetError"
	const unknownCA = `TLSV1_ALERT_UNKNOWN_CA|EOF occurred in violation of protocol|Connection reset`
	runSSLCases(t, srv, []sslCase{
		{name: "server verifies client", ssl: pySSL{Mode: "context", Cert: fx.cliCert, Key: fx.cliKey}},
		{name: "server verifies client bad password", ssl: pySSL{Mode: "context", Cert: fx.cliCert, Key: fx.cliKey},
			password: "wrong", wantClass: "AuthenticationFailed", want: regexp.QuoteMeta(badCredentialsMessage)},
		{name: "server verifies client untrusted certificate", ssl: pySSL{Mode: "context", Cert: fx.rogueCert,
			Key: fx.rogueKey}, wantClass: rejected, want: unknownCA},
		{name: "server verifies client no certificate", ssl: pySSL{Mode: "context"}, wantClass: rejected,
			want: `TLSV13_ALERT_CERTIFICATE_REQUIRED|EOF occurred in violation of protocol|Connection reset`},
		{name: "two-way", ssl: pySSL{Mode: "context", Verify: true, CA: fx.caCert, Cert: fx.cliCert, Key: fx.cliKey}},
		{name: "two-way v4 with hostname", protocol: intPtr(4), ssl: pySSL{Mode: "context", Verify: true,
			CA: fx.caCert, CheckHostname: true, Cert: fx.cliCert, Key: fx.cliKey}},
		{name: "two-way untrusted server", ssl: pySSL{Mode: "context", Verify: true, CA: fx.otherCA, Cert: fx.cliCert,
			Key: fx.cliKey}, wantClass: "PermissionError", want: "CERTIFICATE_VERIFY_FAILED"},
		{name: "two-way untrusted client", ssl: pySSL{Mode: "context", Verify: true, CA: fx.caCert,
			Cert: fx.rogueCert, Key: fx.rogueKey}, wantClass: rejected, want: unknownCA},
	})
}
