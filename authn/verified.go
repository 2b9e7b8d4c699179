package authn

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of [VerifiedCacheConfig].
const (
	// DefaultVerifiedMaxEntries is Cassandra's credentials_cache_max_entries
	// default.
	DefaultVerifiedMaxEntries = 1000
	// DefaultVerifiedTTL is Cassandra's credentials_validity default.
	DefaultVerifiedTTL = 2 * time.Second
)

// VerifiedCacheConfig configures the verified-credentials cache of the
// Password authenticator (see [VerifiedCache] for what it stores and the
// trade-off). It is off unless Enabled.
type VerifiedCacheConfig struct {
	// Enabled turns the cache on. Off by default.
	Enabled bool
	// MaxEntries bounds the number of roles remembered; 0 means
	// [DefaultVerifiedMaxEntries]. Negative is a configuration error.
	MaxEntries int
	// TTL is how long a verified login is remembered; 0 means
	// [DefaultVerifiedTTL]. The wiring passes credentials_validity, so a
	// repeat login skips bcrypt as long as the stored hash itself may be
	// served from the credentials cache. Negative is a configuration error.
	TTL time.Duration
	// Now is the clock for TTL; nil means time.Now.
	Now func() time.Time
}

// VerifiedCache remembers logins that passed bcrypt, so that a repeat login
// with the same password against the same stored hash skips bcrypt (a
// reconnect storm then costs microseconds per login instead of one bcrypt
// each), and makes concurrent identical checks share one bcrypt run (a cold
// storm of N logins of one role costs one bcrypt, not N). Beyond Cassandra,
// which re-runs bcrypt on every login.
//
// What it stores: per role, HMAC-SHA256 under a random key made when the
// cache is created (it never leaves the process) of the role, the stored
// salted hash and the password, plus an expiry. Never the password. A lookup
// recomputes the HMAC from the stored hash the [Hashes] source reports now
// and compares in constant time, so a hit means exactly "this password
// matched this very hash less than TTL ago": a password change or a dropped
// role takes effect as soon as the source reports it, whether or not
// [VerifiedCache.Invalidate] is called. Only successes are remembered; a
// wrong password always runs bcrypt, so the cache does not speed up online
// guessing.
//
// The trade-off, and why it is off by default: bcrypt's cost is what
// protects a password whose hash is stolen. Someone who can read this
// process's memory (a core dump, a debugger, /proc/<pid>/mem) gets the HMAC
// key and the entries, and can test guesses for the roles that logged in
// within TTL at SHA-256 speed rather than bcrypt speed. Entries live at most
// TTL and at most MaxEntries roles are held. Enable it when logins are
// frequent and process memory is as well guarded as the role table.
//
// Safe for concurrent use.
type VerifiedCache struct {
	key [32]byte
	ttl time.Duration
	max int
	now func() time.Time
	mu  sync.RWMutex
	m   map[string]verifiedEntry // guarded by mu
	buf sync.Pool                // *macState

	flightMu sync.Mutex
	flight   map[[sha256.Size]byte]*call // checks in flight; guarded by flightMu

	hits, misses, evictions, shared atomic.Uint64
}

type verifiedEntry struct {
	mac     [sha256.Size]byte
	expires int64 // unix nanoseconds
}

// macState is a keyed HMAC and a scratch buffer, reused through a pool.
type macState struct {
	h   hash.Hash
	buf []byte
	out [sha256.Size]byte
}

// NewVerifiedCache returns a cache for cfg (Enabled is ignored). It returns
// a configuration error for a negative MaxEntries or TTL, or an error if the
// system's random source fails.
func NewVerifiedCache(cfg VerifiedCacheConfig) (*VerifiedCache, error) {
	if cfg.MaxEntries < 0 {
		return nil, configError("authn: VerifiedCacheConfig.MaxEntries must not be negative")
	}
	if cfg.TTL < 0 {
		return nil, configError("authn: VerifiedCacheConfig.TTL must not be negative")
	}
	c := &VerifiedCache{ttl: cfg.TTL, max: cfg.MaxEntries, now: cfg.Now, m: make(map[string]verifiedEntry),
		flight: make(map[[sha256.Size]byte]*call)}
	if c.ttl == 0 {
		c.ttl = DefaultVerifiedTTL
	}
	if c.max == 0 {
		c.max = DefaultVerifiedMaxEntries
	}
	if c.now == nil {
		c.now = time.Now
	}
	if _, err := rand.Read(c.key[:]); err != nil {
		return nil, err
	}
	c.buf.New = func() any { return &macState{h: hmac.New(sha256.New, c.key[:])} }
	return c, nil
}

