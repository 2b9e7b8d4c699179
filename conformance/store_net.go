package conformance

import (
	"context"
	"net/netip"

	"github.com/cassauth/cassauth/store"
)

// setTable is the shape shared by network_permissions and cidr_permissions.
type setTable struct {
	get  func(ctx context.Context, role string) ([]string, error)
	set  func(ctx context.Context, role string, xs []string) error
	drop func(ctx context.Context, role string) error
}

// setTableChecks returns the checks of a role -> set-of-names table.
func setTableChecks(table func(store.Store) setTable) []storeCheck {
	return []storeCheck{
		{name: "Missing", run: func(c *checker, s store.Store) {
			_, err := table(s).get(c.ctx, "r")
			wantOnly(c, err, store.ErrNotFound, "get of a role without a row")
		}},
		{name: "SetGetReplace", run: func(c *checker, s store.Store) {
			tb := table(s)
			noErr(c, tb.set(c.ctx, "r", []string{"b", "a", "b"}), "set")
			got, err := tb.get(c.ctx, "r")
			noErr(c, err, "get")
			wantSet(c, got, []string{"a", "b"}, "get after set")
			noErr(c, tb.set(c.ctx, "r", []string{"c"}), "set again")
			got, err = tb.get(c.ctx, "r")
			noErr(c, err, "get")
			wantSet(c, got, []string{"c"}, "get after a replacing set")
			_, err = tb.get(c.ctx, "other")
			wantOnly(c, err, store.ErrNotFound, "get of another role")
		}},
		{name: "EmptyMeansAll", run: func(c *checker, s store.Store) {
			tb := table(s)
			for _, in := range [][]string{{}, nil} {
				noErr(c, tb.set(c.ctx, "r", []string{"x"}), "set")
				noErr(c, tb.set(c.ctx, "r", in), "set(%#v)", in)
				got, err := tb.get(c.ctx, "r")
				noErr(c, err, "get after set(%#v)", in)
				if got == nil || len(got) != 0 {
					c.Errorf("get after set(%#v) = %#v, want an empty, non-nil slice (all)", in, got)
				}
			}
		}},
		{name: "Drop", run: func(c *checker, s store.Store) {
			tb := table(s)
			noErr(c, tb.set(c.ctx, "r", []string{"x"}), "set")
			noErr(c, tb.set(c.ctx, "q", []string{"y"}), "set")
			noErr(c, tb.drop(c.ctx, "r"), "drop")
			_, err := tb.get(c.ctx, "r")
			wantOnly(c, err, store.ErrNotFound, "get after drop")
			noErr(c, tb.drop(c.ctx, "r"), "drop of a dropped row")
			noErr(c, tb.drop(c.ctx, "never"), "drop of a missing row")
			got, err := tb.get(c.ctx, "q")
			noErr(c, err, "get of another role after drop")
			wantSet(c, got, []string{"y"}, "get of another role after drop")
		}},
		{name: "InvalidRole", run: func(c *checker, s store.Store) {
			wantOnly(c, table(s).set(c.ctx, "", []string{"x"}), store.ErrInvalid, "set with an empty role")
			_, err := table(s).get(c.ctx, "")
			wantOnly(c, err, store.ErrNotFound, "get of the empty role after a rejected set")
		}},
		{name: "DeepCopy", run: func(c *checker, s store.Store) {
			tb := table(s)
			in := []string{"a", "b"}
			noErr(c, tb.set(c.ctx, "r", in), "set")
			in[0] = "mutated"
			got, err := tb.get(c.ctx, "r")
			noErr(c, err, "get")
			wantSet(c, got, []string{"a", "b"}, "get after the caller changed the slice it passed")
			got[0] = "mutated"
			got, err = tb.get(c.ctx, "r")
			noErr(c, err, "get")
			wantSet(c, got, []string{"a", "b"}, "get after the caller changed the slice it got")
		}},
	}
}

func networkChecks() []storeCheck {
	return setTableChecks(func(s store.Store) setTable {
		return setTable{s.GetDatacenters, s.SetDatacenters, s.DropDatacenters}
	})
}

