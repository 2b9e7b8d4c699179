package cache

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var errStore = errors.New("store unavailable")

// fakeStore is the loader of the tests: a map of current values that can be
// made to fail, block, or report the loads it sees.
type fakeStore struct {
	mu      sync.Mutex
	vals    map[string]int
	fail    error         // when set, loads return it
	gate    chan struct{} // when set, loads wait for it to close (or ctx)
	started chan string   // when set, receives the key of every load as it starts
	calls   atomic.Int64
	running atomic.Int64
	peak    atomic.Int64
}

func newFakeStore() *fakeStore { return &fakeStore{vals: map[string]int{}} }

func (s *fakeStore) set(k string, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vals[k] = v
}

func (s *fakeStore) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

func (s *fakeStore) setGate(g chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = g
}

func (s *fakeStore) load(ctx context.Context, k string) (int, error) {
	s.calls.Add(1)
	n := s.running.Add(1)
	defer s.running.Add(-1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	s.mu.Lock()
	gate, started := s.gate, s.started
	s.mu.Unlock()
	if started != nil {
		started <- k
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return 0, s.fail
	}
	return s.vals[k], nil
}

func (s *fakeStore) loadAll(context.Context) (map[string]int, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	m := make(map[string]int, len(s.vals))
	for k, v := range s.vals {
		m[k] = v
	}
	return m, nil
}

// newTestCache builds a cache over store with a fake clock and closes it at
// the end of the test. edit may adjust the options.
func newTestCache(t testing.TB, s Settings, store *fakeStore, edit ...func(*Options[string, int])) (*Cache[string, int], *FakeClock) {
	t.Helper()
	clock := NewFakeClock(time.Time{})
	o := Options[string, int]{
		Name:     "TestCache",
		Settings: s,
		Load:     store.load,
		LoadAll:  store.loadAll,
		Clock:    clock,
	}
	for _, f := range edit {
		f(&o)
	}
	c, err := New(o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return c, clock
}

func settings(validity, interval time.Duration, max int) Settings {
	return Settings{Validity: validity, UpdateInterval: interval, MaxEntries: max}
}

// mustGet gets k and requires success.
func mustGet(t testing.TB, c *Cache[string, int], k string) int {
	t.Helper()
	v, err := c.Get(context.Background(), k)
	require.NoError(t, err)
	return v
}

// settle waits until ristretto has applied its buffered writes, then
// applies its refusals and evictions to the index.
func settle[K comparable, V any](c *Cache[K, V]) {
	c.rmu.RLock()
	if c.adm != nil {
		c.adm.rc.Wait()
	}
	c.rmu.RUnlock()
	c.reap()
}

// cacheGoroutines returns the stacks of live goroutines running code of this
// package's cache or of ristretto.
func cacheGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "dgraph-io/ristretto") || strings.Contains(g, "cassauth/cache.(*Cache") {
			out = append(out, g)
		}
	}
	return out
}

// requireNoCacheGoroutines fails unless no goroutine of a cache is left. A
// goroutine that has signalled its end may need a moment to disappear, so
// it polls briefly (this waits for the scheduler, not for a deadline of the
// code under test).
func requireNoCacheGoroutines(t testing.TB) {
	t.Helper()
	var left []string
	for range 200 {
		if left = cacheGoroutines(); len(left) == 0 {
			return
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d cache goroutines left:\n%s", len(left), strings.Join(left, "\n\n"))
}

// logBuffer is a logger writing text lines to a buffer.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func runtime_Gosched() { runtime.Gosched() }
