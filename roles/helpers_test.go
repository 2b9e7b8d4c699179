package roles

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// fastHasher keeps tests quick: bcrypt at the minimum cost.
var fastHasher = BcryptHasher{Cost: 4}

func ptr[T any](v T) *T { return &v }

// newTable returns a Table over a fresh memstore with password
// authentication, a fast hasher, and cfg adjusted by mod.
func newTable(t testing.TB, mod func(*Config)) (*Table, store.Store) {
	t.Helper()
	st := memstore.New()
	cfg := Config{Store: st, PasswordAuthentication: true, Hasher: fastHasher}
	if mod != nil {
		mod(&cfg)
	}
	tb, err := NewTable(cfg)
	require.NoError(t, err)
	return tb, st
}

// mustCreate creates roles with no options.
func mustCreate(t testing.TB, tb *Table, names ...string) {
	t.Helper()
	for _, n := range names {
		require.NoError(t, tb.CreateRole(context.Background(), System, n, Options{}), n)
	}
}

// mustGrant grants role to grantee.
func mustGrant(t testing.TB, tb *Table, role, grantee string) {
	t.Helper()
	require.NoError(t, tb.GrantRole(context.Background(), System, role, grantee), "GRANT %s TO %s", role, grantee)
}

// logBuffer is a concurrency-safe buffer for a slog handler.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLogger returns a text logger at DEBUG writing to a buffer, without
// timestamps.
func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	h := slog.NewTextHandler(b, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
	return slog.New(h), b
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// faultyStore wraps a store and fails chosen methods with err.
type faultyStore struct {
	store.Store
	err            error
	getRole        bool
	listRoles      bool
	createRole     bool
	listIdentities bool
	// beforeCreate, if set, runs before CreateRole is passed on.
	beforeCreate func(ctx context.Context)
}

func (f *faultyStore) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	if f.getRole {
		return store.RoleRecord{}, f.err
	}
	return f.Store.GetRole(ctx, name)
}

func (f *faultyStore) ListRoles(ctx context.Context) ([]store.RoleRecord, error) {
	if f.listRoles {
		return nil, f.err
	}
	return f.Store.ListRoles(ctx)
}

func (f *faultyStore) CreateRole(ctx context.Context, r store.RoleRecord) error {
	if f.beforeCreate != nil {
		f.beforeCreate(ctx)
	}
	if f.createRole {
		return f.err
	}
	return f.Store.CreateRole(ctx, r)
}

func (f *faultyStore) ListIdentities(ctx context.Context) (map[string]string, error) {
	if f.listIdentities {
		return nil, f.err
	}
	return f.Store.ListIdentities(ctx)
}

// ghostStore returns extra member_of names for one role, as a store written
// by someone else might (debris of a dropped role).
type ghostStore struct {
	store.Store
	role   string
	extras []string
}

func (g *ghostStore) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	rec, err := g.Store.GetRole(ctx, name)
	if err == nil && name == g.role {
		rec.MemberOf = append(rec.MemberOf, g.extras...)
	}
	return rec, err
}