// mac returns the keyed hash binding role, storedHash and password. Each
// field is length-prefixed, so no two inputs share an encoding.
func (c *VerifiedCache) mac(role, storedHash, password string) (sum [sha256.Size]byte) {
	st := c.buf.Get().(*macState)
	b := st.buf[:0]
	for _, s := range [...]string{role, storedHash, password} {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	st.h.Reset()
	st.h.Write(b)
	copy(sum[:], st.h.Sum(st.out[:0]))
	clear(b) // do not leave the password in the pool
	st.buf = b[:0]
	c.buf.Put(st)
	return sum
}

// Verify reports whether password was remembered for role against
// storedHash less than TTL ago.
func (c *VerifiedCache) Verify(role, storedHash, password string) bool {
	return c.verifySum(role, c.mac(role, storedHash, password))
}

func (c *VerifiedCache) verifySum(role string, sum [sha256.Size]byte) bool {
	now := c.now().UnixNano()
	c.mu.RLock()
	e, ok := c.m[role]
	c.mu.RUnlock()
	if ok && now < e.expires && hmac.Equal(e.mac[:], sum[:]) {
		c.hits.Add(1)
		return true
	}
	c.misses.Add(1)
	return false
}

// Remember records that password matched storedHash for role, replacing
// what was remembered for role. When the cache is full it first evicts an
// expired entry, else the entry closest to expiry among a few sampled at
// random.
func (c *VerifiedCache) Remember(role, storedHash, password string) {
	c.rememberSum(role, c.mac(role, storedHash, password))
}

func (c *VerifiedCache) rememberSum(role string, sum [sha256.Size]byte) {
	expires := c.now().Add(c.ttl).UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[role]; !ok && len(c.m) >= c.max {
		c.evictLocked()
	}
	c.m[role] = verifiedEntry{mac: sum, expires: expires}
}

// evictLocked removes one entry; c.mu must be held for writing.
func (c *VerifiedCache) evictLocked() {
	const samples = 8
	now := c.now().UnixNano()
	victim, oldest, seen := "", int64(0), 0
	for role, e := range c.m { // map iteration starts at a random entry
		if e.expires <= now {
			victim = role
			break
		}
		if seen == 0 || e.expires < oldest {
			victim, oldest = role, e.expires
		}
		if seen++; seen == samples {
			break
		}
	}
	delete(c.m, victim)
	c.evictions.Add(1)
}

// call is one credential check in flight, shared by identical checks.
type call struct {
	done chan struct{}
	ok   bool
	err  error
}

// check returns what Verify says, else the result of compare, which it runs
// once for concurrent identical checks (same role, stored hash and password:
// the same keyed hash): the others wait for it on their own goroutines, so a
// storm of logins of one role costs one bcrypt. A success is remembered. A
// waiter whose own ctx ends returns ctx's error; if the check it waited for
// ended with that check's context error, the waiters start over.
func (c *VerifiedCache) check(ctx context.Context, role, storedHash, password string, compare func() (bool, error)) (bool, error) {
	sum := c.mac(role, storedHash, password)
	if c.verifySum(role, sum) {
		return true, nil
	}
	c.flightMu.Lock()
	if cl, ok := c.flight[sum]; ok {
		c.flightMu.Unlock()
		c.shared.Add(1)
		select {
		case <-cl.done:
		case <-ctx.Done():
			return false, ctx.Err()
		}
		if !errors.Is(cl.err, context.Canceled) && !errors.Is(cl.err, context.DeadlineExceeded) {
			return cl.ok, cl.err
		}
		// The check gave up for its own caller's reasons: start over (one
		// of the waiters leads the next attempt).
		return c.check(ctx, role, storedHash, password, compare)
	}
	cl := &call{done: make(chan struct{})}
	c.flight[sum] = cl
	c.flightMu.Unlock()
	return c.run(role, sum, compare, cl)
}

// run runs compare, remembers a success, and completes cl.
func (c *VerifiedCache) run(role string, sum [sha256.Size]byte, compare func() (bool, error), cl *call) (ok bool, err error) {
	defer func() {
		cl.ok, cl.err = ok, err
		c.flightMu.Lock()
		delete(c.flight, sum)
		c.flightMu.Unlock()
		close(cl.done)
	}()
	ok, err = compare()
	if ok && err == nil {
		c.rememberSum(role, sum)
	}
	return ok, err
}

// Invalidate forgets role (call it when the role is dropped or its password
// changes; correctness does not depend on it, memory hygiene does).
func (c *VerifiedCache) Invalidate(role string) {
	c.mu.Lock()
	delete(c.m, role)
	c.mu.Unlock()
}

// InvalidateAll forgets every role.
func (c *VerifiedCache) InvalidateAll() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// VerifiedStats is a snapshot of a [VerifiedCache]'s counters.
type VerifiedStats struct {
	Entries   int    // roles remembered now (expired ones included until evicted)
	Hits      uint64 // logins that skipped bcrypt
	Misses    uint64 // lookups that did not
	Evictions uint64 // entries removed to make room
	Shared    uint64 // checks that waited for an identical one in flight instead of running bcrypt
}

// Stats returns a snapshot of the counters.
func (c *VerifiedCache) Stats() VerifiedStats {
	c.mu.RLock()
	n := len(c.m)
	c.mu.RUnlock()
	return VerifiedStats{Entries: n, Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load(), Shared: c.shared.Load()}
}

// String describes the cache without its key or entries.
func (c *VerifiedCache) String() string {
	return fmt.Sprintf("VerifiedCache{entries:%d max:%d ttl:%s}", c.Stats().Entries, c.max, c.ttl)
}

// Format prints the cache as String does, for every verb: the HMAC key and
// the entries never print.
func (c *VerifiedCache) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes slog print the cache without its key or entries.
func (c *VerifiedCache) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("entries", c.Stats().Entries), slog.Int("max", c.max), slog.Duration("ttl", c.ttl))
}
