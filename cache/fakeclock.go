package cache

import (
	"container/heap"
	"sync"
	"sync/atomic"
	"time"
)

// FakeClock is a [Clock] that moves only when told to, for tests of this
// package and of the packages built on it. Time starts at the instant given
// to [NewFakeClock] and advances with [FakeClock.Advance], which also runs,
// synchronously and in time order, every callback registered with AfterFunc
// that falls due. Because the cache starts all its background work through
// AfterFunc, a test drives reloads and active-update passes by advancing the
// clock, and they have finished when Advance returns: a reload that a read
// triggers is due at once and runs on the next Advance (Advance(0) will do).
//
// FakeClock is safe for concurrent use; Now never blocks. Concurrent calls of
// Advance are serialised, so a callback must not call Advance.
type FakeClock struct {
	start  time.Time
	offset atomic.Int64 // nanoseconds since start

	advMu sync.Mutex // serialises Advance

	mu     sync.Mutex // guards timers and seq
	timers fakeTimers
	seq    uint64
}

// NewFakeClock returns a FakeClock reading start. The zero time is replaced
// by a fixed arbitrary instant so that results are never the zero time.
func NewFakeClock(start time.Time) *FakeClock {
	if start.IsZero() {
		start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return &FakeClock{start: start}
}

// Now returns the start time plus everything advanced so far.
func (f *FakeClock) Now() time.Time {
	return f.start.Add(time.Duration(f.offset.Load()))
}

// AfterFunc registers fn to run when the clock reaches Now()+d. It never runs
// fn itself; [FakeClock.Advance] does.
func (f *FakeClock) AfterFunc(d time.Duration, fn func()) Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	t := &fakeTimer{clock: f, when: f.offset.Load() + int64(max(d, 0)), seq: f.seq, fn: fn}
	heap.Push(&f.timers, t)
	return t
}

// Advance moves the clock forward by d (a negative d counts as zero) and runs
// every callback due by then, each with the clock set to its due time, in
// order of due time and then of registration. Callbacks registered while
// advancing run too if they fall due within d.
func (f *FakeClock) Advance(d time.Duration) {
	f.advMu.Lock()
	defer f.advMu.Unlock()
	target := f.offset.Load() + int64(max(d, 0))
	for {
		f.mu.Lock()
		if len(f.timers) == 0 || f.timers[0].when > target {
			f.offset.Store(target)
			f.mu.Unlock()
			return
		}
		t := heap.Pop(&f.timers).(*fakeTimer)
		if t.when > f.offset.Load() {
			f.offset.Store(t.when)
		}
		f.mu.Unlock()
		t.fn()
	}
}

// Pending returns the number of callbacks registered and not yet run or
// stopped.
func (f *FakeClock) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

var _ Clock = (*FakeClock)(nil)

type fakeTimer struct {
	clock *FakeClock
	when  int64
	seq   uint64
	fn    func()
	pos   int // index in the heap, -1 once removed
}

// Stop removes the callback if it has not been run yet.
func (t *fakeTimer) Stop() bool {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.pos < 0 {
		return false
	}
	heap.Remove(&f.timers, t.pos)
	return true
}

// fakeTimers is a min-heap on (when, seq).
type fakeTimers []*fakeTimer

func (h fakeTimers) Len() int { return len(h) }
func (h fakeTimers) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when < h[j].when
	}
	return h[i].seq < h[j].seq
}
func (h fakeTimers) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos, h[j].pos = i, j
}
func (h *fakeTimers) Push(x any) {
	t := x.(*fakeTimer)
	t.pos = len(*h)
	*h = append(*h, t)
}
func (h *fakeTimers) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.pos = -1
	return t
}
