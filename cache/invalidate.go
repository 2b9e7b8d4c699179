package cache

// Invalidate removes key's entry and makes sure that no load of key that was
// running when Invalidate was called stores its result: the next Get of key,
// starting after Invalidate returns, calls the loader (the old value is
// never returned again, whatever ristretto's buffers hold). Loads already
// running still answer the Gets that were waiting for them. It does nothing
// while caching is disabled or after Close.
func (c *Cache[K, V]) Invalidate(key K) {
	c.invalidations.Add(1)
	h := c.hash(key)
	s := c.idx.lock(h)
	e := c.idx.removeKeyLocked(h, key)
	delete(s.flights, key)
	s.mu.Unlock()
	if e != nil {
		c.forget(h)
	}
}

// InvalidateIf removes every entry for which pred reports true and returns
// how many it removed. pred is called without any lock held, so it may use
// the cache; it must be safe to call from this goroutine only. Loads running
// when InvalidateIf is called keep answering their waiters but do not store
// their results, whatever their key (their values are not known yet). A nil
// pred removes nothing.
func (c *Cache[K, V]) InvalidateIf(pred func(key K, val V) bool) int {
	if pred == nil {
		return 0
	}
	c.invalidations.Add(1)
	var candidates []*entry[K, V]
	for i := range c.idx.stripes {
		s := &c.idx.stripes[i]
		s.mu.Lock()
		candidates = c.idx.appendStripeLocked(candidates, i)
		clear(s.flights)
		s.mu.Unlock()
	}
	n := 0
	for _, e := range candidates {
		if !pred(e.key, e.val) {
			continue
		}
		s := c.idx.lock(e.hash)
		removed := c.idx.removeLocked(e)
		s.mu.Unlock()
		if removed {
			n++
			c.forget(e.hash)
		}
	}
	return n
}

// InvalidateAll empties the cache, as Cassandra's invalidate() does by
// replacing it with a freshly built one: entries, registered loads and
// ristretto's frequency history all go. It does nothing while caching is
// disabled or after Close.
func (c *Cache[K, V]) InvalidateAll() {
	c.invalidations.Add(1)
	c.cfgMu.Lock()
	if c.adm == nil {
		c.cfgMu.Unlock()
		return
	}
	next, err := newAdmission(c, c.settings.MaxEntries)
	if err != nil {
		// Cannot happen for settings New or Reconfigure accepted; keep the
		// instance and drop the entries one by one instead.
		c.cfgMu.Unlock()
		c.log.Error("cannot rebuild "+c.name, "cache", c.name, "error", err)
		c.InvalidateIf(func(K, V) bool { return true })
		return
	}
	old := c.swapAdmission(next)
	c.cfgMu.Unlock()
	old.close()
}
