package interop

import (
	"testing"

	"github.com/gocql/gocql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SPIFFE ids of the mutual-TLS tests.
const (
	spiffeReader  = "spiffe://cassauth.test/interop/reader"
	spiffeUnknown = "spiffe://cassauth.test/interop/nobody"
)

// mtlsCluster is a gocql configuration presenting cert/key over TLS,
// verifying the server, without an authenticator: the mutual-TLS
// authenticators log the certificate's role in during STARTUP and answer
// READY (no AUTHENTICATE), as Cassandra's do with early authentication.
func mtlsCluster(port int, cert, key string) *gocql.ClusterConfig {
	c := gocqlCluster(port, "", "")
	c.SslOpts = &gocql.SslOptions{CaPath: fx.caCert, CertPath: cert, KeyPath: key, EnableHostVerification: true}
	return c
}

// TestMutualTLS maps a SPIFFE id to a role with ADD IDENTITY (as the
// superuser, logged in with a password through
// MutualTlsWithPasswordFallbackAuthenticator), then logs in with a
// certificate carrying that id, without a password, from gocql and from the
// Python driver; then restarts the server on the same data with
// MutualTlsAuthenticator alone.
func TestMutualTLS(t *testing.T) {
	readerCert, readerKey := spiffeCert(t, spiffeReader)
	unknownCert, unknownKey := spiffeCert(t, spiffeUnknown)
	srv := startServer(t, serverConfig{authenticator: "MutualTlsWithPasswordFallbackAuthenticator",
		validator: "SpiffeCertificateValidator", tls: true, clientAuth: "optional"})

	// The superuser logs in with a password: no client certificate, so
	// the fallback announces its class and runs SASL PLAIN.
	c := gocqlCluster(srv.port, "cassandra", "cassandra")
	c.Authenticator = gocql.PasswordAuthenticator{Username: "cassandra", Password: "cassandra",
		AllowedAuthenticators: []string{"org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator"}}
	c.SslOpts = &gocql.SslOptions{CaPath: fx.caCert, EnableHostVerification: true}
	admin := gocqlSession(t, c)
	for _, stmt := range []string{
		"CREATE ROLE mtls_reader WITH LOGIN = true",
		"ADD IDENTITY '" + spiffeReader + "' TO ROLE 'mtls_reader'",
	} {
		require.NoError(t, admin.Query(stmt).Exec(), stmt)
	}
	requestError(t, admin.Query("ADD IDENTITY '"+spiffeReader+"' TO ROLE 'mtls_reader'").Exec(),
		gocql.ErrCodeInvalid, spiffeReader+" already exists")
	requestError(t, admin.Query("ADD IDENTITY '"+spiffeUnknown+"' TO ROLE 'ghost'").Exec(),
		gocql.ErrCodeInvalid, "Can not add identity for non-existent role 'ghost'")

	checkReader := func(t *testing.T, port int) {
		t.Helper()
		s := gocqlSession(t, mtlsCluster(port, readerCert, readerKey))
		assert.Equal(t, []string{"mtls_reader"}, listRoleNames(t, s), "logged in as the mapped role")
		requestError(t, s.Query("CREATE ROLE mtls_other").Exec(), gocql.ErrCodeUnauthorized,
			"User mtls_reader does not have sufficient privileges to perform the requested operation")
	}
	t.Run("gocql certificate login", func(t *testing.T) { checkReader(t, srv.port) })

	t.Run("gocql unknown identity", func(t *testing.T) {
		_, err := mtlsCluster(srv.port, unknownCert, unknownKey).CreateSession()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Certificate identity '"+spiffeUnknown+"' not authorized")
	})

	t.Run("python certificate login", func(t *testing.T) {
		requirePython(t)
		res := mustConnect(t, pySpec{Port: srv.port, SSL: pySSL{Mode: "context", Verify: true, CA: fx.caCert,
			CheckHostname: true, Cert: readerCert, Key: readerKey},
			Statements: []pyStmt{{CQL: "LIST ROLES"}, {CQL: "DROP ROLE cassandra"}}})
		assert.Equal(t, []any{"mtls_reader"}, column(res.rowsOf(t, 0), "role"))
		e := res.Results[1].Error
		require.NotNil(t, e)
		assert.Equal(t, "Unauthorized", e.Class)
		assert.Equal(t, `Error from server: code=2100 [Unauthorized] message="User mtls_reader does not have `+
			`sufficient privileges to perform the requested operation"`, e.Message)
	})

	t.Run("python unknown identity", func(t *testing.T) {
		requirePython(t)
		res := runPython(t, pySpec{Port: srv.port, Protocol: intPtr(4), SSL: pySSL{Mode: "context", Verify: true,
			CA: fx.caCert, Cert: unknownCert, Key: unknownKey}})
		require.False(t, res.OK)
		he := res.Error.hostError(t)
		assert.Contains(t, he.Message, "Certificate identity '"+spiffeUnknown+"' not authorized")
	})

	// The same data under MutualTlsAuthenticator alone, which needs
	// require_client_auth true.
	dataDir := srv.dataDir
	srv.stop(t)
	srv = startServer(t, serverConfig{authenticator: "MutualTlsAuthenticator", validator: "SpiffeCertificateValidator",
		tls: true, clientAuth: "true", dataDir: dataDir})
	t.Run("MutualTlsAuthenticator certificate login", func(t *testing.T) { checkReader(t, srv.port) })
	t.Run("MutualTlsAuthenticator unknown identity", func(t *testing.T) {
		_, err := mtlsCluster(srv.port, unknownCert, unknownKey).CreateSession()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Certificate identity '"+spiffeUnknown+"' not authorized")
	})
	t.Run("MutualTlsAuthenticator certificate without SPIFFE id", func(t *testing.T) {
		_, err := mtlsCluster(srv.port, fx.cliCert, fx.cliKey).CreateSession()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Unable to extract Spiffe from the certificate")
	})
}
