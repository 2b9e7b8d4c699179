package conformance

import (
	"context"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// wantAuthorize reports unless Authorize gives user exactly want on res.
func wantAuthorize(r reporter, ctx context.Context, a authz.Authorizer, user string, res resource.Resource, want resource.PermissionSet) {
	r.Helper()
	got, err := a.Authorize(ctx, roles.NewUser(user), res)
	noErr(r, err, "Authorize(%q, %s)", user, res.Name())
	wantEqual(r, got, want, "Authorize(%q, %s)", user, res.Name())
}

// everyKind returns a resource of every level of the four trees, or ends
// the check.
func everyKind(c *checker) []resource.Resource {
	c.Helper()
	fn, err := resource.Function("ks", "f", "int")
	noErr(c, err, "resource.Function")
	mb, err := resource.MBean("org.example:type=Thing")
	noErr(c, err, "resource.MBean")
	return []resource.Resource{
		resource.AllKeyspaces, resource.Keyspace("ks"), resource.AllTables("ks"), resource.Table("ks", "t"),
		resource.AllRoles, resource.Role("alice"),
		resource.AllFunctions, resource.FunctionsIn("ks"), fn,
		resource.AllMBeans, mb,
	}
}

// Permission sets of one permission.
const (
	selectOnly = resource.PermissionSet(1) << resource.Select
	modifyOnly = resource.PermissionSet(1) << resource.Modify
	alterOnly  = resource.PermissionSet(1) << resource.Alter
)

// grantRevokeChecks cover what Grant and Revoke do and return.
func grantRevokeChecks() []authorizerCheck {
	t := resource.Table("ks", "t")
	return []authorizerCheck{
		{name: "GrantReturnsNew", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "alice", roles.Options{})
			wantEqual(c, grantPerms(c, p, "alice", t, selectOnly), selectOnly, "Grant(SELECT) to a role without grants")
			wantEqual(c, grantPerms(c, p, "alice", t, permSet(resource.Select, resource.Modify)), modifyOnly, "Grant(SELECT, MODIFY) over SELECT")
			wantEqual(c, grantPerms(c, p, "alice", t, selectOnly), resource.NoPermissions, "Grant(SELECT) again")
			wantAuthorize(c, c.ctx, p.a, "alice", t, permSet(resource.Select, resource.Modify))
		}},
		{name: "RevokeReturnsRemoved", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "alice", roles.Options{})
			grantPerms(c, p, "alice", t, permSet(resource.Select, resource.Modify))
			wantEqual(c, revokePerms(c, p, "alice", t, permSet(resource.Select, resource.Alter)), selectOnly, "Revoke(SELECT, ALTER) of SELECT, MODIFY")
			wantEqual(c, revokePerms(c, p, "alice", t, selectOnly), resource.NoPermissions, "Revoke(SELECT) again")
			wantAuthorize(c, c.ctx, p.a, "alice", t, modifyOnly)
			wantEqual(c, revokePerms(c, p, "alice", t, modifyOnly), modifyOnly, "Revoke(MODIFY)")
			wantAuthorize(c, c.ctx, p.a, "alice", t, resource.NoPermissions)
		}},
		{name: "RevokeWithoutGrants", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "alice", roles.Options{})
			wantEqual(c, revokePerms(c, p, "alice", t, resource.AllPermissions), resource.NoPermissions, "Revoke from a role without grants")
		}},
		{name: "UnknownGrantee", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "alice", roles.Options{})
			grantPerms(c, p, "alice", t, selectOnly)
			_, err := p.a.Grant(c.ctx, roles.System, selectOnly, t, "nobody")
			wantErr(c, err, authz.ErrNoSuchRole, "Grant to a role that does not exist")
			wantAuthorize(c, c.ctx, p.a, "nobody", t, resource.NoPermissions)
			// A role created later under the name starts without grants.
			mkRole(c, c.ctx, p.m, "nobody", roles.Options{})
			wantAuthorize(c, c.ctx, p.a, "nobody", t, resource.NoPermissions)
		}},
		{name: "ZeroResource", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "alice", roles.Options{})
			grantPerms(c, p, "alice", t, selectOnly)
			_, err := p.a.Grant(c.ctx, roles.System, selectOnly, resource.Resource{}, "alice")
			wantErr(c, err, authz.ErrInvalidResource, "Grant on the zero resource")
			_, err = p.a.Revoke(c.ctx, roles.System, selectOnly, resource.Resource{}, "alice")
			wantErr(c, err, authz.ErrInvalidResource, "Revoke on the zero resource")
		}},
		{name: "EveryResourceKind", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "alice", roles.Options{})
			kinds := everyKind(c)
			for _, r := range kinds {
				wantEqual(c, grantPerms(c, p, "alice", r, r.Applicable()), r.Applicable(), "Grant(%v, %s)", r.Applicable(), r.Name())
			}
			for _, r := range kinds {
				wantAuthorize(c, c.ctx, p.a, "alice", r, r.Applicable())
			}
			for i, r := range kinds {
				wantEqual(c, revokePerms(c, p, "alice", r, resource.AllPermissions), r.Applicable(), "Revoke(ALL, %s)", r.Name())
				wantAuthorize(c, c.ctx, p.a, "alice", r, resource.NoPermissions)
				for _, rest := range kinds[i+1:] {
					wantAuthorize(c, c.ctx, p.a, "alice", rest, rest.Applicable())
				}
			}
		}},
		{name: "PerRoleAndResource", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "alice", roles.Options{})
			mkRole(c, c.ctx, p.m, "bob", roles.Options{})
			u := resource.Table("ks", "u")
			grantPerms(c, p, "alice", t, selectOnly)
			grantPerms(c, p, "bob", u, modifyOnly)
			wantAuthorize(c, c.ctx, p.a, "alice", t, selectOnly)
			wantAuthorize(c, c.ctx, p.a, "alice", u, resource.NoPermissions)
			wantAuthorize(c, c.ctx, p.a, "bob", t, resource.NoPermissions)
			wantAuthorize(c, c.ctx, p.a, "bob", u, modifyOnly)
		}},
	}
}

