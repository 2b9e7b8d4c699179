package authn

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// fakeClock is a manual clock for TTL tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestVerifiedCacheSkipsBcrypt(t *testing.T) {
	clock := newFakeClock()
	p, src := newTestPassword(t, PasswordConfig{Verified: VerifiedCacheConfig{Enabled: true, TTL: time.Minute, Now: clock.Now}})
	ctx := context.Background()
	compares := func() uint64 { return p.Hasher().Stats().Compares }
	login := func(role, pw string) error {
		_, err := p.Authenticate(ctx, role, NewSecret(pw))
		return err
	}

	require.NoError(t, login("alice", "secret"))
	assert.Equal(t, uint64(1), compares())
	require.NoError(t, login("alice", "secret"))
	assert.Equal(t, uint64(1), compares(), "a repeat login must skip bcrypt")
	assert.Equal(t, uint64(1), p.VerifiedCache().Stats().Hits)

	// A wrong password always runs bcrypt and fails.
	require.ErrorIs(t, login("alice", "wrong"), ErrIncorrectCredentials)
	assert.Equal(t, uint64(2), compares())
	require.NoError(t, login("alice", "secret"))
	assert.Equal(t, uint64(2), compares(), "a failure must not evict the success")

	// A password change takes effect at once, without Invalidate.
	src.set("alice", mustHash(t, "new", 4))
	require.ErrorIs(t, login("alice", "secret"), ErrIncorrectCredentials)
	require.NoError(t, login("alice", "new"))
	before := compares()
	require.NoError(t, login("alice", "new"))
	assert.Equal(t, before, compares())

	// The TTL bounds how long a success is remembered.
	clock.Advance(time.Minute)
	require.NoError(t, login("alice", "new"))
	assert.Equal(t, before+1, compares())

	// Invalidate and InvalidateAll forget.
	p.Invalidate("alice")
	require.NoError(t, login("alice", "new"))
	assert.Equal(t, before+2, compares())
	p.InvalidateAll()
	assert.Zero(t, p.VerifiedCache().Stats().Entries)

	// A dropped role fails even while its entry is remembered.
	require.NoError(t, login("alice", "new"))
	src.mu.Lock()
	delete(src.hashes, "alice")
	src.mu.Unlock()
	require.ErrorIs(t, login("alice", "new"), ErrIncorrectCredentials)
}

func TestVerifiedCacheBounded(t *testing.T) {
	clock := newFakeClock()
	c, err := NewVerifiedCache(VerifiedCacheConfig{MaxEntries: 3, TTL: time.Minute, Now: clock.Now})
	require.NoError(t, err)
	for i := range 10 {
		c.Remember(fmt.Sprint("r", i), "h", "pw")
		clock.Advance(time.Second)
	}
	s := c.Stats()
	assert.Equal(t, 3, s.Entries)
	assert.Equal(t, uint64(7), s.Evictions)
	assert.True(t, c.Verify("r9", "h", "pw"), "the newest entry survives")

	// An expired entry goes first.
	c2, err := NewVerifiedCache(VerifiedCacheConfig{MaxEntries: 2, TTL: time.Minute, Now: clock.Now})
	require.NoError(t, err)
	c2.Remember("old", "h", "pw")
	clock.Advance(50 * time.Second)
	c2.Remember("young", "h", "pw")
	clock.Advance(20 * time.Second) // old has expired, young has not
	c2.Remember("new", "h", "pw")
	assert.True(t, c2.Verify("young", "h", "pw"))
	assert.True(t, c2.Verify("new", "h", "pw"))
	assert.Equal(t, 2, c2.Stats().Entries)
}

func TestVerifiedCacheDefaults(t *testing.T) {
	c, err := NewVerifiedCache(VerifiedCacheConfig{})
	require.NoError(t, err)
	assert.Equal(t, DefaultVerifiedTTL, c.ttl)
	assert.Equal(t, DefaultVerifiedMaxEntries, c.max)
	// Fields are length-prefixed: moving bytes between fields is a miss.
	c.Remember("r", "ab", "c")
	assert.True(t, c.Verify("r", "ab", "c"))
	assert.False(t, c.Verify("r", "a", "bc"))
	assert.False(t, c.Verify("r", "ab", "c\x00"))
	// Two caches have different keys.
	c2, err := NewVerifiedCache(VerifiedCacheConfig{})
	require.NoError(t, err)
	assert.NotEqual(t, c.mac("r", "ab", "c"), c2.mac("r", "ab", "c"))
}

