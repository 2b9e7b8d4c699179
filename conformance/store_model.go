package conformance

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync/atomic"

	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// The model test drives a store with random sequences of every write of
// the contract and, after every step, compares every read with a plain
// reference model made of maps. All rapid test cases of one run share one
// store (the factory ties a store's teardown to the test, not to a test
// case), so each case works in a namespace of its own through an nsStore:
// the model and every message speak of plain names ("r1", "data/ks/t1"),
// the store holds the case's ("m7.r1", "data/ks_m7/t1"). Messages must not
// depend on the namespace, or rapid could not shrink.

// mRole is a role of the model: its columns and its member_of set.
type mRole struct {
	super, login bool
	hash         string
	options      map[string]string
	memberOf     map[string]bool
}

// model is the reference: system_auth as maps, nothing derived stored.
type model struct {
	roles  map[string]*mRole
	perms  map[string]map[string]resource.PermissionSet // role -> resource -> non-empty set
	dcs    map[string][]string                          // role -> sorted set; present = row
	cidr   map[string][]string
	groups map[string][]netip.Prefix
	ids    map[string]string
}

func newModel() *model {
	return &model{
		roles: map[string]*mRole{}, perms: map[string]map[string]resource.PermissionSet{},
		dcs: map[string][]string{}, cidr: map[string][]string{}, groups: map[string][]netip.Prefix{},
		ids: map[string]string{},
	}
}

