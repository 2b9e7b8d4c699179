package conformance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"

	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// The role manager's model test drives the manager with random sequences
// of CreateRole, DropRole, AlterRole, GrantRole, RevokeRole, AddIdentity and
// DropIdentity and, after every step, compares every read with a roleGraph.
// The cases share one manager; each works in a namespace of its own (see
// caseNS) and drops its roles when it ends.

// roleModelRun is one rapid case.
type roleModelRun struct {
	ctx context.Context
	m   roles.Manager
	ns  caseNS
	g   *roleGraph
	sup roles.OptionSet
}

func roleModelChecks() []roleManagerCheck {
	return []roleManagerCheck{{name: "StateMachine", long: true, run: func(c *checker, m roles.Manager) {
		var cases atomic.Int64
		rapid.Check(c, func(t *rapid.T) {
			r := &roleModelRun{ctx: c.ctx, m: m, ns: newCaseNS(cases.Add(1)), g: newRoleGraph(), sup: m.SupportedOptions()}
			t.Cleanup(r.clear)
			t.Repeat(r.actions())
		})
	}}}
}

// clear drops what the case created, as far as the manager lets it.
func (r *roleModelRun) clear() {
	for _, name := range graphRoles() {
		_ = r.m.DropRole(r.ctx, roles.System, r.ns.role(name))
	}
	for _, id := range graphIDs() {
		_ = r.m.DropIdentity(r.ctx, r.ns.role(id))
	}
}

// drawFlags draws values for the supported ones of SUPERUSER and LOGIN;
// with atLeastOne, one of them is always set.
func (r *roleModelRun) drawFlags(t *rapid.T, atLeastOne bool) roles.Options {
	var choices []roles.Options
	if r.sup.Has(roles.OptSuperuser) {
		choices = append(choices, roles.Options{Superuser: ptr(false)})
	}
	if r.sup.Has(roles.OptLogin) {
		choices = append(choices, roles.Options{Login: ptr(false)})
	}
	if len(choices) == 2 {
		choices = append(choices, roles.Options{Superuser: ptr(false), Login: ptr(false)})
	}
	if !atLeastOne {
		choices = append(choices, roles.Options{})
	}
	if len(choices) == 0 {
		t.Skip("the manager supports neither SUPERUSER nor LOGIN")
	}
	o := rapid.SampledFrom(choices).Draw(t, "options")
	if o.Superuser != nil {
		o.Superuser = ptr(rapid.Bool().Draw(t, "superuser"))
	}
	if o.Login != nil {
		o.Login = ptr(rapid.Bool().Draw(t, "login"))
	}
	return o
}

func (r *roleModelRun) actions() map[string]func(*rapid.T) {
	drawRole := func(t *rapid.T, label string) string { return rapid.SampledFrom(graphRoles()).Draw(t, label) }
	drawID := func(t *rapid.T) string { return rapid.SampledFrom(graphIDs()).Draw(t, "identity") }
	g, ns := r.g, r.ns
	return map[string]func(*rapid.T){
		"": r.check,
		"CreateRole": func(t *rapid.T) {
			name, opts := drawRole(t, "role"), r.drawFlags(t, false)
			err := r.m.CreateRole(r.ctx, roles.System, ns.role(name), opts)
			ct := caseT{t, ns}
			switch {
			case g.identityMapsTo(name):
				if err == nil {
					ct.Fatalf("CreateRole(%q) of a name an identity maps to succeeded", name)
				}
			case g.has(name):
				wantErr(ct, err, store.ErrExists, "CreateRole(%q) of an existing role", name)
			default:
				noErr(ct, err, "CreateRole(%q, %v)", name, opts)
				g.create(name, opts.Superuser != nil && *opts.Superuser, opts.Login != nil && *opts.Login)
			}
		},
		"DropRole": func(t *rapid.T) {
			dropRoleStep(caseT{t, ns}, r.ctx, r.m, g, drawRole(t, "role"))
		},
		"AlterRole": func(t *rapid.T) {
			name, opts := drawRole(t, "role"), r.drawFlags(t, true)
			err := r.m.AlterRole(r.ctx, roles.System, ns.role(name), opts)
			if !g.has(name) {
				wantErr(caseT{t, ns}, err, store.ErrNotFound, "AlterRole(%q, %v) of a missing role", name, opts)
				return
			}
			noErr(caseT{t, ns}, err, "AlterRole(%q, %v)", name, opts)
			if opts.Superuser != nil {
				g.roles[name].super = *opts.Superuser
			}
			if opts.Login != nil {
				g.roles[name].login = *opts.Login
			}
		},
		"GrantRole": func(t *rapid.T) {
			grantRoleStep(caseT{t, ns}, r.ctx, r.m, g, drawRole(t, "role"), drawRole(t, "grantee"))
		},
		"RevokeRole": func(t *rapid.T) {
			revokeRoleStep(caseT{t, ns}, r.ctx, r.m, g, drawRole(t, "role"), drawRole(t, "revokee"))
		},
		"Identity": func(t *rapid.T) {
			id := drawID(t)
			if rapid.Bool().Draw(t, "drop") {
				noErr(caseT{t, ns}, r.m.DropIdentity(r.ctx, ns.role(id)), "DropIdentity(%q)", id)
				delete(g.ids, id)
				return
			}
			role := drawRole(t, "role")
			err := r.m.AddIdentity(r.ctx, ns.role(id), ns.role(role))
			if _, mapped := g.ids[id]; mapped {
				wantErr(caseT{t, ns}, err, store.ErrExists, "AddIdentity(%q, %q) of a mapped identity", id, role)
				return
			}
			noErr(caseT{t, ns}, err, "AddIdentity(%q, %q)", id, role)
			g.ids[id] = role
		},
	}
}

