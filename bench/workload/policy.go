package workload

import (
	"fmt"
	"math/rand/v2"

	"github.com/cassauth/cassauth/resource"
)

// Role is one role of a generated policy.
type Role struct {
	// Name is "role" followed by the role's index, zero-padded.
	Name string
	// Parents are the roles granted to this one (it inherits them).
	Parents []string
	// Super is the role's own SUPERUSER flag.
	Super bool
	// Layer is the role's layer: 0 for users, Depth-1 for the top.
	Layer int
}

// Grant is one row of role_permissions: Perms held by Role on Resource.
// Perms is never empty and holds only permissions applicable to Resource.
type Grant struct {
	Role     string
	Resource resource.Resource
	Perms    resource.PermissionSet
}

// Policy is a generated policy. Build it with Generate; treat it as
// read-only (engines share it).
type Policy struct {
	// Params are the parameters it was generated from, defaults applied.
	Params Params
	// Roles are all roles, Roles[i] named RoleName(i).
	Roles []Role
	// Grants are the grant rows, one per distinct (role, resource).
	Grants []Grant
	// Keyspaces and Tables name the schema: every keyspace holds every
	// table name.
	Keyspaces []string
	Tables    []string

	index  map[string]int // role name -> index in Roles
	grants [][]int        // role index -> indexes in Grants
}

// RoleName returns the name of role i.
func RoleName(i int) string { return fmt.Sprintf("role%07d", i) }

// Generate builds the policy p describes; errors are Validate's.
func Generate(p Params) (*Policy, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.WithDefaults()
	rng := rand.New(rand.NewPCG(p.Seed, 0x63617373617574)) //nolint:gosec // a benchmark workload
	pol := &Policy{
		Params:    p,
		Roles:     make([]Role, p.Roles),
		Keyspaces: make([]string, p.Keyspaces),
		Tables:    make([]string, p.Tables),
		index:     make(map[string]int, p.Roles),
		grants:    make([][]int, p.Roles),
	}
	for k := range pol.Keyspaces {
		pol.Keyspaces[k] = fmt.Sprintf("ks%03d", k)
	}
	for t := range pol.Tables {
		pol.Tables[t] = fmt.Sprintf("t%03d", t)
	}
	for i := range pol.Roles {
		name := RoleName(i)
		pol.Roles[i] = Role{Name: name, Layer: i % p.Depth}
		pol.index[name] = i
	}
	// Hierarchy: a role of layer l < D-1 inherits a random role of layer
	// l+1, and maybe a second one.
	pick := func(layer int) int { return layer + p.Depth*rng.IntN(p.layerSize(layer)) }
	for i := range pol.Roles {
		l := pol.Roles[i].Layer
		if l == p.Depth-1 {
			continue
		}
		first := pick(l + 1)
		pol.Roles[i].Parents = []string{RoleName(first)}
		if rng.Float64() < p.ExtraParent && p.layerSize(l+1) > 1 {
			second := first
			for second == first {
				second = pick(l + 1)
			}
			pol.Roles[i].Parents = append(pol.Roles[i].Parents, RoleName(second))
		}
	}
	// Superusers: distinct roles of the top layer.
	for n := 0; n < p.SuperRoles; {
		i := pick(p.Depth - 1)
		if !pol.Roles[i].Super {
			pol.Roles[i].Super = true
			n++
		}
	}
	pol.generateGrants(rng)
	return pol, nil
}

// resourceAt returns data resource number n: 0 is the root; keyspace k is
// 1+k*(T+2), its all-tables resource the next number, its tables the T
// after that.
func (pol *Policy) resourceAt(n int) resource.Resource {
	if n == 0 {
		return resource.AllKeyspaces
	}
	n--
	span := len(pol.Tables) + 2
	ks := pol.Keyspaces[n/span]
	switch off := n % span; off {
	case 0:
		return resource.Keyspace(ks)
	case 1:
		return resource.AllTables(ks)
	default:
		return resource.Table(ks, pol.Tables[off-2])
	}
}

// randomResource draws a data resource: the root rarely, then keyspaces,
// all-tables resources and, mostly, tables.
func (pol *Policy) randomResource(rng *rand.Rand, rootShare float64) int {
	span := len(pol.Tables) + 2
	base := 1 + span*rng.IntN(len(pol.Keyspaces))
	switch x := rng.Float64(); {
	case x < rootShare:
		return 0
	case x < 0.15:
		return base
	case x < 0.20:
		return base + 1
	default:
		return base + 2 + rng.IntN(len(pol.Tables))
	}
}

// randomPerms draws one to three permissions applicable to r.
func randomPerms(rng *rand.Rand, r resource.Resource) resource.PermissionSet {
	applicable := r.Applicable().Intersect(PermissionSet)
	n := 1
	if x := rng.Float64(); x < 0.1 {
		n = 3
	} else if x < 0.35 {
		n = 2
	}
	var s resource.PermissionSet
	for s.Len() < n && s != applicable {
		s = s.With(Permissions[rng.IntN(len(Permissions))]).Intersect(applicable)
	}
	return s
}

func (pol *Policy) generateGrants(rng *rand.Rand) {
	want := pol.Params.Grants()
	type key struct{ role, res int32 }
	seen := make(map[key]int, want)
	pol.Grants = make([]Grant, 0, want)
	for len(pol.Grants) < want {
		role := rng.IntN(len(pol.Roles))
		res := pol.randomResource(rng, 0.002)
		r := pol.resourceAt(res)
		perms := randomPerms(rng, r)
		k := key{int32(role), int32(res)}
		if g, ok := seen[k]; ok {
			pol.Grants[g].Perms = pol.Grants[g].Perms.Union(perms)
			continue
		}
		seen[k] = len(pol.Grants)
		pol.grants[role] = append(pol.grants[role], len(pol.Grants))
		pol.Grants = append(pol.Grants, Grant{Role: pol.Roles[role].Name, Resource: r, Perms: perms})
	}
}

// Role returns the role named name and whether it exists.
func (pol *Policy) Role(name string) (Role, bool) {
	i, ok := pol.index[name]
	if !ok {
		return Role{}, false
	}
	return pol.Roles[i], true
}

// GrantsOf returns the grants held directly by the named role.
func (pol *Policy) GrantsOf(name string) []Grant {
	i, ok := pol.index[name]
	if !ok {
		return nil
	}
	out := make([]Grant, len(pol.grants[i]))
	for j, g := range pol.grants[i] {
		out[j] = pol.Grants[g]
	}
	return out
}

// Closure returns the named role and every role it inherits,
// transitively, each once, the role itself first.
func (pol *Policy) Closure(name string) []string {
	start, ok := pol.index[name]
	if !ok {
		return nil
	}
	seen := map[int]bool{start: true}
	out := []string{name}
	for next := 0; next < len(out); next++ {
		for _, parent := range pol.Roles[pol.index[out[next]]].Parents {
			if j := pol.index[parent]; !seen[j] {
				seen[j] = true
				out = append(out, parent)
			}
		}
	}
	return out
}

// WithoutGrants returns a copy of pol with the same roles and schema and
// no grants, for measuring what the grants alone cost an engine.
func (pol *Policy) WithoutGrants() *Policy {
	cp := *pol
	cp.Grants = nil
	cp.grants = make([][]int, len(pol.Roles))
	return &cp
}
