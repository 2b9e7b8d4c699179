package conformance

import (
	"maps"
	"slices"
)

// roleGraph is the reference of the role manager's model, and the role
// half of the authorizer's: roles with their own flags and their direct
// grants, and the identities. Nothing derived is stored.
type roleGraph struct {
	roles map[string]*graphRole
	ids   map[string]string // identity -> role
}

// graphRole is a role of the graph.
type graphRole struct {
	super, login bool
	memberOf     map[string]bool // roles granted directly
}

func newRoleGraph() *roleGraph {
	return &roleGraph{roles: map[string]*graphRole{}, ids: map[string]string{}}
}

func (g *roleGraph) has(name string) bool { _, ok := g.roles[name]; return ok }

// closure returns r and every role granted to it, transitively; nothing
// for an unknown role.
func (g *roleGraph) closure(r string) map[string]bool {
	out := map[string]bool{}
	var walk func(string)
	walk = func(x string) {
		if out[x] || !g.has(x) {
			return
		}
		out[x] = true
		for p := range g.roles[x].memberOf {
			walk(p)
		}
	}
	walk(r)
	return out
}

// superStatus reports whether any role of r's closure is a superuser.
func (g *roleGraph) superStatus(r string) bool {
	for x := range g.closure(r) {
		if g.roles[x].super {
			return true
		}
	}
	return false
}

// direct returns r and the roles granted to it directly, sorted; nothing
// for an unknown role.
func (g *roleGraph) direct(r string) []string {
	if !g.has(r) {
		return nil
	}
	return setOf(append(slices.Collect(maps.Keys(g.roles[r].memberOf)), r))
}

// facts returns r's closure as RoleDetails must give it, every name mapped
// by name.
func (g *roleGraph) facts(r string, name func(string) string) map[string]roleFacts {
	out := map[string]roleFacts{}
	for x := range g.closure(r) {
		gr := g.roles[x]
		var memberOf []string
		for _, p := range slices.Sorted(maps.Keys(gr.memberOf)) {
			memberOf = append(memberOf, name(p))
		}
		out[name(x)] = roleFacts{super: gr.super, login: gr.login, memberOf: setOf(memberOf)}
	}
	return out
}

// grantRefusal reports whether GrantRole(role, grantee) must be refused
// because it repeats a membership, is a self-grant or closes a cycle, and
// the names of Cassandra's message "<member> is a member of <of>". Both
// roles exist.
func (g *roleGraph) grantRefusal(role, grantee string) (member, of string, refused bool) {
	switch {
	case g.closure(grantee)[role]:
		return grantee, role, true
	case g.closure(role)[grantee]:
		return role, grantee, true
	}
	return "", "", false
}

// create adds a role.
func (g *roleGraph) create(name string, super, login bool) {
	g.roles[name] = &graphRole{super: super, login: login, memberOf: map[string]bool{}}
}

// drop removes a role, its memberships both ways and its identities.
func (g *roleGraph) drop(name string) {
	delete(g.roles, name)
	for _, r := range g.roles {
		delete(r.memberOf, name)
	}
	for id, role := range g.ids {
		if role == name {
			delete(g.ids, id)
		}
	}
}

// identityMapsTo reports whether an identity maps to name.
func (g *roleGraph) identityMapsTo(name string) bool {
	for _, role := range g.ids {
		if role == name {
			return true
		}
	}
	return false
}

// The pools the role models draw from.
func graphRoles() []string { return []string{"r0", "r1", "r2", "r3"} }
func graphIDs() []string   { return []string{"i0", "i1"} }
