package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReinitLogLine(t *testing.T) {
	logs := &logBuffer{}
	store := newFakeStore()
	c, _ := newTestCache(t, DefaultSettings(), store, func(o *Options[string, int]) {
		o.Name = "PermissionsCache"
		o.Logger = logs.logger()
	})
	require.NoError(t, c.Reconfigure(Settings{Validity: time.Minute, UpdateInterval: 5 * time.Second, MaxEntries: 10, ActiveUpdate: true}))
	assert.Contains(t, logs.String(), "(Re)initializing PermissionsCache (validity period/update interval/max entries/active update) (2000/2000/1000/false)")
	assert.Contains(t, logs.String(), "(Re)initializing PermissionsCache (validity period/update interval/max entries/active update) (60000/5000/10/true)")
}

func TestReconfigure(t *testing.T) {
	store := newFakeStore()
	store.set("a", 1)
	c, clock := newTestCache(t, settings(10*time.Second, 0, 100), store)
	mustGet(t, c, "a")
	store.set("a", 2)

	t.Run("shorter validity applies to cached entries", func(t *testing.T) {
		clock.Advance(5 * time.Second)
		require.NoError(t, c.Reconfigure(settings(5*time.Second, 0, 100)))
		assert.Equal(t, 2, mustGet(t, c, "a"))
	})
	t.Run("update interval applies to cached entries", func(t *testing.T) {
		store.set("a", 3)
		require.NoError(t, c.Reconfigure(settings(5*time.Second, time.Second, 100)))
		clock.Advance(time.Second)
		assert.Equal(t, 2, mustGet(t, c, "a"))
		clock.Advance(0)
		assert.Equal(t, 3, mustGet(t, c, "a"))
	})
	t.Run("negative max entries is refused", func(t *testing.T) {
		err := c.Reconfigure(Settings{Validity: time.Second, MaxEntries: -5})
		require.ErrorIs(t, err, ErrInvalidOptions)
		assert.Equal(t, settings(5*time.Second, time.Second, 100), c.Settings(), "settings unchanged")
	})
	t.Run("validity 0 drops everything and every goroutine", func(t *testing.T) {
		require.NoError(t, c.Reconfigure(settings(0, 0, 100)))
		assert.Zero(t, c.Stats().Size)
		requireNoCacheGoroutines(t)
		store.set("a", 4)
		assert.Equal(t, 4, mustGet(t, c, "a"))
		store.set("a", 5)
		assert.Equal(t, 5, mustGet(t, c, "a"))
	})
	t.Run("enabling again starts empty", func(t *testing.T) {
		require.NoError(t, c.Reconfigure(settings(time.Minute, 0, 100)))
		calls := store.calls.Load()
		assert.Equal(t, 5, mustGet(t, c, "a"))
		assert.Equal(t, 5, mustGet(t, c, "a"))
		assert.Equal(t, calls+1, store.calls.Load())
	})
	t.Run("active update on and off", func(t *testing.T) {
		require.NoError(t, c.Reconfigure(Settings{Validity: time.Minute, UpdateInterval: time.Second, MaxEntries: 100, ActiveUpdate: true}))
		calls := store.calls.Load()
		clock.Advance(time.Second)
		assert.Equal(t, calls+1, store.calls.Load())
		require.NoError(t, c.Reconfigure(Settings{Validity: time.Minute, UpdateInterval: time.Second, MaxEntries: 100}))
		assert.Zero(t, clock.Pending(), "the refresher timer is cancelled")
		clock.Advance(10 * time.Second)
		assert.Equal(t, calls+1, store.calls.Load())
	})
	t.Run("max entries shrinks the bound", func(t *testing.T) {
		require.NoError(t, c.Reconfigure(settings(time.Minute, 0, 5)))
		for i := range 50 {
			mustGet(t, c, fmt.Sprint("k", i))
		}
		settle(c)
		assert.LessOrEqual(t, c.Stats().Size, 5)
	})
}

