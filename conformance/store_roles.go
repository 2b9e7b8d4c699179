package conformance

import (
	"maps"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// createRoles creates plain roles with the given names.
func createRoles(c *checker, s store.Store, names ...string) {
	c.Helper()
	for _, n := range names {
		noErr(c, s.CreateRole(c.ctx, store.RoleRecord{Name: n}), "CreateRole(%q)", n)
	}
}

// getRole returns the role or ends the check.
func getRole(c *checker, s store.Store, name string) store.RoleRecord {
	c.Helper()
	r, err := s.GetRole(c.ctx, name)
	noErr(c, err, "GetRole(%q)", name)
	return r
}

// wantMemberOf checks a role's member_of.
func wantMemberOf(c *checker, s store.Store, name string, want ...string) {
	c.Helper()
	wantStrings(c, getRole(c, s, name).MemberOf, want, "GetRole(%q).MemberOf", name)
}

// wantMembers checks a role's role_members partition.
func wantMembers(c *checker, s store.Store, role string, want ...string) {
	c.Helper()
	got, err := s.ListMembers(c.ctx, role)
	noErr(c, err, "ListMembers(%q)", role)
	wantStrings(c, got, want, "ListMembers(%q)", role)
}

func roleChecks() []storeCheck {
	return []storeCheck{
		{name: "CreateAndGet", run: func(c *checker, s store.Store) {
			want := store.RoleRecord{Name: "alice", IsSuperuser: true, CanLogin: true,
				SaltedHash: "$2a$10$abcdefghijklmnopqrstuv", Options: map[string]string{"k": "v"}}
			noErr(c, s.CreateRole(c.ctx, want), "CreateRole")
			wantRole(c, getRole(c, s, "alice"), want, "GetRole after CreateRole")
			plain := store.RoleRecord{Name: "bob"}
			noErr(c, s.CreateRole(c.ctx, plain), "CreateRole")
			wantRole(c, getRole(c, s, "bob"), plain, "GetRole of a role created with zero fields")
		}},
		{name: "CreateExisting", run: func(c *checker, s store.Store) {
			first := store.RoleRecord{Name: "alice", CanLogin: true}
			noErr(c, s.CreateRole(c.ctx, first), "CreateRole")
			err := s.CreateRole(c.ctx, store.RoleRecord{Name: "alice", IsSuperuser: true})
			wantOnly(c, err, store.ErrExists, "CreateRole of an existing role")
			wantRole(c, getRole(c, s, "alice"), first, "the existing role after a failed CreateRole")
		}},
		{name: "CreateInvalid", run: func(c *checker, s store.Store) {
			createRoles(c, s, "parent")
			wantOnly(c, s.CreateRole(c.ctx, store.RoleRecord{}), store.ErrInvalid, "CreateRole with an empty name")
			err := s.CreateRole(c.ctx, store.RoleRecord{Name: "child", MemberOf: []string{"parent"}})
			wantOnly(c, err, store.ErrInvalid, "CreateRole with a non-empty MemberOf")
			roles, err := s.ListRoles(c.ctx)
			noErr(c, err, "ListRoles")
			wantRoles(c, roles, []store.RoleRecord{{Name: "parent"}}, "ListRoles after rejected creates")
			wantMembers(c, s, "parent")
		}},
		{name: "GetMissing", run: func(c *checker, s store.Store) {
			_, err := s.GetRole(c.ctx, "nobody")
			wantOnly(c, err, store.ErrNotFound, "GetRole of a missing role")
			createRoles(c, s, "nobodyelse")
			_, err = s.GetRole(c.ctx, "nobody")
			wantOnly(c, err, store.ErrNotFound, "GetRole of a missing role beside another")
		}},
		{name: "ListSorted", run: func(c *checker, s store.Store) {
			roles, err := s.ListRoles(c.ctx)
			noErr(c, err, "ListRoles")
			wantRoles(c, roles, nil, "ListRoles of an empty store")
			names := []string{"b", "a b", "B", "é", "a", "aa", "Z", "_", "a\t"}
			createRoles(c, s, names...)
			roles, err = s.ListRoles(c.ctx)
			noErr(c, err, "ListRoles")
			want := []store.RoleRecord{}
			for _, n := range setOf(names) {
				want = append(want, store.RoleRecord{Name: n})
			}
			wantRoles(c, roles, want, "ListRoles sorted by name in byte order")
		}},
		{name: "Update", run: func(c *checker, s store.Store) {
			r := store.RoleRecord{Name: "alice", CanLogin: true, SaltedHash: "h1", Options: map[string]string{"a": "1"}}
			noErr(c, s.CreateRole(c.ctx, r), "CreateRole")
			steps := []struct {
				name string
				u    store.RoleUpdate
				edit func(*store.RoleRecord)
			}{
				{"empty update", store.RoleUpdate{}, func(*store.RoleRecord) {}},
				{"superuser", store.RoleUpdate{IsSuperuser: ptr(true)}, func(r *store.RoleRecord) { r.IsSuperuser = true }},
				{"login off", store.RoleUpdate{CanLogin: ptr(false)}, func(r *store.RoleRecord) { r.CanLogin = false }},
				{"hash", store.RoleUpdate{SaltedHash: ptr("h2")}, func(r *store.RoleRecord) { r.SaltedHash = "h2" }},
				{"options", store.RoleUpdate{Options: map[string]string{"b": "2"}}, func(r *store.RoleRecord) { r.Options = map[string]string{"b": "2"} }},
				{"same values", store.RoleUpdate{IsSuperuser: ptr(true), CanLogin: ptr(false)}, func(*store.RoleRecord) {}},
				{"remove password", store.RoleUpdate{SaltedHash: ptr("")}, func(r *store.RoleRecord) { r.SaltedHash = "" }},
				{"clear options", store.RoleUpdate{Options: map[string]string{}}, func(r *store.RoleRecord) { r.Options = nil }},
				{"all at once", store.RoleUpdate{IsSuperuser: ptr(false), CanLogin: ptr(true), SaltedHash: ptr("h3"), Options: map[string]string{"c": "3"}},
					func(r *store.RoleRecord) {
						*r = store.RoleRecord{Name: "alice", CanLogin: true, SaltedHash: "h3", Options: map[string]string{"c": "3"}}
					}},
			}
			for _, st := range steps {
				noErr(c, s.UpdateRole(c.ctx, "alice", st.u), "UpdateRole (%s)", st.name)
				st.edit(&r)
				wantRole(c, getRole(c, s, "alice"), r, "GetRole after UpdateRole (%s)", st.name)
			}
		}},
		{name: "UpdateMissing", run: func(c *checker, s store.Store) {
			wantOnly(c, s.UpdateRole(c.ctx, "ghost", store.RoleUpdate{CanLogin: ptr(true)}), store.ErrNotFound, "UpdateRole of a missing role")
			wantOnly(c, s.UpdateRole(c.ctx, "ghost", store.RoleUpdate{}), store.ErrNotFound, "empty UpdateRole of a missing role")
			_, err := s.GetRole(c.ctx, "ghost")
			wantOnly(c, err, store.ErrNotFound, "GetRole after UpdateRole of a missing role")
		}},
		{name: "Drop", run: func(c *checker, s store.Store) {
			createRoles(c, s, "a", "b")
			noErr(c, s.DropRole(c.ctx, "a"), "DropRole")
			_, err := s.GetRole(c.ctx, "a")
			wantOnly(c, err, store.ErrNotFound, "GetRole of a dropped role")
			wantOnly(c, s.DropRole(c.ctx, "a"), store.ErrNotFound, "DropRole of a dropped role")
			wantOnly(c, s.DropRole(c.ctx, "never"), store.ErrNotFound, "DropRole of a missing role")
			roles, err := s.ListRoles(c.ctx)
			noErr(c, err, "ListRoles")
			wantRoles(c, roles, []store.RoleRecord{{Name: "b"}}, "ListRoles after DropRole")
		}},
		{name: "DeepCopy", run: func(c *checker, s store.Store) {
			opts := map[string]string{"k": "v"}
			noErr(c, s.CreateRole(c.ctx, store.RoleRecord{Name: "a", Options: opts}), "CreateRole")
			createRoles(c, s, "p", "q")
			opts["k"] = "changed by caller"
			opts["new"] = "x"
			noErr(c, s.GrantRole(c.ctx, "p", "a"), "GrantRole")
			noErr(c, s.GrantRole(c.ctx, "q", "a"), "GrantRole")
			want := store.RoleRecord{Name: "a", MemberOf: []string{"p", "q"}, Options: map[string]string{"k": "v"}}
			wantRole(c, getRole(c, s, "a"), want, "GetRole after the caller changed the Options it passed to CreateRole")

			got := getRole(c, s, "a")
			got.MemberOf[0] = "zzz"
			got.Options["k"] = "changed"
			wantRole(c, getRole(c, s, "a"), want, "GetRole after the caller changed a record GetRole returned")

			roles, err := s.ListRoles(c.ctx)
			noErr(c, err, "ListRoles")
			for i := range roles {
				if len(roles[i].MemberOf) > 0 {
					roles[i].MemberOf[0] = "zzz"
				}
				maps.DeleteFunc(roles[i].Options, func(string, string) bool { return true })
			}
			wantRole(c, getRole(c, s, "a"), want, "GetRole after the caller changed records ListRoles returned")

			upd := map[string]string{"u": "1"}
			noErr(c, s.UpdateRole(c.ctx, "a", store.RoleUpdate{Options: upd}), "UpdateRole")
			upd["u"] = "2"
			want.Options = map[string]string{"u": "1"}
			wantRole(c, getRole(c, s, "a"), want, "GetRole after the caller changed the Options it passed to UpdateRole")

			members, err := s.ListMembers(c.ctx, "p")
			noErr(c, err, "ListMembers")
			if len(members) > 0 {
				members[0] = "zzz"
			}
			wantMembers(c, s, "p", "a")
		}},
	}
}

func membershipChecks() []storeCheck {
	return []storeCheck{
		{name: "GrantAndList", run: func(c *checker, s store.Store) {
			createRoles(c, s, "r1", "r2", "r3", "u")
			for _, r := range []string{"r3", "r1", "r2"} {
				noErr(c, s.GrantRole(c.ctx, r, "u"), "GrantRole(%q, u)", r)
			}
			wantMemberOf(c, s, "u", "r1", "r2", "r3")
			for _, g := range []string{"r3", "r2"} {
				noErr(c, s.GrantRole(c.ctx, "r1", g), "GrantRole(r1, %q)", g)
			}
			wantMembers(c, s, "r1", "r2", "r3", "u")
			wantMembers(c, s, "r2", "u")
			wantMembers(c, s, "u")
			wantMembers(c, s, "unknown")
		}},
		{name: "GrantTwice", run: func(c *checker, s store.Store) {
			createRoles(c, s, "r", "u")
			noErr(c, s.GrantRole(c.ctx, "r", "u"), "GrantRole")
			noErr(c, s.GrantRole(c.ctx, "r", "u"), "GrantRole again")
			wantMemberOf(c, s, "u", "r")
			wantMembers(c, s, "r", "u")
		}},
		{name: "GrantMissing", run: func(c *checker, s store.Store) {
			createRoles(c, s, "r")
			wantOnly(c, s.GrantRole(c.ctx, "r", "ghost"), store.ErrNotFound, "GrantRole to a missing grantee")
			wantOnly(c, s.GrantRole(c.ctx, "ghost", "r"), store.ErrNotFound, "GrantRole of a missing role")
			wantMemberOf(c, s, "r")
			wantMembers(c, s, "r")
			wantMembers(c, s, "ghost")
			_, err := s.GetRole(c.ctx, "ghost")
			wantOnly(c, err, store.ErrNotFound, "GetRole of the missing role after GrantRole")
		}},
		{name: "Revoke", run: func(c *checker, s store.Store) {
			createRoles(c, s, "r1", "r2", "u")
			noErr(c, s.GrantRole(c.ctx, "r1", "u"), "GrantRole")
			noErr(c, s.GrantRole(c.ctx, "r2", "u"), "GrantRole")
			noErr(c, s.RevokeRole(c.ctx, "r1", "u"), "RevokeRole")
			wantMemberOf(c, s, "u", "r2")
			wantMembers(c, s, "r1")
			wantMembers(c, s, "r2", "u")
			noErr(c, s.RevokeRole(c.ctx, "r2", "u"), "RevokeRole")
			wantMemberOf(c, s, "u")
			wantMembers(c, s, "r2")
		}},
		{name: "RevokeAbsent", run: func(c *checker, s store.Store) {
			createRoles(c, s, "r", "u", "v")
			noErr(c, s.GrantRole(c.ctx, "r", "v"), "GrantRole")
			noErr(c, s.RevokeRole(c.ctx, "r", "u"), "RevokeRole of a membership that does not exist")
			noErr(c, s.RevokeRole(c.ctx, "ghost", "u"), "RevokeRole of a missing role")
			noErr(c, s.RevokeRole(c.ctx, "r", "ghost"), "RevokeRole from a missing role")
			wantMembers(c, s, "r", "v")
			wantMemberOf(c, s, "v", "r")
			wantMemberOf(c, s, "u")
		}},
		{name: "DropRoleCleansMembers", run: func(c *checker, s store.Store) {
			createRoles(c, s, "admin", "other", "u1", "u2")
			for _, g := range []string{"u1", "u2"} {
				noErr(c, s.GrantRole(c.ctx, "admin", g), "GrantRole")
				noErr(c, s.GrantRole(c.ctx, "other", g), "GrantRole")
			}
			noErr(c, s.DropRole(c.ctx, "admin"), "DropRole")
			wantMemberOf(c, s, "u1", "other")
			wantMemberOf(c, s, "u2", "other")
			wantMembers(c, s, "admin")
			wantMembers(c, s, "other", "u1", "u2")
		}},
		{name: "DropRoleCleansParents", run: func(c *checker, s store.Store) {
			createRoles(c, s, "p1", "p2", "u", "v")
			for _, p := range []string{"p1", "p2"} {
				noErr(c, s.GrantRole(c.ctx, p, "u"), "GrantRole")
				noErr(c, s.GrantRole(c.ctx, p, "v"), "GrantRole")
			}
			noErr(c, s.DropRole(c.ctx, "u"), "DropRole")
			wantMembers(c, s, "p1", "v")
			wantMembers(c, s, "p2", "v")
			wantMemberOf(c, s, "v", "p1", "p2")
		}},
		{name: "DropRoleDropsIdentities", run: func(c *checker, s store.Store) {
			createRoles(c, s, "a", "b")
			noErr(c, s.AddIdentity(c.ctx, "spiffe://x/a1", "a"), "AddIdentity")
			noErr(c, s.AddIdentity(c.ctx, "spiffe://x/a2", "a"), "AddIdentity")
			noErr(c, s.AddIdentity(c.ctx, "spiffe://x/b", "b"), "AddIdentity")
			noErr(c, s.DropRole(c.ctx, "a"), "DropRole")
			ids, err := s.ListIdentities(c.ctx)
			noErr(c, err, "ListIdentities")
			wantEqual(c, ids, map[string]string{"spiffe://x/b": "b"}, "ListIdentities after DropRole")
			_, err = s.GetIdentity(c.ctx, "spiffe://x/a1")
			wantOnly(c, err, store.ErrNotFound, "GetIdentity of an identity of the dropped role")
		}},
		{name: "DropRoleKeepsOtherTables", run: func(c *checker, s store.Store) {
			createRoles(c, s, "a")
			_, err := s.AddPermissions(c.ctx, "a", "data/ks", permSet(resource.Select))
			noErr(c, err, "AddPermissions")
			noErr(c, s.SetDatacenters(c.ctx, "a", []string{"dc1"}), "SetDatacenters")
			noErr(c, s.SetCIDRPermissions(c.ctx, "a", []string{"g"}), "SetCIDRPermissions")
			noErr(c, s.DropRole(c.ctx, "a"), "DropRole")
			p, err := s.GetPermissions(c.ctx, "a", "data/ks")
			noErr(c, err, "GetPermissions")
			wantEqual(c, p, permSet(resource.Select), "GetPermissions after DropRole (grants are revoked separately)")
			dcs, err := s.GetDatacenters(c.ctx, "a")
			noErr(c, err, "GetDatacenters")
			wantSet(c, dcs, []string{"dc1"}, "GetDatacenters after DropRole (dropped separately)")
			groups, err := s.GetCIDRPermissions(c.ctx, "a")
			noErr(c, err, "GetCIDRPermissions")
			wantSet(c, groups, []string{"g"}, "GetCIDRPermissions after DropRole (dropped separately)")
		}},
		{name: "CyclesAreStored", run: func(c *checker, s store.Store) {
			createRoles(c, s, "a", "b", "self")
			noErr(c, s.GrantRole(c.ctx, "a", "b"), "GrantRole(a, b)")
			noErr(c, s.GrantRole(c.ctx, "b", "a"), "GrantRole(b, a): cycles are the role manager's business")
			noErr(c, s.GrantRole(c.ctx, "self", "self"), "GrantRole(self, self)")
			wantMemberOf(c, s, "a", "b")
			wantMemberOf(c, s, "b", "a")
			wantMemberOf(c, s, "self", "self")
			wantMembers(c, s, "self", "self")
			noErr(c, s.DropRole(c.ctx, "a"), "DropRole(a)")
			wantMemberOf(c, s, "b")
			wantMembers(c, s, "b")
			noErr(c, s.DropRole(c.ctx, "self"), "DropRole(self)")
			roles, err := s.ListRoles(c.ctx)
			noErr(c, err, "ListRoles")
			wantRoles(c, roles, []store.RoleRecord{{Name: "b"}}, "ListRoles after dropping the cycle")
		}},
		{name: "RecreatedRoleStartsClean", run: func(c *checker, s store.Store) {
			createRoles(c, s, "p", "r", "m")
			noErr(c, s.GrantRole(c.ctx, "p", "r"), "GrantRole(p, r)")
			noErr(c, s.GrantRole(c.ctx, "r", "m"), "GrantRole(r, m)")
			noErr(c, s.DropRole(c.ctx, "r"), "DropRole")
			createRoles(c, s, "r")
			wantMemberOf(c, s, "r")
			wantMembers(c, s, "r")
			wantMembers(c, s, "p")
			wantMemberOf(c, s, "m")
		}},
	}
}
