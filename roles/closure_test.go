package roles

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/store"
)

func TestRolesDirectAndInherited(t *testing.T) {
	ctx := context.Background()
	tb, _ := newTable(t, nil)
	// Diamond: u -> {l, r} -> top; plus u -> z.
	mustCreate(t, tb, "u", "l", "r", "top", "z")
	mustGrant(t, tb, "top", "l")
	mustGrant(t, tb, "top", "r")
	mustGrant(t, tb, "l", "u")
	mustGrant(t, tb, "r", "u")
	mustGrant(t, tb, "z", "u")

	direct, err := tb.Roles(ctx, "u", false)
	require.NoError(t, err)
	assert.Equal(t, []string{"u", "l", "r", "z"}, direct)

	all, err := tb.Roles(ctx, "u", true)
	require.NoError(t, err)
	assert.Equal(t, []string{"u", "l", "r", "z", "top"}, all, "grantee first, breadth first, top once")

	details, err := tb.RoleDetails(ctx, "u")
	require.NoError(t, err)
	require.Len(t, details, 5)
	assert.Equal(t, Role{Name: "u", MemberOf: []string{"l", "r", "z"}}, details[0])
	assert.Equal(t, Role{Name: "top"}, Role{Name: details[4].Name, MemberOf: details[4].MemberOf})

	for _, inherited := range []bool{false, true} {
		got, err := tb.Roles(ctx, "missing", inherited)
		require.NoError(t, err)
		assert.Empty(t, got)
	}
	got, err := tb.RoleDetails(ctx, "missing")
	require.NoError(t, err)
	assert.Empty(t, got)

	names, err := tb.AllRoles(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"l", "r", "top", "u", "z"}, names)
}

func TestRoleDetailsToleratesStoreCyclesAndDebris(t *testing.T) {
	ctx := context.Background()
	tb, st := newTable(t, nil)
	mustCreate(t, tb, "a", "b", "c")
	// The store does not check cycles; someone else wrote one.
	require.NoError(t, st.GrantRole(ctx, "b", "a"))
	require.NoError(t, st.GrantRole(ctx, "c", "b"))
	require.NoError(t, st.GrantRole(ctx, "a", "c"))
	ghost := &ghostStore{Store: st, role: "b", extras: []string{"ghost", "a", "ghost2"}}
	tb2, err := NewTable(Config{Store: ghost})
	require.NoError(t, err)
	for _, m := range []*Table{tb, tb2} {
		got, err := m.Roles(ctx, "a", true)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c"}, got)
	}
}

func TestRoleDetailsLargeClosure(t *testing.T) {
	// More roles than the stack array and the linear seen-set handle.
	ctx := context.Background()
	tb, st := newTable(t, nil)
	const n = 80 // > 2*smallClosure: rows spill to the heap, then the map takes over
	names := make([]string, n)
	for i := range names {
		names[i] = string(rune('A'+i/26)) + string(rune('a'+i%26))
		mustCreate(t, tb, names[i])
	}
	// Everyone is granted everyone after it, plus debris, so every name is
	// reached many times.
	for i := range names {
		for j := i + 1; j < n; j++ {
			require.NoError(t, st.GrantRole(ctx, names[j], names[i]))
		}
	}
	ghost := &ghostStore{Store: st, role: names[1], extras: []string{"zz-ghost"}}
	tb2, err := NewTable(Config{Store: ghost})
	require.NoError(t, err)
	for _, m := range []*Table{tb, tb2} {
		got, err := m.Roles(ctx, names[0], true)
		require.NoError(t, err)
		assert.ElementsMatch(t, names, got)
		assert.Equal(t, names[0], got[0])
	}
}

func TestLoginIsNotInherited(t *testing.T) {
	ctx := context.Background()
	tb, _ := newTable(t, nil)
	require.NoError(t, tb.CreateRole(ctx, System, "loginrole", Options{Login: ptr(true)}))
	mustCreate(t, tb, "user")
	mustGrant(t, tb, "loginrole", "user")

	ok, err := tb.CanLogin(ctx, "user")
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = tb.CanLogin(ctx, "loginrole")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = tb.CanLogin(ctx, "missing")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestSuperuserStatus(t *testing.T) {
	ctx := context.Background()
	tb, _ := newTable(t, nil)
	require.NoError(t, tb.CreateRole(ctx, System, "su", Options{Superuser: ptr(true)}))
	mustCreate(t, tb, "mid", "user", "plain")
	mustGrant(t, tb, "su", "mid")
	mustGrant(t, tb, "mid", "user")

	tests := []struct {
		role        string
		own, status bool
	}{
		{"su", true, true},
		{"mid", false, true},
		{"user", false, true},
		{"plain", false, false},
		{"missing", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			own, err := tb.IsSuper(ctx, tt.role)
			require.NoError(t, err)
			assert.Equal(t, tt.own, own, "IsSuper is the own flag only")
			status, err := HasSuperuserStatus(ctx, tb, tt.role)
			require.NoError(t, err)
			assert.Equal(t, tt.status, status)
		})
	}

	require.NoError(t, tb.RevokeRole(ctx, System, "mid", "user"))
	status, err := HasSuperuserStatus(ctx, tb, "user")
	require.NoError(t, err)
	assert.False(t, status, "revoke removes inherited status")
}

func TestClosureFailureMidWalk(t *testing.T) {
	ctx := context.Background()
	tb, st := newTable(t, nil)
	mustCreate(t, tb, "a", "b")
	mustGrant(t, tb, "b", "a")
	f := &failSecondGet{Store: st}
	tb2, err := NewTable(Config{Store: f})
	require.NoError(t, err)
	got, err := tb2.RoleDetails(ctx, "a")
	assert.ErrorIs(t, err, errSecond)
	assert.Nil(t, got, "no partial closure")
}

var errSecond = errors.New("second read failed")

type failSecondGet struct {
	store.Store
	n int
}

func (f *failSecondGet) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	f.n++
	if f.n == 2 {
		return store.RoleRecord{}, errSecond
	}
	return f.Store.GetRole(ctx, name)
}
