package cache

import (
	"context"
	"runtime/debug"
)

// Warm fills the cache from the bulk loader (Options.LoadAll), Cassandra's
// `auth_cache_warming_enabled` step before a node serves clients. A key
// already cached or being loaded keeps its entry. If an invalidation happens
// while the bulk load runs, the values not yet stored are discarded: they
// may predate the change. Warm does nothing without a bulk loader, and only
// logs `<name> cache not enabled, skipping pre-warming` while caching is
// disabled. It returns the bulk loader's error (Cassandra's caller retries),
// ctx.Err() if ctx ends while waiting for a load token, or [ErrClosed].
func (c *Cache[K, V]) Warm(ctx context.Context) error {
	st := c.st.Load()
	if st.closed {
		return ErrClosed
	}
	if !st.enabled {
		c.log.Info(c.name+" cache not enabled, skipping pre-warming", "cache", c.name)
		return nil
	}
	if c.loadAll == nil {
		return nil
	}
	before := c.invalidations.Load()
	if err := c.acquire(ctx); err != nil {
		return err
	}
	m, err := c.callLoadAll(ctx)
	c.release()
	if err != nil {
		return err
	}
	defer c.idx.maybeGrow()
	defer c.reap()
	for k, v := range m {
		h := c.hash(k)
		s := c.idx.lock(h)
		if c.invalidations.Load() != before {
			s.mu.Unlock()
			c.log.Info(c.name+" pre-warming interrupted by an invalidation", "cache", c.name)
			return nil
		}
		if !c.st.Load().enabled {
			s.mu.Unlock()
			return nil
		}
		if c.idx.find(h, k) == nil && s.flights[k] == nil {
			c.offerLocked(&entry[K, V]{hash: h, born: c.now(), key: k, val: v})
		}
		s.mu.Unlock()
	}
	return nil
}

func (c *Cache[K, V]) callLoadAll(ctx context.Context) (m map[K]V, err error) {
	c.loads.Add(1)
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, &PanicError{Value: r, Stack: debug.Stack()}
		}
		if err != nil {
			c.failures.Add(1)
		}
	}()
	return c.loadAll(ctx)
}
