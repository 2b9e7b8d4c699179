package httpapi

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/store/memstore"
)

// metricValue returns the value of the sample named exactly by series
// (name and labels as Prometheus prints them), or -1.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, envOptions{})
	su := e.login("cassandra", "cassandra")
	e.post("/v1/authenticate", "", AuthenticateRequest{Username: "cassandra", Password: "x"})
	e.post("/v1/check", su, CheckRequest{Permission: "SELECT", Resource: "data"})
	e.exec(su, "CREATE ROLE alice WITH PASSWORD = 'pw' AND LOGIN = true")
	alice := e.login("alice", "pw")
	e.post("/v1/check", alice, CheckRequest{Permission: "SELECT", Resource: "data"})
	e.post("/v1/execute", alice, ExecuteRequest{Statement: "CREATE ROLE x"})
	e.post("/v1/execute", basic("cassandra", "cassandra"), ExecuteRequest{Statement: "LIST ROLES"})

	r := e.request(http.MethodGet, "/metrics", "", "", nil)
	require.Equal(t, 200, r.status)
	assert.Contains(t, r.header.Get("Content-Type"), "text/plain")
	text := string(r.body)
	for series, want := range map[string]float64{
		`cassauth_decisions_total{result="allowed"}`:                         1,
		`cassauth_decisions_total{result="denied"}`:                          1,
		`cassauth_logins_total{method="password",outcome="success"}`:         2,
		`cassauth_logins_total{method="password",outcome="bad_credentials"}`: 1,
		`cassauth_logins_total{method="basic",outcome="success"}`:            1,
		`cassauth_statements_total{outcome="ok"}`:                            2,
		`cassauth_statements_total{outcome="UNAUTHORIZED"}`:                  1,
		`cassauth_http_requests_total{code="401",route="/v1/authenticate"}`:  1,
		`cassauth_tokens`: 2,
	} {
		assert.Equal(t, want, metricValue(t, text, series), series)
	}
	assert.Positive(t, metricValue(t, text, `cassauth_cache_misses_total{cache="PermissionsCache"}`))
	assert.GreaterOrEqual(t, metricValue(t, text, `cassauth_cache_entries{cache="RolesCache"}`), 0.0)
	assert.Equal(t, 2.0, metricValue(t, text, `cassauth_decision_duration_seconds_count`))
	assert.Positive(t, metricValue(t, text, `cassauth_http_request_duration_seconds_count{route="/v1/check"}`))
	assert.Contains(t, text, "go_goroutines")
}

func TestMetricsRegistryPerServer(t *testing.T) {
	a := newEnv(t, envOptions{})
	b := newEnv(t, envOptions{})
	a.post("/v1/authenticate", "", AuthenticateRequest{Username: "cassandra", Password: "x"})
	ra := a.request(http.MethodGet, "/metrics", "", "", nil)
	rb := b.request(http.MethodGet, "/metrics", "", "", nil)
	series := `cassauth_logins_total{method="password",outcome="bad_credentials"}`
	assert.Equal(t, 1.0, metricValue(t, string(ra.body), series))
	assert.Equal(t, -1.0, metricValue(t, string(rb.body), series))
}

func TestHealth(t *testing.T) {
	fs := &faultyStore{Store: memstore.New()}
	e := newEnv(t, envOptions{store: fs})
	r := e.request(http.MethodGet, "/healthz", "", "", nil)
	require.Equal(t, 200, r.status)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.body))
	fs.failing.Store(true)
	r = e.request(http.MethodGet, "/healthz", "", "", nil)
	require.Equal(t, 503, r.status)
	assert.JSONEq(t, `{"status":"unavailable","error":"the store does not answer"}`, string(r.body))
	r = e.request(http.MethodHead, "/healthz", "", "", nil)
	assert.Equal(t, 503, r.status)
}