func cidrChecks() []storeCheck {
	checks := setTableChecks(func(s store.Store) setTable {
		return setTable{s.GetCIDRPermissions, s.SetCIDRPermissions, s.DropCIDRPermissions}
	})
	for i := range checks {
		checks[i].name = "Permissions" + checks[i].name
	}
	p := netip.MustParsePrefix
	return append(checks,
		storeCheck{name: "Groups", run: func(c *checker, s store.Store) {
			groups, err := s.ListCIDRGroups(c.ctx)
			noErr(c, err, "ListCIDRGroups")
			wantEqual(c, len(groups), 0, "number of groups in an empty store")
			noErr(c, s.SetCIDRGroup(c.ctx, "office", []netip.Prefix{p("10.0.0.0/8"), p("192.168.1.0/24"), p("10.0.0.0/8")}), "SetCIDRGroup")
			noErr(c, s.SetCIDRGroup(c.ctx, "Lab", []netip.Prefix{p("2001:db8::/32")}), "SetCIDRGroup")
			noErr(c, s.SetCIDRGroup(c.ctx, "empty", nil), "SetCIDRGroup without CIDRs")
			want := []store.CIDRGroup{
				{Name: "Lab", CIDRs: []netip.Prefix{p("2001:db8::/32")}},
				{Name: "empty", CIDRs: []netip.Prefix{}},
				{Name: "office", CIDRs: []netip.Prefix{p("10.0.0.0/8"), p("192.168.1.0/24")}},
			}
			wantGroups(c, s, want, "ListCIDRGroups")
			noErr(c, s.SetCIDRGroup(c.ctx, "office", []netip.Prefix{p("172.16.0.0/12")}), "SetCIDRGroup replacing")
			want[2].CIDRs = []netip.Prefix{p("172.16.0.0/12")}
			wantGroups(c, s, want, "ListCIDRGroups after a replacing SetCIDRGroup")
			noErr(c, s.DropCIDRGroup(c.ctx, "Lab"), "DropCIDRGroup")
			wantGroups(c, s, want[1:], "ListCIDRGroups after DropCIDRGroup")
			wantOnly(c, s.DropCIDRGroup(c.ctx, "Lab"), store.ErrNotFound, "DropCIDRGroup of a dropped group")
		}},
		storeCheck{name: "GroupsInvalid", run: func(c *checker, s store.Store) {
			wantOnly(c, s.SetCIDRGroup(c.ctx, "", []netip.Prefix{p("10.0.0.0/8")}), store.ErrInvalid, "SetCIDRGroup with an empty name")
			wantOnly(c, s.SetCIDRGroup(c.ctx, "g", []netip.Prefix{p("10.0.0.0/8"), {}}), store.ErrInvalid, "SetCIDRGroup with an invalid prefix")
			wantGroups(c, s, nil, "ListCIDRGroups after rejected writes")
		}},
		storeCheck{name: "GroupsDeepCopy", run: func(c *checker, s store.Store) {
			in := []netip.Prefix{p("10.0.0.0/8")}
			noErr(c, s.SetCIDRGroup(c.ctx, "g", in), "SetCIDRGroup")
			in[0] = p("0.0.0.0/0")
			got, err := s.ListCIDRGroups(c.ctx)
			noErr(c, err, "ListCIDRGroups")
			if len(got) == 1 && len(got[0].CIDRs) == 1 {
				got[0].CIDRs[0] = p("0.0.0.0/0")
				got[0].Name = "mutated"
			}
			wantGroups(c, s, []store.CIDRGroup{{Name: "g", CIDRs: []netip.Prefix{p("10.0.0.0/8")}}}, "ListCIDRGroups after the caller changed what it passed and got")
		}},
	)
}

// wantGroups checks ListCIDRGroups, comparing each group's CIDRs as a set.
func wantGroups(c *checker, s store.Store, want []store.CIDRGroup, what string) {
	c.Helper()
	got, err := s.ListCIDRGroups(c.ctx)
	noErr(c, err, "ListCIDRGroups")
	norm := func(gs []store.CIDRGroup) []store.CIDRGroup {
		out := make([]store.CIDRGroup, len(gs))
		for i, g := range gs {
			out[i] = store.CIDRGroup{Name: g.Name, CIDRs: prefixSet(g.CIDRs)}
		}
		return out
	}
	wantEqual(c, norm(got), norm(want), "%s", what)
}

