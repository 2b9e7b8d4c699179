package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUpdateIntervalRefreshesInBackground(t *testing.T) {
	store := newFakeStore()
	store.set("a", 1)
	c, clock := newTestCache(t, settings(10*time.Second, 2*time.Second, 100), store)
	assert.Equal(t, 1, mustGet(t, c, "a"))
	store.set("a", 2)

	clock.Advance(2*time.Second - time.Nanosecond)
	assert.Equal(t, 1, mustGet(t, c, "a"))
	assert.Zero(t, clock.Pending(), "younger than the interval: no reload")

	clock.Advance(time.Nanosecond)
	for range 3 {
		assert.Equal(t, 1, mustGet(t, c, "a"), "the old value is served while the reload is pending")
	}
	assert.Equal(t, 1, clock.Pending(), "one reload however many reads")
	assert.EqualValues(t, 1, store.calls.Load())

	clock.Advance(0) // run the reload
	assert.EqualValues(t, 2, store.calls.Load())
	assert.Equal(t, 2, mustGet(t, c, "a"))
	assert.Zero(t, clock.Pending(), "the new entry is fresh")
}

func TestFailedRefreshKeepsOldValueUntilValidity(t *testing.T) {
	logs := &logBuffer{}
	store := newFakeStore()
	store.set("a", 1)
	c, clock := newTestCache(t, settings(10*time.Second, 2*time.Second, 100), store, func(o *Options[string, int]) {
		o.Name = "RolesCache"
		o.Logger = logs.logger()
	})
	assert.Equal(t, 1, mustGet(t, c, "a"))
	store.set("a", 2)
	store.setFail(errStore)

	clock.Advance(time.Second)
	for at := 2 * time.Second; at < 10*time.Second; at += time.Second {
		clock.Advance(time.Second)
		assert.Equal(t, 1, mustGet(t, c, "a"), "at %v: failed reloads keep the old value", at)
		clock.Advance(0) // run the reload the read scheduled; it fails
	}
	assert.Contains(t, logs.String(), "Error performing async refresh of auth data in RolesCache")
	assert.Contains(t, logs.String(), errStore.Error())

	clock.Advance(time.Second) // 10s: expired
	_, err := c.Get(context.Background(), "a")
	require.ErrorIs(t, err, errStore, "past validity the load's error reaches the caller")

	store.setFail(nil)
	assert.Equal(t, 2, mustGet(t, c, "a"))
	st := c.Stats()
	assert.Equal(t, uint64(9), st.LoadFailures, "8 reloads and 1 load failed")
	assert.Equal(t, uint64(11), st.Loads)
}

func TestActiveUpdate(t *testing.T) {
	store := newFakeStore()
	store.set("a", 1)
	store.set("b", 1)
	s := Settings{Validity: 10 * time.Second, UpdateInterval: 3 * time.Second, MaxEntries: 100, ActiveUpdate: true}
	c, clock := newTestCache(t, s, store)
	mustGet(t, c, "a")
	mustGet(t, c, "b")
	store.set("a", 2)
	store.set("b", 2)

	clock.Advance(3*time.Second - time.Nanosecond)
	assert.Equal(t, 1, mustGet(t, c, "a"))
	assert.EqualValues(t, 2, store.calls.Load(), "reads never reload with active update")

	clock.Advance(time.Nanosecond) // first pass
	assert.EqualValues(t, 4, store.calls.Load(), "every key refreshed")
	assert.Equal(t, 2, mustGet(t, c, "a"))
	assert.Equal(t, 2, mustGet(t, c, "b"))

	// Entries never expire while the passes succeed.
	clock.Advance(time.Minute)
	assert.Equal(t, 2, mustGet(t, c, "a"))
	assert.EqualValues(t, 4+2*20, store.calls.Load(), "one pass per interval, at a fixed rate")
	assert.Equal(t, Stats{Hits: 4, Misses: 2, Loads: 44, Size: 2}, c.Stats(), "all reads after the first two were hits")

	// Failing passes keep the values until validity.
	store.set("a", 3)
	store.setFail(errStore)
	clock.Advance(9 * time.Second) // passes at 3s, 6s and 9s fail; the entry is 9s old
	assert.Equal(t, 2, mustGet(t, c, "a"))
	clock.Advance(time.Second)
	_, err := c.Get(context.Background(), "a")
	require.ErrorIs(t, err, errStore)
	clock.Advance(2 * time.Second) // 12s: expired entries are not refreshed
	calls := store.calls.Load()
	clock.Advance(3 * time.Second)
	assert.Equal(t, calls, store.calls.Load(), "a pass skips expired entries")
}

