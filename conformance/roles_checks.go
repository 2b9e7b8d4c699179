package conformance

import (
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// A bcrypt hash (cost 4) of "secret-0", and another of "secret-1", for
// HASHED PASSWORD: the suites need no bcrypt of their own.
const (
	hashedSecret0 = "$2a$04$UnIF6Vrmn8eDovE4PKq0mu/2oS1.3zFuk0DGYkeeik3DiOJBZtsfe"
	hashedSecret1 = "$2a$04$McWMphD/ZmNgxKHDKkgfh.e66WD3AJiizHgnBuZmdPeTNkLkOoR4K"
)

// knownOptions is every option of roles.Option.
const knownOptions = roles.OptionSet(1<<roles.OptSuperuser | 1<<roles.OptPassword | 1<<roles.OptLogin |
	1<<roles.OptOptions | 1<<roles.OptHashedPassword)

// createDropChecks cover CreateRole, DropRole, AllRoles and the reads of
// unknown roles.
func createDropChecks() []roleManagerCheck {
	return []roleManagerCheck{
		{name: "Create", run: func(c *checker, m roles.Manager) {
			all, err := m.AllRoles(c.ctx)
			noErr(c, err, "AllRoles")
			wantStrings(c, all, nil, "AllRoles of a fresh manager")
			mkRoles(c, m, "alice")
			ok, err := m.IsExistingRole(c.ctx, "alice")
			noErr(c, err, "IsExistingRole")
			wantEqual(c, ok, true, "IsExistingRole of a created role")
			wantFlags(c, c.ctx, m, "alice", false, false)
			wantRolesOf(c, c.ctx, m, "alice", false, "alice")
			wantRolesOf(c, c.ctx, m, "alice", true, "alice")
			wantDetails(c, c.ctx, m, "alice", map[string]roleFacts{"alice": {}})
		}},
		{name: "CreateExisting", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "alice")
			wantErr(c, m.CreateRole(c.ctx, roles.System, "alice", roles.Options{}), store.ErrExists, "CreateRole of an existing role")
			all, err := m.AllRoles(c.ctx)
			noErr(c, err, "AllRoles")
			wantStrings(c, all, []string{"alice"}, "AllRoles")
		}},
		{name: "EmptyName", run: func(c *checker, m roles.Manager) {
			wantErr(c, m.CreateRole(c.ctx, roles.System, "", roles.Options{}), roles.ErrInvalid, "CreateRole of an empty name")
			all, err := m.AllRoles(c.ctx)
			noErr(c, err, "AllRoles")
			wantStrings(c, all, nil, "AllRoles after a refused CreateRole")
		}},
		{name: "Drop", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "alice", "bob")
			noErr(c, m.DropRole(c.ctx, roles.System, "alice"), "DropRole")
			ok, err := m.IsExistingRole(c.ctx, "alice")
			noErr(c, err, "IsExistingRole")
			wantEqual(c, ok, false, "IsExistingRole of a dropped role")
			all, err := m.AllRoles(c.ctx)
			noErr(c, err, "AllRoles")
			wantStrings(c, all, []string{"bob"}, "AllRoles after DropRole")
			wantErr(c, m.DropRole(c.ctx, roles.System, "alice"), store.ErrNotFound, "DropRole of a dropped role")
		}},
		{name: "AllRolesSorted", run: func(c *checker, m roles.Manager) {
			names := []string{"m", "B", "a", "z1", "z", "_x", "A"}
			mkRoles(c, m, names...)
			all, err := m.AllRoles(c.ctx)
			noErr(c, err, "AllRoles")
			wantStrings(c, all, setOf(names), "AllRoles (sorted)")
		}},
		{name: "Unknown", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "alice")
			ok, err := m.IsExistingRole(c.ctx, "nobody")
			noErr(c, err, "IsExistingRole")
			wantEqual(c, ok, false, "IsExistingRole of an unknown role")
			wantFlags(c, c.ctx, m, "nobody", false, false)
			wantSuperStatus(c, c.ctx, m, "nobody", false)
			wantRolesOf(c, c.ctx, m, "nobody", false)
			wantRolesOf(c, c.ctx, m, "nobody", true)
			wantDetails(c, c.ctx, m, "nobody", nil)
			opts, err := m.CustomOptions(c.ctx, "nobody")
			noErr(c, err, "CustomOptions")
			if opts == nil || len(opts) != 0 {
				c.Errorf("CustomOptions of an unknown role = %#v, want an empty, non-nil map", opts)
			}
		}},
		{name: "DropRemovesMemberships", run: func(c *checker, m roles.Manager) {
			// parent <- mid <- child: dropping mid cuts child off parent.
			mkRoles(c, m, "parent", "mid", "child")
			grantRoles(c, m, [2]string{"parent", "mid"}, [2]string{"mid", "child"})
			noErr(c, m.DropRole(c.ctx, roles.System, "mid"), "DropRole(mid)")
			wantRolesOf(c, c.ctx, m, "child", false, "child")
			wantRolesOf(c, c.ctx, m, "child", true, "child")
			wantDetails(c, c.ctx, m, "child", map[string]roleFacts{"child": {}})
			wantRolesOf(c, c.ctx, m, "parent", true, "parent")
		}},
		{name: "RecreatedRoleStartsClean", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "parent", "mid", "child")
			grantRoles(c, m, [2]string{"parent", "mid"}, [2]string{"mid", "child"})
			noErr(c, m.DropRole(c.ctx, roles.System, "mid"), "DropRole(mid)")
			mkRoles(c, m, "mid")
			wantRolesOf(c, c.ctx, m, "mid", true, "mid")
			wantRolesOf(c, c.ctx, m, "child", true, "child")
			// The dropped role's old membership must not come back either.
			grantRoles(c, m, [2]string{"mid", "child"})
			wantRolesOf(c, c.ctx, m, "child", true, "child", "mid")
		}},
	}
}

