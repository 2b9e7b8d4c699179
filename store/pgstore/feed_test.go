package pgstore

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/pgtest"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// feedWait bounds how long a test waits for a notification to arrive.
const feedWait = 10 * time.Second

// recorder records the changes a subscriber receives.
type recorder struct {
	mu      sync.Mutex
	changes []store.Change
}

func (r *recorder) add(ch store.Change) {
	r.mu.Lock()
	r.changes = append(r.changes, ch)
	r.mu.Unlock()
}

// take returns the changes received so far and forgets them.
func (r *recorder) take() []store.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.changes
	r.changes = nil
	return out
}

// index returns the position of the first recorded change matching want,
// or -1.
func (r *recorder) index(want func(store.Change) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.IndexFunc(r.changes, want)
}

// waitFor waits until a recorded change matches want.
func (r *recorder) waitFor(t *testing.T, what string, want func(store.Change) bool) {
	t.Helper()
	require.Eventually(t, func() bool { return r.index(want) >= 0 }, feedWait, 5*time.Millisecond,
		"no %s arrived; got %+v", what, r.snapshot())
}

func (r *recorder) snapshot() []store.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.changes)
}

// subscribe registers a recorder with s until the test ends.
func subscribe(t *testing.T, s *Store) *recorder {
	r := &recorder{}
	t.Cleanup(s.Subscribe(r.add))
	return r
}

// is returns a matcher of changes equal to want.
func is(want store.Change) func(store.Change) bool {
	return func(ch store.Change) bool {
		return ch.Kind == want.Kind && slices.Equal(ch.Roles, want.Roles) &&
			slices.Equal(ch.Resources, want.Resources) && slices.Equal(ch.Identities, want.Identities)
	}
}

func isReset(ch store.Change) bool { return ch.Kind == store.ChangeReset }

// pair opens two stores on one schema, as two processes would.
func pair(t *testing.T, dsn string) (a, b *Store) {
	schema := newSchema()
	a = openStore(t, dsn, &Options{Schema: schema})
	b = openStore(t, dsn, &Options{Schema: schema})
	return a, b
}

// TestFeedAcrossStores checks that a write in one store reaches the other
// store's subscribers with the same Change, and its own subscribers once,
// before the write returns.
func TestFeedAcrossStores(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := pair(t, dsn)
	ctx := testCtx(t)
	require.NoError(t, a.CreateRole(ctx, store.RoleRecord{Name: "parent"}))
	require.NoError(t, a.CreateRole(ctx, store.RoleRecord{Name: "child"}))
	require.NoError(t, a.CreateRole(ctx, store.RoleRecord{Name: "grandchild"}))
	require.NoError(t, a.GrantRole(ctx, "child", "grandchild"))
	require.NoError(t, a.AddIdentity(ctx, "spiffe://c", "child"))
	local, remote := subscribe(t, a), subscribe(t, b)

	steps := []struct {
		name  string
		write func() error
		want  store.Change
	}{
		{"grant role", func() error { return a.GrantRole(ctx, "parent", "child") },
			store.Change{Kind: store.ChangeMembership, Roles: []string{"child", "parent"}}},
		{"grant permission", func() error {
			_, err := a.AddPermissions(ctx, "parent", "data/ks/t", resource.SetOf(resource.Select))
			return err
		}, store.Change{Kind: store.ChangePermissions, Roles: []string{"parent"}, Resources: []string{"data/ks/t"}}},
		{"drop role with members and identities", func() error { return a.DropRole(ctx, "child") },
			store.Change{Kind: store.ChangeRole, Roles: []string{"child", "grandchild"}, Identities: []string{"spiffe://c"}}},
		{"catalog", func() error { return a.AddSchemaObject(ctx, "data/ks") },
			store.Change{Kind: store.ChangeSchema, Resources: []string{"data/ks"}}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			require.NoError(t, st.write())
			assert.Equal(t, []store.Change{st.want}, local.take(), "the writer's own subscriber, before the write returned")
			remote.waitFor(t, "change in the other store", is(st.want))
			remote.take()
		})
	}
	time.Sleep(50 * time.Millisecond) // an echo, if any, would arrive now
	assert.Empty(t, local.take(), "a store must not deliver its own notifications a second time")
}

