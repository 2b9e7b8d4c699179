package conformance

import (
	"maps"
	"slices"

	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/store"
)

// check compares every read of the store with the model. It runs after
// every step.
func (r *modelRun) check(t *rapid.T) {
	t.Helper()
	m, ctx, s := r.m, r.ctx, r.s

	// roles and role_members.
	got, err := s.ListRoles(ctx)
	noErr(t, err, "ListRoles")
	var want []store.RoleRecord
	for _, name := range slices.Sorted(maps.Keys(m.roles)) {
		want = append(want, m.record(name))
	}
	wantRoles(t, got, want, "ListRoles")
	for _, name := range modelRoles() {
		rec, err := s.GetRole(ctx, name)
		if _, ok := m.roles[name]; ok {
			noErr(t, err, "GetRole(%q)", name)
			wantRole(t, rec, m.record(name), "GetRole(%q)", name)
		} else {
			wantOnly(t, err, store.ErrNotFound, "GetRole(%q) of a missing role", name)
		}
		members, err := s.ListMembers(ctx, name)
		noErr(t, err, "ListMembers(%q)", name)
		wantStrings(t, members, m.members(name), "ListMembers(%q)", name)
	}

	// role_permissions and its index.
	for _, role := range modelRoles() {
		for _, res := range modelResources() {
			p, err := s.GetPermissions(ctx, role, res)
			noErr(t, err, "GetPermissions(%q, %q)", role, res)
			wantEqual(t, p, m.perms[role][res], "GetPermissions(%q, %q)", role, res)
		}
		grants, err := s.ListGrants(ctx, role)
		noErr(t, err, "ListGrants(%q)", role)
		wantGrants(t, grants, m.grants(role), "ListGrants(%q)", role)
	}
	allGrants, err := s.ListGrants(ctx, "")
	noErr(t, err, "ListGrants(\"\")")
	var wantAll []store.Grant
	for _, role := range slices.Sorted(maps.Keys(m.perms)) {
		wantAll = append(wantAll, m.grants(role)...)
	}
	wantGrants(t, allGrants, wantAll, "ListGrants(\"\")")
	for _, res := range modelResources() {
		gs, err := s.ListGrantees(ctx, res)
		noErr(t, err, "ListGrantees(%q)", res)
		wantStrings(t, gs, m.grantees(res), "ListGrantees(%q)", res)
	}

	// network_permissions, cidr_permissions.
	for _, role := range modelRoles() {
		checkRow(t, "GetDatacenters", m.dcs, role, func() ([]string, error) { return s.GetDatacenters(ctx, role) })
		checkRow(t, "GetCIDRPermissions", m.cidr, role, func() ([]string, error) { return s.GetCIDRPermissions(ctx, role) })
	}

	// cidr_groups.
	groups, err := s.ListCIDRGroups(ctx)
	noErr(t, err, "ListCIDRGroups")
	for i := range groups {
		groups[i].CIDRs = prefixSet(groups[i].CIDRs)
	}
	var wantGroups []store.CIDRGroup
	for _, name := range slices.Sorted(maps.Keys(m.groups)) {
		wantGroups = append(wantGroups, store.CIDRGroup{Name: name, CIDRs: m.groups[name]})
	}
	wantEqual(t, groups, wantGroups, "ListCIDRGroups")

	// identity_to_role.
	for _, id := range modelIDs() {
		role, err := s.GetIdentity(ctx, id)
		if want, ok := m.ids[id]; ok {
			noErr(t, err, "GetIdentity(%q)", id)
			wantEqual(t, role, want, "GetIdentity(%q)", id)
		} else {
			wantOnly(t, err, store.ErrNotFound, "GetIdentity(%q) of an unknown identity", id)
		}
	}
	ids, err := s.ListIdentities(ctx)
	noErr(t, err, "ListIdentities")
	wantEqual(t, ids, m.ids, "ListIdentities")
}

// checkRow compares a network or CIDR permissions row with the model.
func checkRow(t *rapid.T, what string, table map[string][]string, role string, get func() ([]string, error)) {
	t.Helper()
	got, err := get()
	want, ok := table[role]
	if !ok {
		wantOnly(t, err, store.ErrNotFound, "%s(%q) without a row", what, role)
		return
	}
	noErr(t, err, "%s(%q)", what, role)
	if len(want) == 0 && got == nil {
		t.Errorf("%s(%q) = nil, want an empty, non-nil slice (all)", what, role)
	}
	wantSet(t, got, want, "%s(%q)", what, role)
}
