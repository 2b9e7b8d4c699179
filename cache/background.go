package cache

import (
	"context"
	"sync"
)

// background accounts for the work the cache runs in goroutines of its
// clock (reloads triggered by reads, active-update passes), so that Close
// can cancel it and wait for it.
type background struct {
	// ctx is the context of every background load, cancelled by close.
	// Storing it is deliberate: it belongs to the cache's lifetime, not to
	// a request.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex // guards closed and running
	done    sync.Cond  // signalled when running drops to zero
	closed  bool
	running int
}

func (b *background) init() {
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.done.L = &b.mu
}

// enter registers a piece of background work; it reports false, and the
// work must not start, once close has begun.
func (b *background) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.running++
	return true
}

// leave ends a piece of work registered by enter.
func (b *background) leave() {
	b.mu.Lock()
	b.running--
	if b.running == 0 {
		b.done.Broadcast()
	}
	b.mu.Unlock()
}

// close refuses new work, cancels the running work's context and waits for
// it to leave.
func (b *background) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.cancel()
	for b.running > 0 {
		b.done.Wait()
	}
}