// TestFeedIgnoresOtherSchemas checks that stores of other schemas sharing
// the channel do not reach each other's subscribers.
func TestFeedIgnoresOtherSchemas(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := pair(t, dsn)
	other := openStore(t, dsn, nil)
	rec := subscribe(t, b)
	ctx := testCtx(t)
	require.NoError(t, other.CreateRole(ctx, store.RoleRecord{Name: "elsewhere"}))
	require.NoError(t, a.CreateRole(ctx, store.RoleRecord{Name: "here"}))
	// Notifications arrive in commit order: once "here" has arrived,
	// "elsewhere" would have too.
	rec.waitFor(t, "change of the same schema", is(store.Change{Kind: store.ChangeRole, Roles: []string{"here"}}))
	assert.Equal(t, -1, rec.index(is(store.Change{Kind: store.ChangeRole, Roles: []string{"elsewhere"}})),
		"a change of another schema was delivered")
}

// TestFeedReconnects kills the listening connection of one store from the
// server side and checks that it delivers a ChangeReset, reconnects, and
// hears changes again.
func TestFeedReconnects(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := pair(t, dsn)
	rec := subscribe(t, b)
	ctx := testCtx(t)
	require.True(t, b.FeedConnected())
	pid := b.feed.pid.Load()
	require.NotZero(t, pid)

	var killed bool
	require.NoError(t, a.pool.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int32(pid)).Scan(&killed))
	require.True(t, killed, "pg_terminate_backend(%d)", pid)
	rec.waitFor(t, "ChangeReset after the connection dropped", isReset)
	require.Eventually(t, b.FeedConnected, feedWait, 5*time.Millisecond, "the feed did not reconnect")
	assert.NotEqual(t, pid, b.feed.pid.Load(), "a new connection")
	require.Eventually(t, func() bool {
		n := 0
		for _, ch := range rec.snapshot() {
			if isReset(ch) {
				n++
			}
		}
		return n >= 2
	}, feedWait, 5*time.Millisecond, "a second ChangeReset once listening again")

	rec.take()
	require.NoError(t, a.CreateRole(ctx, store.RoleRecord{Name: "after"}))
	rec.waitFor(t, "change after reconnecting", is(store.Change{Kind: store.ChangeRole, Roles: []string{"after"}}))
}

// TestFeedOversizedChange checks that a change too big for a notification
// reaches other stores as a ChangeReset, and the writer's subscribers in
// full.
func TestFeedOversizedChange(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := pair(t, dsn)
	ctx := testCtx(t)
	require.NoError(t, a.CreateRole(ctx, store.RoleRecord{Name: "big"}))
	var members []string
	for i := range 300 {
		m := fmt.Sprintf("member-with-a-rather-long-name-%03d", i)
		members = append(members, m)
		require.NoError(t, a.CreateRole(ctx, store.RoleRecord{Name: m}))
		require.NoError(t, a.GrantRole(ctx, "big", m))
	}
	local, remote := subscribe(t, a), subscribe(t, b)
	require.NoError(t, a.DropRole(ctx, "big"))
	want := store.Change{Kind: store.ChangeRole, Roles: append([]string{"big"}, members...)}
	_, _, sent, err := decodePayload(encodePayload(a.origin, a.schema, want))
	require.NoError(t, err)
	require.Equal(t, store.ChangeReset, sent.Kind, "the change must be too big for a notification")
	got := local.take()
	require.Len(t, got, 1)
	assert.True(t, is(want)(got[0]), "the writer's subscriber gets the full change")
	remote.waitFor(t, "ChangeReset in place of an oversized change", isReset)
}