// dropRoleStep runs DropRole(name) and checks it against g, which it
// updates; it reports whether the role existed.
func dropRoleStep(t caseT, ctx context.Context, m roles.Manager, g *roleGraph, name string) bool {
	t.Helper()
	err := m.DropRole(ctx, roles.System, t.ns.role(name))
	if !g.has(name) {
		wantErr(t, err, store.ErrNotFound, "DropRole(%q) of a missing role", name)
		return false
	}
	noErr(t, err, "DropRole(%q)", name)
	g.drop(name)
	return true
}

// grantRoleStep runs GrantRole(role, grantee) and checks it against g,
// which it updates.
func grantRoleStep(t caseT, ctx context.Context, m roles.Manager, g *roleGraph, role, grantee string) {
	t.Helper()
	err := m.GrantRole(ctx, roles.System, t.ns.role(role), t.ns.role(grantee))
	what := fmt.Sprintf("GrantRole(%q, %q)", role, grantee)
	if !g.has(role) || !g.has(grantee) {
		wantErr(t, err, store.ErrNotFound, "%s naming a missing role", what)
		return
	}
	if member, of, refused := g.grantRefusal(role, grantee); refused {
		wantText(t, err, roles.CodeInvalid, isMemberText(t.ns.role(member), t.ns.role(of)), "%s", what)
		return
	}
	noErr(t, err, "%s", what)
	g.roles[grantee].memberOf[role] = true
}

// revokeRoleStep runs RevokeRole(role, revokee) and checks it against g,
// which it updates.
func revokeRoleStep(t caseT, ctx context.Context, m roles.Manager, g *roleGraph, role, revokee string) {
	t.Helper()
	err := m.RevokeRole(ctx, roles.System, t.ns.role(role), t.ns.role(revokee))
	what := fmt.Sprintf("RevokeRole(%q, %q)", role, revokee)
	notMember := notMemberText(t.ns.role(revokee), t.ns.role(role))
	switch {
	case role == revokee && g.has(role):
		if err != nil { // Cassandra accepts REVOKE r FROM r and changes nothing
			wantText(t, err, roles.CodeInvalid, notMember, "%s", what)
		}
	case g.has(revokee) && g.roles[revokee].memberOf[role]:
		noErr(t, err, "%s", what)
		delete(g.roles[revokee].memberOf, role)
	default:
		wantText(t, err, roles.CodeInvalid, notMember, "%s", what)
	}
}

// check compares every read of the manager with the graph.
func (r *roleModelRun) check(t *rapid.T) {
	ct := caseT{t, r.ns}
	ct.Helper()
	ctx, m, g, ns := r.ctx, r.m, r.g, r.ns
	all, err := m.AllRoles(ctx)
	noErr(ct, err, "AllRoles")
	wantSorted(ct, all, "AllRoles")
	wantStrings(ct, ns.own(all), slices.Sorted(maps.Keys(g.roles)), "AllRoles (this case's roles)")
	for _, name := range graphRoles() {
		pname := ns.role(name)
		ok, err := m.IsExistingRole(ctx, pname)
		noErr(ct, err, "IsExistingRole(%q)", name)
		wantEqual(ct, ok, g.has(name), "IsExistingRole(%q)", name)
		super, login := false, false
		if g.has(name) {
			super, login = g.roles[name].super, g.roles[name].login
		}
		wantFlags(ct, ctx, m, pname, super, login)
		wantSuperStatus(ct, ctx, m, pname, g.superStatus(name))
		var direct, closure []string
		for _, x := range g.direct(name) {
			direct = append(direct, ns.role(x))
		}
		for x := range g.closure(name) {
			closure = append(closure, ns.role(x))
		}
		wantRolesOf(ct, ctx, m, pname, false, direct...)
		wantRolesOf(ct, ctx, m, pname, true, closure...)
		wantDetails(ct, ctx, m, pname, g.facts(name, ns.role))
	}
	for _, id := range graphIDs() {
		got, err := m.RoleForIdentity(ctx, ns.role(id))
		noErr(ct, err, "RoleForIdentity(%q)", id)
		want := ""
		if role, ok := g.ids[id]; ok {
			want = ns.role(role)
		}
		wantEqual(ct, got, want, "RoleForIdentity(%q)", id)
	}
}
