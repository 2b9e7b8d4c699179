package storm_test

import (
	"context"
	"testing"
	"time"

	"github.com/cassauth/cassauth/bench/storm"
)

// BenchmarkStorm runs a storm of 500 logins of 5 roles at cost 4 per
// iteration in each mode, reporting its wall time, CPU time, peak
// goroutines and bcrypt runs (cmd/compare runs the 10,000-login storm at
// cost 10).
func BenchmarkStorm(b *testing.B) {
	ctx := context.Background()
	env, err := storm.NewEnv(ctx, 5, 4)
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	for _, mode := range []storm.Mode{storm.Off, storm.Cold, storm.Warm} {
		b.Run(mode.String(), func(b *testing.B) {
			var last storm.Result
			for b.Loop() {
				r, err := env.Run(ctx, storm.Config{Logins: 500, Roles: 5, Cost: 4, Mode: mode,
					MaxConcurrentHashes: 2, QueueTimeout: time.Minute})
				if err != nil || r.Failed > 0 {
					b.Fatal(err, r.FirstError)
				}
				last = r
			}
			b.ReportMetric(float64(last.Wall.Microseconds()), "wall-µs/storm")
			b.ReportMetric(float64(last.CPU.Microseconds()), "cpu-µs/storm")
			b.ReportMetric(float64(last.PeakGoroutines), "peak-goroutines")
			b.ReportMetric(float64(last.Bcrypts), "bcrypts/storm")
		})
	}
}
