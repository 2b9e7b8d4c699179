package resource

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestPermissionNamesAndOrder(t *testing.T) {
	want := []string{"CREATE", "ALTER", "DROP", "SELECT", "MODIFY", "AUTHORIZE", "DESCRIBE", "EXECUTE", "UNMASK", "SELECT_MASKED"}
	assert.Equal(t, want, AllPermissions.Names())
	for i, n := range want {
		p, err := ParsePermission(n)
		require.NoError(t, err)
		assert.Equal(t, Permission(i), p)
		lower, err := ParsePermission(string([]byte(n)[:1]) + toLower(n[1:]))
		require.NoError(t, err)
		assert.Equal(t, p, lower)
	}
	_, err := ParsePermission("READ")
	assert.ErrorIs(t, err, ErrUnknownPermission)
	assert.Equal(t, "Permission(42)", Permission(42).String())
	assert.False(t, Permission(10).Valid())
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestPermissionSet(t *testing.T) {
	s := SetOf(Select, Modify)
	assert.True(t, s.Has(Select))
	assert.False(t, s.Has(Create))
	assert.Equal(t, 2, s.Len())
	assert.Equal(t, "[SELECT, MODIFY]", s.String())
	assert.Equal(t, "[]", NoPermissions.String())
	assert.True(t, NoPermissions.IsEmpty())
	assert.Equal(t, 10, AllPermissions.Len())
	assert.Equal(t, SetOf(Select), s.Intersect(SetOf(Select, Drop)))
	assert.Equal(t, SetOf(Modify), s.Minus(SetOf(Select)))
	assert.Equal(t, SetOf(Select, Modify, Drop), s.Union(SetOf(Drop)))
	assert.True(t, AllPermissions.ContainsAll(s))
	assert.False(t, s.ContainsAll(AllPermissions))
	assert.Equal(t, s, s.With(Permission(99)))
	assert.Equal(t, s, s.Without(Permission(99)))
	assert.False(t, s.Has(Permission(99)))
	assert.Equal(t, []Permission{Select, Modify}, s.Slice())
	ps, err := ParsePermissionSet([]string{"select", "MODIFY"})
	require.NoError(t, err)
	assert.Equal(t, s, ps)
	_, err = ParsePermissionSet([]string{"select", "nope"})
	assert.ErrorIs(t, err, ErrUnknownPermission)
}

func TestPermissionSetProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := PermissionSet(rapid.Uint16Range(0, uint16(AllPermissions)).Draw(t, "a"))
		b := PermissionSet(rapid.Uint16Range(0, uint16(AllPermissions)).Draw(t, "b"))
		if a.Union(b).Len() != a.Len()+b.Len()-a.Intersect(b).Len() {
			t.Fatalf("inclusion-exclusion fails for %v %v", a, b)
		}
		if !a.Minus(b).Intersect(b).IsEmpty() {
			t.Fatalf("minus leaves common elements")
		}
		back, err := ParsePermissionSet(a.Names())
		if err != nil || back != a {
			t.Fatalf("names round trip: %v -> %v (%v)", a, back, err)
		}
	})
}
