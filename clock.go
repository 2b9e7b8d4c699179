package cassauth

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/cache"
)

// coarseClock is a cache.Clock whose Now costs an atomic load instead of a
// reading of the system clock: a goroutine refreshes the time once per
// resolution. It is what Options.ClockResolution selects; Auth.Close stops
// it. Ages it measures may lag by the resolution plus the ticker's
// scheduling delay.
type coarseClock struct {
	base   time.Time    // a monotonic reading taken at start
	offset atomic.Int64 // nanoseconds since base, as of the last tick

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

var _ cache.Clock = (*coarseClock)(nil)

// newCoarseClock starts a clock refreshed every res.
func newCoarseClock(res time.Duration) *coarseClock {
	c := &coarseClock{base: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run(res)
	return c
}

func (c *coarseClock) run(res time.Duration) {
	defer close(c.done)
	t := time.NewTicker(res)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.offset.Store(int64(time.Since(c.base)))
		case <-c.stop:
			return
		}
	}
}

// Now returns the time of the last tick (monotonic, so differences are
// exact up to the resolution). The cache takes its hit-sampling and
// counter-striping randomness from the clock's low bits, which stay the
// same for a whole tick here: the sampled reports to ristretto come in
// bursts (the same one in 16 on average) and the goroutines of one tick
// share a hit counter, which measured no slower on this machine than
// spreading them (a per-call random jitter cost more than it saved).
func (c *coarseClock) Now() time.Time { return c.base.Add(time.Duration(c.offset.Load())) }

// AfterFunc is time.AfterFunc: deferred work runs on time, whatever the
// resolution.
func (c *coarseClock) AfterFunc(d time.Duration, f func()) cache.Timer { return time.AfterFunc(d, f) }

// close stops the ticker goroutine and waits for it; idempotent.
func (c *coarseClock) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}
