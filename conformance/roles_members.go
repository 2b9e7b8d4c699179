package conformance

import (
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// grantChecks cover GrantRole, RevokeRole, Roles and RoleDetails: the
// closure, Cassandra's refusals and their messages.
func grantChecks() []roleManagerCheck {
	return []roleManagerCheck{
		{name: "GrantRevoke", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "role", "grantee")
			grantRoles(c, m, [2]string{"role", "grantee"})
			wantRolesOf(c, c.ctx, m, "grantee", false, "grantee", "role")
			wantRolesOf(c, c.ctx, m, "grantee", true, "grantee", "role")
			wantRolesOf(c, c.ctx, m, "role", true, "role")
			wantDetails(c, c.ctx, m, "grantee", map[string]roleFacts{"grantee": {memberOf: []string{"role"}}, "role": {}})
			noErr(c, m.RevokeRole(c.ctx, roles.System, "role", "grantee"), "RevokeRole")
			wantRolesOf(c, c.ctx, m, "grantee", true, "grantee")
			wantDetails(c, c.ctx, m, "grantee", map[string]roleFacts{"grantee": {}})
		}},
		{name: "Closure", run: func(c *checker, m roles.Manager) {
			// A diamond on top of a chain: u <- a, u <- b, a <- top, b <- top,
			// top <- root. Each role appears once.
			mkRoles(c, m, "u", "a", "b", "top", "root", "other")
			grantRoles(c, m, [2]string{"root", "top"}, [2]string{"top", "a"}, [2]string{"top", "b"},
				[2]string{"b", "u"}, [2]string{"a", "u"})
			wantRolesOf(c, c.ctx, m, "u", false, "u", "a", "b")
			wantRolesOf(c, c.ctx, m, "u", true, "u", "a", "b", "top", "root")
			wantRolesOf(c, c.ctx, m, "a", true, "a", "top", "root")
			wantRolesOf(c, c.ctx, m, "root", true, "root")
			wantDetails(c, c.ctx, m, "u", map[string]roleFacts{
				"u": {memberOf: []string{"a", "b"}}, "a": {memberOf: []string{"top"}}, "b": {memberOf: []string{"top"}},
				"top": {memberOf: []string{"root"}}, "root": {},
			})
			noErr(c, m.RevokeRole(c.ctx, roles.System, "top", "a"), "RevokeRole(top, a)")
			wantRolesOf(c, c.ctx, m, "u", true, "u", "a", "b", "top", "root")
			noErr(c, m.RevokeRole(c.ctx, roles.System, "top", "b"), "RevokeRole(top, b)")
			wantRolesOf(c, c.ctx, m, "u", true, "u", "a", "b")
		}},
		{name: "RepeatRefused", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "a", "b", "u")
			grantRoles(c, m, [2]string{"a", "b"}, [2]string{"b", "u"})
			wantText(c, m.GrantRole(c.ctx, roles.System, "b", "u"), roles.CodeInvalid, isMemberText("u", "b"), "GrantRole repeating a direct membership")
			wantText(c, m.GrantRole(c.ctx, roles.System, "a", "u"), roles.CodeInvalid, isMemberText("u", "a"), "GrantRole repeating an inherited membership")
			wantRolesOf(c, c.ctx, m, "u", false, "u", "b")
		}},
		{name: "SelfRefused", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "a")
			wantText(c, m.GrantRole(c.ctx, roles.System, "a", "a"), roles.CodeInvalid, isMemberText("a", "a"), "GRANT a TO a")
			wantRolesOf(c, c.ctx, m, "a", true, "a")
		}},
		{name: "CycleRefused", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "a", "b", "c")
			grantRoles(c, m, [2]string{"a", "b"}, [2]string{"b", "c"}) // c <- b <- a
			wantText(c, m.GrantRole(c.ctx, roles.System, "b", "a"), roles.CodeInvalid, isMemberText("b", "a"), "GRANT b TO a (two-role cycle)")
			wantText(c, m.GrantRole(c.ctx, roles.System, "c", "a"), roles.CodeInvalid, isMemberText("c", "a"), "GRANT c TO a (three-role cycle)")
			wantRolesOf(c, c.ctx, m, "a", true, "a")
			wantRolesOf(c, c.ctx, m, "c", true, "c", "b", "a")
		}},
		{name: "RevokeNotMember", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "a", "b", "c", "x")
			grantRoles(c, m, [2]string{"a", "b"}, [2]string{"b", "c"})
			wantText(c, m.RevokeRole(c.ctx, roles.System, "a", "c"), roles.CodeInvalid, notMemberText("c", "a"), "REVOKE of an inherited role")
			wantText(c, m.RevokeRole(c.ctx, roles.System, "x", "c"), roles.CodeInvalid, notMemberText("c", "x"), "REVOKE of an unrelated role")
			wantText(c, m.RevokeRole(c.ctx, roles.System, "a", "nobody"), roles.CodeInvalid, notMemberText("nobody", "a"), "REVOKE from an unknown role")
			wantRolesOf(c, c.ctx, m, "c", true, "c", "b", "a")
		}},
		{name: "SelfRevokeChangesNothing", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "a", "b")
			grantRoles(c, m, [2]string{"b", "a"})
			if err := m.RevokeRole(c.ctx, roles.System, "a", "a"); err != nil {
				wantText(c, err, roles.CodeInvalid, notMemberText("a", "a"), "REVOKE a FROM a")
			}
			wantRolesOf(c, c.ctx, m, "a", true, "a", "b")
		}},
		{name: "UnknownRoles", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "a")
			wantErr(c, m.GrantRole(c.ctx, roles.System, "nobody", "a"), store.ErrNotFound, "GrantRole of an unknown role")
			wantErr(c, m.GrantRole(c.ctx, roles.System, "a", "nobody"), store.ErrNotFound, "GrantRole to an unknown grantee")
			wantRolesOf(c, c.ctx, m, "a", true, "a")
			wantRolesOf(c, c.ctx, m, "nobody", true)
		}},
	}
}

