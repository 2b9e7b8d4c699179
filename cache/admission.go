package cache

import (
	"sync/atomic"

	"github.com/dgraph-io/ristretto/v2"
)

// Ristretto decides which entries the cache keeps: every stored entry is
// offered to it (cost 1, MaxCost = MaxEntries), reads feed its frequency
// sketch, and its rejections and evictions are queued for removal from the
// index. Its writes are buffered and may be dropped or refused; nothing
// here relies on one being kept:
//
//   - A refused or evicted entry is reported by a callback and removed from
//     the index later (by reap), by identity, so that a newer entry of the
//     same key is never removed in its place. Until then it may still be
//     served; it is a valid value.
//   - A Set that ristretto drops at once (buffer full) is undone at once.
//   - Reads never consult ristretto's store, so a buffered write that lands
//     after an invalidation cannot resurrect anything.
//
// Ristretto instances are never used while being closed: every use holds
// Cache.rmu for reading, and an instance is retired under Cache.rmu held for
// writing (with every index stripe locked, see swapAdmission) before Close
// is called on it.

const (
	minCounters = 1 << 10
	maxCounters = 1 << 24 // ~34 MB of sketch; bigger caches share counters
)

type admission[K comparable, V any] struct {
	rc      *ristretto.Cache[uint64, *entry[K, V]]
	retired atomic.Bool // set when swapped out; its callbacks are then ignored
}

func newAdmission[K comparable, V any](c *Cache[K, V], maxEntries int) (*admission[K, V], error) {
	a := &admission[K, V]{}
	counters := min(max(int64(maxEntries)*10, minCounters), maxCounters)
	rc, err := ristretto.NewCache(&ristretto.Config[uint64, *entry[K, V]]{
		NumCounters:        counters,
		MaxCost:            int64(maxEntries),
		BufferItems:        64,
		IgnoreInternalCost: true,
		KeyToHash:          func(h uint64) (uint64, uint64) { return h, 0 },
		// Two keys with one hash share a ristretto slot: the first keeps
		// it, the second is refused (and so dropped from the index).
		ShouldUpdate: func(cur, prev *entry[K, V]) bool { return prev == nil || cur.key == prev.key },
		OnEvict: func(it *ristretto.Item[*entry[K, V]]) {
			if it.Value != nil && !a.retired.Load() {
				c.evictions.Add(1)
				c.drop(it.Value, false)
			}
		},
		OnReject: func(it *ristretto.Item[*entry[K, V]]) {
			if it.Value != nil && !a.retired.Load() {
				c.drop(it.Value, true)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	a.rc = rc
	return a, nil
}

// dropped is an entry ristretto evicted or refused.
type dropped[K comparable, V any] struct {
	e       *entry[K, V]
	refused bool
}

// drop queues e for removal from the index. It runs on ristretto's goroutine
// and must not block on anything but dropMu.
func (c *Cache[K, V]) drop(e *entry[K, V], refused bool) {
	c.dropMu.Lock()
	c.dropped = append(c.dropped, dropped[K, V]{e, refused})
	c.dropMu.Unlock()
}

// reap removes the entries ristretto evicted or refused from the index. The
// caller holds no stripe.
//
// Ristretto also refuses a new key's write when an earlier write of the same
// key is still in its buffer (two stores of one key in quick succession: a
// load and then a reload). Then it keeps the older entry while the index
// holds the newer one; reap offers the newer one again, which now replaces
// the older one in place.
func (c *Cache[K, V]) reap() {
	c.dropMu.Lock()
	d := c.dropped
	c.dropped = nil
	c.dropMu.Unlock()
	for _, x := range d {
		s := c.idx.lock(x.e.hash)
		if !x.refused || !c.reofferLocked(x.e) {
			c.idx.removeLocked(x.e)
		}
		s.mu.Unlock()
	}
}

// reofferLocked reports whether ristretto now keeps e, the refused entry:
// because it holds e already, or because it holds an older entry of e's key
// and accepts e in its place. The caller holds e's stripe.
func (c *Cache[K, V]) reofferLocked(e *entry[K, V]) bool {
	if c.idx.find(e.hash, e.key) != e {
		return false // gone or replaced already
	}
	c.rmu.RLock()
	defer c.rmu.RUnlock()
	if c.adm == nil {
		return false
	}
	held, ok := c.adm.rc.Get(e.hash)
	if !ok || held == nil || held.key != e.key {
		return false // a genuine refusal, or the slot belongs to a colliding key
	}
	return held == e || c.adm.rc.Set(e.hash, e, 1)
}

// offerLocked stores e in the index and offers it to ristretto, undoing the
// store if ristretto drops the write at once. The caller holds e's stripe
// and knows caching is enabled; if there is no ristretto instance (caching
// is being turned off) nothing is stored.
func (c *Cache[K, V]) offerLocked(e *entry[K, V]) {
	c.rmu.RLock()
	defer c.rmu.RUnlock()
	if c.adm == nil {
		return
	}
	c.idx.putLocked(e)
	if !c.adm.rc.Set(e.hash, e, 1) {
		c.idx.removeLocked(e)
	}
}

// touch records an access of hash h in ristretto's frequency sketch.
func (c *Cache[K, V]) touch(h uint64) {
	c.rmu.RLock()
	if c.adm != nil {
		c.adm.rc.Get(h)
	}
	c.rmu.RUnlock()
}

// forget deletes hash h from ristretto after its entry left the index. The
// delete may block until ristretto's buffer drains, so it runs without a
// stripe; an entry of the same hash stored meanwhile may have been deleted
// with it, so such entries are offered again afterwards.
func (c *Cache[K, V]) forget(h uint64) {
	c.rmu.RLock()
	a := c.adm
	if a != nil {
		a.rc.Del(h)
	}
	c.rmu.RUnlock()
	if a == nil {
		return
	}
	s := c.idx.lock(h)
	defer s.mu.Unlock()
	c.rmu.RLock()
	defer c.rmu.RUnlock()
	if c.adm != a {
		return // replaced: the new instance never saw the delete
	}
	for _, e := range c.idx.sameHashLocked(h) {
		if !a.rc.Set(h, e, 1) {
			c.idx.removeLocked(e)
		}
	}
}

// swapAdmission replaces the ristretto instance with next (nil: none),
// empties the index and forgets every registered load, and returns the old
// instance, which the caller closes once it holds no lock. The caller holds
// cfgMu.
func (c *Cache[K, V]) swapAdmission(next *admission[K, V]) *admission[K, V] {
	c.invalidations.Add(1)
	c.idx.lockAll()
	c.idx.resetLocked()
	c.rmu.Lock()
	old := c.adm
	c.adm = next
	if old != nil {
		old.retired.Store(true)
	}
	c.rmu.Unlock()
	c.idx.unlockAll()
	return old
}

func (a *admission[K, V]) close() {
	if a != nil {
		a.rc.Close()
	}
}