// alterChecks cover AlterRole.
func alterChecks() []roleManagerCheck {
	flag := func(o roles.Option) func(c *checker, m roles.Manager) {
		return func(c *checker, m roles.Manager) {
			set := func(v bool) roles.Options {
				if o == roles.OptSuperuser {
					return roles.Options{Superuser: &v}
				}
				return roles.Options{Login: &v}
			}
			flags := func(v bool) (super, login bool) { return v && o == roles.OptSuperuser, v && o == roles.OptLogin }
			mkRoles(c, m, "alice", "bob")
			grantRoles(c, m, [2]string{"bob", "alice"})
			for _, v := range []bool{true, false, true} {
				noErr(c, m.AlterRole(c.ctx, roles.System, "alice", set(v)), "AlterRole(alice, %v)", set(v))
				super, login := flags(v)
				wantFlags(c, c.ctx, m, "alice", super, login)
				wantFlags(c, c.ctx, m, "bob", false, false)
				wantRolesOf(c, c.ctx, m, "alice", false, "alice", "bob")
			}
		}
	}
	return []roleManagerCheck{
		{name: "Superuser", needs: needsOption(roles.OptSuperuser), run: flag(roles.OptSuperuser)},
		{name: "Login", needs: needsOption(roles.OptLogin), run: flag(roles.OptLogin)},
		{name: "Both", run: func(c *checker, m roles.Manager) {
			sup := m.SupportedOptions()
			if !sup.Has(roles.OptSuperuser) || !sup.Has(roles.OptLogin) {
				c.Skip("the manager does not support both SUPERUSER and LOGIN")
			}
			mkRole(c, c.ctx, m, "alice", roles.Options{Superuser: ptr(true)})
			noErr(c, m.AlterRole(c.ctx, roles.System, "alice", roles.Options{Login: ptr(true)}), "AlterRole(LOGIN)")
			wantFlags(c, c.ctx, m, "alice", true, true)
			noErr(c, m.AlterRole(c.ctx, roles.System, "alice", roles.Options{Superuser: ptr(false), Login: ptr(false)}), "AlterRole(both)")
			wantFlags(c, c.ctx, m, "alice", false, false)
		}},
		{name: "NoOptions", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "alice", "bob")
			grantRoles(c, m, [2]string{"bob", "alice"})
			noErr(c, m.AlterRole(c.ctx, roles.System, "alice", roles.Options{}), "AlterRole without options")
			wantFlags(c, c.ctx, m, "alice", false, false)
			wantRolesOf(c, c.ctx, m, "alice", false, "alice", "bob")
		}},
		{name: "Missing", run: func(c *checker, m roles.Manager) {
			var opts roles.Options
			switch sup := m.SupportedOptions(); {
			case sup.Has(roles.OptLogin):
				opts.Login = ptr(true)
			case sup.Has(roles.OptSuperuser):
				opts.Superuser = ptr(true)
			default:
				c.Skip("the manager supports neither LOGIN nor SUPERUSER")
			}
			wantErr(c, m.AlterRole(c.ctx, roles.System, "nobody", opts), store.ErrNotFound, "AlterRole(%v) of a missing role", opts)
			ok, err := m.IsExistingRole(c.ctx, "nobody")
			noErr(c, err, "IsExistingRole")
			wantEqual(c, ok, false, "IsExistingRole after AlterRole of a missing role")
		}},
	}
}

