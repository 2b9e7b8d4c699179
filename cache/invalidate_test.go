package cache

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvalidate(t *testing.T) {
	store := newFakeStore()
	store.set("a", 1)
	store.set("b", 1)
	c, _ := newTestCache(t, settings(time.Hour, 0, 100), store)
	mustGet(t, c, "a")
	mustGet(t, c, "b")
	store.set("a", 2)
	store.set("b", 2)
	c.Invalidate("a")
	assert.Equal(t, 2, mustGet(t, c, "a"), "the next Get loads")
	assert.Equal(t, 1, mustGet(t, c, "b"), "other keys are untouched")
	c.Invalidate("missing")
	assert.Equal(t, 2, c.Stats().Size)
}

func TestInvalidateDuringLoadDiscardsItsResult(t *testing.T) {
	store := newFakeStore()
	store.set("a", 1)
	c, _ := newTestCache(t, settings(time.Hour, 0, 100), store)
	gate := make(chan struct{})
	store.started = make(chan string, 1)
	store.setGate(gate)

	done := make(chan int)
	go func() { done <- mustGet(t, c, "a") }()
	<-store.started // the load read... nothing yet, but it started before the write
	store.set("a", 2)
	c.Invalidate("a")
	close(gate)
	assert.Equal(t, 2, <-done, "the waiting caller gets the load's result")

	store.setGate(nil)
	store.started = nil
	store.set("a", 3)
	assert.Equal(t, 3, mustGet(t, c, "a"), "but it was not stored")
}

func TestInvalidateIf(t *testing.T) {
	store := newFakeStore()
	for i := range 10 {
		store.set(fmt.Sprint("k", i), i)
	}
	c, _ := newTestCache(t, settings(time.Hour, 0, 100), store)
	for i := range 10 {
		mustGet(t, c, fmt.Sprint("k", i))
	}
	n := c.InvalidateIf(func(k string, v int) bool {
		mustGet(t, c, "k9") // the predicate may use the cache
		return v%2 == 0
	})
	assert.Equal(t, 5, n)
	assert.Equal(t, 5, c.Stats().Size)
	calls := store.calls.Load()
	for i := 1; i < 10; i += 2 {
		mustGet(t, c, fmt.Sprint("k", i))
	}
	assert.Equal(t, calls, store.calls.Load(), "odd values stayed")
	assert.Zero(t, c.InvalidateIf(nil))
}

func TestInvalidateAll(t *testing.T) {
	store := newFakeStore()
	c, _ := newTestCache(t, settings(time.Hour, 0, 100), store)
	for i := range 10 {
		mustGet(t, c, fmt.Sprint("k", i))
	}
	c.InvalidateAll()
	assert.Zero(t, c.Stats().Size)
	mustGet(t, c, "k1")
	assert.EqualValues(t, 11, store.calls.Load())
	settle(c)
	assert.Equal(t, 1, c.Stats().Size, "the new ristretto instance admits entries")
}

func TestInvalidateBeatsBufferedWrites(t *testing.T) {
	// Each stored entry's ristretto write is still buffered when the key is
	// invalidated; when it lands it must not bring the old value back.
	store := newFakeStore()
	c, _ := newTestCache(t, settings(time.Hour, 0, 10000), store)
	const n = 2000
	for i := range n {
		k := fmt.Sprint("k", i)
		store.set(k, 1)
		mustGet(t, c, k)
		store.set(k, 2)
		c.Invalidate(k)
	}
	settle(c)
	for i := range n {
		require.Equal(t, 2, mustGet(t, c, fmt.Sprint("k", i)))
	}
}