// closureFixture makes u <- p1 <- p2 with ALTER, SELECT and MODIFY on
// table ks.t granted to u, p1 and p2.
func closureFixture(c *checker, p authzPart) resource.Resource {
	c.Helper()
	t := resource.Table("ks", "t")
	for _, r := range []string{"u", "p1", "p2"} {
		mkRole(c, c.ctx, p.m, r, roles.Options{})
	}
	grantRoles(c, p.m, [2]string{"p2", "p1"}, [2]string{"p1", "u"})
	grantPerms(c, p, "u", t, alterOnly)
	grantPerms(c, p, "p1", t, selectOnly)
	grantPerms(c, p, "p2", t, modifyOnly)
	return t
}

// authorizeChecks cover Authorize: exact resources, the union over the
// role closure, and changes seen by the next call.
func authorizeChecks() []authorizerCheck {
	return []authorizerCheck{
		{name: "ExactResource", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			mkRole(c, c.ctx, p.m, "alice", roles.Options{})
			ks, t := resource.Keyspace("ks"), resource.Table("ks", "t")
			grantPerms(c, p, "alice", ks, selectOnly)
			wantAuthorize(c, c.ctx, p.a, "alice", ks, selectOnly)
			for _, r := range []resource.Resource{t, resource.AllTables("ks"), resource.AllKeyspaces, resource.Keyspace("ks2")} {
				wantAuthorize(c, c.ctx, p.a, "alice", r, resource.NoPermissions)
			}
			grantPerms(c, p, "alice", t, modifyOnly)
			wantAuthorize(c, c.ctx, p.a, "alice", t, modifyOnly)
			wantAuthorize(c, c.ctx, p.a, "alice", ks, selectOnly)
		}},
		{name: "UnionOverClosure", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			t := closureFixture(c, p)
			wantAuthorize(c, c.ctx, p.a, "u", t, permSet(resource.Alter, resource.Select, resource.Modify))
			wantAuthorize(c, c.ctx, p.a, "p1", t, permSet(resource.Select, resource.Modify))
			wantAuthorize(c, c.ctx, p.a, "p2", t, modifyOnly)
			wantAuthorize(c, c.ctx, p.a, "u", resource.Keyspace("ks"), resource.NoPermissions)
		}},
		{name: "LostOnRevokeRole", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			t := closureFixture(c, p)
			noErr(c, p.m.RevokeRole(c.ctx, roles.System, "p1", "u"), "RevokeRole")
			wantAuthorize(c, c.ctx, p.a, "u", t, alterOnly)
			wantAuthorize(c, c.ctx, p.a, "p1", t, permSet(resource.Select, resource.Modify))
		}},
		{name: "LostOnDropRole", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			t := closureFixture(c, p)
			noErr(c, p.m.DropRole(c.ctx, roles.System, "p1"), "DropRole")
			wantAuthorize(c, c.ctx, p.a, "u", t, alterOnly)
		}},
		{name: "VisibleAtOnce", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			// A cache in front of the table must not answer from before a
			// change made through the authorizer or the manager.
			mkRole(c, c.ctx, p.m, "u", roles.Options{})
			mkRole(c, c.ctx, p.m, "p", roles.Options{})
			t := resource.Table("ks", "t")
			for range 3 {
				grantPerms(c, p, "u", t, selectOnly)
				wantAuthorize(c, c.ctx, p.a, "u", t, selectOnly)
				revokePerms(c, p, "u", t, selectOnly)
				wantAuthorize(c, c.ctx, p.a, "u", t, resource.NoPermissions)
				grantPerms(c, p, "p", t, modifyOnly)
				grantRoles(c, p.m, [2]string{"p", "u"})
				wantAuthorize(c, c.ctx, p.a, "u", t, modifyOnly)
				noErr(c, p.m.RevokeRole(c.ctx, roles.System, "p", "u"), "RevokeRole")
				wantAuthorize(c, c.ctx, p.a, "u", t, resource.NoPermissions)
				revokePerms(c, p, "p", t, modifyOnly)
			}
		}},
		{name: "UnknownUser", needs: needsAuthorization, run: func(c *checker, p authzPart) {
			for _, r := range everyKind(c) {
				wantAuthorize(c, c.ctx, p.a, "nobody", r, resource.NoPermissions)
			}
		}},
	}
}

