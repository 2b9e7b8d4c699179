package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/pgtest"
)

// Several `cassauth serve` processes on one PostgreSQL store (issue 11,
// item 5): a GRANT through server A is seen by a check through server B
// within 100 ms when the change feed (LISTEN/NOTIFY) works, and within the
// configured validity when it does not.
//
// Every measurement is the same: B answers a check that is denied, which
// puts the answer in B's caches; A runs a GRANT that makes it allowed; B's
// check is polled every pollEvery from the moment A's GRANT returns until
// it is allowed. The latency reported is from A's GRANT response to the
// response of B's first allowed check: an upper bound of the true latency,
// coarse by at most one poll interval and one round trip.

const (
	// feedValidity is permissions_validity and roles_validity (update
	// interval: the same) of the servers whose feed is on: long, so that
	// nothing but an invalidation can explain a GRANT seen in milliseconds.
	feedValidity = 10 * time.Second
	// feedBound is the bound on the cross-process invalidation
	// latency while notifications work.
	feedBound = 100 * time.Millisecond
	// offValidity is the validity of the server whose feed is off: short,
	// so that waiting for it keeps the test quick.
	offValidity = time.Second
	// expiryMargin is what the test allows beyond a validity for the
	// expired entry's reload: a poll interval, a round trip and scheduling
	// on a loaded 2-core machine.
	expiryMargin = 500 * time.Millisecond
	// pollEvery is the interval between B's checks while waiting.
	pollEvery = 5 * time.Millisecond
	// feedSamples is how many GRANTs the latency statistics are made of.
	feedSamples = 20
	// feedAppName is B's application_name on PostgreSQL; pgstore names
	// the change feed's connection after it with "-feed" appended, which
	// is how the test finds the connection to cut.
	feedAppName = "cassauth-b"
)

// validityConfig is the test configuration with permissions_validity and
// roles_validity set to d (their update intervals default to the same).
func validityConfig(d time.Duration) string {
	return testConfig + fmt.Sprintf("permissions_validity: %dms\nroles_validity: %dms\n", d.Milliseconds(), d.Milliseconds())
}