func identityChecks() []storeCheck {
	return []storeCheck{
		{name: "AddGetList", run: func(c *checker, s store.Store) {
			ids, err := s.ListIdentities(c.ctx)
			noErr(c, err, "ListIdentities")
			wantEqual(c, len(ids), 0, "identities in an empty store")
			noErr(c, s.AddIdentity(c.ctx, "spiffe://example.org/a", "alice"), "AddIdentity")
			noErr(c, s.AddIdentity(c.ctx, "CN=bob,O=x", "bob"), "AddIdentity")
			noErr(c, s.AddIdentity(c.ctx, "spiffe://example.org/a2", "alice"), "AddIdentity of a second identity of a role")
			role, err := s.GetIdentity(c.ctx, "spiffe://example.org/a")
			noErr(c, err, "GetIdentity")
			wantEqual(c, role, "alice", "GetIdentity")
			ids, err = s.ListIdentities(c.ctx)
			noErr(c, err, "ListIdentities")
			want := map[string]string{"spiffe://example.org/a": "alice", "spiffe://example.org/a2": "alice", "CN=bob,O=x": "bob"}
			wantEqual(c, ids, want, "ListIdentities")
			ids["spiffe://example.org/a"] = "mallory"
			delete(ids, "CN=bob,O=x")
			ids, err = s.ListIdentities(c.ctx)
			noErr(c, err, "ListIdentities")
			wantEqual(c, ids, want, "ListIdentities after the caller changed the map it got")
		}},
		{name: "AddExisting", run: func(c *checker, s store.Store) {
			noErr(c, s.AddIdentity(c.ctx, "id", "alice"), "AddIdentity")
			wantOnly(c, s.AddIdentity(c.ctx, "id", "bob"), store.ErrExists, "AddIdentity of a mapped identity to another role")
			wantOnly(c, s.AddIdentity(c.ctx, "id", "alice"), store.ErrExists, "AddIdentity of a mapped identity to the same role")
			role, err := s.GetIdentity(c.ctx, "id")
			noErr(c, err, "GetIdentity")
			wantEqual(c, role, "alice", "GetIdentity after a rejected AddIdentity")
		}},
		{name: "Missing", run: func(c *checker, s store.Store) {
			_, err := s.GetIdentity(c.ctx, "nobody")
			wantOnly(c, err, store.ErrNotFound, "GetIdentity of an unknown identity")
		}},
		{name: "Drop", run: func(c *checker, s store.Store) {
			noErr(c, s.AddIdentity(c.ctx, "id", "alice"), "AddIdentity")
			noErr(c, s.AddIdentity(c.ctx, "id2", "alice"), "AddIdentity")
			noErr(c, s.DropIdentity(c.ctx, "id"), "DropIdentity")
			_, err := s.GetIdentity(c.ctx, "id")
			wantOnly(c, err, store.ErrNotFound, "GetIdentity after DropIdentity")
			noErr(c, s.DropIdentity(c.ctx, "id"), "DropIdentity of a dropped identity")
			noErr(c, s.DropIdentity(c.ctx, "never"), "DropIdentity of an unknown identity")
			noErr(c, s.AddIdentity(c.ctx, "id", "bob"), "AddIdentity after DropIdentity")
			ids, err := s.ListIdentities(c.ctx)
			noErr(c, err, "ListIdentities")
			wantEqual(c, ids, map[string]string{"id": "bob", "id2": "alice"}, "ListIdentities")
		}},
		{name: "Invalid", run: func(c *checker, s store.Store) {
			wantOnly(c, s.AddIdentity(c.ctx, "", "alice"), store.ErrInvalid, "AddIdentity of an empty identity")
			wantOnly(c, s.AddIdentity(c.ctx, "id", ""), store.ErrInvalid, "AddIdentity to an empty role")
			ids, err := s.ListIdentities(c.ctx)
			noErr(c, err, "ListIdentities")
			wantEqual(c, len(ids), 0, "identities after rejected writes")
		}},
	}
}
