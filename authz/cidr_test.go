package authz_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

func pfx(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func TestCIDRGroupMap(t *testing.T) {
	m := authz.NewCIDRGroupMap([]store.CIDRGroup{
		{Name: "world", CIDRs: pfx("0.0.0.0/0", "::/0")},
		{Name: "corp", CIDRs: pfx("10.0.0.0/8", "2001:db8::/32")},
		{Name: "lab", CIDRs: pfx("10.1.0.0/16", "2001:db8:1::/48")},
		{Name: "lab2", CIDRs: pfx("10.1.2.3/16")}, // unmasked, same prefix as lab
		{Name: "host", CIDRs: pfx("10.1.2.3/32", "::ffff:192.0.2.0/120")},
	})
	tests := []struct {
		ip   string
		want []string
	}{
		{"10.1.2.3", []string{"host"}},
		{"10.1.2.4", []string{"lab", "lab2"}},
		{"10.2.0.1", []string{"corp"}},
		{"8.8.8.8", []string{"world"}},
		{"::ffff:10.2.0.1", []string{"corp"}},
		{"192.0.2.77", []string{"host"}},
		{"2001:db8:1::5", []string{"lab"}},
		{"2001:db8:2::5", []string{"corp"}},
		{"fe80::1%eth0", []string{"world"}},
		{"2002::1", []string{"world"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, m.Lookup(netip.MustParseAddr(tt.ip)), tt.ip)
	}
	none := authz.NewCIDRGroupMap([]store.CIDRGroup{{Name: "v4only", CIDRs: pfx("10.0.0.0/8")}})
	assert.Nil(t, none.Lookup(netip.MustParseAddr("2001:db8::1")), "IPv4 prefixes never match IPv6")
	assert.Nil(t, none.Lookup(netip.MustParseAddr("11.0.0.1")))
	assert.Nil(t, none.Lookup(netip.Addr{}))
	var nilMap *authz.CIDRGroupMap
	assert.Nil(t, nilMap.Lookup(netip.MustParseAddr("10.0.0.1")))
}

func TestCIDRPermissions(t *testing.T) {
	assert.Equal(t, "ALL", authz.AllCIDRGroups().String())
	assert.Equal(t, "n/a", authz.NoCIDRGroups().String())
	s := authz.CIDRGroupSubset("lab", "corp")
	assert.Equal(t, "corp, lab", s.String())
	assert.Equal(t, []string{"corp", "lab"}, s.Groups())
	assert.True(t, s.CanAccessFrom([]string{"x", "lab"}))
	assert.False(t, s.CanAccessFrom([]string{"x"}))
	assert.False(t, s.CanAccessFrom(nil))
	assert.True(t, authz.AllCIDRGroups().CanAccessFrom(nil))
	assert.False(t, authz.NoCIDRGroups().CanAccessFrom([]string{"lab"}))
	assert.True(t, authz.CIDRGroupSubset().IsAll())
	assert.True(t, s.Equal(authz.CIDRGroupSubset("corp", "lab", "corp")))

	err := authz.CIDRGroupSubset("lab", "nope").Validate([]string{"lab", "corp"})
	require.EqualError(t, err, "Invalid CIDR group(s): [lab, nope]. Available CIDR Groups are: [corp, lab]")
	require.Equal(t, roles.CodeInvalid, roles.CodeOf(err))
	require.NoError(t, s.Validate([]string{"lab", "corp"}))
	require.NoError(t, authz.AllCIDRGroups().Validate(nil))
	require.Error(t, authz.NoCIDRGroups().Validate(nil))

	var b authz.CIDRPermissionsBuilder
	require.NoError(t, b.Add("lab"))
	require.EqualError(t, b.All(), "CIDR Groups have already been set")
	assert.Equal(t, "lab", b.Build().String())
	var a authz.CIDRPermissionsBuilder
	assert.False(t, a.Modified())
	require.NoError(t, a.All())
	require.EqualError(t, a.Add("lab"), "All has been set")
	assert.True(t, a.Modified())
	assert.True(t, a.Build().IsAll())

	for in, want := range map[string]authz.CIDRMode{"monitor": authz.CIDRMonitor, "ENFORCE": authz.CIDREnforce, "Enforce": authz.CIDREnforce} {
		got, err := authz.ParseCIDRMode(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err = authz.ParseCIDRMode("block")
	require.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	assert.Equal(t, "MONITOR", authz.CIDRMonitor.String())
	assert.Equal(t, "ENFORCE", authz.CIDREnforce.String())
}

func TestAllowAllCIDR(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	a := authz.AllowAllCIDR{}
	assert.False(t, a.RequireAuthorization())
	ok, err := a.HasAccessFromIP(ctx, "bob", netip.MustParseAddr("192.0.2.1"))
	require.NoError(t, err)
	assert.True(t, ok)
	for msg, call := range map[string]func() error{
		"Invalidate CIDR permissions cache operation not supported by AllowAllCIDRAuthorizer": func() error {
			_, err := a.InvalidateCIDRPermissionsCache("bob")
			return err
		},
		"Load CIDR groups cache operation not supported by AllowAllCIDRAuthorizer": func() error {
			return a.LoadCIDRGroupsCache(ctx)
		},
		"'Get CIDR groups for IP' operation not supported by AllowAllCIDRAuthorizer": func() error {
			_, err := a.LookupCIDRGroupsForIP(ctx, netip.MustParseAddr("192.0.2.1"))
			return err
		},
	} {
		err := call()
		require.EqualError(t, err, msg)
		require.ErrorIs(t, err, authz.ErrUnsupported)
		require.Equal(t, roles.CodeInvalid, roles.CodeOf(err))
	}
	// Without a store, writes are discarded; with one, they are kept.
	require.NoError(t, a.SetCIDRGroupsForRole(ctx, "bob", authz.CIDRGroupSubset("lab")))
	require.NoError(t, a.DropCIDRPermissionsForRole(ctx, "bob"))
	w := authz.AllowAllCIDR{Store: e.st}
	require.NoError(t, w.SetCIDRGroupsForRole(ctx, "bob", authz.CIDRGroupSubset("lab")))
	groups, err := e.mem.GetCIDRPermissions(ctx, "bob")
	require.NoError(t, err)
	assert.Equal(t, []string{"lab"}, groups)
	require.NoError(t, w.DropCIDRPermissionsForRole(ctx, "bob"))
	_, err = e.mem.GetCIDRPermissions(ctx, "bob")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, a.ValidateConfiguration())
	require.NoError(t, a.Setup(ctx))
}

// clock is a settable fake clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func cidrEnv(t *testing.T, mode authz.CIDRMode, superChecks bool) (*env, *authz.TableCIDR, *clock, *bytes.Buffer) {
	ctx := context.Background()
	e := newEnv(t)
	e.role(t, "bob", false)
	e.role(t, "free", false)
	e.role(t, "root", true)
	nologin := false
	require.NoError(t, e.roles.CreateRole(ctx, roles.System, "group", roles.Options{Login: &nologin}))
	require.NoError(t, e.mem.SetCIDRGroup(ctx, "corp", pfx("10.0.0.0/8")))
	require.NoError(t, e.mem.SetCIDRGroup(ctx, "lab", pfx("10.1.0.0/16")))
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	var logs bytes.Buffer
	c, err := authz.NewTableCIDR(authz.CIDRConfig{Store: e.st, Roles: e.roles, Mode: mode, ChecksForSuperusers: superChecks,
		Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	require.NoError(t, c.Setup(ctx))
	require.NoError(t, c.SetCIDRGroupsForRole(ctx, "bob", authz.CIDRGroupSubset("corp")))
	require.NoError(t, c.SetCIDRGroupsForRole(ctx, "root", authz.CIDRGroupSubset("lab")))
	require.NoError(t, c.SetCIDRGroupsForRole(ctx, "free", authz.AllCIDRGroups()))
	return e, c, clk, &logs
}

func TestTableCIDREnforce(t *testing.T) {
	ctx := context.Background()
	_, c, _, _ := cidrEnv(t, authz.CIDREnforce, false)
	assert.Equal(t, authz.CIDREnforce, c.Mode())
	tests := []struct {
		role, ip string
		want     bool
	}{
		{"bob", "10.1.2.3", false}, // longest match is lab only
		{"bob", "10.2.0.1", true},
		{"bob", "192.0.2.1", false}, // no group at all
		{"free", "192.0.2.1", true},
		{"root", "192.0.2.1", true}, // superusers are not checked
		{"group", "10.2.0.1", false},
		{"ghost", "10.2.0.1", false},
	}
	for _, tt := range tests {
		ok, err := c.HasAccessFromIP(ctx, tt.role, netip.MustParseAddr(tt.ip))
		require.NoError(t, err)
		assert.Equal(t, tt.want, ok, "%s from %s", tt.role, tt.ip)
	}
	_, strict, _, _ := cidrEnv(t, authz.CIDREnforce, true)
	ok, err := strict.HasAccessFromIP(ctx, "root", netip.MustParseAddr("192.0.2.1"))
	require.NoError(t, err)
	assert.False(t, ok, "cidr_checks_for_superusers")
	ok, err = strict.HasAccessFromIP(ctx, "root", netip.MustParseAddr("10.1.0.1"))
	require.NoError(t, err)
	assert.True(t, ok)

	groups, err := c.LookupCIDRGroupsForIP(ctx, netip.MustParseAddr("10.1.9.9"))
	require.NoError(t, err)
	assert.Equal(t, []string{"lab"}, groups)
	ok, err = c.InvalidateCIDRPermissionsCache("")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = c.InvalidateCIDRPermissionsCache("bob")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestTableCIDRMonitor(t *testing.T) {
	ctx := context.Background()
	_, c, clk, logs := cidrEnv(t, authz.CIDRMonitor, false)
	ok, err := c.HasAccessFromIP(ctx, "bob", netip.MustParseAddr("10.1.2.3"))
	require.NoError(t, err)
	assert.True(t, ok, "MONITOR allows")
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), `msg="Role bob accessed from unauthorized IP 10.1.2.3, CIDR group [lab]"`)

	logs.Reset()
	ok, err = c.HasAccessFromIP(ctx, "bob", netip.MustParseAddr("10.1.2.4"))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Empty(t, logs.String(), "at most one line a minute")

	ok, err = c.HasAccessFromIP(ctx, "bob", netip.MustParseAddr("2001:db8::1"))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Contains(t, logs.String(), "level=INFO")
	assert.Contains(t, logs.String(), `msg="Role bob accessed from IP 2001:db8:0:0:0:0:0:1, CIDR group null"`)

	logs.Reset()
	clk.now = clk.now.Add(2 * time.Minute)
	_, err = c.HasAccessFromIP(ctx, "bob", netip.MustParseAddr("10.1.2.3"))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(logs.String(), "unauthorized IP"))
}

func TestTableCIDRRefresh(t *testing.T) {
	ctx := context.Background()
	e, c, clk, logs := cidrEnv(t, authz.CIDREnforce, false)
	ip := netip.MustParseAddr("172.16.0.1")
	ok, err := c.HasAccessFromIP(ctx, "bob", ip)
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, e.mem.SetCIDRGroup(ctx, "corp", pfx("10.0.0.0/8", "172.16.0.0/12")))
	ok, err = c.HasAccessFromIP(ctx, "bob", ip)
	require.NoError(t, err)
	assert.False(t, ok, "the mapping is not reloaded before the interval")

	clk.now = clk.now.Add(authz.DefaultCIDRGroupsRefreshInterval)
	ok, err = c.HasAccessFromIP(ctx, "bob", ip)
	require.NoError(t, err)
	assert.True(t, ok, "reloaded after the interval")

	// A failed reload keeps the old mapping and logs.
	require.NoError(t, e.mem.DropCIDRGroup(ctx, "corp"))
	e.st.brokenGroups.Store(true)
	clk.now = clk.now.Add(authz.DefaultCIDRGroupsRefreshInterval)
	ok, err = c.HasAccessFromIP(ctx, "bob", ip)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Contains(t, logs.String(), "reloading CIDR groups failed")
	err = c.LoadCIDRGroupsCache(ctx)
	require.ErrorIs(t, err, errStore)

	e.st.brokenGroups.Store(false)
	require.NoError(t, c.LoadCIDRGroupsCache(ctx))
	ok, err = c.HasAccessFromIP(ctx, "bob", ip)
	require.NoError(t, err)
	assert.False(t, ok, "explicit reload")

	// A first load that fails is an error, not a decision.
	fresh, err := authz.NewTableCIDR(authz.CIDRConfig{Store: e.st, Roles: e.roles, Mode: authz.CIDREnforce})
	require.NoError(t, err)
	e.st.brokenGroups.Store(true)
	_, err = fresh.HasAccessFromIP(ctx, "bob", ip)
	require.ErrorIs(t, err, errStore)
	e.st.broken.Store(true)
	_, err = fresh.HasAccessFromIP(ctx, "bob", ip)
	require.ErrorIs(t, err, authz.ErrUndecided)
}

func TestNewTableCIDRConfig(t *testing.T) {
	e := newEnv(t)
	_, err := authz.NewTableCIDR(authz.CIDRConfig{Store: e.st})
	require.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	_, err = authz.NewTableCIDR(authz.CIDRConfig{Store: e.st, Roles: e.roles, Mode: 7})
	require.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	c, err := authz.NewTableCIDR(authz.CIDRConfig{Store: e.st, Roles: e.roles})
	require.NoError(t, err)
	assert.Equal(t, authz.CIDRMonitor, c.Mode())
	assert.True(t, c.RequireAuthorization())
	require.NoError(t, c.ValidateConfiguration())
	require.Equal(t, roles.CodeInvalid, roles.CodeOf(c.SetCIDRGroupsForRole(context.Background(), "bob", authz.NoCIDRGroups())))
}

func TestJavaHostString(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":          "192.0.2.1",
		"::ffff:192.0.2.1":   "192.0.2.1",
		"::1":                "0:0:0:0:0:0:0:1",
		"2001:db8::ff00:42":  "2001:db8:0:0:0:0:ff00:42",
		"fe80::1%eth0":       "fe80:0:0:0:0:0:0:1%eth0",
		"2001:DB8:0:0:1::AB": "2001:db8:0:0:1:0:0:ab",
	} {
		assert.Equal(t, want, authz.JavaHostString(netip.MustParseAddr(in)), in)
	}
	assert.Equal(t, "invalid IP", authz.JavaHostString(netip.Addr{}))
}

