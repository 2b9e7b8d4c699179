package cache

import "time"

// Clock is the cache's source of time and of deferred work. Implementations
// must be safe for concurrent use.
//
// The cache measures ages with Now and runs every piece of background work
// (a reload triggered by a read, a pass of active update) through AfterFunc,
// so a [FakeClock] makes all of it deterministic.
type Clock interface {
	// Now returns the current time. Differences between two results are
	// what matters; a monotonic reading is best.
	Now() time.Time

	// AfterFunc calls f once, in a goroutine of its own, after d has
	// elapsed (d <= 0: as soon as possible), like [time.AfterFunc].
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is the handle [Clock.AfterFunc] returns. *time.Timer satisfies it.
type Timer interface {
	// Stop prevents the call if it has not started and reports whether it
	// did so.
	Stop() bool
}

// SystemClock is the real [Clock]: [time.Now] and [time.AfterFunc]. Ages are
// measured on the monotonic clock.
type SystemClock struct{}

// Now returns [time.Now].
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc is [time.AfterFunc].
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

var _ Clock = SystemClock{}
