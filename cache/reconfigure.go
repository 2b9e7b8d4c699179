package cache

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Settings returns the settings in force, as last given to [New] or
// [Cache.Reconfigure].
func (c *Cache[K, V]) Settings() Settings {
	c.cfgMu.Lock()
	defer c.cfgMu.Unlock()
	return c.settings
}

// Reconfigure changes the settings of a live cache, like Cassandra's
// `nodetool setauthcacheconfig` (its JMX setters). Validity and update
// interval apply at once to the entries already cached; a new MaxEntries
// bounds ristretto from the next insertion on; the active-update timer is
// cancelled and, if enabled, recreated with its first run one interval from
// now. Settings that disable caching drop every entry and stop every
// goroutine; enabling caching again starts from an empty cache. It returns
// an error wrapping [ErrInvalidOptions] for a negative MaxEntries, or
// [ErrClosed].
func (c *Cache[K, V]) Reconfigure(s Settings) error {
	if err := s.validate(); err != nil {
		return err
	}
	c.cfgMu.Lock()
	defer c.cfgMu.Unlock()
	if c.closed {
		return ErrClosed
	}
	return c.applyLocked(s)
}

// applyLocked puts s in force. The caller holds cfgMu.
func (c *Cache[K, V]) applyLocked(s Settings) error {
	c.log.Info(fmt.Sprintf("(Re)initializing %s (validity period/update interval/max entries/active update) (%d/%d/%d/%t)",
		c.name, s.Validity.Milliseconds(), s.EffectiveUpdateInterval().Milliseconds(), s.MaxEntries, s.ActiveUpdate),
		"cache", c.name)
	c.stopActiveLocked()
	if !s.Enabled() {
		c.settings = s
		c.st.Store(&state{})
		c.swapAdmission(nil).close()
		return nil
	}
	if c.adm == nil {
		a, err := newAdmission(c, s.MaxEntries)
		if err != nil {
			return fmt.Errorf("cache %s: %w", c.name, err)
		}
		c.swapAdmission(a) // there was none: this only empties the index
	} else if s.MaxEntries != c.settings.MaxEntries {
		c.adm.rc.UpdateMaxCost(int64(s.MaxEntries))
	}
	c.settings = s
	c.st.Store(&state{enabled: true, validity: int64(s.Validity), refreshAfter: int64(s.refreshAfter())})
	if s.ActiveUpdate {
		c.startActiveLocked(s.EffectiveUpdateInterval())
	}
	return nil
}

// activeUpdate is one run of Cassandra's CacheRefresher: a fixed-rate timer
// that refreshes every cached key.
type activeUpdate struct {
	interval time.Duration
	ctx      context.Context // cancelled by stop; the pass's loads run with it
	cancel   context.CancelFunc
	running  atomic.Bool // a pass is in progress; a tick during it is skipped

	mu      sync.Mutex // guards timer and stopped
	timer   Timer
	stopped bool
}

func (c *Cache[K, V]) startActiveLocked(interval time.Duration) {
	a := &activeUpdate{interval: interval}
	a.ctx, a.cancel = context.WithCancel(c.bg.ctx)
	a.mu.Lock()
	a.timer = c.clock.AfterFunc(interval, func() { c.tick(a) })
	a.mu.Unlock()
	c.active = a
}

func (c *Cache[K, V]) stopActiveLocked() {
	a := c.active
	if a == nil {
		return
	}
	c.active = nil
	a.mu.Lock()
	a.stopped = true
	a.timer.Stop()
	a.mu.Unlock()
	a.cancel()
}

// tick schedules the next tick, then runs a pass unless the previous one is
// still going.
func (c *Cache[K, V]) tick(a *activeUpdate) {
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		return
	}
	a.timer = c.clock.AfterFunc(a.interval, func() { c.tick(a) })
	a.mu.Unlock()
	if !a.running.CompareAndSwap(false, true) {
		return
	}
	defer a.running.Store(false)
	if !c.bg.enter() {
		return
	}
	defer c.bg.leave()
	c.refreshAll(a.ctx)
}

// refreshAll reloads every key cached and not expired, one at a time, then
// removes the keys whose value meets the invalidation condition. A failed
// reload is logged and keeps the old value. A panic of the invalidation
// condition is logged and ends the pass, as an exception does in Cassandra.
func (c *Cache[K, V]) refreshAll(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("Unexpected exception refreshing "+c.name+" cache", "cache", c.name, "error", fmt.Sprint(r))
		}
	}()
	for _, e := range c.idx.snapshot() {
		st := c.st.Load()
		if ctx.Err() != nil || !st.enabled {
			return
		}
		if c.now()-e.born >= st.validity {
			continue
		}
		if err := c.acquire(ctx); err != nil {
			return
		}
		err := c.reload(ctx, e)
		c.release()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.log.Warn("Error performing async refresh of auth data in "+c.name, "cache", c.name, "error", err)
		}
		if c.invalid != nil {
			if cur := c.idx.find(e.hash, e.key); cur != nil && c.invalid(cur.val) {
				c.Invalidate(e.key)
			}
		}
	}
}
