package roles

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/store"
)

func TestIdentities(t *testing.T) {
	ctx := context.Background()
	tb, _ := newTable(t, nil)
	mustCreate(t, tb, "alice", "bob")

	require.NoError(t, tb.AddIdentity(ctx, "spiffe://a", "alice"))
	require.NoError(t, tb.AddIdentity(ctx, "spiffe://b", "bob"))

	role, err := tb.RoleForIdentity(ctx, "spiffe://a")
	require.NoError(t, err)
	assert.Equal(t, "alice", role)
	ok, err := tb.IsExistingIdentity(ctx, "spiffe://a")
	require.NoError(t, err)
	assert.True(t, ok)

	err = tb.AddIdentity(ctx, "spiffe://a", "bob")
	require.Error(t, err)
	assert.Equal(t, "Identity is already associated with another role, cannot associate it with role bob", err.Error())
	assert.Equal(t, CodeServerError, CodeOf(err))
	assert.ErrorIs(t, err, store.ErrExists)
	err = tb.AddIdentity(ctx, "spiffe://a", "alice")
	require.Error(t, err, "even to the same role")
	assert.Equal(t, "Identity is already associated with another role, cannot associate it with role alice", err.Error())

	ids, err := tb.AuthorizedIdentities(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"spiffe://a": "alice", "spiffe://b": "bob"}, ids)

	require.NoError(t, tb.DropIdentity(ctx, "spiffe://a"))
	require.NoError(t, tb.DropIdentity(ctx, "spiffe://a"), "dropping twice is a no-op")
	ok, err = tb.IsExistingIdentity(ctx, "spiffe://a")
	require.NoError(t, err)
	assert.False(t, ok)
	role, err = tb.RoleForIdentity(ctx, "spiffe://a")
	require.NoError(t, err)
	assert.Equal(t, "", role)

	// CREATE ROLE refuses a name identities point at.
	require.NoError(t, tb.AddIdentity(ctx, "spiffe://c", "carol"))
	err = tb.CreateRole(ctx, System, "carol", Options{})
	require.Error(t, err)
	assert.Equal(t, "Cannot create a role 'carol' when identities already exists for it", err.Error())
	assert.Equal(t, CodeServerError, CodeOf(err))
	require.NoError(t, tb.DropIdentity(ctx, "spiffe://c"))
	require.NoError(t, tb.CreateRole(ctx, System, "carol", Options{}))

	// DROP ROLE removes the role's identities.
	require.NoError(t, tb.DropRole(ctx, System, "bob"))
	ok, err = tb.IsExistingIdentity(ctx, "spiffe://b")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestNoSuchIdentityWarningIsRateLimited(t *testing.T) {
	ctx := context.Background()
	logger, buf := newLogger()
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	tb, _ := newTable(t, func(c *Config) { c.Logger = logger; c.Now = clock.Now })

	const line = `level=WARN msg="No such identity spiffe://x in the identity_to_roles table"`
	count := func() int { return strings.Count(buf.String(), "No such identity") }

	for range 3 {
		role, err := tb.RoleForIdentity(ctx, "spiffe://x")
		require.NoError(t, err)
		assert.Empty(t, role)
	}
	assert.Contains(t, buf.String(), line)
	assert.Equal(t, 1, count(), "once per minute")

	clock.Advance(59 * time.Second)
	_, _ = tb.RoleForIdentity(ctx, "spiffe://y")
	assert.Equal(t, 1, count())

	clock.Advance(time.Second)
	_, _ = tb.RoleForIdentity(ctx, "spiffe://y")
	assert.Equal(t, 2, count())
	assert.Contains(t, buf.String(), "No such identity spiffe://y in the identity_to_roles table")
}
