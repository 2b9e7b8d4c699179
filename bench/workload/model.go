package workload

import "github.com/cassauth/cassauth/resource"

// Model decides queries against a policy by brute force, straight from the
// rule in the package documentation: no caching, no indexing beyond a map
// of grants. It is the reference the engines are checked against. Safe for
// concurrent use once built.
type Model struct {
	pol    *Policy
	grants map[grantKey]resource.PermissionSet
}

type grantKey struct {
	role     string
	resource resource.Resource
}

// NewModel returns the reference model of pol.
func NewModel(pol *Policy) *Model {
	m := &Model{pol: pol, grants: make(map[grantKey]resource.PermissionSet, len(pol.Grants))}
	for _, g := range pol.Grants {
		m.grants[grantKey{g.Role, g.Resource}] = g.Perms
	}
	return m
}

// Decide reports whether q is allowed. A role the policy does not know
// holds nothing.
func (m *Model) Decide(q Query) bool {
	closure := m.pol.Closure(q.Role)
	super := false
	for _, name := range closure {
		if r, _ := m.pol.Role(name); r.Super {
			super = true
		}
	}
	for r, ok := q.Resource, true; ok; r, ok = r.Parent() {
		if super && r.Applicable().Has(q.Perm) {
			return true
		}
		for _, name := range closure {
			if m.grants[grantKey{name, r}].Has(q.Perm) {
				return true
			}
		}
	}
	return false
}
