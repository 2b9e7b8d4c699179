package interop

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"os/exec"
	"sort"
	"testing"
	"time"

	"github.com/gocql/gocql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gocqlCluster is the gocql configuration of the tests: protocol v4 (the
// only one gocql 1.7.0 speaks, see the README), one connection, short
// timeouts, a single loopback host.
func gocqlCluster(port int, user, password string) *gocql.ClusterConfig {
	c := gocql.NewCluster("127.0.0.1")
	c.Port = port
	c.ProtoVersion = 4
	c.NumConns = 1
	c.Timeout = 5 * time.Second
	c.ConnectTimeout = 5 * time.Second
	c.Consistency = gocql.One
	c.ReconnectionPolicy = &gocql.ConstantReconnectionPolicy{MaxRetries: 1, Interval: 100 * time.Millisecond}
	c.Logger = log.New(io.Discard, "", 0) // failures are asserted on, not logged
	if user != "" {
		c.Authenticator = gocql.PasswordAuthenticator{Username: user, Password: password}
	}
	return c
}

// gocqlSession connects and closes the session at the end of the test.
func gocqlSession(t testing.TB, c *gocql.ClusterConfig) *gocql.Session {
	t.Helper()
	s, err := c.CreateSession()
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// requestError asserts that err is a gocql.RequestError with code and
// Cassandra's message.
func requestError(t *testing.T, err error, code int, message string) {
	t.Helper()
	require.Error(t, err)
	var re gocql.RequestError
	require.True(t, errors.As(err, &re), "%T %v is not a gocql.RequestError", err, err)
	assert.Equal(t, code, re.Code(), "code of %v", err)
	assert.Equal(t, message, re.Message())
}

// listRoleNames runs LIST ROLES and returns the role column.
func listRoleNames(t *testing.T, s *gocql.Session) []string {
	t.Helper()
	rows, err := s.Query("LIST ROLES").Iter().SliceMap()
	require.NoError(t, err)
	names := make([]string, 0, len(rows))
	for _, r := range rows {
		names = append(names, r["role"].(string))
	}
	return names
}

func TestGocqlPasswordAuthenticator(t *testing.T) {
	srv := startServer(t, serverConfig{})

	t.Run("login", func(t *testing.T) {
		s := gocqlSession(t, gocqlCluster(srv.port, "cassandra", "cassandra"))
		rows, err := s.Query("LIST ROLES").Iter().SliceMap()
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Equal(t, map[string]any{"role": "cassandra", "super": true, "login": true,
			"options": map[string]string{}, "datacenters": "ALL"}, rows[0])
	})

	t.Run("protocol discovery", func(t *testing.T) {
		c := gocqlCluster(srv.port, "cassandra", "cassandra")
		c.ProtoVersion = 0 // gocql probes with v4 first
		s := gocqlSession(t, c)
		assert.Equal(t, []string{"cassandra"}, listRoleNames(t, s))
	})

	t.Run("initial host lookup off", func(t *testing.T) {
		c := gocqlCluster(srv.port, "cassandra", "cassandra")
		c.DisableInitialHostLookup = true
		s := gocqlSession(t, c)
		assert.Equal(t, []string{"cassandra"}, listRoleNames(t, s))
	})

	t.Run("bad password", func(t *testing.T) {
		_, err := gocqlCluster(srv.port, "cassandra", "wrong").CreateSession()
		require.Error(t, err)
		assert.Equal(t, "gocql: unable to create session: unable to connect to initial hosts: "+
			"Provided username cassandra and/or password are incorrect", err.Error())
	})

	t.Run("unknown user", func(t *testing.T) {
		_, err := gocqlCluster(srv.port, "nobody", "cassandra").CreateSession()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Provided username nobody and/or password are incorrect")
	})

	t.Run("no authenticator", func(t *testing.T) {
		_, err := gocqlCluster(srv.port, "", "").CreateSession()
		require.Error(t, err)
		assert.Contains(t, err.Error(),
			`authentication required (using "org.apache.cassandra.auth.PasswordAuthenticator")`)
	})

	t.Run("prepared select on system_auth.roles", func(t *testing.T) {
		s := gocqlSession(t, gocqlCluster(srv.port, "cassandra", "cassandra"))
		var (
			role         string
			super, login bool
			memberOf     []string
		)
		// gocql prepares every SELECT and decodes the rows with the
		// metadata of the PREPARE reply.
		q := s.Query("SELECT role, is_superuser, can_login, member_of FROM system_auth.roles WHERE role = ?", "cassandra")
		require.NoError(t, q.Scan(&role, &super, &login, &memberOf))
		assert.Equal(t, "cassandra", role)
		assert.True(t, super)
		assert.True(t, login)
		assert.Empty(t, memberOf)

		err := s.Query("SELECT role FROM system_auth.roles WHERE role = ?", "nobody").Scan(&role)
		assert.ErrorIs(t, err, gocql.ErrNotFound)
	})
}

func TestGocqlDCL(t *testing.T) {
	srv := startServer(t, serverConfig{})
	admin := gocqlSession(t, gocqlCluster(srv.port, "cassandra", "cassandra"))
	for _, stmt := range []string{
		"CREATE ROLE go_bob WITH PASSWORD = 'bob-pw' AND LOGIN = true",
		"CREATE ROLE go_auditors",
		"GRANT DESCRIBE ON ALL ROLES TO go_auditors",
		"GRANT SELECT ON KEYSPACE system_auth TO go_bob",
		"GRANT go_auditors TO go_bob",
	} {
		require.NoError(t, admin.Query(stmt).Exec(), stmt)
	}
	assert.Equal(t, []string{"cassandra", "go_auditors", "go_bob"}, listRoleNames(t, admin))

	perms, err := admin.Query("LIST ALL PERMISSIONS OF go_bob").Iter().SliceMap()
	require.NoError(t, err)
	sort.Slice(perms, func(i, j int) bool { return perms[i]["role"].(string) < perms[j]["role"].(string) })
	assert.Equal(t, []map[string]any{
		{"role": "go_auditors", "username": "go_auditors", "resource": "<all roles>", "permission": "DESCRIBE"},
		{"role": "go_bob", "username": "go_bob", "resource": "<keyspace system_auth>", "permission": "SELECT"},
	}, perms)

	requestError(t, admin.Query("CREATE ROLE go_bob").Exec(), gocql.ErrCodeInvalid, "go_bob already exists")
	requestError(t, admin.Query("GRANT SELECT ON KEYSPACE nowhere TO go_bob").Exec(), gocql.ErrCodeInvalid,
		"Resource <keyspace nowhere> doesn't exist")

	// go_bob holds DESCRIBE on all roles through go_auditors, so LIST
	// ROLES shows everyone, but creating roles needs CREATE.
	bob := gocqlSession(t, gocqlCluster(srv.port, "go_bob", "bob-pw"))
	assert.Equal(t, []string{"cassandra", "go_auditors", "go_bob"}, listRoleNames(t, bob))
	requestError(t, bob.Query("CREATE ROLE go_eve").Exec(), gocql.ErrCodeUnauthorized,
		"User go_bob does not have sufficient privileges to perform the requested operation")
	requestError(t, bob.Query("GRANT SELECT ON KEYSPACE system_auth TO go_auditors").Exec(), gocql.ErrCodeUnauthorized,
		"User go_bob has no AUTHORIZE permission on <keyspace system_auth> or any of its parents")

	require.NoError(t, admin.Query("REVOKE go_auditors FROM go_bob").Exec())
	assert.Equal(t, []string{"go_bob"}, listRoleNames(t, bob), "a revoke is visible to the next statement")
	require.NoError(t, admin.Query("DROP ROLE go_auditors").Exec())
	perms, err = admin.Query("LIST ALL PERMISSIONS OF go_bob").Iter().SliceMap()
	require.NoError(t, err)
	assert.Len(t, perms, 1)

	// The roles are in the data directory, hashed at the configured cost.
	srv.stop(t)
	hashes := exportedHashes(t, srv.dataDir)
	assert.Regexp(t, `^\$2a\$04\$`, hashes["go_bob"])
	assert.Contains(t, hashes, "go_bob")
	assert.NotContains(t, hashes, "go_auditors")
}

// exportedHashes runs `cassauth export` on a stopped server's data
// directory and returns the salted hash of each role.
func exportedHashes(t *testing.T, dataDir string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, fx.bin, "export", "--data", dataDir)
	cmd.Env = serverEnv()
	out, err := cmd.Output()
	require.NoError(t, err)
	var dump struct {
		Roles []struct {
			Role       string `json:"role"`
			SaltedHash string `json:"salted_hash"`
		} `json:"roles"`
	}
	require.NoError(t, json.Unmarshal(out, &dump), "%s", out)
	hashes := map[string]string{}
	for _, r := range dump.Roles {
		hashes[r.Role] = r.SaltedHash
	}
	return hashes
}

