package cache

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidates(t *testing.T) {
	load := func(context.Context, string) (int, error) { return 0, nil }
	tests := []struct {
		name  string
		opts  Options[string, int]
		field string
	}{
		{"no loader", Options[string, int]{Settings: DefaultSettings()}, "Load"},
		{"negative max entries", Options[string, int]{Settings: Settings{Validity: time.Second, MaxEntries: -1}, Load: load}, "MaxEntries"},
		{"negative concurrent loads", Options[string, int]{Settings: DefaultSettings(), Load: load, MaxConcurrentLoads: -1}, "MaxConcurrentLoads"},
		{"active update too fast", Options[string, int]{Settings: Settings{Validity: time.Second, UpdateInterval: time.Microsecond, MaxEntries: 1, ActiveUpdate: true}, Load: load}, "UpdateInterval"},
		{"active update with a tiny validity", Options[string, int]{Settings: Settings{Validity: time.Microsecond, MaxEntries: 1, ActiveUpdate: true}, Load: load}, "UpdateInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			require.ErrorIs(t, err, ErrInvalidOptions)
			assert.Contains(t, err.Error(), tt.field)
			assert.Nil(t, c)
		})
	}
}

func TestSettings(t *testing.T) {
	tests := []struct {
		name         string
		s            Settings
		enabled      bool
		interval     time.Duration
		refreshAfter time.Duration
	}{
		{"defaults", DefaultSettings(), true, 2 * time.Second, 2 * time.Second},
		{"zero value", Settings{}, false, 0, 0},
		{"validity zero", Settings{MaxEntries: 10}, false, 0, 0},
		{"negative validity", Settings{Validity: -time.Second, MaxEntries: 10}, false, -time.Second, -time.Second},
		{"max entries zero", Settings{Validity: time.Second}, false, time.Second, time.Second},
		{"interval -1 means validity", Settings{Validity: time.Second, UpdateInterval: -1, MaxEntries: 1}, true, time.Second, time.Second},
		{"interval below validity", settings(time.Second, 100*time.Millisecond, 1), true, 100 * time.Millisecond, 100 * time.Millisecond},
		{"interval above validity", settings(time.Second, time.Minute, 1), true, time.Minute, time.Second},
		{"active update refreshes on timer only", Settings{Validity: time.Minute, UpdateInterval: time.Second, MaxEntries: 1, ActiveUpdate: true}, true, time.Second, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.enabled, tt.s.Enabled())
			assert.Equal(t, tt.interval, tt.s.EffectiveUpdateInterval())
			assert.Equal(t, tt.refreshAfter, tt.s.refreshAfter())
		})
	}
}

func TestGetCachesForValidity(t *testing.T) {
	store := newFakeStore()
	store.set("a", 1)
	c, clock := newTestCache(t, settings(2*time.Second, 0, 100), store)

	assert.Equal(t, 1, mustGet(t, c, "a"))
	store.set("a", 2)
	clock.Advance(2*time.Second - time.Nanosecond)
	assert.Equal(t, 1, mustGet(t, c, "a"), "served until validity")
	assert.EqualValues(t, 1, store.calls.Load())

	clock.Advance(time.Nanosecond)
	assert.Equal(t, 2, mustGet(t, c, "a"), "expired at validity, loaded again")
	assert.EqualValues(t, 2, store.calls.Load())
	assert.Zero(t, clock.Pending(), "no background reload without an update interval")

	assert.Equal(t, "TestCache", c.Name())
	assert.Zero(t, Stats{}.HitRatio())
	st := c.Stats()
	assert.Equal(t, Stats{Hits: 1, Misses: 2, Loads: 2, Size: 1}, st)
	assert.Equal(t, uint64(3), st.Requests())
	assert.InDelta(t, 1.0/3, st.HitRatio(), 1e-9)
}

func TestDisabledCachingLoadsEveryTime(t *testing.T) {
	for _, s := range []Settings{{}, {Validity: time.Second}, {MaxEntries: 10}, {Validity: -1, MaxEntries: 10}} {
		t.Run(fmt.Sprintf("%+v", s), func(t *testing.T) {
			requireNoCacheGoroutines(t)
			store := newFakeStore()
			c, clock := newTestCache(t, s, store)
			assert.Empty(t, cacheGoroutines(), "no goroutine while caching is off")
			for i := range 3 {
				store.set("a", i)
				assert.Equal(t, i, mustGet(t, c, "a"))
			}
			c.Invalidate("a")
			assert.Equal(t, 0, c.InvalidateIf(func(string, int) bool { return true }))
			c.InvalidateAll()
			assert.Equal(t, Stats{Misses: 3, Loads: 3}, c.Stats())
			assert.Zero(t, clock.Pending())
		})
	}
}

func TestFailedLoadIsReturnedAndNotCached(t *testing.T) {
	store := newFakeStore()
	c, _ := newTestCache(t, settings(time.Minute, 0, 100), store)
	store.setFail(errStore)
	_, err := c.Get(context.Background(), "a")
	require.ErrorIs(t, err, errStore)
	store.setFail(nil)
	store.set("a", 7)
	assert.Equal(t, 7, mustGet(t, c, "a"))
	assert.Equal(t, Stats{Misses: 2, Loads: 2, LoadFailures: 1, Size: 1}, c.Stats())
}

