package httpapi

import (
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/cassauth/cassauth/cache"
)

// Label values of the metrics.
const (
	resultAllowed = "allowed"
	resultDenied  = "denied"
	resultError   = "error"

	outcomeSuccess       = "success"
	outcomeBadCreds      = "bad_credentials"
	outcomeNotPermitted  = "not_permitted"
	outcomeUnavailable   = "unavailable"
	outcomeInvalidToken  = "invalid_token"
	methodPassword       = "password" // POST /v1/authenticate
	methodBasic          = "basic"    // HTTP Basic on a call
	methodToken          = "token"    // a bearer token on a call
	routeOther           = "other"
	namespace            = "cassauth"
	latencyBucketsSpread = 1.6
)

// metrics are the server's Prometheus metrics, in a registry of its own (no
// global registration, so several servers, or tests, can coexist).
type metrics struct {
	reg *prometheus.Registry

	decisions  *prometheus.CounterVec   // result
	decideTime prometheus.Histogram     // seconds per access decision
	logins     *prometheus.CounterVec   // method, outcome
	statements *prometheus.CounterVec   // outcome: ok or the error code name
	requests   *prometheus.CounterVec   // route, code
	latency    *prometheus.HistogramVec // route
}

// newMetrics registers the server's metrics, the cache statistics of
// stats, the number of tokens held and Go's runtime and process collectors
// in a new registry.
func newMetrics(stats func() map[string]cache.Stats, tokens func() int) *metrics {
	buckets := prometheus.ExponentialBuckets(25e-6, latencyBucketsSpread, 24) // 25µs .. ~1.5min
	m := &metrics{
		reg: prometheus.NewRegistry(),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "decisions_total",
			Help: "Access decisions made by /v1/check, by result (allowed, denied, error: could not decide).",
		}, []string{"result"}),
		decideTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "decision_duration_seconds",
			Help: "Time to make (and explain) one access decision of /v1/check.", Buckets: buckets,
		}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "logins_total",
			Help: "Authentication attempts by method (password: /v1/authenticate, basic: HTTP Basic, token: bearer token) and outcome.",
		}, []string{"method", "outcome"}),
		statements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "statements_total",
			Help: "Statements run by /v1/execute, by outcome (ok, or the error's native-protocol code name).",
		}, []string{"outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: buckets,
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.decisions, m.decideTime, m.logins, m.statements, m.requests, m.latency,
		newCacheCollector(stats),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "tokens",
			Help: "Bearer tokens held (expired ones not yet swept included).",
		}, func() float64 { return float64(tokens()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// observeRequest records one HTTP request.
func (m *metrics) observeRequest(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, statusLabel(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// statusLabel formats a status code without allocating for the usual ones.
func statusLabel(s int) string {
	switch s {
	case 200:
		return "200"
	case 400:
		return "400"
	case 401:
		return "401"
	case 403:
		return "403"
	case 404:
		return "404"
	}
	b := [3]byte{byte('0' + s/100%10), byte('0' + s/10%10), byte('0' + s%10)}
	return string(b[:])
}

// cacheCollector exports the statistics of the auth caches as const
// metrics read at scrape time.
type cacheCollector struct {
	stats                                             func() map[string]cache.Stats
	hits, misses, loads, failures, evictions, entries *prometheus.Desc
}

func newCacheCollector(stats func() map[string]cache.Stats) *cacheCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "cache", name), help, []string{"cache"}, nil)
	}
	return &cacheCollector{
		stats:     stats,
		hits:      d("hits_total", "Gets answered from a cached entry, by auth cache."),
		misses:    d("misses_total", "Gets that waited for a load, by auth cache."),
		loads:     d("loads_total", "Loader calls (misses, reloads, warming), by auth cache."),
		failures:  d("load_failures_total", "Loads that failed, by auth cache."),
		evictions: d("evictions_total", "Entries evicted to respect max entries, by auth cache."),
		entries:   d("entries", "Entries held, by auth cache."),
	}
}

// Describe sends the descriptors of the cache metrics.
func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.loads, c.failures, c.evictions, c.entries} {
		ch <- d
	}
}

// Collect sends one sample per cache and statistic.
func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	stats := c.stats()
	names := make([]string, 0, len(stats))
	for n := range stats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := stats[n]
		ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(s.Hits), n)
		ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(s.Misses), n)
		ch <- prometheus.MustNewConstMetric(c.loads, prometheus.CounterValue, float64(s.Loads), n)
		ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(s.LoadFailures), n)
		ch <- prometheus.MustNewConstMetric(c.evictions, prometheus.CounterValue, float64(s.Evictions), n)
		ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(s.Size), n)
	}
}
