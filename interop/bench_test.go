package interop

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocql/gocql"
)

// cassandraBcryptRounds is Cassandra's default bcrypt cost, used by the
// benchmarks so that a login costs what it costs in production.
const cassandraBcryptRounds = 10

// BenchmarkNewConnections measures new authenticated connections per
// second: each operation dials, runs STARTUP and a SASL PLAIN
// AUTH_RESPONSE, gets AUTH_SUCCESS and closes, from GOMAXPROCS goroutines.
// Without the verified-credentials cache every login runs bcrypt at cost
// 10; with it a repeat login within credentials_validity skips bcrypt.
func BenchmarkNewConnections(b *testing.B) {
	for _, cached := range []bool{false, true} {
		b.Run(fmt.Sprintf("verified_cache=%v", cached), func(b *testing.B) {
			srv := startServer(b, serverConfig{verifiedCache: cached, bcryptRounds: cassandraBcryptRounds})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			if err := rawLogin(ctx, srv.addr(), "cassandra", "cassandra"); err != nil { // warms the caches
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := rawLogin(ctx, srv.addr(), "cassandra", "cassandra"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conns/s")
		})
	}
}

// dclSessions is the number of concurrent gocql sessions of
// BenchmarkDCLStatements.
const dclSessions = 32

// BenchmarkDCLStatements measures DCL statements per second from 32
// concurrent gocql sessions, each alternating GRANT and REVOKE of SELECT
// on system_auth for its own role (every statement runs the permission
// check, writes the store and invalidates the caches).
func BenchmarkDCLStatements(b *testing.B) {
	srv := startServer(b, serverConfig{}) // logins are not measured here: bcrypt cost 4
	admin, err := gocqlCluster(srv.port, "cassandra", "cassandra").CreateSession()
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	sessions := make([]*gocql.Session, dclSessions)
	for i := range sessions {
		if err := admin.Query(fmt.Sprintf("CREATE ROLE IF NOT EXISTS bench_%d", i)).Exec(); err != nil {
			b.Fatal(err)
		}
		if sessions[i], err = gocqlCluster(srv.port, "cassandra", "cassandra").CreateSession(); err != nil {
			b.Fatal(err)
		}
		defer sessions[i].Close()
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			grant := fmt.Sprintf("GRANT SELECT ON KEYSPACE system_auth TO bench_%d", i)
			revoke := fmt.Sprintf("REVOKE SELECT ON KEYSPACE system_auth FROM bench_%d", i)
			for n := 0; next.Add(1) <= int64(b.N); n++ {
				stmt := grant
				if n%2 == 1 {
					stmt = revoke
				}
				if err := s.Query(stmt).Exec(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
}