func TestActiveUpdateInvalidationCondition(t *testing.T) {
	const sentinel = -1
	store := newFakeStore()
	store.set("gone", 1)
	store.set("kept", 1)
	s := Settings{Validity: time.Hour, UpdateInterval: time.Second, MaxEntries: 100, ActiveUpdate: true}
	c, clock := newTestCache(t, s, store, func(o *Options[string, int]) {
		o.InvalidationCondition = func(v int) bool { return v == sentinel }
	})
	mustGet(t, c, "gone")
	mustGet(t, c, "kept")
	store.set("gone", sentinel)
	clock.Advance(time.Second)
	assert.Equal(t, 1, c.Stats().Size, "the sentinel was removed after its refresh")
	calls := store.calls.Load()
	assert.Equal(t, 1, mustGet(t, c, "kept"))
	assert.Equal(t, sentinel, mustGet(t, c, "gone"), "loaded again on demand")
	assert.Equal(t, calls+1, store.calls.Load())
}

func TestActiveUpdatePanickingConditionEndsPass(t *testing.T) {
	logs := &logBuffer{}
	store := newFakeStore()
	s := Settings{Validity: time.Hour, UpdateInterval: time.Second, MaxEntries: 100, ActiveUpdate: true}
	c, clock := newTestCache(t, s, store, func(o *Options[string, int]) {
		o.Name = "CredentialsCache"
		o.Logger = logs.logger()
		o.InvalidationCondition = func(int) bool { panic("bad condition") }
	})
	mustGet(t, c, "a")
	mustGet(t, c, "b")
	clock.Advance(time.Second)
	assert.Contains(t, logs.String(), "Unexpected exception refreshing CredentialsCache cache")
	assert.EqualValues(t, 3, store.calls.Load(), "the pass stopped after its first key")
	clock.Advance(time.Second)
	assert.EqualValues(t, 4, store.calls.Load(), "the next pass runs")
}

func TestReloadRightAfterLoadIsKept(t *testing.T) {
	// A reload stored while the first write of the key is still in
	// ristretto's buffer is refused by ristretto; the cache must keep it.
	store := newFakeStore()
	c, clock := newTestCache(t, settings(time.Hour, time.Second, 10000), store)
	const n = 500
	for i := range n {
		mustGet(t, c, fmt.Sprint("k", i))
	}
	clock.Advance(time.Second)
	for i := range n {
		k := fmt.Sprint("k", i)
		store.set(k, 7)
		mustGet(t, c, k)
		clock.Advance(0) // reload now
	}
	settle(c)
	settle(c)
	assert.Equal(t, n, c.Stats().Size)
	calls := store.calls.Load()
	for i := range n {
		assert.Equal(t, 7, mustGet(t, c, fmt.Sprint("k", i)))
	}
	assert.Equal(t, calls, store.calls.Load(), "all hits")
}

func TestScheduledRefreshOfARemovedEntryIsSkipped(t *testing.T) {
	tests := []struct {
		name   string
		remove func(c *Cache[string, int])
	}{
		{"invalidated", func(c *Cache[string, int]) { c.Invalidate("a") }},
		{"invalidated by predicate", func(c *Cache[string, int]) { c.InvalidateIf(func(string, int) bool { return true }) }},
		{"invalidated all", func(c *Cache[string, int]) { c.InvalidateAll() }},
		{"caching turned off", func(c *Cache[string, int]) { require.NoError(t, c.Reconfigure(Settings{})) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeStore()
			c, clock := newTestCache(t, settings(time.Hour, time.Second, 100), store)
			mustGet(t, c, "a")
			clock.Advance(time.Second)
			mustGet(t, c, "a") // schedules a reload
			tt.remove(c)
			clock.Advance(0)
			assert.EqualValues(t, 1, store.calls.Load(), "the reload was skipped")
		})
	}
}
