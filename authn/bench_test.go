package authn

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cassauth/cassauth/internal/passwd"
)

// benchLogin runs one complete login as a server does: a negotiator, the
// client's token, the credential check, the LOGIN check.
func benchLogin(ctx context.Context, p *Password, m LoginChecker, token []byte) error {
	n, err := p.NewNegotiator(ctx, netipZero, nil)
	if err != nil {
		return err
	}
	if _, err := n.EvaluateResponse(ctx, token); err != nil {
		return err
	}
	u, err := n.AuthenticatedUser(ctx)
	if err != nil {
		return err
	}
	return Login(ctx, m, u)
}

type allLogin struct{}

func (allLogin) CanLogin(context.Context, string) (bool, error) { return true, nil }

func benchPassword(b *testing.B, cost int, verified bool) *Password {
	b.Helper()
	src := &fakeHashes{hashes: map[string]string{}}
	for i := range 10 {
		src.hashes[fmt.Sprint("role", i)] = mustHash(b, "password", cost)
	}
	p, err := NewPassword(PasswordConfig{Hashes: src, Cost: cost,
		Verified: VerifiedCacheConfig{Enabled: verified, TTL: time.Hour}})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Setup(context.Background()); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkLoginCold: one login, one bcrypt at the configured cost; the
// bcrypt-alone variants show that nothing else is measurable.
func BenchmarkLoginCold(b *testing.B) {
	for _, cost := range []int{4, 10} {
		b.Run(fmt.Sprintf("cost=%d/bcrypt-alone", cost), func(b *testing.B) {
			hash := mustHash(b, "password", cost)
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := passwd.Compare(hash, "password"); !ok || err != nil {
					b.Fatal("mismatch", err)
				}
			}
		})
		b.Run(fmt.Sprintf("cost=%d/login", cost), func(b *testing.B) {
			p := benchPassword(b, cost, false)
			ctx := context.Background()
			token := []byte("\x00role0\x00password")
			b.ReportAllocs()
			for b.Loop() {
				if err := benchLogin(ctx, p, allLogin{}, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoginRepeatVerified: a repeat login with the verified-credentials
// cache on (target <= 2µs), at cost 10 so that a miss would show.
func BenchmarkLoginRepeatVerified(b *testing.B) {
	p := benchPassword(b, 10, true)
	ctx := context.Background()
	token := []byte("\x00role0\x00password")
	if err := benchLogin(ctx, p, allLogin{}, token); err != nil {
		b.Fatal(err)
	}
	compares := p.Hasher().Stats().Compares
	b.ReportAllocs()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := benchLogin(ctx, p, allLogin{}, token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := benchLogin(ctx, p, allLogin{}, token); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	if got := p.Hasher().Stats().Compares; got != compares {
		b.Fatalf("repeat logins ran bcrypt %d times", got-compares)
	}
}

// BenchmarkUnknownVersusWrong: an unknown role must cost what a wrong
// password costs (within 10%).
func BenchmarkUnknownVersusWrong(b *testing.B) {
	for _, cost := range []int{4, 10} {
		p := benchPassword(b, cost, false)
		ctx := context.Background()
		for _, c := range []struct{ name, token string }{
			{"wrong-password", "\x00role0\x00not-the-password"},
			{"unknown-role", "\x00nobody\x00not-the-password"},
		} {
			b.Run(fmt.Sprintf("cost=%d/%s", cost, c.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := benchLogin(ctx, p, allLogin{}, []byte(c.token)); err == nil {
						b.Fatal("login succeeded")
					}
				}
			})
		}
	}
}

// BenchmarkLoginStorm: 1,000 concurrent logins spread over 10 roles, at
// cost 4, with the default semaphore (a quarter of the CPUs). It reports the
// wall time of the storm, the peak number of goroutines (the 1,000 callers
// plus whatever the authenticator would add: nothing), the goroutines above
// the callers, the peak number of concurrent bcrypt runs, and failures.
//
// verified=off is Cassandra's behaviour plus the semaphore (1,000 bcrypts);
// verified=cold turns the cache on but empties it before each storm (one
// bcrypt per role, the rest wait for it); verified=warm keeps it (no
// bcrypt).
func BenchmarkLoginStorm(b *testing.B) {
	for _, mode := range []string{"off", "cold", "warm"} {
		b.Run("verified="+mode, func(b *testing.B) {
			p := benchPassword(b, 4, mode != "off")
			ctx := context.Background()
			tokens := make([][]byte, 10)
			for i := range tokens {
				tokens[i] = []byte(fmt.Sprintf("\x00role%d\x00password", i))
			}
			const logins = 1000
			var wall time.Duration
			var peak, extra int64
			var failures atomic.Int64
			if mode == "warm" {
				for _, tok := range tokens {
					if err := benchLogin(ctx, p, allLogin{}, tok); err != nil {
						b.Fatal(err)
					}
				}
			}
			compares := p.Hasher().Stats().Compares
			for b.Loop() {
				if mode == "cold" {
					p.InvalidateAll()
				}
				base := int64(runtime.NumGoroutine())
				stop := make(chan struct{})
				var sampled atomic.Int64
				var samplerDone sync.WaitGroup
				samplerDone.Go(func() {
					for {
						n := int64(runtime.NumGoroutine())
						if n > sampled.Load() {
							sampled.Store(n)
						}
						select {
						case <-stop:
							return
						case <-time.After(50 * time.Microsecond):
						}
					}
				})
				start := time.Now()
				var wg sync.WaitGroup
				for i := range logins {
					wg.Go(func() {
						if err := benchLogin(ctx, p, allLogin{}, tokens[i%10]); err != nil {
							failures.Add(1)
						}
					})
				}
				wg.Wait()
				wall += time.Since(start)
				close(stop)
				samplerDone.Wait()
				peak = max(peak, sampled.Load())
				extra = max(extra, sampled.Load()-base-1-logins) // minus the sampler and the callers
			}
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "wall-ms/storm")
			b.ReportMetric(float64(peak), "peak-goroutines")
			b.ReportMetric(float64(max(extra, 0)), "extra-goroutines")
			b.ReportMetric(float64(p.Hasher().Stats().PeakInFlight), "peak-bcrypt")
			b.ReportMetric(float64(p.Hasher().Slots()), "slots")
			b.ReportMetric(float64(failures.Load()), "failures")
			b.ReportMetric(float64(p.Hasher().Stats().Compares-compares)/float64(b.N), "bcrypts/storm")
		})
	}
}

// BenchmarkDecodePlain: the SASL PLAIN decoder alone.
func BenchmarkDecodePlain(b *testing.B) {
	token := []byte("\x00some_role_name\x00a reasonably long password")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePlain(token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifiedCache: one lookup of the verified-credentials cache.
func BenchmarkVerifiedCache(b *testing.B) {
	c, err := NewVerifiedCache(VerifiedCacheConfig{TTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	hash := "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"
	c.Remember("role0", hash, "password")
	b.ReportAllocs()
	for b.Loop() {
		if !c.Verify("role0", hash, "password") {
			b.Fatal("miss")
		}
	}
}