// authzSuperuserChecks cover superuser status, own or inherited: every
// applicable permission on every resource.
func authzSuperuserChecks() []authorizerCheck {
	setup := func(c *checker, p authzPart) {
		mkRole(c, c.ctx, p.m, "s", roles.Options{Superuser: ptr(true)})
		mkRole(c, c.ctx, p.m, "u", roles.Options{})
		grantRoles(c, p.m, [2]string{"s", "u"})
	}
	all := func(c *checker, p authzPart, user string) {
		c.Helper()
		for _, r := range everyKind(c) {
			wantAuthorize(c, c.ctx, p.a, user, r, r.Applicable())
		}
	}
	return []authorizerCheck{
		{name: "Own", needs: needsAuthzSuperuser, run: func(c *checker, p authzPart) {
			setup(c, p)
			all(c, p, "s")
		}},
		{name: "Inherited", needs: needsAuthzSuperuser, run: func(c *checker, p authzPart) {
			setup(c, p)
			all(c, p, "u")
		}},
		{name: "LostOnAlter", needs: needsAuthzSuperuser, run: func(c *checker, p authzPart) {
			setup(c, p)
			t := resource.Table("ks", "t")
			grantPerms(c, p, "u", t, selectOnly)
			wantAuthorize(c, c.ctx, p.a, "u", t, t.Applicable())
			noErr(c, p.m.AlterRole(c.ctx, roles.System, "s", roles.Options{Superuser: ptr(false)}), "AlterRole(SUPERUSER false)")
			wantAuthorize(c, c.ctx, p.a, "u", t, selectOnly)
			wantAuthorize(c, c.ctx, p.a, "s", t, resource.NoPermissions)
		}},
	}
}
