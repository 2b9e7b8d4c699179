package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"

	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// The authorizer's model test drives the authorizer and its role manager
// with random roles, memberships, grants, revokes and drops (a dropped role
// also loses its grants and the grants on it, as DROP ROLE does), and
// after every step compares Authorize for every role and resource, and List
// when the authorizer supports it, with a roleGraph and a map of grants.
// The cases share one part, each in its own namespace (see caseNS).

// authzModelRun is one rapid case.
type authzModelRun struct {
	ctx    context.Context
	p      authzPart
	ns     caseNS
	g      *roleGraph
	grants map[string]map[string]resource.PermissionSet // role -> resource key -> non-empty set
	res    map[string]resource.Resource                 // resource key -> the case's resource
	super  bool                                         // the manager supports SUPERUSER
	list   bool                                         // the authorizer supports List
}

// authzModelKeys are the resources the model draws from; roleResKey is
// the one that names role r1 and is revoked when r1 is dropped.
const roleResKey = "role r1"

func authzModelKeys() []string { return []string{"ks", "ks/*", "ks/t1", roleResKey, "functions ks"} }

func newAuthzModelRun(ctx context.Context, p authzPart, n int64, list bool) *authzModelRun {
	ns := newCaseNS(n)
	return &authzModelRun{
		ctx: ctx, p: p, ns: ns, g: newRoleGraph(), grants: map[string]map[string]resource.PermissionSet{},
		res: map[string]resource.Resource{
			"ks": resource.Keyspace(ns.ks), "ks/*": resource.AllTables(ns.ks), "ks/t1": resource.Table(ns.ks, "t1"),
			roleResKey: resource.Role(ns.role("r1")), "functions ks": resource.FunctionsIn(ns.ks),
		},
		super: p.m.SupportedOptions().Has(roles.OptSuperuser),
		list:  list,
	}
}

func authzModelChecks() []authorizerCheck {
	return []authorizerCheck{{name: "StateMachine", long: true, needs: needsAuthorization, run: func(c *checker, p authzPart) {
		list := probeAuthorizer(c, p)
		var cases atomic.Int64
		rapid.Check(c, func(t *rapid.T) {
			r := newAuthzModelRun(c.ctx, p, cases.Add(1), list)
			t.Cleanup(r.clear)
			t.Repeat(r.actions())
		})
	}}}
}

// probeAuthorizer skips the check if the authorizer cannot Grant, and
// reports whether it can List, with a role of its own that it drops again.
func probeAuthorizer(c *checker, p authzPart) (list bool) {
	c.Helper()
	const probe = "probe.role"
	ks := resource.Keyspace("probe_ks")
	mkRole(c, c.ctx, p.m, probe, roles.Options{})
	defer func() {
		_ = p.a.RevokeAllFrom(c.ctx, probe)
		_ = p.m.DropRole(c.ctx, roles.System, probe)
	}()
	grantPerms(c, p, probe, ks, selectOnly)
	_, err := p.a.List(c.ctx, roles.System, resource.AllPermissions, resource.Resource{}, probe)
	if err != nil && !errors.Is(err, authz.ErrUnsupported) {
		c.Fatalf("List: %v", err)
	}
	return err == nil
}

// clear drops what the case created, as far as the part lets it.
func (r *authzModelRun) clear() {
	for _, name := range graphRoles() {
		_ = r.p.a.RevokeAllFrom(r.ctx, r.ns.role(name))
		_ = r.p.m.DropRole(r.ctx, roles.System, r.ns.role(name))
	}
}

// held returns what the model says user holds on the resource key.
func (r *authzModelRun) held(user, key string) resource.PermissionSet {
	if !r.g.has(user) {
		return resource.NoPermissions
	}
	if r.g.superStatus(user) {
		return r.res[key].Applicable()
	}
	var ps resource.PermissionSet
	for role := range r.g.closure(user) {
		ps |= r.grants[role][key]
	}
	return ps
}

