package memstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

func TestErrorsAreStructured(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "alice"}))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ret := func(_ any, err error) error { return err }
	tests := []struct {
		name    string
		err     error
		op, key string
		want    error
		msg     string
	}{
		{"not found", ret(s.GetRole(ctx, "bob")), "GetRole", "bob", store.ErrNotFound, "store: GetRole bob: not found"},
		{"exists", s.CreateRole(ctx, store.RoleRecord{Name: "alice"}), "CreateRole", "alice", store.ErrExists, "store: CreateRole alice: already exists"},
		{"empty name", s.CreateRole(ctx, store.RoleRecord{}), "CreateRole", "", store.ErrInvalid, "store: CreateRole: invalid record: empty role name"},
		{"bad bits", ret(s.AddPermissions(ctx, "alice", "data", 1<<14)), "AddPermissions", "alice on data", store.ErrInvalid,
			"store: AddPermissions alice on data: invalid record: unknown permission bits"},
		{"grant to missing grantee", s.GrantRole(ctx, "alice", "bob"), "GrantRole", "bob", store.ErrNotFound, "store: GrantRole bob: not found"},
		{"context", ret(s.ListRoles(cancelled)), "ListRoles", "", context.Canceled, "store: ListRoles: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var se *store.Error
			require.ErrorAs(t, tt.err, &se)
			assert.Equal(t, tt.op, se.Op)
			assert.Equal(t, tt.key, se.Key)
			assert.ErrorIs(t, tt.err, tt.want)
			assert.Equal(t, tt.msg, tt.err.Error())
		})
	}
}

func TestClose(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "alice"}))
	calls := 0
	s.Subscribe(func(store.Change) { calls++ })
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")

	_, err := s.GetRole(ctx, "alice")
	require.ErrorIs(t, err, store.ErrClosed)
	var se *store.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "GetRole", se.Op)
	_, err = s.GetPermissions(ctx, "alice", "data")
	require.ErrorIs(t, err, store.ErrClosed)
	require.ErrorIs(t, s.CreateRole(ctx, store.RoleRecord{Name: "bob"}), store.ErrClosed)

	cancel := s.Subscribe(func(store.Change) { calls++ })
	cancel()
	assert.Zero(t, calls, "no change is delivered after Close")
}

func TestContextCheckedFirst(t *testing.T) {
	s := memstore.New()
	require.NoError(t, s.Close())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.GetRole(ctx, "x")
	assert.ErrorIs(t, err, context.Canceled, "a done context wins over a closed store")
	assert.False(t, errors.Is(err, store.ErrClosed))
}

func TestKeysDoNotPinCallerMemory(t *testing.T) {
	// Keys are copied: a name sliced out of a larger buffer must not keep
	// the buffer alive. Check by identity of the backing arrays.
	ctx := context.Background()
	s := memstore.New()
	buf := strings.Repeat("x", 1<<10) + "alice"
	name := buf[len(buf)-5:]
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: name}))
	_, err := s.AddPermissions(ctx, name, buf[len(buf)-5:], resource.SetOf(resource.Select))
	require.NoError(t, err)
	r, err := s.GetRole(ctx, "alice")
	require.NoError(t, err)
	assert.NotSame(t, unsafeData(name), unsafeData(r.Name))
	grants, err := s.ListGrants(ctx, "alice")
	require.NoError(t, err)
	require.Len(t, grants, 1)
	assert.NotSame(t, unsafeData(name), unsafeData(grants[0].Role))
	assert.NotSame(t, unsafeData(name), unsafeData(grants[0].Resource))
}

func TestGetPermissionsDoesNotAllocate(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	for i := range 40 { // past the small-map threshold too
		_, err := s.AddPermissions(ctx, "alice", "data/ks/t"+string(rune('a'+i)), resource.SetOf(resource.Select))
		require.NoError(t, err)
	}
	_, err := s.AddPermissions(ctx, "bob", "data/ks/ta", resource.SetOf(resource.Modify))
	require.NoError(t, err)
	for _, k := range [][2]string{{"alice", "data/ks/tb"}, {"bob", "data/ks/ta"}, {"carol", "data"}, {"bob", "data/x"}} {
		allocs := testing.AllocsPerRun(100, func() {
			_, _ = s.GetPermissions(ctx, k[0], k[1])
		})
		assert.Zero(t, allocs, "GetPermissions%v", k)
	}
}

// unsafeData returns the address of a string's bytes, to tell copies apart.
func unsafeData(s string) *byte { return unsafe.StringData(s) }
