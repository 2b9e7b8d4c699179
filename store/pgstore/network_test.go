package pgstore

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/pgtest"
	"github.com/cassauth/cassauth/store"
)

// TestCIDRGroupsKeepPrefixes checks that prefixes survive the inet[]
// column exactly: host bits, IPv4-mapped IPv6 and both families.
func TestCIDRGroupsKeepPrefixes(t *testing.T) {
	s := openStore(t, pgtest.Start(t), nil)
	ctx := testCtx(t)
	p := netip.MustParsePrefix
	in := []netip.Prefix{p("2001:db8::1/32"), p("10.1.2.3/8"), p("::ffff:10.0.0.1/104"), p("10.1.2.3/8"), p("0.0.0.0/0"), p("10.1.2.3/32")}
	require.NoError(t, s.SetCIDRGroup(ctx, "g", in))
	got, err := s.ListCIDRGroups(ctx)
	require.NoError(t, err)
	want := []store.CIDRGroup{{Name: "g", CIDRs: []netip.Prefix{
		p("0.0.0.0/0"), p("10.1.2.3/8"), p("10.1.2.3/32"), p("::ffff:10.0.0.1/104"), p("2001:db8::1/32"),
	}}}
	assert.Equal(t, want, got)

	var stored []string
	require.NoError(t, s.pool.QueryRow(ctx, expander(s.schema)(`SELECT cidrs::text[] FROM {s}.cidr_groups`)).Scan(&stored))
	assert.Contains(t, stored, "10.1.2.3/8", "inet keeps the host bits")
}

// TestSetWritesNothingWhenEqual checks that replacing a row with an equal
// set reports no change, whatever the order and duplicates given.
func TestSetWritesNothingWhenEqual(t *testing.T) {
	s := openStore(t, pgtest.Start(t), nil)
	ctx := testCtx(t)
	rec := subscribe(t, s)
	p := netip.MustParsePrefix
	require.NoError(t, s.SetDatacenters(ctx, "r", []string{"b", "a"}))
	require.NoError(t, s.SetCIDRPermissions(ctx, "r", []string{}))
	require.NoError(t, s.SetCIDRGroup(ctx, "g", []netip.Prefix{p("10.0.0.0/8")}))
	require.Len(t, rec.take(), 3)
	require.NoError(t, s.SetDatacenters(ctx, "r", []string{"a", "b", "a"}))
	require.NoError(t, s.SetCIDRPermissions(ctx, "r", nil))
	require.NoError(t, s.SetCIDRGroup(ctx, "g", []netip.Prefix{p("10.0.0.0/8"), p("10.0.0.0/8")}))
	assert.Empty(t, rec.take(), "equal sets change nothing")
	dcs, err := s.GetDatacenters(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, dcs)
}