func TestLoaderPanicBecomesError(t *testing.T) {
	c, err := New(Options[string, int]{
		Settings: DefaultSettings(),
		Clock:    NewFakeClock(time.Time{}),
		Load:     func(context.Context, string) (int, error) { panic("boom") },
	})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Get(context.Background(), "a")
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom", pe.Value)
	assert.NotEmpty(t, pe.Stack)
	assert.Equal(t, "cache: loader panicked: boom", err.Error())
	assert.Equal(t, uint64(1), c.Stats().LoadFailures)
}

func TestMaxEntriesBoundsTheCache(t *testing.T) {
	store := newFakeStore()
	c, _ := newTestCache(t, settings(time.Hour, 0, 20), store)
	for round := range 3 {
		for i := range 200 {
			mustGet(t, c, fmt.Sprint("k", round, "-", i))
		}
		settle(c)
		st := c.Stats()
		assert.LessOrEqual(t, st.Size, 20, "round %d", round)
		assert.Positive(t, st.Size)
	}
	assert.Positive(t, c.Stats().Evictions)
	// Whatever was evicted, values are right.
	store.set("k1-5", 42)
	c.Invalidate("k1-5")
	assert.Equal(t, 42, mustGet(t, c, "k1-5"))
}

func TestHashCollisionsNeverMixKeys(t *testing.T) {
	store := newFakeStore()
	for i := range 20 {
		store.set(fmt.Sprint("k", i), i)
	}
	c, _ := newTestCache(t, settings(time.Hour, 0, 100), store, func(o *Options[string, int]) {
		o.Hash = func(string) uint64 { return 42 }
	})
	for range 3 {
		for i := range 20 {
			assert.Equal(t, i, mustGet(t, c, fmt.Sprint("k", i)))
		}
		settle(c)
	}
	c.Invalidate("k3")
	store.set("k3", 33)
	assert.Equal(t, 33, mustGet(t, c, "k3"))
	assert.Equal(t, 4, mustGet(t, c, "k4"))
}

func TestContextCancellation(t *testing.T) {
	t.Run("a waiter's context ends its wait", func(t *testing.T) {
		store := newFakeStore()
		c, _ := newTestCache(t, settings(time.Hour, 0, 100), store)
		gate := make(chan struct{})
		defer close(gate)
		store.started = make(chan string, 1)
		store.setGate(gate)
		go c.Get(context.Background(), "a") //nolint:errcheck // the leader; released by gate
		<-store.started
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Get(ctx, "a")
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("the others retry when the leader is cancelled", func(t *testing.T) {
		store := newFakeStore()
		store.set("a", 9)
		c, _ := newTestCache(t, settings(time.Hour, 0, 100), store)
		gate := make(chan struct{})
		store.started = make(chan string, 2)
		store.setGate(gate)
		ctx, cancel := context.WithCancel(context.Background())
		leader := make(chan error)
		go func() { _, err := c.Get(ctx, "a"); leader <- err }()
		<-store.started
		follower := make(chan int)
		go func() { follower <- mustGet(t, c, "a") }()
		for c.Stats().Misses < 2 {
			runtime_Gosched()
		}
		cancel()
		require.ErrorIs(t, <-leader, context.Canceled)
		<-store.started // the follower's own load
		close(gate)
		assert.Equal(t, 9, <-follower)
	})
	t.Run("a cancelled context while waiting for a load token", func(t *testing.T) {
		store := newFakeStore()
		c, _ := newTestCache(t, settings(time.Hour, 0, 100), store, func(o *Options[string, int]) { o.MaxConcurrentLoads = 1 })
		gate := make(chan struct{})
		defer close(gate)
		store.started = make(chan string, 1)
		store.setGate(gate)
		go c.Get(context.Background(), "a") //nolint:errcheck // holds the only token until gate
		<-store.started
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Get(ctx, "b")
		require.ErrorIs(t, err, context.Canceled)
		assert.EqualValues(t, 1, store.calls.Load(), "b was never loaded")
	})
}

func TestMaxConcurrentLoads(t *testing.T) {
	store := newFakeStore()
	c, _ := newTestCache(t, settings(time.Hour, 0, 1000), store, func(o *Options[string, int]) { o.MaxConcurrentLoads = 3 })
	gate := make(chan struct{})
	store.started = make(chan string, 100)
	store.setGate(gate)
	errs := make(chan error, 20)
	for i := range 20 {
		go func() { _, err := c.Get(context.Background(), fmt.Sprint("k", i)); errs <- err }()
	}
	for range 3 {
		<-store.started
	}
	assert.EqualValues(t, 3, store.running.Load())
	close(gate)
	for range 20 {
		require.NoError(t, <-errs)
	}
	assert.EqualValues(t, 3, store.peak.Load())
	assert.EqualValues(t, 20, store.calls.Load())
}

func TestErrorsAreDistinct(t *testing.T) {
	assert.False(t, errors.Is(ErrClosed, ErrInvalidOptions))
	assert.Equal(t, "cache: closed", ErrClosed.Error())
}