// withAppName returns dsn with application_name set to name.
func withAppName(t testing.TB, dsn, name string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// pair is two servers on one database: A takes the GRANTs, B answers the
// checks.
type pair struct {
	a, b  *server
	su    string // cassandra's token on A
	alice string // alice's token on B
}

// startPair starts A (feed on) and then B (with bFlags, its connections
// named feedAppName) on the same fresh database, both with
// validityConfig(validity); creates the role alice (no permissions) through
// B and the keyspaces through A, and logs in on both. It returns the pair
// and the database's DSN.
func startPair(t *testing.T, validity time.Duration, keyspaces []string, bFlags ...string) (*pair, string) {
	t.Helper()
	dsn := pgtest.Start(t)
	config := validityConfig(validity)
	// A first: the first server on an empty store creates cassandra.
	a := startServerConfig(t, config, "--store", dsn)
	b := startServerConfig(t, config, append([]string{"--store", withAppName(t, dsn, feedAppName)}, bFlags...)...)
	for _, cache := range []string{"PermissionsCache", "RolesCache"} {
		require.Contains(t, b.logs.String(), fmt.Sprintf("(Re)initializing %s (validity period/update interval/max entries/active update) (%d/%d/",
			cache, validity.Milliseconds(), validity.Milliseconds()), "B runs with the configured validity")
	}
	b.exec(b.login("cassandra", "cassandra"), "CREATE ROLE alice WITH PASSWORD = 'alice-pw' AND LOGIN = true")
	p := &pair{a: a, b: b, su: a.login("cassandra", "cassandra"), alice: b.login("alice", "alice-pw")}
	for _, ks := range keyspaces {
		a.exec(p.su, "CREATE KEYSPACE "+ks+" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
	}
	return p, dsn
}

// allowed reports B's decision on alice's SELECT on a table of ks.
func (p *pair) allowed(ks string) bool {
	p.b.t.Helper()
	status, body := p.b.call(http.MethodPost, "/v1/check", p.alice, map[string]string{"permission": "SELECT", "resource": "data/" + ks + "/t"})
	require.Equal(p.b.t, http.StatusOK, status, "%s", body)
	var cr struct{ Allowed bool }
	require.NoError(p.b.t, json.Unmarshal(body, &cr), "%s", body)
	return cr.Allowed
}

// sample is one measurement, on the test's (monotonic) clock.
type sample struct {
	cacheSent, cacheSeen time.Time // B's denied check: sent, answered
	granted              time.Time // A's GRANT answered
	seen                 time.Time // B's first allowed check answered
	deniedAfter          int       // B's denied checks after the GRANT
}

// latency is the time from A's GRANT response to B's first allowed answer.
func (s sample) latency() time.Duration { return s.seen.Sub(s.granted) }

// cache has B answer (and cache) a denied check on ks.
func (p *pair) cache(ks string) sample {
	p.b.t.Helper()
	var s sample
	s.cacheSent = time.Now()
	require.False(p.b.t, p.allowed(ks), "alice has no permission on %s yet", ks)
	s.cacheSeen = time.Now()
	return s
}

// grantAndWait grants SELECT on ks to alice through A, then polls B until
// it allows it, failing the test when that takes longer than limit.
func (p *pair) grantAndWait(s sample, ks string, limit time.Duration) sample {
	p.b.t.Helper()
	p.a.exec(p.su, "GRANT SELECT ON KEYSPACE "+ks+" TO alice")
	s.granted = time.Now()
	for !p.allowed(ks) {
		s.deniedAfter++
		if time.Since(s.granted) > limit {
			p.b.t.Fatalf("B still denies SELECT on %s %v after A's GRANT returned (limit %v)", ks, time.Since(s.granted), limit)
		}
		time.Sleep(pollEvery)
	}
	s.seen = time.Now()
	return s
}

// measure is cache then grantAndWait.
func (p *pair) measure(ks string, limit time.Duration) sample {
	p.b.t.Helper()
	return p.grantAndWait(p.cache(ks), ks, limit)
}

// percentile is the nearest-rank p-th percentile (0 < p <= 100) of ds,
// which must not be empty.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(i, 0)]
}

// feedBackends returns the pids of B's change-feed connections that have
// run their LISTEN and are idle, waiting for notifications.
func feedBackends(t *testing.T, ctx context.Context, conn *pgx.Conn) []int32 {
	t.Helper()
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1 AND state = 'idle' AND query ILIKE 'LISTEN%'`,
		feedAppName+"-feed")
	require.NoError(t, err)
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	require.NoError(t, err)
	return pids
}

// TestMultiProcessFeed: two servers on one database, validity 10s, change
// feed on.
//
// Part 1 measures the latency of feedSamples GRANTs. The bound is
// 100 ms; on a shared 2-core CI machine a single sample can be delayed by
// the scheduler (the servers, PostgreSQL and the test compete for two
// cores), so the test asserts that the median and the 90th percentile are
// under 100 ms, logs the 99th (with 20 samples: the largest), and fails if
// any sample reaches the validity: only then could expiry rather than the
// feed explain it.
//
// Part 2 cuts B's feed connection from the server side
// (pg_terminate_backend, found by its application_name). A GRANT made at
// that moment must be seen long before the validity (the feed's
// ChangeReset on losing and on regaining its connection invalidates
// everything, so whatever the notification missed is read again), and
// once the feed listens again later GRANTs are again seen within 100 ms.
func TestMultiProcessFeed(t *testing.T) {
	keyspaces := []string{"outage"}
	for i := range feedSamples + 5 {
		keyspaces = append(keyspaces, fmt.Sprintf("ks%d", i))
	}
	p, dsn := startPair(t, feedValidity, keyspaces)

	// Part 1: latency with the feed working.
	lat := make([]time.Duration, 0, feedSamples)
	firstCheck := 0 // samples allowed by B's first check after the GRANT
	for i := range feedSamples {
		s := p.measure(fmt.Sprintf("ks%d", i), feedValidity+expiryMargin)
		require.Less(t, s.seen.Sub(s.cacheSent), feedValidity, "sample %d was seen only when the entry expired", i)
		lat = append(lat, s.latency())
		if s.deniedAfter == 0 {
			firstCheck++
		}
	}
	p50, p90, p99 := percentile(lat, 50), percentile(lat, 90), percentile(lat, 99)
	t.Logf("cross-process invalidation latency, %d GRANTs through A seen by B: median %v, p90 %v, p99 %v; %d seen by B's first check after the GRANT (all: %v)",
		len(lat), p50, p90, p99, firstCheck, slices.Sorted(slices.Values(lat)))
	assert.Less(t, p50, feedBound, "median latency")
	assert.Less(t, p90, feedBound, "90th percentile latency")

	// Part 2: cut B's feed connection.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	pids := feedBackends(t, ctx, conn)
	require.Len(t, pids, 1, "B's change feed connection (application_name %s-feed)", feedAppName)
	old := pids[0]

	s := p.cache("outage")
	var killed bool
	require.NoError(t, conn.QueryRow(ctx, "SELECT pg_terminate_backend($1)", old).Scan(&killed))
	require.True(t, killed, "pg_terminate_backend(%d)", old)
	const outageBound = 3 * time.Second
	s = p.grantAndWait(s, "outage", feedValidity+expiryMargin)
	t.Logf("GRANT through A while B's feed connection was being cut: seen by B after %v", s.latency())
	assert.Less(t, s.latency(), outageBound, "a change made while the feed was down must not wait for the validity")

	require.Eventually(t, func() bool {
		pids := feedBackends(t, ctx, conn)
		return len(pids) == 1 && pids[0] != old
	}, 10*time.Second, 10*time.Millisecond, "B's change feed did not listen again")
	assert.Contains(t, p.b.logs.String(), "change feed lost its connection")

	// The feed's second ChangeReset (on listening again) may land in the
	// first of these samples, but it happens once: with the median under
	// 100 ms, most were seen through notifications.
	var after []time.Duration
	for i := feedSamples; i < feedSamples+5; i++ {
		s := p.measure(fmt.Sprintf("ks%d", i), feedValidity+expiryMargin)
		require.Less(t, s.seen.Sub(s.cacheSent), feedValidity, "sample %d was seen only when the entry expired", i)
		after = append(after, s.latency())
	}
	t.Logf("latency after the feed reconnected: median %v (all: %v)", percentile(after, 50), after)
	assert.Less(t, percentile(after, 50), feedBound, "median latency after the feed reconnected")
}

// TestMultiProcessFeedOff: B runs with --store-feed=false and a validity of
// 1s. A GRANT through A must not be visible on B while B's denied answer
// is cached (no invalidation reaches B: the lower bound), and must be
// visible once it expires (the upper bound: validity plus expiryMargin).
// A load that starts after the check is sent, so the entry expires no
// earlier than cacheSent+validity (lower bound), and it ends before the
// answer comes back, so it expires no later than cacheSeen+validity (upper
// bound).
func TestMultiProcessFeedOff(t *testing.T) {
	keyspaces := []string{"off0", "off1", "off2"}
	p, dsn := startPair(t, offValidity, keyspaces, "--store-feed=false")
	assert.Contains(t, p.b.logs.String(), "change feed off (--store-feed=false)")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var feeds int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
		feedAppName+"-feed").Scan(&feeds))
	assert.Zero(t, feeds, "B opened a change feed connection")

	for _, ks := range keyspaces {
		s := p.cache(ks)
		s = p.grantAndWait(s, ks, offValidity+2*time.Second)
		require.Less(t, s.granted.Sub(s.cacheSent), offValidity/2,
			"the GRANT must return well before B's entry expires, or this sample proves nothing")
		t.Logf("%s: seen by B %v after A's GRANT, %v after B cached the denial (%d denied checks after the GRANT)",
			ks, s.latency(), s.seen.Sub(s.cacheSent), s.deniedAfter)
		assert.Positive(t, s.deniedAfter, "B must keep its cached denial after the GRANT")
		assert.GreaterOrEqual(t, s.seen.Sub(s.cacheSent), offValidity, "B allowed before its cached denial expired")
		assert.LessOrEqual(t, s.seen.Sub(s.cacheSeen), offValidity+expiryMargin, "B did not reload after the validity")
		assert.LessOrEqual(t, s.latency(), offValidity+expiryMargin, "not visible within the validity of the GRANT")
	}
}
