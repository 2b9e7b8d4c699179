package cache

import (
	"context"
	"runtime/debug"
)

// call is one load of one key, shared by every Get that misses the key while
// it runs. The fields other than done are written before done is closed.
type call[V any] struct {
	done  chan struct{}
	val   V
	err   error
	retry bool // the load ended because its leader's context did: waiters try again
}

// miss runs or joins the load of key. A key's registered load (the one in
// its stripe's flights) is the only one whose result is stored; an
// invalidation unregisters it, so its result, possibly read before the
// change being invalidated, only reaches the callers already waiting.
func (c *Cache[K, V]) miss(ctx context.Context, key K, h uint64) (V, error) {
	c.misses.Add(1)
	c.touch(h)
	for {
		s := c.idx.lock(h)
		st := c.st.Load()
		if !st.enabled {
			s.mu.Unlock()
			return c.loadUncounted(ctx, st, key)
		}
		if e := c.idx.find(h, key); e != nil && c.now()-e.born < st.validity {
			s.mu.Unlock() // stored while we waited for the stripe
			return e.val, nil
		}
		cl := s.flights[key]
		if cl == nil {
			cl = &call[V]{done: make(chan struct{})}
			if s.flights == nil {
				s.flights = make(map[K]*call[V])
			}
			s.flights[key] = cl
			s.mu.Unlock()
			if err := c.acquire(ctx); err != nil {
				cl.err, cl.retry = err, true
				c.finish(key, h, cl)
				return cl.val, cl.err
			}
			c.run(ctx, key, cl)
			c.release()
			c.finish(key, h, cl)
			return cl.val, cl.err
		}
		s.mu.Unlock()
		select {
		case <-cl.done:
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
		if cl.retry && ctx.Err() == nil {
			continue
		}
		return cl.val, cl.err
	}
}

// run calls the loader for cl; the caller holds a load token and then
// finishes cl.
func (c *Cache[K, V]) run(ctx context.Context, key K, cl *call[V]) {
	cl.val, cl.err = c.callLoad(ctx, key)
	if cl.err != nil && ctx.Err() != nil {
		cl.retry = true
	}
}

// finish unregisters cl, stores its value if it was still registered and
// succeeded, and wakes its waiters.
func (c *Cache[K, V]) finish(key K, h uint64, cl *call[V]) {
	s := c.idx.lock(h)
	if s.flights[key] == cl {
		delete(s.flights, key)
		if cl.err == nil && c.st.Load().enabled {
			c.offerLocked(&entry[K, V]{hash: h, born: c.now(), key: key, val: cl.val})
		}
	}
	s.mu.Unlock()
	close(cl.done)
	c.reap()
	c.idx.maybeGrow()
}

// callLoad calls the loader, counting it and turning a panic into a
// *PanicError.
func (c *Cache[K, V]) callLoad(ctx context.Context, key K) (v V, err error) {
	c.loads.Add(1)
	defer func() {
		if r := recover(); r != nil {
			var zero V
			v, err = zero, &PanicError{Value: r, Stack: debug.Stack()}
		}
		if err != nil {
			c.failures.Add(1)
		}
	}()
	return c.load(ctx, key)
}

// getUncached serves a Get while caching is disabled (or after Close).
func (c *Cache[K, V]) getUncached(ctx context.Context, st *state, key K) (V, error) {
	if st.closed {
		var zero V
		return zero, ErrClosed
	}
	c.misses.Add(1)
	return c.loadUncounted(ctx, st, key)
}

// loadUncounted calls the loader directly, sharing nothing and storing
// nothing: Cassandra's behaviour with caching off.
func (c *Cache[K, V]) loadUncounted(ctx context.Context, st *state, key K) (V, error) {
	var zero V
	if st.closed {
		return zero, ErrClosed
	}
	if err := c.acquire(ctx); err != nil {
		return zero, err
	}
	defer c.release()
	return c.callLoad(ctx, key)
}

func (c *Cache[K, V]) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	default:
	}
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Cache[K, V]) tryAcquire() bool {
	select {
	case c.sem <- struct{}{}:
		return true
	default:
		return false
	}
}

func (c *Cache[K, V]) release() { <-c.sem }

// scheduleRefresh starts a background reload of e unless one is already
// scheduled or running. It is called on the hit path; the reload runs in a
// goroutine of the clock.
func (c *Cache[K, V]) scheduleRefresh(e *entry[K, V]) {
	if e.refreshing.Load() || !e.refreshing.CompareAndSwap(false, true) {
		return
	}
	c.clock.AfterFunc(0, func() { c.refresh(e) })
}

// refresh reloads e's key in the background, if e is still its entry and no
// other load of the key is registered, and stores the result. A failure is
// logged and leaves e in place until it expires. If every load token is in
// use the reload is skipped; a later read schedules another.
func (c *Cache[K, V]) refresh(e *entry[K, V]) {
	defer e.refreshing.Store(false)
	if !c.bg.enter() {
		return
	}
	defer c.bg.leave()
	if !c.tryAcquire() {
		return
	}
	defer c.release()
	if err := c.reload(c.bg.ctx, e); err != nil && c.bg.ctx.Err() == nil {
		c.log.Warn("Error performing async refresh of auth data in "+c.name, "cache", c.name, "error", err)
	}
}

// reload loads e's key as its registered load, if e is still the key's
// entry and no other load is registered, holding a load token. It returns
// the load's error; skipping is not an error.
func (c *Cache[K, V]) reload(ctx context.Context, e *entry[K, V]) error {
	s := c.idx.lock(e.hash)
	if c.idx.find(e.hash, e.key) != e || s.flights[e.key] != nil {
		s.mu.Unlock()
		return nil
	}
	cl := &call[V]{done: make(chan struct{})}
	if s.flights == nil {
		s.flights = make(map[K]*call[V])
	}
	s.flights[e.key] = cl
	s.mu.Unlock()
	c.run(ctx, e.key, cl)
	c.finish(e.key, e.hash, cl)
	return cl.err
}
