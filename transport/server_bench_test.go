package transport

import (
	"net"
	"testing"
	"time"

	"github.com/cassauth/cassauth"
)

// BenchmarkNewAuthenticatedConnection measures new authenticated
// connections per second over loopback: TCP connect, OPTIONS, STARTUP,
// AUTH_RESPONSE (PLAIN, bcrypt cost 4) and AUTH_SUCCESS, then close. With
// the verified-credentials cache a repeat login skips bcrypt.
func BenchmarkNewAuthenticatedConnection(b *testing.B) {
	for _, bc := range []struct {
		name     string
		verified bool
	}{{"bcrypt", false}, {"verified-cache", true}} {
		b.Run(bc.name, func(b *testing.B) {
			a := newTestAuth(b, authOptions{verified: bc.verified, credentials: cassauth.CacheConfig{Validity: time.Hour}})
			_, addr := startServer(b, Config{Auth: a})
			connect := func() {
				cl := dialClient(b, addr, V4)
				cl.call(0, &Options{})
				if _, ok := cl.login("cassandra", "cassandra").(*AuthSuccess); !ok {
					b.Fatal("login failed")
				}
				_ = cl.nc.Close()
			}
			connect() // warm the caches
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				connect()
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "conns/s")
		})
	}
}

// BenchmarkQueryRoundTrip measures QUERY round trips on one logged-in
// connection: SELECT rpc_address FROM system.local WHERE key='local' (the
// Python driver's control query) and LIST ROLES (DCL).
func BenchmarkQueryRoundTrip(b *testing.B) {
	_, addr := startServer(b, Config{})
	for _, v := range []Version{V4, V5} {
		for _, q := range []string{"SELECT rpc_address FROM system.local WHERE key='local'", "LIST ROLES"} {
			b.Run(v.String()+"/"+q, func(b *testing.B) {
				cl := dialClient(b, addr, v)
				cl.mustLogin("cassandra", "cassandra")
				_ = cl.nc.SetDeadline(time.Time{})
				req, err := EncodeFrame(nil, v, 1, &Query{Query: q, Params: QueryParams{Consistency: One}})
				if err != nil {
					b.Fatal(err)
				}
				if v >= V5 {
					var seg []byte
					seg, err = AppendSegment(nil, Segment{Payload: req, SelfContained: true})
					if err != nil {
						b.Fatal(err)
					}
					req = seg
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := cl.nc.Write(req); err != nil {
						b.Fatal(err)
					}
					env, err := cl.read()
					if err != nil {
						b.Fatal(err)
					}
					if _, ok := env.Message.(*RowsResult); !ok {
						b.Fatalf("%v", env.Message)
					}
				}
			})
		}
	}
}

// BenchmarkQueryParallel runs the control query on one connection per
// goroutine.
func BenchmarkQueryParallel(b *testing.B) {
	_, addr := startServer(b, Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		cl := newTestClient(b, nc, V4)
		cl.mustLogin("cassandra", "cassandra")
		req, _ := EncodeFrame(nil, V4, 1, &Query{Query: "SELECT rpc_address FROM system.local WHERE key='local'", Params: QueryParams{Consistency: One}})
		for pb.Next() {
			if _, err := nc.Write(req); err != nil {
				b.Error(err)
				return
			}
			if _, err := cl.read(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
