package storm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/bench/storm"
)

// TestStorm runs small storms at cost 4 and checks what each mode costs in
// bcrypt runs: one per login without the cache, one per role when cold,
// none when warm.
func TestStorm(t *testing.T) {
	ctx := context.Background()
	env, err := storm.NewEnv(ctx, 5, 4)
	require.NoError(t, err)
	t.Cleanup(func() { _ = env.Close() })
	cases := []struct {
		mode    storm.Mode
		bcrypts uint64
	}{
		{storm.Off, 200},
		{storm.Cold, 5},
		{storm.Warm, 0},
	}
	for _, c := range cases {
		t.Run(c.mode.String(), func(t *testing.T) {
			r, err := env.Run(ctx, storm.Config{Logins: 200, Roles: 5, Cost: 4, Mode: c.mode,
				MaxConcurrentHashes: 2, QueueTimeout: time.Minute})
			require.NoError(t, err)
			assert.Equal(t, 200, r.Succeeded, r.FirstError)
			assert.Zero(t, r.Failed)
			assert.Equal(t, c.bcrypts, r.Bcrypts)
			assert.LessOrEqual(t, r.PeakBcrypt, int64(2), "the semaphore holds")
			assert.Positive(t, r.Wall)
			assert.Positive(t, r.PeakGoroutines)
		})
	}
}

// TestStormShedsLoad: with one hashing slot and no queueing, a storm
// without the cache fails fast instead of piling up.
func TestStormShedsLoad(t *testing.T) {
	ctx := context.Background()
	env, err := storm.NewEnv(ctx, 2, 4)
	require.NoError(t, err)
	r, err := env.Run(ctx, storm.Config{Logins: 300, Roles: 2, Cost: 4, Mode: storm.Off,
		MaxConcurrentHashes: 1, QueueTimeout: -1})
	require.NoError(t, err)
	assert.Positive(t, r.Failed)
	assert.Contains(t, r.FirstError, "Unable to perform authentication")
	assert.Equal(t, 300, r.Succeeded+r.Failed)
}

func TestRunChecksConfig(t *testing.T) {
	env, err := storm.NewEnv(context.Background(), 2, 4)
	require.NoError(t, err)
	_, err = env.Run(context.Background(), storm.Config{Roles: 3, Cost: 4})
	require.Error(t, err)
}
