package conformance

import (
	"slices"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// grantRow is a grant the suite made: what List must show.
type grantRow struct {
	role  string
	res   resource.Resource
	perms resource.PermissionSet
}

// detailsOf returns the rows of LIST PERMISSIONS for grants, restricted to
// perms, to the roles in who (nil: every role) and to res (the zero
// Resource: every resource), sorted as spec 4.4 says.
func detailsOf(grants []grantRow, perms resource.PermissionSet, res resource.Resource, who []string) []authz.PermissionDetails {
	var out []authz.PermissionDetails
	for _, g := range grants {
		if (who != nil && !slices.Contains(who, g.role)) || (!res.IsZero() && g.res != res) {
			continue
		}
		for p := range g.perms.Intersect(perms).All() {
			out = append(out, authz.PermissionDetails{Grantee: g.role, Resource: g.res, Permission: p})
		}
	}
	authz.SortPermissionDetails(out)
	return out
}

// listPerms runs List, skipping the check if List is unsupported and
// ending it on any other error.
func listPerms(c *checker, p authzPart, performer roles.User, perms resource.PermissionSet, res resource.Resource, grantee string) []authz.PermissionDetails {
	c.Helper()
	got, err := p.a.List(c.ctx, performer, perms, res, grantee)
	skipUnsupported(c, err, "List")
	noErr(c, err, "List(%v, %v, %s, %q)", performer, perms, res.Name(), grantee)
	return got
}

// wantList reports unless got holds exactly want, in order.
func wantList(r reporter, got, want []authz.PermissionDetails, what string, args ...any) {
	r.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	wantEqual(r, got, want, what, args...)
}

// listFixture makes roles a, b and c (c <- b) with grants on ks, ks.t and
// role a, and returns the grants.
func listFixture(c *checker, p authzPart) []grantRow {
	c.Helper()
	ks, t := resource.Keyspace("ks"), resource.Table("ks", "t")
	for _, r := range []string{"a", "b", "c"} {
		mkRole(c, c.ctx, p.m, r, roles.Options{})
	}
	grantRoles(c, p.m, [2]string{"b", "c"})
	grants := []grantRow{
		{"a", ks, selectOnly},
		{"a", t, permSet(resource.Select, resource.Modify)},
		{"b", t, permSet(resource.Alter, resource.Drop)},
		{"b", resource.Role("a"), permSet(resource.Describe)},
		{"c", ks, selectOnly},
	}
	for _, g := range grants {
		grantPerms(c, p, g.role, g.res, g.perms)
	}
	return grants
}

// listChecks cover List: filters, order and visibility.
func listChecks() []authorizerCheck {
	all, zero := resource.AllPermissions, resource.Resource{}
	ks, t := resource.Keyspace("ks"), resource.Table("ks", "t")
	return []authorizerCheck{
		{name: "Everything", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			grants := listFixture(c, p)
			wantList(c, listPerms(c, p, roles.System, all, zero, ""), detailsOf(grants, all, zero, nil), "List(ALL, every resource, every role)")
		}},
		{name: "ByResource", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			grants := listFixture(c, p)
			for _, r := range []resource.Resource{ks, t, resource.Role("a"), resource.AllKeyspaces} {
				wantList(c, listPerms(c, p, roles.System, all, r, ""), detailsOf(grants, all, r, nil), "List(ALL, %s, every role)", r.Name())
			}
		}},
		{name: "ByRole", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			grants := listFixture(c, p)
			wantList(c, listPerms(c, p, roles.System, all, zero, "c"), detailsOf(grants, all, zero, []string{"b", "c"}), "List(ALL, every resource, c and the roles it inherits)")
			wantList(c, listPerms(c, p, roles.System, all, zero, "a"), detailsOf(grants, all, zero, []string{"a"}), "List(ALL, every resource, a)")
			wantList(c, listPerms(c, p, roles.System, all, zero, "nobody"), nil, "List of an unknown role")
		}},
		{name: "ByPermissions", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			grants := listFixture(c, p)
			for _, ps := range []resource.PermissionSet{selectOnly, permSet(resource.Alter, resource.Describe), resource.NoPermissions} {
				wantList(c, listPerms(c, p, roles.System, ps, zero, ""), detailsOf(grants, ps, zero, nil), "List(%v, every resource, every role)", ps)
			}
		}},
		{name: "Combined", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			grants := listFixture(c, p)
			ps := permSet(resource.Select, resource.Alter)
			wantList(c, listPerms(c, p, roles.System, ps, t, "c"), detailsOf(grants, ps, t, []string{"b", "c"}), "List(%v, %s, c)", ps, t.Name())
		}},
		{name: "Visibility", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			grants := listFixture(c, p)
			// a may list itself; c the role it inherits; b, holding DESCRIBE
			// on role a, may list a.
			wantList(c, listPerms(c, p, roles.NewUser("a"), all, zero, "a"), detailsOf(grants, all, zero, []string{"a"}), "a lists a")
			wantList(c, listPerms(c, p, roles.NewUser("c"), all, zero, "b"), detailsOf(grants, all, zero, []string{"b"}), "c lists b")
			wantList(c, listPerms(c, p, roles.NewUser("b"), all, zero, "a"), detailsOf(grants, all, zero, []string{"a"}), "b lists a")
			for _, tc := range []struct{ performer, grantee string }{{"a", "c"}, {"a", ""}, {"b", "c"}, {"b", ""}} {
				_, err := p.a.List(c.ctx, roles.NewUser(tc.performer), all, zero, tc.grantee)
				if wantErr(c, err, authz.ErrDenied, "%s lists %q", tc.performer, tc.grantee) {
					wantErr(c, err, roles.ErrUnauthorized, "%s lists %q", tc.performer, tc.grantee)
				}
			}
		}},
	}
}