// TestVerifiedCacheModel runs random operations against the cache and a
// plain map: a hit exactly when the model holds the same hash and password,
// unexpired.
func TestVerifiedCacheModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		clock := newFakeClock()
		ttl := time.Duration(rapid.IntRange(1, 10).Draw(t, "ttl")) * time.Second
		c, err := NewVerifiedCache(VerifiedCacheConfig{MaxEntries: 100, TTL: ttl, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		type entry struct {
			hash, pw string
			expires  time.Time
		}
		model := map[string]entry{}
		role := rapid.SampledFrom([]string{"a", "b", "c"})
		value := rapid.SampledFrom([]string{"x", "y", ""})
		t.Repeat(map[string]func(*rapid.T){
			"remember": func(t *rapid.T) {
				r, h, pw := role.Draw(t, "role"), value.Draw(t, "hash"), value.Draw(t, "pw")
				c.Remember(r, h, pw)
				model[r] = entry{h, pw, clock.Now().Add(ttl)}
			},
			"verify": func(t *rapid.T) {
				r, h, pw := role.Draw(t, "role"), value.Draw(t, "hash"), value.Draw(t, "pw")
				e, ok := model[r]
				want := ok && e.hash == h && e.pw == pw && clock.Now().Before(e.expires)
				if got := c.Verify(r, h, pw); got != want {
					t.Fatalf("Verify(%q,%q,%q) = %v, model says %v", r, h, pw, got, want)
				}
			},
			"invalidate": func(t *rapid.T) {
				r := role.Draw(t, "role")
				c.Invalidate(r)
				delete(model, r)
			},
			"invalidateAll": func(t *rapid.T) {
				c.InvalidateAll()
				clear(model)
			},
			"advance": func(t *rapid.T) {
				clock.Advance(time.Duration(rapid.IntRange(0, 5).Draw(t, "seconds")) * time.Second)
			},
		})
	})
}

func TestVerifiedCacheConcurrent(t *testing.T) {
	c, err := NewVerifiedCache(VerifiedCacheConfig{MaxEntries: 8})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				r := fmt.Sprint("r", (g+i)%16)
				c.Remember(r, "h", "pw")
				c.Verify(r, "h", "pw")
				if i%50 == 0 {
					c.Invalidate(r)
				}
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Stats().Entries, 8)
}

// Concurrent identical checks share one bcrypt run; different passwords do
// not; a waiter is not hurt by the leader's cancelled context.
func TestVerifiedCacheSharesInflightChecks(t *testing.T) {
	p, _ := newTestPassword(t, PasswordConfig{MaxConcurrentHashes: 1, QueueTimeout: time.Minute,
		Verified: VerifiedCacheConfig{Enabled: true, TTL: time.Hour}})
	h, v := p.Hasher(), p.VerifiedCache()
	ctx := context.Background()
	require.NoError(t, h.sem.acquire(ctx)) // hold the only slot: the first check waits

	leaderCtx, cancelLeader := context.WithCancel(ctx)
	leaderDone := make(chan error, 1)
	go func() {
		_, err := p.Authenticate(leaderCtx, "alice", NewSecret("secret"))
		leaderDone <- err
	}()
	require.Eventually(t, func() bool { return h.Stats().Waiting == 1 }, 5*time.Second, time.Millisecond)

	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	wrongErrs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { _, errs[i] = p.Authenticate(ctx, "alice", NewSecret("secret")) })
	}
	require.Eventually(t, func() bool { return v.Stats().Shared == n }, 5*time.Second, time.Millisecond)
	for i := range wrongErrs {
		wg.Go(func() { _, wrongErrs[i] = p.Authenticate(ctx, "alice", NewSecret("wrong")) })
	}
	// One wrong-password check waits for the slot; the other two share it.
	require.Eventually(t, func() bool { return h.Stats().Waiting == 2 && v.Stats().Shared == n+2 }, 5*time.Second, time.Millisecond)

	// The leader gives up: one waiter runs the check itself.
	cancelLeader()
	require.ErrorIs(t, <-leaderDone, context.Canceled)
	h.sem.release()
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	for _, err := range wrongErrs {
		assert.ErrorIs(t, err, ErrIncorrectCredentials)
	}
	// After the cancelled leader, one waiter led again: one bcrypt for the
	// right password, one for the wrong one.
	assert.Equal(t, uint64(2), h.Stats().Compares)

	// Without a failing leader, a burst costs one bcrypt.
	p.InvalidateAll()
	before := h.Stats().Compares
	require.NoError(t, h.sem.acquire(ctx))
	for i := range errs {
		wg.Go(func() { _, errs[i] = p.Authenticate(ctx, "alice", NewSecret("secret")) })
	}
	shared := v.Stats().Shared
	require.Eventually(t, func() bool { return h.Stats().Waiting == 1 && v.Stats().Shared == shared+n-1 }, 5*time.Second, time.Millisecond)
	h.sem.release()
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, before+1, h.Stats().Compares)
}
