package main

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkServeCheck measures POST /v1/check against the real binary over
// loopback, with concurrent clients (GOMAXPROCS x the parallelism below)
// on keep-alive connections and a bearer token. It reports requests per
// second and the 99th-percentile latency; client and server share the
// machine's cores.
func BenchmarkServeCheck(b *testing.B) {
	s := startServer(b, "--data", b.TempDir())
	su := s.login("cassandra", "cassandra")
	for _, st := range []string{
		"CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
		"CREATE ROLE reader", "GRANT SELECT ON KEYSPACE shop TO reader",
		"CREATE ROLE app WITH PASSWORD = 'app-pw' AND LOGIN = true", "GRANT reader TO app",
	} {
		s.exec(su, st)
	}
	tok := s.login("app", "app-pw")
	for _, bc := range []struct{ name, body string }{
		{"explain", `{"permission":"SELECT","resource":"data/shop/orders"}`},
		{"no-explain", `{"permission":"SELECT","resource":"data/shop/orders","explain":false}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const parallelism = 4
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
			defer client.CloseIdleConnections()
			body := []byte(bc.body)
			var mu sync.Mutex
			var all []time.Duration
			var failures atomic.Int64
			b.SetParallelism(parallelism)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				lat := make([]time.Duration, 0, 1024)
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/check", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", tok)
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						failures.Add(1)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					lat = append(lat, time.Since(t0))
					if resp.StatusCode != http.StatusOK {
						failures.Add(1)
					}
				}
				mu.Lock()
				all = append(all, lat...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			b.StopTimer()
			if n := failures.Load(); n > 0 {
				b.Fatalf("%d requests failed", n)
			}
			if len(all) == 0 {
				return
			}
			slices.Sort(all)
			p := func(q float64) float64 { return float64(all[int(q*float64(len(all)-1))].Microseconds()) }
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
			b.ReportMetric(p(0.50), "p50-µs")
			b.ReportMetric(p(0.99), "p99-µs")
		})
	}
}
