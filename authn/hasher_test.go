package authn

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/passwd"
	"github.com/cassauth/cassauth/roles"
)

func TestHasherHashAndCompare(t *testing.T) {
	h, err := NewHasher(HasherConfig{Cost: 4})
	require.NoError(t, err)
	ctx := context.Background()
	long := strings.Repeat("p", 72)
	hash, err := h.Hash(ctx, long+"tail")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(hash, "$2a$04$"), hash)
	for pw, want := range map[string]bool{long: true, long + "other": true, long[:71]: false} {
		ok, err := h.Compare(ctx, hash, pw)
		require.NoError(t, err)
		assert.Equal(t, want, ok, len(pw))
	}
	ok, err := h.Compare(ctx, "garbage", "x")
	assert.False(t, ok)
	assert.ErrorIs(t, err, ErrMalformedHash)
	s := h.Stats()
	assert.Equal(t, uint64(1), s.Hashes)
	assert.Equal(t, uint64(4), s.Compares)
	assert.Equal(t, int64(0), s.InFlight)

	var rh roles.Hasher = h // the role manager can hash with it
	_, err = rh.Hash(ctx, "x")
	require.NoError(t, err)
}

func TestHasherDefaults(t *testing.T) {
	h, err := NewHasher(HasherConfig{})
	require.NoError(t, err)
	assert.Equal(t, passwd.DefaultCost, h.Cost())
	assert.Equal(t, max(1, runtime.GOMAXPROCS(0)/4), h.Slots())
	assert.Equal(t, DefaultQueueTimeout, h.sem.timeout)
}

func TestHasherBoundsConcurrency(t *testing.T) {
	h, err := NewHasher(HasherConfig{Cost: 4, MaxConcurrent: 2})
	require.NoError(t, err)
	hash := mustHash(t, "pw", 4)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			ok, err := h.Compare(context.Background(), hash, "pw")
			assert.NoError(t, err)
			assert.True(t, ok)
		})
	}
	wg.Wait()
	s := h.Stats()
	assert.LessOrEqual(t, s.PeakInFlight, int64(2))
	assert.GreaterOrEqual(t, s.PeakInFlight, int64(1))
	assert.Equal(t, uint64(16), s.Compares)
	assert.Zero(t, s.Timeouts)
}

// A login that cannot get a slot in time fails with "Unable to perform
// authentication: ..." and leaves no goroutine behind.
func TestHasherQueueTimeout(t *testing.T) {
	p, _ := newTestPassword(t, PasswordConfig{MaxConcurrentHashes: 1, QueueTimeout: 20 * time.Millisecond})
	h := p.Hasher()
	ctx := context.Background()
	require.NoError(t, h.sem.acquire(ctx)) // a long bcrypt holds the only slot
	before := runtime.NumGoroutine()

	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = p.Authenticate(ctx, "alice", NewSecret("secret"))
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.Error(t, err)
		assert.Equal(t, "Unable to perform authentication: no password-hashing slot became free in time", err.Error())
		assert.ErrorIs(t, err, ErrHashingBusy)
		assert.ErrorIs(t, err, ErrUnavailable)
		assert.Equal(t, roles.CodeBadCredentials, roles.CodeOf(err))
	}
	assert.Equal(t, uint64(20), h.Stats().Timeouts)
	assert.Zero(t, h.Stats().Waiting)
	// The callers' goroutines finish just after wg.Done; nothing else stays.
	// (Polled by hand: testify's Eventually runs its own goroutines.)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left behind")

	// Unknown roles wait for the same slot and fail the same way.
	_, err := p.Authenticate(ctx, "nobody", NewSecret("x"))
	assert.ErrorIs(t, err, ErrHashingBusy)

	h.sem.release()
	_, err = p.Authenticate(ctx, "alice", NewSecret("secret"))
	require.NoError(t, err)
}

func TestHasherNoWait(t *testing.T) {
	h, err := NewHasher(HasherConfig{Cost: 4, MaxConcurrent: 1, QueueTimeout: -1})
	require.NoError(t, err)
	require.NoError(t, h.sem.acquire(context.Background()))
	defer h.sem.release()
	_, err = h.Hash(context.Background(), "x")
	assert.ErrorIs(t, err, ErrHashingBusy)
}

func TestHasherQueueFullAndCancel(t *testing.T) {
	h, err := NewHasher(HasherConfig{Cost: 4, MaxConcurrent: 1, MaxQueued: 1, QueueTimeout: time.Minute})
	require.NoError(t, err)
	require.NoError(t, h.sem.acquire(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := h.Hash(ctx, "x")
		done <- err
	}()
	require.Eventually(t, func() bool { return h.Stats().Waiting == 1 }, 5*time.Second, time.Millisecond)

	_, err = h.Compare(context.Background(), mustHash(t, "x", 4), "x")
	assert.ErrorIs(t, err, ErrHashingQueueFull)
	assert.Equal(t, uint64(1), h.Stats().Rejected)

	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled waiter did not return")
	}
	assert.Zero(t, h.Stats().Waiting)
	h.sem.release()
	_, err = h.Hash(context.Background(), "x")
	assert.NoError(t, err)
}