func TestWarm(t *testing.T) {
	t.Run("stores the bulk load", func(t *testing.T) {
		store := newFakeStore()
		store.set("a", 1)
		store.set("b", 2)
		c, _ := newTestCache(t, settings(time.Hour, 0, 100), store)
		store.set("c", 3)
		mustGet(t, c, "c")
		store.set("c", 30)
		require.NoError(t, c.Warm(context.Background()))
		assert.Equal(t, 3, c.Stats().Size)
		calls := store.calls.Load()
		assert.Equal(t, 1, mustGet(t, c, "a"))
		assert.Equal(t, 2, mustGet(t, c, "b"))
		assert.Equal(t, 3, mustGet(t, c, "c"), "a cached key keeps its entry")
		assert.Equal(t, calls, store.calls.Load())
	})
	t.Run("returns the bulk loader's error", func(t *testing.T) {
		store := newFakeStore()
		c, _ := newTestCache(t, settings(time.Hour, 0, 100), store)
		store.setFail(errStore)
		require.ErrorIs(t, c.Warm(context.Background()), errStore)
		assert.Equal(t, uint64(1), c.Stats().LoadFailures)
	})
	t.Run("without a bulk loader does nothing", func(t *testing.T) {
		store := newFakeStore()
		c, _ := newTestCache(t, settings(time.Hour, 0, 100), store, func(o *Options[string, int]) { o.LoadAll = nil })
		require.NoError(t, c.Warm(context.Background()))
		assert.Zero(t, store.calls.Load())
	})
	t.Run("disabled cache logs and skips", func(t *testing.T) {
		logs := &logBuffer{}
		store := newFakeStore()
		c, _ := newTestCache(t, Settings{}, store, func(o *Options[string, int]) {
			o.Name = "RolesCache"
			o.Logger = logs.logger()
		})
		require.NoError(t, c.Warm(context.Background()))
		assert.Contains(t, logs.String(), "RolesCache cache not enabled, skipping pre-warming")
		assert.Zero(t, store.calls.Load())
	})
	t.Run("an invalidation during the bulk load discards it", func(t *testing.T) {
		store := newFakeStore()
		store.set("a", 1)
		var c *Cache[string, int]
		c, _ = newTestCache(t, settings(time.Hour, 0, 100), store, func(o *Options[string, int]) {
			o.LoadAll = func(ctx context.Context) (map[string]int, error) {
				m, err := store.loadAll(ctx)
				store.set("a", 2)
				c.Invalidate("a")
				return m, err
			}
		})
		require.NoError(t, c.Warm(context.Background()))
		assert.Equal(t, 2, mustGet(t, c, "a"))
	})
	t.Run("a panicking bulk loader is an error", func(t *testing.T) {
		store := newFakeStore()
		c, _ := newTestCache(t, settings(time.Hour, 0, 100), store, func(o *Options[string, int]) {
			o.LoadAll = func(context.Context) (map[string]int, error) { panic("bulk") }
		})
		var pe *PanicError
		require.ErrorAs(t, c.Warm(context.Background()), &pe)
	})
}

func TestClose(t *testing.T) {
	requireNoCacheGoroutines(t)
	store := newFakeStore()
	c, clock := newTestCache(t, Settings{Validity: time.Hour, UpdateInterval: time.Second, MaxEntries: 100, ActiveUpdate: true}, store)
	mustGet(t, c, "a")
	assert.NotEmpty(t, cacheGoroutines(), "ristretto runs while caching is on")
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "idempotent")
	requireNoCacheGoroutines(t)

	_, err := c.Get(context.Background(), "a")
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, c.Warm(context.Background()), ErrClosed)
	require.ErrorIs(t, c.Reconfigure(DefaultSettings()), ErrClosed)
	c.Invalidate("a")
	c.InvalidateAll()
	assert.Zero(t, c.InvalidateIf(func(string, int) bool { return true }))
	calls := store.calls.Load()
	clock.Advance(time.Minute)
	assert.Equal(t, calls, store.calls.Load(), "no pass after Close")
	assert.Zero(t, c.Stats().Size)
}

func TestCloseWaitsForBackgroundReloads(t *testing.T) {
	store := newFakeStore()
	c, clock := newTestCache(t, settings(time.Hour, time.Second, 100), store)
	mustGet(t, c, "a")
	clock.Advance(time.Second)
	mustGet(t, c, "a") // schedules a reload
	gate := make(chan struct{})
	store.started = make(chan string, 1)
	store.setGate(gate)
	advanced := make(chan struct{})
	go func() { clock.Advance(0); close(advanced) }()
	<-store.started
	// The reload is blocked in the loader; Close cancels its context and
	// waits for it.
	require.NoError(t, c.Close())
	<-advanced
	requireNoCacheGoroutines(t)
	assert.Equal(t, uint64(1), c.Stats().LoadFailures, "the reload saw its context cancelled")
}
