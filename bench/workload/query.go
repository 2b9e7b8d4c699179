package workload

import (
	"fmt"
	"math/rand/v2"

	"github.com/cassauth/cassauth/resource"
)

// Query is one access question: may Role do Perm on Resource?
type Query struct {
	Role     string
	Perm     resource.Permission
	Resource resource.Resource
}

// String prints the query for a report: "role0000042 SELECT <table ks001.t003>".
func (q Query) String() string {
	return fmt.Sprintf("%s %s %s", q.Role, q.Perm, q.Resource)
}

// Queries returns n random queries against pol, deterministic in seed.
// Nine in ten come from users (layer 0), whose closures span every layer.
// Half are aimed at a grant in the asker's closure (its resource or one
// below it, often one of its permissions), so that allows and denials both
// occur at every size; the others are uniform over the resources and
// permissions.
func (pol *Policy) Queries(n int, seed uint64) []Query {
	rng := rand.New(rand.NewPCG(seed, 0x7175657279)) //nolint:gosec // a benchmark workload
	out := make([]Query, 0, n)
	for len(out) < n {
		var role int
		if rng.Float64() < 0.9 {
			role = pol.Params.Depth * rng.IntN(pol.Params.layerSize(0))
		} else {
			role = rng.IntN(len(pol.Roles))
		}
		q := Query{Role: pol.Roles[role].Name, Perm: Permissions[rng.IntN(len(Permissions))]}
		if rng.Float64() < 0.5 {
			if g, ok := pol.grantInClosure(rng, q.Role); ok {
				q.Resource = pol.below(rng, g.Resource)
				if rng.Float64() < 0.5 {
					ps := g.Perms.Slice()
					q.Perm = ps[rng.IntN(len(ps))]
				}
				out = append(out, q)
				continue
			}
		}
		q.Resource = pol.resourceAt(pol.randomResource(rng, 0.05))
		out = append(out, q)
	}
	return out
}

// grantInClosure picks a random grant held by a random role of name's
// closure, if that role holds any.
func (pol *Policy) grantInClosure(rng *rand.Rand, name string) (Grant, bool) {
	closure := pol.Closure(name)
	holder := pol.index[closure[rng.IntN(len(closure))]]
	gs := pol.grants[holder]
	if len(gs) == 0 {
		return Grant{}, false
	}
	return pol.Grants[gs[rng.IntN(len(gs))]], true
}

// below returns r or a random resource under it.
func (pol *Policy) below(rng *rand.Rand, r resource.Resource) resource.Resource {
	ks := r.Keyspace()
	switch r.Level() {
	case resource.DataRoot:
		if rng.Float64() < 0.3 {
			return r
		}
		ks = pol.Keyspaces[rng.IntN(len(pol.Keyspaces))]
	case resource.KeyspaceLevel, resource.AllTablesLevel:
	default:
		return r
	}
	switch x := rng.Float64(); {
	case x < 0.2:
		return resource.Keyspace(ks)
	case x < 0.3:
		return resource.AllTables(ks)
	default:
		return resource.Table(ks, pol.Tables[rng.IntN(len(pol.Tables))])
	}
}