// rows returns the model's grants of the given model roles (nil: all) on
// the resource key ("": all) as List shows them, in part names.
func (r *authzModelRun) rows(who []string, key string) []authz.PermissionDetails {
	var grants []grantRow
	for role, byRes := range r.grants {
		for k, ps := range byRes {
			grants = append(grants, grantRow{role: r.ns.role(role), res: r.res[k], perms: ps})
		}
	}
	var pwho []string
	if who != nil {
		pwho = []string{}
		for _, w := range who {
			pwho = append(pwho, r.ns.role(w))
		}
	}
	res := resource.Resource{}
	if key != "" {
		res = r.res[key]
	}
	return detailsOf(grants, resource.AllPermissions, res, pwho)
}

// forget removes every grant to role, and every grant on key ("" for none).
func (r *authzModelRun) forget(role, key string) {
	delete(r.grants, role)
	if key == "" {
		return
	}
	for other, byRes := range r.grants {
		delete(byRes, key)
		if len(byRes) == 0 {
			delete(r.grants, other)
		}
	}
}

func (r *authzModelRun) actions() map[string]func(*rapid.T) {
	drawRole := func(t *rapid.T, label string) string { return rapid.SampledFrom(graphRoles()).Draw(t, label) }
	drawKey := func(t *rapid.T) string { return rapid.SampledFrom(authzModelKeys()).Draw(t, "resource") }
	drawPerms := func(t *rapid.T, from resource.PermissionSet) resource.PermissionSet {
		return resource.SetOf(rapid.SliceOfN(rapid.SampledFrom(from.Slice()), 1, 3).Draw(t, "permissions")...)
	}
	ns, g, a := r.ns, r.g, r.p.a
	actions := map[string]func(*rapid.T){
		"": r.check,
		"CreateRole": func(t *rapid.T) {
			name := drawRole(t, "role")
			super := r.super && rapid.IntRange(0, 3).Draw(t, "super") == 0
			err := r.p.m.CreateRole(r.ctx, roles.System, ns.role(name), roles.Options{Superuser: ptrIf(r.super, super)})
			if g.has(name) {
				wantErr(caseT{t, ns}, err, store.ErrExists, "CreateRole(%q) of an existing role", name)
				return
			}
			noErr(caseT{t, ns}, err, "CreateRole(%q)", name)
			g.create(name, super, false)
		},
		"DropRole": func(t *rapid.T) {
			name := drawRole(t, "role")
			ct := caseT{t, ns}
			dropRoleStep(ct, r.ctx, r.p.m, g, name)
			noErr(ct, a.RevokeAllFrom(r.ctx, ns.role(name)), "RevokeAllFrom(%q)", name)
			noErr(ct, a.RevokeAllOn(r.ctx, resource.Role(ns.role(name))), "RevokeAllOn(role %q)", name)
			key := ""
			if r.res[roleResKey] == resource.Role(ns.role(name)) {
				key = roleResKey
			}
			r.forget(name, key)
		},
		"GrantRole": func(t *rapid.T) {
			grantRoleStep(caseT{t, ns}, r.ctx, r.p.m, g, drawRole(t, "role"), drawRole(t, "grantee"))
		},
		"RevokeRole": func(t *rapid.T) {
			revokeRoleStep(caseT{t, ns}, r.ctx, r.p.m, g, drawRole(t, "role"), drawRole(t, "revokee"))
		},
		"Grant": func(t *rapid.T) {
			role, key := drawRole(t, "role"), drawKey(t)
			perms := drawPerms(t, r.res[key].Applicable())
			got, err := a.Grant(r.ctx, roles.System, perms, r.res[key], ns.role(role))
			what := fmt.Sprintf("Grant(%v, %s, %q)", perms, key, role)
			if !g.has(role) {
				wantErr(caseT{t, ns}, err, authz.ErrNoSuchRole, "%s to a missing role", what)
				return
			}
			noErr(caseT{t, ns}, err, "%s", what)
			old := r.grants[role][key]
			wantEqual(caseT{t, ns}, got, perms.Minus(old), "%s: newly granted", what)
			if r.grants[role] == nil {
				r.grants[role] = map[string]resource.PermissionSet{}
			}
			r.grants[role][key] = old | perms
		},
		"Revoke": func(t *rapid.T) {
			role, key := drawRole(t, "role"), drawKey(t)
			perms := drawPerms(t, resource.AllPermissions)
			got, err := a.Revoke(r.ctx, roles.System, perms, r.res[key], ns.role(role))
			what := fmt.Sprintf("Revoke(%v, %s, %q)", perms, key, role)
			if !g.has(role) && err != nil {
				wantErr(caseT{t, ns}, err, authz.ErrNoSuchRole, "%s from a missing role", what)
				return
			}
			noErr(caseT{t, ns}, err, "%s", what)
			old := r.grants[role][key]
			wantEqual(caseT{t, ns}, got, old.Intersect(perms), "%s: removed", what)
			if rest := old.Minus(perms); rest.IsEmpty() {
				delete(r.grants[role], key)
			} else {
				r.grants[role][key] = rest
			}
		},
		"RevokeAllFrom": func(t *rapid.T) {
			role := drawRole(t, "role")
			noErr(caseT{t, ns}, a.RevokeAllFrom(r.ctx, ns.role(role)), "RevokeAllFrom(%q)", role)
			r.forget(role, "")
		},
		"RevokeAllOn": func(t *rapid.T) {
			key := drawKey(t)
			noErr(caseT{t, ns}, a.RevokeAllOn(r.ctx, r.res[key]), "RevokeAllOn(%s)", key)
			r.forget("", key)
		},
	}
	if r.super {
		actions["AlterSuperuser"] = func(t *rapid.T) {
			name, super := drawRole(t, "role"), rapid.Bool().Draw(t, "super")
			err := r.p.m.AlterRole(r.ctx, roles.System, ns.role(name), roles.Options{Superuser: &super})
			if !g.has(name) {
				wantErr(caseT{t, ns}, err, store.ErrNotFound, "AlterRole(%q) of a missing role", name)
				return
			}
			noErr(caseT{t, ns}, err, "AlterRole(%q, SUPERUSER %t)", name, super)
			g.roles[name].super = super
		}
	}
	return actions
}