// members returns the roles that role is granted to, sorted.
func (m *model) members(role string) []string {
	var out []string
	for name, r := range m.roles {
		if r.memberOf[role] {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// record returns the role as the store should.
func (m *model) record(name string) store.RoleRecord {
	r := m.roles[name]
	return store.RoleRecord{Name: name, IsSuperuser: r.super, CanLogin: r.login, SaltedHash: r.hash,
		MemberOf: slices.Sorted(maps.Keys(r.memberOf)), Options: maps.Clone(r.options)}
}

// grantees returns the roles holding permissions on res, sorted.
func (m *model) grantees(res string) []string {
	var out []string
	for role, ps := range m.perms {
		if _, ok := ps[res]; ok {
			out = append(out, role)
		}
	}
	slices.Sort(out)
	return out
}

// grants returns the grants of role, sorted by resource.
func (m *model) grants(role string) []store.Grant {
	var out []store.Grant
	for _, res := range slices.Sorted(maps.Keys(m.perms[role])) {
		out = append(out, store.Grant{Role: role, Resource: res, Permissions: m.perms[role][res]})
	}
	return out
}

// modelRun is one rapid test case: the model and the case's view of the
// store.
type modelRun struct {
	ctx context.Context
	s   *nsStore
	log *feedLog // nil without a change feed
	m   *model
}

// The pools of names the model draws from (functions, so that no package
// state can be changed).
func modelRoles() []string     { return []string{"r0", "r1", "r2", "r3", "r4"} }
func modelResources() []string { return []string{"data/ks", "data/ks/t1", "data/ks/*", "roles/r1"} }
func modelIDs() []string       { return []string{"i0", "i1", "i2"} }
func modelGroups() []string    { return []string{"g0", "g1", "g2"} }
func modelDCs() []string       { return []string{"dc1", "dc2", "dc3"} }
func modelPrefixes() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16"),
		netip.MustParsePrefix("192.168.0.0/24"), netip.MustParsePrefix("2001:db8::/32"),
	}
}

func newModelRun(ctx context.Context, s store.Store, log *feedLog, n int64) *modelRun {
	return &modelRun{ctx: ctx, s: newNSStore(s, n), log: log, m: newModel()}
}

func modelChecks() []storeCheck {
	return []storeCheck{{name: "StateMachine", long: true, run: func(c *checker, s store.Store) {
		var log *feedLog
		if f, ok := s.(store.ChangeFeed); ok {
			log = &feedLog{}
			defer f.Subscribe(log.add)()
		}
		var cases atomic.Int64
		rapid.Check(c, func(t *rapid.T) {
			r := newModelRun(c.ctx, s, log, cases.Add(1))
			t.Cleanup(func() { r.s.clear(c.ctx) })
			t.Repeat(r.actions())
		})
	}}}
}

// do runs one write: it checks the error against want (nil or a
// sentinel) and, when the write changed the model, that the change feed
// reported what it touched before the call returned.
func (r *modelRun) do(t *rapid.T, what string, want error, changed *touched, call func() error) {
	t.Helper()
	if r.log != nil {
		r.log.take()
	}
	err := call()
	if want == nil {
		if err != nil {
			t.Fatalf("%s: unexpected error: %v", what, err)
		}
	} else {
		wantOnly(t, err, want, "%s", what)
	}
	if r.log != nil && changed != nil {
		wantReported(t, r.s.unChanges(r.log.take()), *changed, "%s", what)
	}
}

func (r *modelRun) actions() map[string]func(*rapid.T) {
	drawRole := func(t *rapid.T) string { return rapid.SampledFrom(modelRoles()).Draw(t, "role") }
	drawRes := func(t *rapid.T) string { return rapid.SampledFrom(modelResources()).Draw(t, "resource") }
	drawPerms := func(t *rapid.T) resource.PermissionSet {
		return resource.PermissionSet(rapid.Uint16Range(0, uint16(resource.AllPermissions)).Draw(t, "perms"))
	}
	drawOptions := func(t *rapid.T, label string) map[string]string {
		return rapid.SampledFrom([]map[string]string{nil, {}, {"k": "v"}, {"a": "1", "b": "2"}}).Draw(t, label)
	}
	m := r.m
	return map[string]func(*rapid.T){
		"": r.check,
		"CreateRole": func(t *rapid.T) {
			rec := store.RoleRecord{Name: drawRole(t), IsSuperuser: rapid.Bool().Draw(t, "super"),
				CanLogin: rapid.Bool().Draw(t, "login"), SaltedHash: rapid.SampledFrom([]string{"", "$2a$04$x"}).Draw(t, "hash"),
				Options: drawOptions(t, "options")}
			if _, ok := m.roles[rec.Name]; ok {
				r.do(t, "CreateRole", store.ErrExists, nil, func() error { return r.s.CreateRole(r.ctx, rec) })
				return
			}
			opts := maps.Clone(rec.Options)
			if len(opts) == 0 {
				opts = nil
			}
			m.roles[rec.Name] = &mRole{super: rec.IsSuperuser, login: rec.CanLogin, hash: rec.SaltedHash, options: opts, memberOf: map[string]bool{}}
			r.do(t, "CreateRole", nil, &touched{kind: store.ChangeRole, roles: []string{rec.Name}},
				func() error { return r.s.CreateRole(r.ctx, rec) })
		},
		"CreateRoleInvalid": func(t *rapid.T) {
			rec := store.RoleRecord{Name: drawRole(t), MemberOf: []string{drawRole(t)}}
			if rapid.Bool().Draw(t, "emptyName") {
				rec = store.RoleRecord{CanLogin: true}
			}
			r.do(t, "CreateRole (invalid)", store.ErrInvalid, nil, func() error { return r.s.CreateRole(r.ctx, rec) })
		},
		"UpdateRole": func(t *rapid.T) {
			name := drawRole(t)
			var u store.RoleUpdate
			if rapid.Bool().Draw(t, "setSuper") {
				u.IsSuperuser = ptr(rapid.Bool().Draw(t, "super"))
			}
			if rapid.Bool().Draw(t, "setLogin") {
				u.CanLogin = ptr(rapid.Bool().Draw(t, "login"))
			}
			if rapid.Bool().Draw(t, "setHash") {
				u.SaltedHash = ptr(rapid.SampledFrom([]string{"", "$2a$04$x", "$2a$04$y"}).Draw(t, "hash"))
			}
			if rapid.Bool().Draw(t, "setOptions") {
				u.Options = drawOptions(t, "options")
				if u.Options == nil {
					u.Options = map[string]string{}
				}
			}
			row, ok := m.roles[name]
			if !ok {
				r.do(t, "UpdateRole", store.ErrNotFound, nil, func() error { return r.s.UpdateRole(r.ctx, name, u) })
				return
			}
			before := m.record(name)
			if u.IsSuperuser != nil {
				row.super = *u.IsSuperuser
			}
			if u.CanLogin != nil {
				row.login = *u.CanLogin
			}
			if u.SaltedHash != nil {
				row.hash = *u.SaltedHash
			}
			if u.Options != nil {
				row.options = maps.Clone(u.Options)
				if len(row.options) == 0 {
					row.options = nil
				}
			}
			var ch *touched
			if viewRole(before) != viewRole(m.record(name)) {
				ch = &touched{kind: store.ChangeRole, roles: []string{name}}
			}
			r.do(t, "UpdateRole", nil, ch, func() error { return r.s.UpdateRole(r.ctx, name, u) })
		},
		"DropRole": func(t *rapid.T) {
			name := drawRole(t)
			if _, ok := m.roles[name]; !ok {
				r.do(t, "DropRole", store.ErrNotFound, nil, func() error { return r.s.DropRole(r.ctx, name) })
				return
			}
			ch := &touched{kind: store.ChangeRole, alsoKind: store.ChangeIdentity, roles: []string{name}}
			for _, member := range m.members(name) {
				if member != name {
					ch.roles = append(ch.roles, member)
				}
				delete(m.roles[member].memberOf, name)
			}
			delete(m.roles, name)
			for id, role := range m.ids {
				if role == name {
					ch.identities = append(ch.identities, id)
					delete(m.ids, id)
				}
			}
			r.do(t, "DropRole", nil, ch, func() error { return r.s.DropRole(r.ctx, name) })
		},
		"GrantRole": func(t *rapid.T) {
			role, grantee := drawRole(t), drawRole(t)
			what := fmt.Sprintf("GrantRole(%q, %q)", role, grantee)
			_, rok := m.roles[role]
			g, gok := m.roles[grantee]
			switch {
			case !rok || !gok:
				r.do(t, what, store.ErrNotFound, nil, func() error { return r.s.GrantRole(r.ctx, role, grantee) })
			case g.memberOf[role]:
				r.do(t, what, nil, nil, func() error { return r.s.GrantRole(r.ctx, role, grantee) })
			default:
				g.memberOf[role] = true
				r.do(t, what, nil, &touched{kind: store.ChangeMembership, roles: []string{grantee, role}},
					func() error { return r.s.GrantRole(r.ctx, role, grantee) })
			}
		},
		"RevokeRole": func(t *rapid.T) {
			role, revokee := drawRole(t), drawRole(t)
			what := fmt.Sprintf("RevokeRole(%q, %q)", role, revokee)
			var ch *touched
			if g, ok := m.roles[revokee]; ok && g.memberOf[role] {
				delete(g.memberOf, role)
				ch = &touched{kind: store.ChangeMembership, roles: []string{revokee, role}}
			}
			r.do(t, what, nil, ch, func() error { return r.s.RevokeRole(r.ctx, role, revokee) })
		},
		"AddPermissions": func(t *rapid.T) {
			role, res, p := drawRole(t), drawRes(t), drawPerms(t)
			what := fmt.Sprintf("AddPermissions(%q, %q, %v)", role, res, p)
			old := m.perms[role][res]
			want := p.Minus(old)
			var ch *touched
			if !want.IsEmpty() {
				if m.perms[role] == nil {
					m.perms[role] = map[string]resource.PermissionSet{}
				}
				m.perms[role][res] = old | p
				ch = &touched{kind: store.ChangePermissions, roles: []string{role}, resources: []string{res}}
			}
			r.do(t, what, nil, ch, func() error {
				got, err := r.s.AddPermissions(r.ctx, role, res, p)
				if err == nil {
					wantEqual(t, got, want, "%s: added", what)
				}
				return err
			})
		},
		"RemovePermissions": func(t *rapid.T) {
			role, res, p := drawRole(t), drawRes(t), drawPerms(t)
			what := fmt.Sprintf("RemovePermissions(%q, %q, %v)", role, res, p)
			old := m.perms[role][res]
			want := old.Intersect(p)
			var ch *touched
			if !want.IsEmpty() {
				if rest := old.Minus(p); rest.IsEmpty() {
					delete(m.perms[role], res)
					if len(m.perms[role]) == 0 {
						delete(m.perms, role)
					}
				} else {
					m.perms[role][res] = rest
				}
				ch = &touched{kind: store.ChangePermissions, roles: []string{role}, resources: []string{res}}
			}
			r.do(t, what, nil, ch, func() error {
				got, err := r.s.RemovePermissions(r.ctx, role, res, p)
				if err == nil {
					wantEqual(t, got, want, "%s: removed", what)
				}
				return err
			})
		},
		"InvalidPermissions": func(t *rapid.T) {
			role, res := drawRole(t), drawRes(t)
			p := drawPerms(t) | resource.PermissionSet(1)<<rapid.IntRange(10, 15).Draw(t, "bit")
			r.do(t, "AddPermissions (invalid bits)", store.ErrInvalid, nil, func() error {
				_, err := r.s.AddPermissions(r.ctx, role, res, p)
				return err
			})
			r.do(t, "RemovePermissions (invalid bits)", store.ErrInvalid, nil, func() error {
				_, err := r.s.RemovePermissions(r.ctx, role, res, p)
				return err
			})
		},
		"RevokeAllFrom": func(t *rapid.T) {
			role := drawRole(t)
			var ch *touched
			if len(m.perms[role]) > 0 {
				ch = &touched{kind: store.ChangePermissions, roles: []string{role}, resources: slices.Sorted(maps.Keys(m.perms[role]))}
				delete(m.perms, role)
			}
			r.do(t, "RevokeAllFrom("+role+")", nil, ch, func() error { return r.s.RevokeAllFrom(r.ctx, role) })
		},
		"RevokeAllOn": func(t *rapid.T) {
			res := drawRes(t)
			var ch *touched
			if gs := m.grantees(res); len(gs) > 0 {
				ch = &touched{kind: store.ChangePermissions, roles: gs, resources: []string{res}}
				for _, role := range gs {
					delete(m.perms[role], res)
					if len(m.perms[role]) == 0 {
						delete(m.perms, role)
					}
				}
			}
			r.do(t, "RevokeAllOn("+res+")", nil, ch, func() error { return r.s.RevokeAllOn(r.ctx, res) })
		},
		"SetDatacenters": func(t *rapid.T) {
			role := drawRole(t)
			dcs := rapid.SliceOfN(rapid.SampledFrom(modelDCs()), 0, 4).Draw(t, "dcs")
			r.setRow(t, "SetDatacenters", store.ChangeNetwork, m.dcs, role, dcs, r.s.SetDatacenters)
		},
		"DropDatacenters": func(t *rapid.T) {
			r.dropRow(t, "DropDatacenters", store.ChangeNetwork, m.dcs, drawRole(t), r.s.DropDatacenters)
		},
		"SetCIDRPermissions": func(t *rapid.T) {
			role := drawRole(t)
			groups := rapid.SliceOfN(rapid.SampledFrom(modelGroups()), 0, 4).Draw(t, "groups")
			r.setRow(t, "SetCIDRPermissions", store.ChangeCIDR, m.cidr, role, groups, r.s.SetCIDRPermissions)
		},
		"DropCIDRPermissions": func(t *rapid.T) {
			r.dropRow(t, "DropCIDRPermissions", store.ChangeCIDR, m.cidr, drawRole(t), r.s.DropCIDRPermissions)
		},
		"SetCIDRGroup": func(t *rapid.T) {
			name := rapid.SampledFrom(modelGroups()).Draw(t, "group")
			cidrs := rapid.SliceOfN(rapid.SampledFrom(modelPrefixes()), 0, 4).Draw(t, "cidrs")
			old, had := m.groups[name]
			norm := prefixSet(cidrs)
			var ch *touched
			if !had || !slices.Equal(old, norm) {
				ch = &touched{kind: store.ChangeCIDR}
			}
			m.groups[name] = norm
			r.do(t, "SetCIDRGroup", nil, ch, func() error { return r.s.SetCIDRGroup(r.ctx, name, cidrs) })
		},
		"DropCIDRGroup": func(t *rapid.T) {
			name := rapid.SampledFrom(modelGroups()).Draw(t, "group")
			if _, ok := m.groups[name]; !ok {
				r.do(t, "DropCIDRGroup", store.ErrNotFound, nil, func() error { return r.s.DropCIDRGroup(r.ctx, name) })
				return
			}
			delete(m.groups, name)
			r.do(t, "DropCIDRGroup", nil, &touched{kind: store.ChangeCIDR}, func() error { return r.s.DropCIDRGroup(r.ctx, name) })
		},
		"AddIdentity": func(t *rapid.T) {
			id, role := rapid.SampledFrom(modelIDs()).Draw(t, "identity"), drawRole(t)
			if _, ok := m.ids[id]; ok {
				r.do(t, "AddIdentity", store.ErrExists, nil, func() error { return r.s.AddIdentity(r.ctx, id, role) })
				return
			}
			m.ids[id] = role
			r.do(t, "AddIdentity", nil, &touched{kind: store.ChangeIdentity, identities: []string{id}},
				func() error { return r.s.AddIdentity(r.ctx, id, role) })
		},
		"DropIdentity": func(t *rapid.T) {
			id := rapid.SampledFrom(modelIDs()).Draw(t, "identity")
			var ch *touched
			if _, ok := m.ids[id]; ok {
				delete(m.ids, id)
				ch = &touched{kind: store.ChangeIdentity, identities: []string{id}}
			}
			r.do(t, "DropIdentity", nil, ch, func() error { return r.s.DropIdentity(r.ctx, id) })
		},
	}
}

// setRow applies a Set of network_permissions or cidr_permissions.
func (r *modelRun) setRow(t *rapid.T, what string, kind store.ChangeKind, table map[string][]string, role string, xs []string,
	set func(context.Context, string, []string) error) {
	t.Helper()
	norm := setOf(xs)
	if norm == nil {
		norm = []string{}
	}
	old, had := table[role]
	var ch *touched
	if !had || !slices.Equal(old, norm) {
		ch = &touched{kind: kind, roles: []string{role}}
	}
	table[role] = norm
	r.do(t, what, nil, ch, func() error { return set(r.ctx, role, xs) })
}

// dropRow applies a Drop of network_permissions or cidr_permissions.
func (r *modelRun) dropRow(t *rapid.T, what string, kind store.ChangeKind, table map[string][]string, role string,
	drop func(context.Context, string) error) {
	t.Helper()
	var ch *touched
	if _, ok := table[role]; ok {
		delete(table, role)
		ch = &touched{kind: kind, roles: []string{role}}
	}
	r.do(t, what, nil, ch, func() error { return drop(r.ctx, role) })
}
