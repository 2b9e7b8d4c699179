package main

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/pgtest"
)

// TestServePostgres runs the server over PostgreSQL (--store postgres://),
// restarts it, and finds everything again; a second server on the same
// database sees the first one's changes through the change feed.
func TestServePostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	s := startServer(t, "--store", dsn)
	assert.Contains(t, s.logs.String(), `"store":"postgres://postgres@`)
	assert.NotContains(t, s.logs.String(), "password=")
	su := s.login("cassandra", "cassandra")
	s.exec(su, "CREATE ROLE alice WITH PASSWORD = 'alice-pw' AND LOGIN = true")
	s.exec(su, "GRANT SELECT ON ALL KEYSPACES TO alice")

	other := startServer(t, "--store", dsn)
	assert.NotContains(t, other.logs.String(), "Created default superuser", "the store already has roles")
	alice := other.login("alice", "alice-pw")
	status, body := other.call(http.MethodPost, "/v1/check", alice, map[string]string{"permission": "SELECT", "resource": "data/ks/t"})
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, string(body), `"allowed":true`)

	// A password change on one server kills the token issued by the other.
	s.exec(su, "ALTER ROLE alice WITH PASSWORD = 'new-pw'")
	require.Eventually(t, func() bool {
		status, _ := other.call(http.MethodPost, "/v1/check", alice, map[string]string{"permission": "SELECT", "resource": "data"})
		return status == http.StatusUnauthorized
	}, 10*time.Second, 50*time.Millisecond)

	assert.Equal(t, 0, s.stop(syscall.SIGTERM))
	assert.Equal(t, 0, other.stop(syscall.SIGTERM))
	s3 := startServer(t, "--store", dsn)
	s3.login("alice", "new-pw")
}