// check compares Authorize, and List if supported, with the model.
func (r *authzModelRun) check(t *rapid.T) {
	ct := caseT{t, r.ns}
	ct.Helper()
	for _, role := range graphRoles() {
		for _, key := range authzModelKeys() {
			wantAuthorize(ct, r.ctx, r.p.a, r.ns.role(role), r.res[key], r.held(role, key))
		}
	}
	if !r.list {
		return
	}
	for _, role := range graphRoles() {
		got, err := r.p.a.List(r.ctx, roles.System, resource.AllPermissions, resource.Resource{}, r.ns.role(role))
		noErr(ct, err, "List(ALL, every resource, %q)", role)
		var want []authz.PermissionDetails
		if r.g.has(role) {
			want = r.rows(slices.Collect(maps.Keys(r.g.closure(role))), "")
		}
		wantList(ct, got, want, "List(ALL, every resource, %q)", role)
	}
	for _, key := range authzModelKeys() {
		got, err := r.p.a.List(r.ctx, roles.System, resource.AllPermissions, r.res[key], "")
		noErr(ct, err, "List(ALL, %s, every role)", key)
		wantList(ct, got, r.rows(nil, key), "List(ALL, %s, every role)", key)
	}
}

// ptrIf returns &v if ok, else nil: an option given only when supported.
func ptrIf[T any](ok bool, v T) *T {
	if !ok {
		return nil
	}
	return &v
}