func TestTableCIDRGroupManagement(t *testing.T) {
	ctx := context.Background()
	e, c, _, _ := cidrEnv(t, authz.CIDREnforce, false)
	names, err := c.AvailableCIDRGroups(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"corp", "lab"}, names)

	ip := netip.MustParseAddr("192.168.1.1")
	require.NoError(t, c.UpdateCIDRGroup(ctx, "corp", pfx("10.0.0.0/8", "192.168.0.0/16")))
	ok, err := c.HasAccessFromIP(ctx, "bob", ip)
	require.NoError(t, err)
	assert.True(t, ok, "an update is visible at once")

	require.NoError(t, c.DropCIDRGroup(ctx, "corp"))
	ok, err = c.HasAccessFromIP(ctx, "bob", ip)
	require.NoError(t, err)
	assert.False(t, ok, "a drop is visible at once")

	err = c.DropCIDRGroup(ctx, "corp")
	require.EqualError(t, err, "CIDR group 'corp' doesn't exists")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.Equal(t, roles.CodeServerError, roles.CodeOf(err))

	e.st.brokenGroups.Store(true)
	_, err = c.AvailableCIDRGroups(ctx)
	require.ErrorIs(t, err, errStore)
	require.ErrorIs(t, c.UpdateCIDRGroup(ctx, "x", pfx("10.0.0.0/8")), errStore, "written, but the reload failed")
}