// TestGocqlTLS connects over TLS with a client certificate, with gocql
// verifying the server's certificate and host name.
func TestGocqlTLS(t *testing.T) {
	srv := startServer(t, serverConfig{tls: true, clientAuth: "true"})
	tlsCluster := func(ca, cert, key string) *gocql.ClusterConfig {
		c := gocqlCluster(srv.port, "cassandra", "cassandra")
		c.SslOpts = &gocql.SslOptions{CaPath: ca, CertPath: cert, KeyPath: key, EnableHostVerification: true}
		return c
	}

	t.Run("client certificate", func(t *testing.T) {
		s := gocqlSession(t, tlsCluster(fx.caCert, fx.cliCert, fx.cliKey))
		assert.Equal(t, []string{"cassandra"}, listRoleNames(t, s))
	})

	t.Run("client certificate bad password", func(t *testing.T) {
		c := tlsCluster(fx.caCert, fx.cliCert, fx.cliKey)
		c.Authenticator = gocql.PasswordAuthenticator{Username: "cassandra", Password: "wrong"}
		_, err := c.CreateSession()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Provided username cassandra and/or password are incorrect")
	})

	t.Run("untrusted client certificate", func(t *testing.T) {
		// Go's TLS client sends no certificate that the server's list of
		// acceptable CAs excludes, so the server sees none.
		_, err := tlsCluster(fx.caCert, fx.rogueCert, fx.rogueKey).CreateSession()
		require.Error(t, err)
		assert.Regexp(t, "tls: certificate required|unknown certificate authority", err.Error())
	})

	t.Run("no client certificate", func(t *testing.T) {
		_, err := tlsCluster(fx.caCert, "", "").CreateSession()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "remote error: tls: certificate required")
	})

	t.Run("untrusted server", func(t *testing.T) {
		_, err := tlsCluster(fx.otherCA, fx.cliCert, fx.cliKey).CreateSession()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "x509: certificate signed by unknown authority")
	})
}
