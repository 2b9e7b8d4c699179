package conformance

import (
	"math/rand/v2"
	"slices"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

const (
	resKS  = "data/ks"
	resT1  = "data/ks/t1"
	resT2  = "data/ks/t2"
	resAll = "data/ks/*"
)

// wantPerms checks GetPermissions.
func wantPerms(c *checker, s store.Store, role, res string, want resource.PermissionSet) {
	c.Helper()
	got, err := s.GetPermissions(c.ctx, role, res)
	noErr(c, err, "GetPermissions(%q, %q)", role, res)
	wantEqual(c, got, want, "GetPermissions(%q, %q)", role, res)
}

// addPerms calls AddPermissions and checks what it reports as added.
func addPerms(c *checker, s store.Store, role, res string, perms, wantAdded resource.PermissionSet) {
	c.Helper()
	got, err := s.AddPermissions(c.ctx, role, res, perms)
	noErr(c, err, "AddPermissions(%q, %q, %v)", role, res, perms)
	wantEqual(c, got, wantAdded, "AddPermissions(%q, %q, %v) added", role, res, perms)
}

// removePerms calls RemovePermissions and checks what it reports as removed.
func removePerms(c *checker, s store.Store, role, res string, perms, wantRemoved resource.PermissionSet) {
	c.Helper()
	got, err := s.RemovePermissions(c.ctx, role, res, perms)
	noErr(c, err, "RemovePermissions(%q, %q, %v)", role, res, perms)
	wantEqual(c, got, wantRemoved, "RemovePermissions(%q, %q, %v) removed", role, res, perms)
}

// wantGrantees checks ListGrantees.
func wantGrantees(c *checker, s store.Store, res string, want ...string) {
	c.Helper()
	got, err := s.ListGrantees(c.ctx, res)
	noErr(c, err, "ListGrantees(%q)", res)
	wantStrings(c, got, want, "ListGrantees(%q)", res)
}

// wantAllGrants checks ListGrants("").
func wantAllGrants(c *checker, s store.Store, want ...store.Grant) {
	c.Helper()
	got, err := s.ListGrants(c.ctx, "")
	noErr(c, err, "ListGrants(\"\")")
	wantGrants(c, got, want, "ListGrants(\"\")")
}

// checkIndex checks the consistency rule of the resource index: it holds
// (resource, role) exactly when role_permissions holds a non-empty set for
// (role, resource). extra names resources to probe beyond those granted.
func checkIndex(c *checker, s store.Store, extra ...string) {
	c.Helper()
	grants, err := s.ListGrants(c.ctx, "")
	noErr(c, err, "ListGrants(\"\")")
	byRes := map[string][]string{}
	for _, g := range grants {
		if g.Permissions.IsEmpty() {
			c.Errorf("ListGrants(\"\") holds an empty grant %s on %s", g.Role, g.Resource)
		}
		p, err := s.GetPermissions(c.ctx, g.Role, g.Resource)
		noErr(c, err, "GetPermissions")
		wantEqual(c, p, g.Permissions, "GetPermissions(%q, %q) vs ListGrants", g.Role, g.Resource)
		byRes[g.Resource] = append(byRes[g.Resource], g.Role)
	}
	for _, res := range extra {
		if _, ok := byRes[res]; !ok {
			byRes[res] = nil
		}
	}
	for res, roles := range byRes {
		got, err := s.ListGrantees(c.ctx, res)
		noErr(c, err, "ListGrantees(%q)", res)
		wantStrings(c, got, setOf(roles), "index partition of %q vs role_permissions", res)
	}
}

func permissionChecks() []storeCheck {
	return []storeCheck{
		{name: "AddAndGet", run: func(c *checker, s store.Store) {
			wantPerms(c, s, "r", resT1, 0)
			addPerms(c, s, "r", resT1, permSet(resource.Select), permSet(resource.Select))
			wantPerms(c, s, "r", resT1, permSet(resource.Select))
			addPerms(c, s, "r", resT1, permSet(resource.Select, resource.Modify), permSet(resource.Modify))
			wantPerms(c, s, "r", resT1, permSet(resource.Select, resource.Modify))
			wantPerms(c, s, "r", resT2, 0)
			wantPerms(c, s, "r", resAll, 0)
			wantPerms(c, s, "r", resKS, 0)
			wantPerms(c, s, "other", resT1, 0)
			addPerms(c, s, "r", resKS, resource.AllPermissions, resource.AllPermissions)
			wantPerms(c, s, "r", resKS, resource.AllPermissions)
		}},
		{name: "AddNothing", run: func(c *checker, s store.Store) {
			addPerms(c, s, "r", resT1, 0, 0)
			wantAllGrants(c, s)
			wantGrantees(c, s, resT1)
			addPerms(c, s, "r", resT1, permSet(resource.Select), permSet(resource.Select))
			addPerms(c, s, "r", resT1, permSet(resource.Select), 0)
			wantAllGrants(c, s, store.Grant{Role: "r", Resource: resT1, Permissions: permSet(resource.Select)})
		}},
		{name: "RemovePartial", run: func(c *checker, s store.Store) {
			addPerms(c, s, "r", resT1, permSet(resource.Select, resource.Modify), permSet(resource.Select, resource.Modify))
			removePerms(c, s, "r", resT1, permSet(resource.Modify, resource.Drop), permSet(resource.Modify))
			wantPerms(c, s, "r", resT1, permSet(resource.Select))
			wantGrantees(c, s, resT1, "r")
			wantAllGrants(c, s, store.Grant{Role: "r", Resource: resT1, Permissions: permSet(resource.Select)})
		}},
		{name: "RemoveAll", run: func(c *checker, s store.Store) {
			addPerms(c, s, "r", resT1, permSet(resource.Select, resource.Modify), permSet(resource.Select, resource.Modify))
			removePerms(c, s, "r", resT1, permSet(resource.Modify), permSet(resource.Modify))
			removePerms(c, s, "r", resT1, resource.AllPermissions, permSet(resource.Select))
			wantPerms(c, s, "r", resT1, 0)
			wantGrantees(c, s, resT1)
			wantAllGrants(c, s)
			grants, err := s.ListGrants(c.ctx, "r")
			noErr(c, err, "ListGrants(r)")
			wantGrants(c, grants, nil, "ListGrants(r) after revoking everything")
		}},
		{name: "RemoveAbsent", run: func(c *checker, s store.Store) {
			removePerms(c, s, "r", resT1, permSet(resource.Select), 0)
			addPerms(c, s, "r", resT1, permSet(resource.Select), permSet(resource.Select))
			removePerms(c, s, "r", resT1, permSet(resource.Modify), 0)
			removePerms(c, s, "r", resT1, 0, 0)
			wantPerms(c, s, "r", resT1, permSet(resource.Select))
			wantGrantees(c, s, resT1, "r")
		}},
		{name: "InvalidArguments", run: func(c *checker, s store.Store) {
			addPerms(c, s, "r", resT1, permSet(resource.Select), permSet(resource.Select))
			bad := resource.PermissionSet(1 << 15)
			cases := []struct {
				what      string
				role, res string
				perms     resource.PermissionSet
			}{
				{"empty role", "", resT1, permSet(resource.Select)},
				{"empty resource", "r", "", permSet(resource.Select)},
				{"unknown permission bits", "r", resT1, bad | permSet(resource.Modify)},
				{"only unknown bits", "r", resT1, bad},
			}
			for _, k := range cases {
				_, err := s.AddPermissions(c.ctx, k.role, k.res, k.perms)
				wantOnly(c, err, store.ErrInvalid, "AddPermissions with %s", k.what)
				_, err = s.RemovePermissions(c.ctx, k.role, k.res, k.perms|permSet(resource.Select))
				wantOnly(c, err, store.ErrInvalid, "RemovePermissions with %s", k.what)
			}
			wantAllGrants(c, s, store.Grant{Role: "r", Resource: resT1, Permissions: permSet(resource.Select)})
			wantGrantees(c, s, "")
		}},
		{name: "ListGrants", run: func(c *checker, s store.Store) {
			addPerms(c, s, "b", resT2, permSet(resource.Select), permSet(resource.Select))
			addPerms(c, s, "a", resT1, permSet(resource.Modify), permSet(resource.Modify))
			addPerms(c, s, "b", resKS, permSet(resource.Create), permSet(resource.Create))
			addPerms(c, s, "a", resAll, permSet(resource.Select), permSet(resource.Select))
			addPerms(c, s, "B", resT1, permSet(resource.Alter), permSet(resource.Alter))
			want := []store.Grant{
				{Role: "B", Resource: resT1, Permissions: permSet(resource.Alter)},
				{Role: "a", Resource: resAll, Permissions: permSet(resource.Select)},
				{Role: "a", Resource: resT1, Permissions: permSet(resource.Modify)},
				{Role: "b", Resource: resKS, Permissions: permSet(resource.Create)},
				{Role: "b", Resource: resT2, Permissions: permSet(resource.Select)},
			}
			wantAllGrants(c, s, want...)
			got, err := s.ListGrants(c.ctx, "a")
			noErr(c, err, "ListGrants(a)")
			wantGrants(c, got, want[1:3], "ListGrants(a)")
			got, err = s.ListGrants(c.ctx, "nobody")
			noErr(c, err, "ListGrants(nobody)")
			wantGrants(c, got, nil, "ListGrants of a role without grants")
			got, err = s.ListGrants(c.ctx, "")
			noErr(c, err, "ListGrants")
			for i := range got {
				got[i].Permissions = 0
				got[i].Resource = "mutated"
			}
			wantAllGrants(c, s, want...)
		}},
		{name: "ListGrantees", run: func(c *checker, s store.Store) {
			for _, r := range []string{"c", "a", "B", "b"} {
				addPerms(c, s, r, resT1, permSet(resource.Select), permSet(resource.Select))
			}
			addPerms(c, s, "z", resT2, permSet(resource.Select), permSet(resource.Select))
			wantGrantees(c, s, resT1, "B", "a", "b", "c")
			wantGrantees(c, s, resT2, "z")
			wantGrantees(c, s, resKS)
			got, err := s.ListGrantees(c.ctx, resT1)
			noErr(c, err, "ListGrantees")
			if len(got) > 0 {
				got[0] = "mutated"
			}
			wantGrantees(c, s, resT1, "B", "a", "b", "c")
		}},
		{name: "RevokeAllFrom", run: func(c *checker, s store.Store) {
			addPerms(c, s, "r", resT1, permSet(resource.Select), permSet(resource.Select))
			addPerms(c, s, "r", resT2, permSet(resource.Modify), permSet(resource.Modify))
			addPerms(c, s, "other", resT1, permSet(resource.Select), permSet(resource.Select))
			noErr(c, s.RevokeAllFrom(c.ctx, "r"), "RevokeAllFrom")
			wantPerms(c, s, "r", resT1, 0)
			wantPerms(c, s, "r", resT2, 0)
			wantGrantees(c, s, resT1, "other")
			wantGrantees(c, s, resT2)
			wantAllGrants(c, s, store.Grant{Role: "other", Resource: resT1, Permissions: permSet(resource.Select)})
			noErr(c, s.RevokeAllFrom(c.ctx, "r"), "RevokeAllFrom of a role without grants")
			noErr(c, s.RevokeAllFrom(c.ctx, "nobody"), "RevokeAllFrom of an unknown role")
		}},
		{name: "RevokeAllOn", run: func(c *checker, s store.Store) {
			addPerms(c, s, "a", resT1, permSet(resource.Select), permSet(resource.Select))
			addPerms(c, s, "b", resT1, permSet(resource.Modify), permSet(resource.Modify))
			addPerms(c, s, "a", resT2, permSet(resource.Select), permSet(resource.Select))
			noErr(c, s.RevokeAllOn(c.ctx, resT1), "RevokeAllOn")
			wantPerms(c, s, "a", resT1, 0)
			wantPerms(c, s, "b", resT1, 0)
			wantGrantees(c, s, resT1)
			wantAllGrants(c, s, store.Grant{Role: "a", Resource: resT2, Permissions: permSet(resource.Select)})
			noErr(c, s.RevokeAllOn(c.ctx, resT1), "RevokeAllOn of a resource without grants")
		}},
		{name: "OpaqueNames", run: func(c *checker, s store.Store) {
			names := []string{
				"data/k's/t\"q", "roles/with/slashes", "roles/ünïcödé",
				"functions/ks/f[org.apache.cassandra.db.marshal.Int32Type^org.apache.cassandra.db.marshal.UTF8Type]",
				"mbean/org.apache.cassandra.db:type=Tables,*", "data", "roles",
			}
			for _, n := range names {
				addPerms(c, s, "it's", n, permSet(resource.Describe), permSet(resource.Describe))
			}
			got, err := s.ListGrants(c.ctx, "it's")
			noErr(c, err, "ListGrants")
			var res []string
			for _, g := range got {
				res = append(res, g.Resource)
			}
			sorted := slices.Clone(names)
			slices.Sort(sorted)
			wantStrings(c, res, sorted, "resources of ListGrants, byte order")
			for _, n := range names {
				wantPerms(c, s, "it's", n, permSet(resource.Describe))
				wantGrantees(c, s, n, "it's")
			}
		}},
		{name: "RoleNeedNotExist", run: func(c *checker, s store.Store) {
			addPerms(c, s, "ghost", resT1, permSet(resource.Select), permSet(resource.Select))
			wantPerms(c, s, "ghost", resT1, permSet(resource.Select))
			_, err := s.GetRole(c.ctx, "ghost")
			wantOnly(c, err, store.ErrNotFound, "GetRole: AddPermissions must not create the role")
		}},
	}
}

func indexChecks() []storeCheck {
	return []storeCheck{
		{name: "PartialRevokeKeepsIndex", run: func(c *checker, s store.Store) {
			// Cassandra deletes the index row here, so a later revoke-all on
			// the resource leaves the rest of the grant behind.
			addPerms(c, s, "r", resT1, permSet(resource.Select, resource.Modify), permSet(resource.Select, resource.Modify))
			removePerms(c, s, "r", resT1, permSet(resource.Modify), permSet(resource.Modify))
			wantGrantees(c, s, resT1, "r")
			checkIndex(c, s, resT1)
			noErr(c, s.RevokeAllOn(c.ctx, resT1), "RevokeAllOn")
			wantPerms(c, s, "r", resT1, 0)
			wantAllGrants(c, s)
			checkIndex(c, s, resT1)
		}},
		{name: "FullRevokeDropsIndex", run: func(c *checker, s store.Store) {
			addPerms(c, s, "r", resT1, permSet(resource.Select), permSet(resource.Select))
			addPerms(c, s, "q", resT1, permSet(resource.Select), permSet(resource.Select))
			removePerms(c, s, "r", resT1, permSet(resource.Select), permSet(resource.Select))
			wantGrantees(c, s, resT1, "q")
			checkIndex(c, s, resT1)
		}},
		{name: "RevokeAllFromDropsIndex", run: func(c *checker, s store.Store) {
			addPerms(c, s, "r", resT1, permSet(resource.Select), permSet(resource.Select))
			addPerms(c, s, "r", resT2, permSet(resource.Select), permSet(resource.Select))
			addPerms(c, s, "q", resT2, permSet(resource.Select), permSet(resource.Select))
			noErr(c, s.RevokeAllFrom(c.ctx, "r"), "RevokeAllFrom")
			wantGrantees(c, s, resT1)
			wantGrantees(c, s, resT2, "q")
			checkIndex(c, s, resT1, resT2)
		}},
		{name: "Sequence", run: func(c *checker, s store.Store) {
			// A fixed pseudo-random walk over every permission write,
			// checking the rule after each step.
			rnd := rand.New(rand.NewPCG(1, 2))
			roles := []string{"a", "b", "c"}
			res := []string{resKS, resT1, resT2, resAll}
			for i := range 200 {
				role, r := roles[rnd.IntN(len(roles))], res[rnd.IntN(len(res))]
				p := resource.PermissionSet(rnd.IntN(int(resource.AllPermissions) + 1))
				var err error
				switch op := rnd.IntN(10); {
				case op < 4:
					_, err = s.AddPermissions(c.ctx, role, r, p)
				case op < 8:
					_, err = s.RemovePermissions(c.ctx, role, r, p)
				case op < 9:
					err = s.RevokeAllOn(c.ctx, r)
				default:
					err = s.RevokeAllFrom(c.ctx, role)
				}
				noErr(c, err, "step %d", i)
				checkIndex(c, s, res...)
				if c.Failed() {
					c.Fatalf("the index went wrong at step %d", i)
				}
			}
		}},
	}
}