// optionChecks cover SupportedOptions, AlterableOptions, the password
// options and CustomOptions.
func optionChecks() []roleManagerCheck {
	return []roleManagerCheck{
		{name: "SetsConsistent", run: func(c *checker, m roles.Manager) {
			sup, alt := m.SupportedOptions(), m.AlterableOptions()
			if sup&^knownOptions != 0 || alt&^knownOptions != 0 {
				c.Errorf("SupportedOptions %v / AlterableOptions %v hold unknown options (%08b, %08b)", sup, alt, sup, alt)
			}
			if alt&^sup != 0 {
				c.Errorf("AlterableOptions %v is not a subset of SupportedOptions %v", alt, sup)
			}
			wantEqual(c, m.SupportedOptions(), sup, "SupportedOptions called twice")
			wantEqual(c, m.AlterableOptions(), alt, "AlterableOptions called twice")
		}},
		{name: "CreateWithFlags", run: func(c *checker, m roles.Manager) {
			sup := m.SupportedOptions()
			for _, tc := range []struct {
				name         string
				super, login bool
			}{{"neither", false, false}, {"super", true, false}, {"login", false, true}, {"both", true, true}} {
				if (tc.super && !sup.Has(roles.OptSuperuser)) || (tc.login && !sup.Has(roles.OptLogin)) {
					continue
				}
				var opts roles.Options
				if sup.Has(roles.OptSuperuser) {
					opts.Superuser = ptr(tc.super)
				}
				if sup.Has(roles.OptLogin) {
					opts.Login = ptr(tc.login)
				}
				mkRole(c, c.ctx, m, tc.name, opts)
				wantFlags(c, c.ctx, m, tc.name, tc.super, tc.login)
				wantDetails(c, c.ctx, m, tc.name, map[string]roleFacts{tc.name: {super: tc.super, login: tc.login}})
			}
		}},
		{name: "Password", needs: needsOption(roles.OptPassword), run: func(c *checker, m roles.Manager) {
			mkRole(c, c.ctx, m, "alice", roles.Options{Password: ptr("secret-0")})
			noErr(c, m.AlterRole(c.ctx, roles.System, "alice", roles.Options{Password: ptr("secret-1")}), "AlterRole(PASSWORD)")
			wantFlags(c, c.ctx, m, "alice", false, false)
		}},
		{name: "HashedPassword", needs: needsOption(roles.OptHashedPassword), run: func(c *checker, m roles.Manager) {
			mkRole(c, c.ctx, m, "alice", roles.Options{HashedPassword: ptr(hashedSecret0)})
			noErr(c, m.AlterRole(c.ctx, roles.System, "alice", roles.Options{HashedPassword: ptr(hashedSecret1)}), "AlterRole(HASHED PASSWORD)")
			wantFlags(c, c.ctx, m, "alice", false, false)
		}},
		{name: "CustomOptions", run: func(c *checker, m roles.Manager) {
			custom := map[string]string{"a": "1", "b": "2"}
			want := map[string]string{}
			opts := roles.Options{}
			if m.SupportedOptions().Has(roles.OptOptions) {
				opts.Custom, want = custom, map[string]string{"a": "1", "b": "2"}
			}
			mkRole(c, c.ctx, m, "alice", opts)
			got, err := m.CustomOptions(c.ctx, "alice")
			noErr(c, err, "CustomOptions")
			if got == nil {
				c.Errorf("CustomOptions = nil, want a non-nil map")
			}
			wantEqual(c, len(got), len(want), "len(CustomOptions)")
			for k, v := range want {
				wantEqual(c, got[k], v, "CustomOptions[%q]", k)
			}
			custom["a"] = "changed"
			if got != nil {
				got["b"] = "changed"
			}
			again, err := m.CustomOptions(c.ctx, "alice")
			noErr(c, err, "CustomOptions")
			wantEqual(c, len(again), len(want), "len(CustomOptions) after the caller changed its maps")
			for k, v := range want {
				wantEqual(c, again[k], v, "CustomOptions[%q] after the caller changed its maps", k)
			}
		}},
	}
}