// TestFeedDisabled checks that with DisableFeed a store neither sends nor
// hears notifications but still reports its own writes.
func TestFeedDisabled(t *testing.T) {
	dsn := pgtest.Start(t)
	schema := newSchema()
	quiet := openStore(t, dsn, &Options{Schema: schema, DisableFeed: true})
	loud := openStore(t, dsn, &Options{Schema: schema})
	assert.False(t, quiet.FeedConnected())
	quietRec, loudRec := subscribe(t, quiet), subscribe(t, loud)
	ctx := testCtx(t)

	require.NoError(t, quiet.CreateRole(ctx, store.RoleRecord{Name: "q"}))
	assert.Equal(t, []store.Change{{Kind: store.ChangeRole, Roles: []string{"q"}}}, quietRec.take())
	require.NoError(t, loud.CreateRole(ctx, store.RoleRecord{Name: "l"}))
	require.NoError(t, quiet.CreateRole(ctx, store.RoleRecord{Name: "q2"}))
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, []store.Change{{Kind: store.ChangeRole, Roles: []string{"q2"}}}, quietRec.take(),
		"a store without the feed hears no other store")
	assert.Equal(t, []store.Change{{Kind: store.ChangeRole, Roles: []string{"l"}}}, loudRec.take(),
		"a store without the feed sends nothing")
}

// TestFeedBadNotifications sends notifications by hand: garbage and a
// newer payload format must both invalidate everything.
func TestFeedBadNotifications(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openStore(t, dsn, nil)
	rec := subscribe(t, s)
	for _, payload := range []string{
		`garbage`,
		fmt.Sprintf(`{"v":99,"o":"x","s":%q,"k":3,"future":true}`, s.schema),
	} {
		execSQL(t, dsn, fmt.Sprintf("NOTIFY %s, '%s'", DefaultNotifyChannel, strings.ReplaceAll(payload, "'", "''")))
		rec.waitFor(t, "ChangeReset for "+payload, isReset)
		rec.take()
	}
	require.True(t, s.FeedConnected(), "a bad notification does not drop the connection")
}

// TestFeedPings shortens the ping interval and checks that pinging a
// quiet connection keeps the feed working.
func TestFeedPings(t *testing.T) {
	dsn := pgtest.Start(t)
	schema := newSchema()
	a := openStore(t, dsn, &Options{Schema: schema})
	b := openStore(t, dsn, &Options{Schema: schema, feedPing: 20 * time.Millisecond})
	rec := subscribe(t, b)
	time.Sleep(200 * time.Millisecond) // several pings
	require.True(t, b.FeedConnected())
	require.NoError(t, a.CreateRole(testCtx(t), store.RoleRecord{Name: "pinged"}))
	rec.waitFor(t, "change after pings", is(store.Change{Kind: store.ChangeRole, Roles: []string{"pinged"}}))
	assert.Equal(t, -1, rec.index(isReset), "pings must not reset")
}

// TestCloseStopsGoroutines checks that Close ends the feed's goroutine and
// the pool's, leaving nothing of the store running.
func TestCloseStopsGoroutines(t *testing.T) {
	dsn := pgtest.Start(t)
	for range 3 {
		s, err := Open(testCtx(t), dsn, &Options{Schema: newSchema()})
		require.NoError(t, err)
		s.Subscribe(func(store.Change) {})
		_, err = s.GetRole(testCtx(t), "x")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NoError(t, s.Close())
		require.NoError(t, s.Close(), "Close is idempotent")
	}
	require.Eventually(t, func() bool { return leftovers() == "" }, 5*time.Second, 10*time.Millisecond,
		"goroutines left after Close:\n%s", leftovers())
}

// leftovers returns the stacks of running goroutines of a store's feed or
// connection pool, or "".
func leftovers() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "store/pgstore.(*listener)") || strings.Contains(g, "pgx/v5/pgxpool") ||
			strings.Contains(g, "jackc/puddle") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}