// superuserChecks cover the SUPERUSER flag: IsSuper is the role's own,
// roles.HasSuperuserStatus follows the closure.
func superuserChecks() []roleManagerCheck {
	needs := needsOption(roles.OptSuperuser)
	setup := func(c *checker, m roles.Manager) {
		// u <- mid <- s, s a superuser.
		mkRole(c, c.ctx, m, "s", roles.Options{Superuser: ptr(true)})
		mkRoles(c, m, "mid", "u")
		grantRoles(c, m, [2]string{"s", "mid"}, [2]string{"mid", "u"})
	}
	return []roleManagerCheck{
		{name: "Own", needs: needs, run: func(c *checker, m roles.Manager) {
			setup(c, m)
			wantFlags(c, c.ctx, m, "s", true, false)
			wantSuperStatus(c, c.ctx, m, "s", true)
		}},
		{name: "Inherited", needs: needs, run: func(c *checker, m roles.Manager) {
			setup(c, m)
			for _, r := range []string{"mid", "u"} {
				wantFlags(c, c.ctx, m, r, false, false)
				wantSuperStatus(c, c.ctx, m, r, true)
			}
			wantDetails(c, c.ctx, m, "u", map[string]roleFacts{
				"u": {memberOf: []string{"mid"}}, "mid": {memberOf: []string{"s"}}, "s": {super: true},
			})
		}},
		{name: "LostOnRevoke", needs: needs, run: func(c *checker, m roles.Manager) {
			setup(c, m)
			noErr(c, m.RevokeRole(c.ctx, roles.System, "s", "mid"), "RevokeRole")
			wantSuperStatus(c, c.ctx, m, "u", false)
			wantSuperStatus(c, c.ctx, m, "s", true)
		}},
		{name: "LostOnAlter", needs: needs, run: func(c *checker, m roles.Manager) {
			setup(c, m)
			noErr(c, m.AlterRole(c.ctx, roles.System, "s", roles.Options{Superuser: ptr(false)}), "AlterRole(SUPERUSER false)")
			wantSuperStatus(c, c.ctx, m, "u", false)
			wantSuperStatus(c, c.ctx, m, "s", false)
		}},
		{name: "LostOnDrop", needs: needs, run: func(c *checker, m roles.Manager) {
			setup(c, m)
			noErr(c, m.DropRole(c.ctx, roles.System, "s"), "DropRole")
			wantSuperStatus(c, c.ctx, m, "u", false)
		}},
		{name: "NotDownwards", needs: needs, run: func(c *checker, m roles.Manager) {
			// A superuser's members inherit; the roles granted to it do not.
			mkRole(c, c.ctx, m, "s", roles.Options{Superuser: ptr(true)})
			mkRoles(c, m, "base")
			grantRoles(c, m, [2]string{"base", "s"})
			wantSuperStatus(c, c.ctx, m, "base", false)
			wantSuperStatus(c, c.ctx, m, "s", true)
		}},
	}
}

// loginChecks cover the LOGIN flag, which is never inherited.
func loginChecks() []roleManagerCheck {
	needs := needsOption(roles.OptLogin)
	return []roleManagerCheck{
		{name: "Own", needs: needs, run: func(c *checker, m roles.Manager) {
			mkRole(c, c.ctx, m, "l", roles.Options{Login: ptr(true)})
			mkRoles(c, m, "n")
			wantFlags(c, c.ctx, m, "l", false, true)
			wantFlags(c, c.ctx, m, "n", false, false)
		}},
		{name: "NotInherited", needs: needs, run: func(c *checker, m roles.Manager) {
			mkRole(c, c.ctx, m, "l", roles.Options{Login: ptr(true)})
			mkRoles(c, m, "u")
			grantRoles(c, m, [2]string{"l", "u"})
			wantFlags(c, c.ctx, m, "u", false, false)
			wantDetails(c, c.ctx, m, "u", map[string]roleFacts{"u": {memberOf: []string{"l"}}, "l": {login: true}})
		}},
		{name: "NotDownwards", needs: needs, run: func(c *checker, m roles.Manager) {
			mkRole(c, c.ctx, m, "l", roles.Options{Login: ptr(true)})
			mkRoles(c, m, "base")
			grantRoles(c, m, [2]string{"base", "l"})
			wantFlags(c, c.ctx, m, "base", false, false)
			wantFlags(c, c.ctx, m, "l", false, true)
		}},
	}
}
