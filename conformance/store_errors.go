package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// storeCall is one method of the contract with arguments that would
// succeed, and change the state when it is a write, on a store prepared by
// seedForCalls.
type storeCall struct {
	name string
	do   func(ctx context.Context, s store.Store) error
}

// seedForCalls prepares the state allCalls expects.
func seedForCalls(c *checker, s store.Store) {
	c.Helper()
	createRoles(c, s, "r", "u", "victim")
	noErr(c, s.GrantRole(c.ctx, "r", "victim"), "GrantRole")
	_, err := s.AddPermissions(c.ctx, "r", resT1, permSet(resource.Select, resource.Modify))
	noErr(c, err, "AddPermissions")
	_, err = s.AddPermissions(c.ctx, "u", resT2, permSet(resource.Select))
	noErr(c, err, "AddPermissions")
	noErr(c, s.SetDatacenters(c.ctx, "r", []string{"dc1"}), "SetDatacenters")
	noErr(c, s.SetCIDRPermissions(c.ctx, "r", []string{"g"}), "SetCIDRPermissions")
	noErr(c, s.SetCIDRGroup(c.ctx, "g", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}), "SetCIDRGroup")
	noErr(c, s.AddIdentity(c.ctx, "id", "r"), "AddIdentity")
}

// allCalls returns every method of store.Store.
func allCalls() []storeCall {
	ret := func(_ any, err error) error { return err }
	return []storeCall{
		{"GetRole", func(ctx context.Context, s store.Store) error { return ret(s.GetRole(ctx, "r")) }},
		{"ListRoles", func(ctx context.Context, s store.Store) error { return ret(s.ListRoles(ctx)) }},
		{"CreateRole", func(ctx context.Context, s store.Store) error {
			return s.CreateRole(ctx, store.RoleRecord{Name: "new"})
		}},
		{"UpdateRole", func(ctx context.Context, s store.Store) error {
			return s.UpdateRole(ctx, "r", store.RoleUpdate{CanLogin: ptr(true)})
		}},
		{"GrantRole", func(ctx context.Context, s store.Store) error { return s.GrantRole(ctx, "r", "u") }},
		{"RevokeRole", func(ctx context.Context, s store.Store) error { return s.RevokeRole(ctx, "r", "victim") }},
		{"DropRole", func(ctx context.Context, s store.Store) error { return s.DropRole(ctx, "victim") }},
		{"ListMembers", func(ctx context.Context, s store.Store) error { return ret(s.ListMembers(ctx, "r")) }},
		{"GetPermissions", func(ctx context.Context, s store.Store) error { return ret(s.GetPermissions(ctx, "r", resT1)) }},
		{"AddPermissions", func(ctx context.Context, s store.Store) error {
			return ret(s.AddPermissions(ctx, "r", resT2, permSet(resource.Select)))
		}},
		{"RemovePermissions", func(ctx context.Context, s store.Store) error {
			return ret(s.RemovePermissions(ctx, "r", resT1, permSet(resource.Select)))
		}},
		{"ListGrants", func(ctx context.Context, s store.Store) error { return ret(s.ListGrants(ctx, "")) }},
		{"ListGrantees", func(ctx context.Context, s store.Store) error { return ret(s.ListGrantees(ctx, resT1)) }},
		{"RevokeAllFrom", func(ctx context.Context, s store.Store) error { return s.RevokeAllFrom(ctx, "u") }},
		{"RevokeAllOn", func(ctx context.Context, s store.Store) error { return s.RevokeAllOn(ctx, resT1) }},
		{"GetDatacenters", func(ctx context.Context, s store.Store) error { return ret(s.GetDatacenters(ctx, "r")) }},
		{"SetDatacenters", func(ctx context.Context, s store.Store) error { return s.SetDatacenters(ctx, "u", []string{"dc2"}) }},
		{"DropDatacenters", func(ctx context.Context, s store.Store) error { return s.DropDatacenters(ctx, "r") }},
		{"GetCIDRPermissions", func(ctx context.Context, s store.Store) error { return ret(s.GetCIDRPermissions(ctx, "r")) }},
		{"SetCIDRPermissions", func(ctx context.Context, s store.Store) error {
			return s.SetCIDRPermissions(ctx, "u", []string{"g"})
		}},
		{"DropCIDRPermissions", func(ctx context.Context, s store.Store) error { return s.DropCIDRPermissions(ctx, "r") }},
		{"ListCIDRGroups", func(ctx context.Context, s store.Store) error { return ret(s.ListCIDRGroups(ctx)) }},
		{"SetCIDRGroup", func(ctx context.Context, s store.Store) error {
			return s.SetCIDRGroup(ctx, "h", []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")})
		}},
		{"DropCIDRGroup", func(ctx context.Context, s store.Store) error { return s.DropCIDRGroup(ctx, "g") }},
		{"GetIdentity", func(ctx context.Context, s store.Store) error { return ret(s.GetIdentity(ctx, "id")) }},
		{"ListIdentities", func(ctx context.Context, s store.Store) error { return ret(s.ListIdentities(ctx)) }},
		{"AddIdentity", func(ctx context.Context, s store.Store) error { return s.AddIdentity(ctx, "id2", "u") }},
		{"DropIdentity", func(ctx context.Context, s store.Store) error { return s.DropIdentity(ctx, "id") }},
	}
}

// storeSnapshot renders everything readable about the roles, resources and
// identities the checks use, to compare states.
func storeSnapshot(c *checker, s store.Store) string {
	c.Helper()
	roles, err := s.ListRoles(c.ctx)
	noErr(c, err, "ListRoles")
	grants, err := s.ListGrants(c.ctx, "")
	noErr(c, err, "ListGrants")
	ids, err := s.ListIdentities(c.ctx)
	noErr(c, err, "ListIdentities")
	groups, err := s.ListCIDRGroups(c.ctx)
	noErr(c, err, "ListCIDRGroups")
	out := fmt.Sprintf("roles=%v\ngrants=%s\nids=%v\ngroups=%v\n", rolesView(roles), show(grants), ids, groups)
	for _, r := range []string{"r", "u", "victim", "new"} {
		m, err := s.ListMembers(c.ctx, r)
		noErr(c, err, "ListMembers")
		dcs, dcErr := s.GetDatacenters(c.ctx, r)
		cidr, cidrErr := s.GetCIDRPermissions(c.ctx, r)
		out += fmt.Sprintf("%s: members=%q dcs=%q/%v cidr=%q/%v\n", r, m, setOf(dcs), dcErr != nil, setOf(cidr), cidrErr != nil)
	}
	for _, res := range []string{resT1, resT2} {
		g, err := s.ListGrantees(c.ctx, res)
		noErr(c, err, "ListGrantees")
		out += fmt.Sprintf("%s: grantees=%q\n", res, g)
	}
	return out
}

func rolesView(rs []store.RoleRecord) []roleView {
	out := make([]roleView, len(rs))
	for i, r := range rs {
		out[i] = viewRole(r)
	}
	return out
}

func errorChecks() []storeCheck {
	return []storeCheck{
		{name: "Sentinels", run: func(c *checker, s store.Store) {
			seedForCalls(c, s)
			ret := func(_ any, err error) error { return err }
			p := netip.MustParsePrefix("10.0.0.0/8")
			cases := []struct {
				what string
				err  error
				want error
			}{
				{"GetRole missing", ret(s.GetRole(c.ctx, "ghost")), store.ErrNotFound},
				{"UpdateRole missing", s.UpdateRole(c.ctx, "ghost", store.RoleUpdate{}), store.ErrNotFound},
				{"DropRole missing", s.DropRole(c.ctx, "ghost"), store.ErrNotFound},
				{"GrantRole missing role", s.GrantRole(c.ctx, "ghost", "u"), store.ErrNotFound},
				{"GrantRole missing grantee", s.GrantRole(c.ctx, "r", "ghost"), store.ErrNotFound},
				{"GetDatacenters no row", ret(s.GetDatacenters(c.ctx, "u")), store.ErrNotFound},
				{"GetCIDRPermissions no row", ret(s.GetCIDRPermissions(c.ctx, "u")), store.ErrNotFound},
				{"DropCIDRGroup missing", s.DropCIDRGroup(c.ctx, "ghost"), store.ErrNotFound},
				{"GetIdentity missing", ret(s.GetIdentity(c.ctx, "ghost")), store.ErrNotFound},
				{"CreateRole existing", s.CreateRole(c.ctx, store.RoleRecord{Name: "r"}), store.ErrExists},
				{"AddIdentity existing", s.AddIdentity(c.ctx, "id", "u"), store.ErrExists},
				{"CreateRole empty name", s.CreateRole(c.ctx, store.RoleRecord{}), store.ErrInvalid},
				{"CreateRole with MemberOf", s.CreateRole(c.ctx, store.RoleRecord{Name: "x", MemberOf: []string{"r"}}), store.ErrInvalid},
				{"AddPermissions bad bits", ret(s.AddPermissions(c.ctx, "r", resT1, 1<<12)), store.ErrInvalid},
				{"RemovePermissions bad bits", ret(s.RemovePermissions(c.ctx, "r", resT1, 1<<12)), store.ErrInvalid},
				{"AddPermissions empty role", ret(s.AddPermissions(c.ctx, "", resT1, permSet(resource.Select))), store.ErrInvalid},
				{"AddPermissions empty resource", ret(s.AddPermissions(c.ctx, "r", "", permSet(resource.Select))), store.ErrInvalid},
				{"SetDatacenters empty role", s.SetDatacenters(c.ctx, "", nil), store.ErrInvalid},
				{"SetCIDRPermissions empty role", s.SetCIDRPermissions(c.ctx, "", nil), store.ErrInvalid},
				{"SetCIDRGroup empty name", s.SetCIDRGroup(c.ctx, "", []netip.Prefix{p}), store.ErrInvalid},
				{"SetCIDRGroup invalid prefix", s.SetCIDRGroup(c.ctx, "g", []netip.Prefix{{}}), store.ErrInvalid},
				{"AddIdentity empty identity", s.AddIdentity(c.ctx, "", "r"), store.ErrInvalid},
				{"AddIdentity empty role", s.AddIdentity(c.ctx, "id3", ""), store.ErrInvalid},
			}
			for _, k := range cases {
				wantOnly(c, k.err, k.want, "%s", k.what)
			}
		}},
		{name: "FailedWritesWriteNothing", run: func(c *checker, s store.Store) {
			seedForCalls(c, s)
			before := storeSnapshot(c, s)
			_ = s.CreateRole(c.ctx, store.RoleRecord{Name: "r", IsSuperuser: true})
			_ = s.CreateRole(c.ctx, store.RoleRecord{Name: "new", MemberOf: []string{"r"}})
			_ = s.UpdateRole(c.ctx, "ghost", store.RoleUpdate{IsSuperuser: ptr(true)})
			_ = s.GrantRole(c.ctx, "r", "ghost")
			_ = s.GrantRole(c.ctx, "ghost", "u")
			_, _ = s.AddPermissions(c.ctx, "u", resT1, permSet(resource.Select)|1<<13)
			_, _ = s.RemovePermissions(c.ctx, "r", resT1, permSet(resource.Select)|1<<13)
			_ = s.SetDatacenters(c.ctx, "", []string{"dc"})
			_ = s.SetCIDRGroup(c.ctx, "g", []netip.Prefix{{}})
			_ = s.AddIdentity(c.ctx, "id", "u")
			wantEqual(c, storeSnapshot(c, s), before, "state after failed writes")
		}},
		{name: "StructuredErrors", run: func(c *checker, s store.Store) {
			// The contract allows *store.Error or plain %w wrapping; when a
			// backend uses *store.Error, its fields must be filled in.
			_, err := s.GetRole(c.ctx, "ghost")
			var se *store.Error
			if errors.As(err, &se) {
				if se.Op == "" || se.Err == nil {
					c.Errorf("GetRole error %#v: a *store.Error needs Op and Err", se)
				}
				if !errors.Is(se, store.ErrNotFound) {
					c.Errorf("the *store.Error of GetRole does not wrap ErrNotFound: %v", se)
				}
			}
		}},
	}
}

func contextChecks() []storeCheck {
	run := func(ctxErr error, mk func() (context.Context, context.CancelFunc)) func(c *checker, s store.Store) {
		return func(c *checker, s store.Store) {
			seedForCalls(c, s)
			before := storeSnapshot(c, s)
			for _, call := range allCalls() {
				ctx, cancel := mk()
				err := call.do(ctx, s)
				cancel()
				if wantErr(c, err, ctxErr, "%s with a done context", call.name) {
					for _, other := range []error{store.ErrNotFound, store.ErrExists, store.ErrInvalid} {
						if errors.Is(err, other) {
							c.Errorf("%s with a done context: error %v also matches %v: a caller would take it as an answer", call.name, err, other)
						}
					}
				}
			}
			wantEqual(c, storeSnapshot(c, s), before, "state after writes with a done context")
		}
	}
	return []storeCheck{
		{name: "Canceled", run: run(context.Canceled, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		})},
		{name: "DeadlineExceeded", run: run(context.DeadlineExceeded, func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		})},
	}
}

func closedChecks() []storeCheck {
	return []storeCheck{
		{name: "EveryCallFails", needs: needsCloser, run: func(c *checker, s store.Store) {
			seedForCalls(c, s)
			noErr(c, s.(io.Closer).Close(), "Close")
			for _, call := range allCalls() {
				wantErr(c, call.do(c.ctx, s), store.ErrClosed, "%s after Close", call.name)
			}
			_ = s.(io.Closer).Close() // a second Close must not panic or hang
			if f, ok := s.(store.ChangeFeed); ok {
				cancel := f.Subscribe(func(store.Change) {})
				cancel()
			}
		}},
	}
}