// revokeAllChecks cover RevokeAllFrom and RevokeAllOn.
func revokeAllChecks() []authorizerCheck {
	ks, all, t := resource.Keyspace("ks"), resource.AllTables("ks"), resource.Table("ks", "t")
	setup := func(c *checker, p authzPart) {
		mkRole(c, c.ctx, p.m, "a", roles.Options{})
		mkRole(c, c.ctx, p.m, "b", roles.Options{})
		for _, r := range []string{"a", "b"} {
			for _, res := range []resource.Resource{ks, all, t} {
				grantPerms(c, p, r, res, selectOnly)
			}
		}
	}
	return []authorizerCheck{
		{name: "From", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			setup(c, p)
			noErr(c, p.a.RevokeAllFrom(c.ctx, "a"), "RevokeAllFrom(a)")
			for _, res := range []resource.Resource{ks, all, t} {
				wantAuthorize(c, c.ctx, p.a, "a", res, resource.NoPermissions)
				wantAuthorize(c, c.ctx, p.a, "b", res, selectOnly)
			}
			noErr(c, p.a.RevokeAllFrom(c.ctx, "a"), "RevokeAllFrom(a) again")
			noErr(c, p.a.RevokeAllFrom(c.ctx, "nobody"), "RevokeAllFrom of an unknown role")
		}},
		{name: "On", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			setup(c, p)
			noErr(c, p.a.RevokeAllOn(c.ctx, all), "RevokeAllOn(%s)", all.Name())
			for _, r := range []string{"a", "b"} {
				wantAuthorize(c, c.ctx, p.a, r, all, resource.NoPermissions)
				wantAuthorize(c, c.ctx, p.a, r, ks, selectOnly)
				wantAuthorize(c, c.ctx, p.a, r, t, selectOnly)
			}
			noErr(c, p.a.RevokeAllOn(c.ctx, all), "RevokeAllOn(%s) again", all.Name())
			noErr(c, p.a.RevokeAllOn(c.ctx, resource.Keyspace("other")), "RevokeAllOn of a resource without grants")
		}},
		{name: "OnAfterPartialRevoke", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "a", roles.Options{})
			grantPerms(c, p, "a", t, permSet(resource.Select, resource.Modify))
			revokePerms(c, p, "a", t, selectOnly)
			noErr(c, p.a.RevokeAllOn(c.ctx, t), "RevokeAllOn after a partial revoke")
			wantAuthorize(c, c.ctx, p.a, "a", t, resource.NoPermissions)
		}},
	}
}

// unsupportedChecks cover authorizers that do not require authorization
// (Cassandra's AllowAllAuthorizer).
func unsupportedChecks() []authorizerCheck {
	return []authorizerCheck{
		{name: "GrantRevokeList", needs: needsNoAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "a", roles.Options{})
			t := resource.Table("ks", "t")
			if _, err := p.a.Grant(c.ctx, roles.System, selectOnly, t, "a"); err != nil {
				wantErr(c, err, authz.ErrUnsupported, "Grant")
			}
			if _, err := p.a.Revoke(c.ctx, roles.System, selectOnly, t, "a"); err != nil {
				wantErr(c, err, authz.ErrUnsupported, "Revoke")
			}
			if _, err := p.a.List(c.ctx, roles.System, resource.AllPermissions, resource.Resource{}, ""); err != nil {
				wantErr(c, err, authz.ErrUnsupported, "List")
			}
		}},
		{name: "RevokeAll", needs: needsNoAuthorization, run: func(c *checker, p authzPart) {
			noErr(c, p.a.RevokeAllFrom(c.ctx, "a"), "RevokeAllFrom")
			noErr(c, p.a.RevokeAllOn(c.ctx, resource.Keyspace("ks")), "RevokeAllOn")
		}},
		{name: "Authorize", needs: needsNoAuthorization, run: func(c *checker, p authzPart) {
			for _, user := range []roles.User{roles.NewUser("a"), roles.Anonymous} {
				for _, r := range everyKind(c) {
					got, err := p.a.Authorize(c.ctx, user, r)
					noErr(c, err, "Authorize(%v, %s)", user, r.Name())
					if !r.Applicable().ContainsAll(got) {
						c.Errorf("Authorize(%v, %s) = %v, beyond the applicable %v", user, r.Name(), got, r.Applicable())
					}
				}
			}
		}},
	}
}
