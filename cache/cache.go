package cache

import (
	"context"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Cache is a loading cache with Cassandra's auth-cache semantics. See the
// package documentation. All methods are safe for concurrent use, Close
// included.
type Cache[K comparable, V any] struct {
	st  atomic.Pointer[state] // what Get needs to know, replaced as a whole
	idx index[K, V]

	name    string
	hash    func(K) uint64
	load    func(context.Context, K) (V, error)
	loadAll func(context.Context) (map[K]V, error)
	invalid func(V) bool
	clock   Clock
	sysTime bool      // clock is SystemClock: measure ages with time.Since
	epoch   time.Time // ages are measured from here
	log     *slog.Logger
	sem     chan struct{} // one token per running load

	hits                               stripedCounter
	misses, loads, failures, evictions atomic.Uint64
	invalidations                      atomic.Uint64 // bumped before every invalidation; Warm watches it

	rmu sync.RWMutex // guards adm; held for reading around every use of it
	adm *admission[K, V]

	dropMu  sync.Mutex      // guards dropped; a leaf lock
	dropped []dropped[K, V] // evicted or refused by ristretto, to leave the index

	cfgMu    sync.Mutex // serialises Reconfigure, InvalidateAll and Close; guards the fields below
	settings Settings
	active   *activeUpdate
	closed   bool

	bg background
}

// state is the immutable snapshot Get reads with one atomic load.
type state struct {
	enabled      bool
	closed       bool
	validity     int64 // ns
	refreshAfter int64 // ns; >= validity means reads never trigger a reload
}

// New returns a cache configured by o, or an error wrapping
// [ErrInvalidOptions] if o.Load is nil or a size is negative. When
// o.Settings enable caching, New starts ristretto's two goroutines; Close
// stops them. When they do not, the cache starts no goroutine and every Get
// calls the loader.
func New[K comparable, V any](o Options[K, V]) (*Cache[K, V], error) {
	if o.Load == nil {
		return nil, invalid("Load", "a loader is required")
	}
	if o.MaxConcurrentLoads < 0 {
		return nil, invalid("MaxConcurrentLoads", "must not be negative, got %d", o.MaxConcurrentLoads)
	}
	if err := o.Settings.validate(); err != nil {
		return nil, err
	}
	c := &Cache[K, V]{
		name:    o.Name,
		hash:    o.Hash,
		load:    o.Load,
		loadAll: o.LoadAll,
		invalid: o.InvalidationCondition,
		clock:   o.Clock,
		log:     o.Logger,
	}
	if c.hash == nil {
		seed := maphash.MakeSeed()
		c.hash = func(k K) uint64 { return maphash.Comparable(seed, k) }
	}
	if c.clock == nil {
		c.clock = SystemClock{}
	}
	_, c.sysTime = c.clock.(SystemClock)
	c.epoch = c.clock.Now()
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	n := o.MaxConcurrentLoads
	if n == 0 {
		n = DefaultMaxConcurrentLoads
	}
	c.sem = make(chan struct{}, n)
	c.idx.init()
	c.bg.init()
	c.cfgMu.Lock()
	defer c.cfgMu.Unlock()
	if err := c.applyLocked(o.Settings); err != nil {
		return nil, err
	}
	return c, nil
}

// Name returns the name given in [Options].
func (c *Cache[K, V]) Name() string { return c.name }

// Get returns the value of key: from the cache if it holds an entry younger
// than the validity, otherwise from the loader. An entry older than the
// update interval is still returned, and one background reload of it is
// started; if that reload fails the old value stays until the validity runs
// out. Concurrent misses of one key share one load. If the load fails, its
// error is returned unchanged (a loader panic becomes a [*PanicError]) and
// nothing is cached. If ctx ends while Get waits for a load it returns
// ctx.Err(); if the Get running a shared load is cancelled, the others
// retry. After Close, Get returns [ErrClosed].
//
// A hit takes no lock and does not allocate (but see "Performance" in the
// package documentation for the sampled report to ristretto).
func (c *Cache[K, V]) Get(ctx context.Context, key K) (V, error) {
	st := c.st.Load()
	if !st.enabled {
		return c.getUncached(ctx, st, key)
	}
	h := c.hash(key)
	if e := c.idx.find(h, key); e != nil {
		now := c.now()
		if age := now - e.born; age < st.validity {
			// The clock's low bits, mixed, are random enough to spread
			// the hit counter and to sample, and cost nothing more.
			r := uint64(now) * 0x9e3779b97f4a7c15
			c.hits.add(r >> (64 - counterBits))
			if (r<<counterBits)>>(64-touchBits) == 0 {
				c.touch(h)
			}
			if age >= st.refreshAfter {
				c.scheduleRefresh(e)
			}
			return e.val, nil
		}
	}
	return c.miss(ctx, key, h)
}

// One hit in 2^touchBits is reported to ristretto's frequency sketch;
// misses always are. Sampling keeps the sketch's relative counts while
// sparing the hit path ristretto's locks.
const touchBits = 4

// now is the clock's reading in nanoseconds since the cache's epoch.
func (c *Cache[K, V]) now() int64 {
	if c.sysTime {
		return int64(time.Since(c.epoch))
	}
	return int64(c.clock.Now().Sub(c.epoch))
}

// Stats returns a snapshot of the counters. It is safe to call at any time,
// after Close too.
func (c *Cache[K, V]) Stats() Stats {
	c.reap()
	return Stats{
		Hits:         c.hits.load(),
		Misses:       c.misses.Load(),
		Loads:        c.loads.Load(),
		LoadFailures: c.failures.Load(),
		Evictions:    c.evictions.Load(),
		Size:         int(c.idx.size.Load()),
	}
}

// Close stops the active-update timer, cancels the context of background
// reloads and waits for them to return, drops every entry and stops
// ristretto's goroutines. When Close returns, no goroutine started by the
// cache is left. Loads running in callers' goroutines finish on their own;
// their results are not stored. Later calls of Get, Warm and Reconfigure
// return [ErrClosed]; the invalidation methods do nothing. Close is
// idempotent and always returns nil.
func (c *Cache[K, V]) Close() error {
	c.cfgMu.Lock()
	if c.closed {
		c.cfgMu.Unlock()
		return nil
	}
	c.closed = true
	c.st.Store(&state{closed: true})
	c.stopActiveLocked()
	c.bg.close()
	old := c.swapAdmission(nil)
	c.cfgMu.Unlock()
	old.close()
	c.reap()
	return nil
}
