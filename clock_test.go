package cassauth

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCoarseClock: the coarse clock moves forward by ticks, never backward,
// runs deferred work, and Close stops its goroutine (idempotently).
func TestCoarseClock(t *testing.T) {
	before := runtime.NumGoroutine()
	c := newCoarseClock(time.Millisecond)
	first := c.Now()
	moved := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); runtime.Gosched() {
		now := c.Now()
		require.False(t, now.Before(first), "the clock went backwards")
		if now.After(first) {
			moved = true
			break
		}
	}
	assert.True(t, moved, "the clock never ticked")
	assert.LessOrEqual(t, time.Since(c.Now()), time.Second, "the coarse time follows the system's")

	fired := make(chan struct{})
	c.AfterFunc(0, func() { close(fired) })
	<-fired

	c.close()
	c.close()
	n := runtime.NumGoroutine()
	for i := 0; i < 10000 && n > before; i++ {
		runtime.Gosched()
		n = runtime.NumGoroutine()
	}
	assert.LessOrEqual(t, n, before)
}
