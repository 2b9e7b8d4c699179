package authn

import (
	"context"
	"sync/atomic"
	"time"
)

// semaphore bounds how many bcrypt runs execute at once. A caller that finds
// no free slot waits on its own goroutine, at most timeout, and gives up when
// its context ends; it never starts a goroutine, so an abandoned login leaves
// nothing behind. Waiters are served in arrival order (Go queues blocked
// channel senders FIFO). Safe for concurrent use.
type semaphore struct {
	slots     chan struct{} // one element per slot in use
	timeout   time.Duration // < 0: do not wait
	maxQueued int64         // 0: no bound on waiters

	waiting  atomic.Int64
	inFlight atomic.Int64
	peak     atomic.Int64
	timeouts atomic.Uint64
	rejected atomic.Uint64
}

func newSemaphore(slots int, timeout time.Duration, maxQueued int) *semaphore {
	return &semaphore{slots: make(chan struct{}, slots), timeout: timeout, maxQueued: int64(maxQueued)}
}

// acquire takes a slot. It returns ErrHashingBusy after waiting timeout,
// ErrHashingQueueFull when maxQueued callers already wait, or ctx's error.
// Every nil return must be paired with release.
func (s *semaphore) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.slots <- struct{}{}:
		s.entered()
		return nil
	default:
	}
	if s.timeout < 0 {
		s.timeouts.Add(1)
		return ErrHashingBusy
	}
	if n := s.waiting.Add(1); s.maxQueued > 0 && n > s.maxQueued {
		s.waiting.Add(-1)
		s.rejected.Add(1)
		return ErrHashingQueueFull
	}
	defer s.waiting.Add(-1)
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case s.slots <- struct{}{}:
		s.entered()
		return nil
	case <-timer.C:
		s.timeouts.Add(1)
		return ErrHashingBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *semaphore) entered() {
	n := s.inFlight.Add(1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (s *semaphore) release() {
	s.inFlight.Add(-1)
	<-s.slots
}
