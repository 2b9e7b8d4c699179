package cassauth_test

import (
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// TestChangeFeedBehindTheLibrary: with a store that has a change feed,
// writes made directly in the store (another process, in effect) are
// visible to the next check although every cache holds entries for an
// hour.
func TestChangeFeedBehindTheLibrary(t *testing.T) {
	st := newMem(t)
	cfg := passwordConfig(hour)
	cfg.NetworkAuthorizer = cassauth.CassandraNetworkAuthorizer
	cfg.CIDRAuthorizer = cassauth.CassandraCIDRAuthorizer
	cfg.CIDR.Mode = authz.CIDREnforce
	a := newAuth(t, cfg, st, cache.NewFakeClock(start))
	f := fixture{t, a}
	f.chain("bob", "parent", "grandparent")
	bob := roles.NewUser("bob")
	tbl, ks := resource.Table("ks", "t"), resource.Keyspace("ks")
	require.False(t, f.check("bob", resource.Select, tbl))

	t.Run("grant and revoke", func(t *testing.T) {
		behindGrant(t, st, "grandparent", ks, resource.Select)
		assert.True(t, f.check("bob", resource.Select, tbl))
		behindRevoke(t, st, "grandparent", ks, resource.Select)
		assert.False(t, f.check("bob", resource.Select, tbl))
	})
	t.Run("revoke all on", func(t *testing.T) {
		behindGrant(t, st, "parent", tbl, resource.Modify)
		require.True(t, f.check("bob", resource.Modify, tbl))
		require.NoError(t, st.RevokeAllOn(ctx, tbl.Name()))
		assert.False(t, f.check("bob", resource.Modify, tbl))
	})
	t.Run("memberships", func(t *testing.T) {
		require.NoError(t, st.CreateRole(ctx, store.RoleRecord{Name: "writers"}))
		behindGrant(t, st, "writers", ks, resource.Modify)
		require.False(t, f.check("bob", resource.Modify, tbl))
		require.NoError(t, st.GrantRole(ctx, "writers", "grandparent"))
		assert.True(t, f.check("bob", resource.Modify, tbl))
		require.NoError(t, st.RevokeRole(ctx, "writers", "grandparent"))
		assert.False(t, f.check("bob", resource.Modify, tbl))
	})
	t.Run("role flags", func(t *testing.T) {
		yes, no := true, false
		require.NoError(t, st.UpdateRole(ctx, "grandparent", store.RoleUpdate{IsSuperuser: &yes}))
		assert.True(t, f.check("bob", resource.Drop, tbl))
		require.NoError(t, st.UpdateRole(ctx, "grandparent", store.RoleUpdate{IsSuperuser: &no}))
		assert.False(t, f.check("bob", resource.Drop, tbl))
		require.NoError(t, a.Login(ctx, bob))
		require.NoError(t, st.UpdateRole(ctx, "bob", store.RoleUpdate{CanLogin: &no}))
		assert.EqualError(t, a.Login(ctx, bob), "bob is not permitted to log in")
		require.NoError(t, st.UpdateRole(ctx, "bob", store.RoleUpdate{CanLogin: &yes}))
	})
	t.Run("datacenters", func(t *testing.T) {
		require.NoError(t, a.ValidateLogin(ctx, bob, "dc2", netip.Addr{}))
		require.NoError(t, st.SetDatacenters(ctx, "bob", []string{"dc1"}))
		assert.Error(t, a.ValidateLogin(ctx, bob, "dc2", netip.Addr{}))
		require.NoError(t, st.DropDatacenters(ctx, "bob"))
		assert.NoError(t, a.ValidateLogin(ctx, bob, "dc2", netip.Addr{}))
	})
	t.Run("CIDR permissions and groups", func(t *testing.T) {
		home := addr("192.0.2.7")
		require.NoError(t, a.ValidateLogin(ctx, bob, "dc1", home))
		require.NoError(t, st.SetCIDRPermissions(ctx, "bob", []string{"office"}))
		assert.Error(t, a.ValidateLogin(ctx, bob, "dc1", home))
		// The group mapping changes behind the library: reloaded at once.
		require.NoError(t, st.SetCIDRGroup(ctx, "office", []netip.Prefix{prefix("192.0.2.0/24")}))
		assert.NoError(t, a.ValidateLogin(ctx, bob, "dc1", home))
		require.NoError(t, st.DropCIDRPermissions(ctx, "bob"))
		assert.NoError(t, a.ValidateLogin(ctx, bob, "dc1", addr("10.9.9.9")))
	})
	t.Run("drop role", func(t *testing.T) {
		behindGrant(t, st, "parent", ks, resource.Select)
		require.True(t, f.check("bob", resource.Select, tbl))
		require.NoError(t, st.DropRole(ctx, "parent"))
		assert.False(t, f.check("bob", resource.Select, tbl))
		names, err := a.Roles().Roles(ctx, "bob", true)
		require.NoError(t, err)
		assert.Equal(t, []string{"bob"}, names)
	})
	t.Run("identities", func(t *testing.T) {
		role, err := a.Roles().RoleForIdentity(ctx, "spiffe://x")
		require.NoError(t, err)
		require.Equal(t, "", role)
		require.NoError(t, st.AddIdentity(ctx, "spiffe://x", "bob"))
		role, err = a.Roles().RoleForIdentity(ctx, "spiffe://x")
		require.NoError(t, err)
		assert.Equal(t, "bob", role)
	})
}

// resetFeed is a store whose change feed the test drives by hand.
type resetFeed struct {
	store.Store
	mu   sync.Mutex
	subs []func(store.Change)
}

func (r *resetFeed) Subscribe(fn func(store.Change)) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.subs = append(r.subs, fn)
	i := len(r.subs) - 1
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.subs[i] = nil
	}
}

func (r *resetFeed) emit(c store.Change) {
	r.mu.Lock()
	subs := append([]func(store.Change){}, r.subs...)
	r.mu.Unlock()
	for _, fn := range subs {
		if fn != nil {
			fn(c)
		}
	}
}

// TestChangeFeedReset: a feed that may have missed changes says so, and
// every cache is dropped; Close unsubscribes.
func TestChangeFeedReset(t *testing.T) {
	rf := &resetFeed{Store: noFeed{newMem(t)}}
	a := newAuth(t, passwordConfig(hour), rf, cache.NewFakeClock(start))
	f := fixture{t, a}
	f.role("bob", true)
	ks := resource.Keyspace("ks")
	require.False(t, f.check("bob", resource.Select, ks))
	behindGrant(t, rf, "bob", ks, resource.Select)
	require.False(t, f.check("bob", resource.Select, ks), "the feed has not reported it")

	rf.emit(store.Change{Kind: store.ChangeReset})
	assert.True(t, f.check("bob", resource.Select, ks))
	for _, name := range []string{cassauth.RolesCache, cassauth.CredentialsCache} {
		assert.Zero(t, a.CacheStats()[name].Size, name)
	}

	// A permissions change naming a resource that does not parse is
	// applied to every resource.
	behindRevoke(t, rf, "bob", ks, resource.Select)
	rf.emit(store.Change{Kind: store.ChangePermissions, Roles: []string{"bob"}, Resources: []string{"no/such/thing/here"}})
	assert.False(t, f.check("bob", resource.Select, ks))

	require.NoError(t, a.Close())
	rf.mu.Lock()
	assert.Nil(t, rf.subs[0], "Close unsubscribes")
	rf.mu.Unlock()
}
