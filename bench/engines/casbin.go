package engines

import (
	"context"
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	defaultrolemanager "github.com/casbin/casbin/v2/rbac/default-role-manager"

	"github.com/cassauth/cassauth/bench/workload"
	"github.com/cassauth/cassauth/resource"
)

// CasbinModel is the casbin model of the workload: g holds role
// inheritance (g, member, role), g2 the resource hierarchy (g2, child,
// parent: data/ks/t -> data/ks/* -> data/ks -> data), and a policy line
// (p, role, resource, PERMISSION) per permission of each grant. The matcher
// tests the cheap equality first and the resource link before the role
// link, as a casbin user tuning for speed would.
//
// Superusers are policy lines too: Cassandra gives a superuser every
// permission applicable to each resource of the chain, and every data
// resource's chain ends at the root "data", whose applicable permissions
// include those of every data resource below it; so a superuser role gets
// (p, role, data, P) for each P applicable to the root. Role inheritance
// then spreads superuser status exactly as Cassandra does.
const CasbinModel = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && g2(r.obj, p.obj) && g(r.sub, p.sub)
`

// CasbinMaxHierarchy is the depth limit given to casbin's role manager.
// Its default, 10, silently stops inheritance after ten links (a deny where
// Cassandra allows) in hierarchies deeper than that.
const CasbinMaxHierarchy = 64

// Casbin holds one casbin CachedEnforcer loaded with a workload's policy;
// Plain and Cached are its two engines (the plain Enforcer embedded in it,
// and the decision cache in front).
type Casbin struct {
	e *casbin.CachedEnforcer
	// Lines is the number of policy lines (p, g and g2); PolicyLines
	// counts the p lines alone, which every uncached decision scans.
	Lines, PolicyLines int
}

// NewCasbin loads pol into casbin with role managers that follow
// hierarchies up to maxHierarchy links (0 means CasbinMaxHierarchy).
func NewCasbin(pol *workload.Policy, maxHierarchy int) (*Casbin, error) {
	if maxHierarchy == 0 {
		maxHierarchy = CasbinMaxHierarchy
	}
	m, err := model.NewModelFromString(CasbinModel)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewCachedEnforcer(m)
	if err != nil {
		return nil, err
	}
	e.SetRoleManager(defaultrolemanager.NewRoleManagerImpl(maxHierarchy))
	e.SetNamedRoleManager("g2", defaultrolemanager.NewRoleManagerImpl(4))

	var p, g, g2 [][]string
	rootPerms := resource.AllKeyspaces.Applicable().Intersect(workload.PermissionSet)
	for _, r := range pol.Roles {
		for _, parent := range r.Parents {
			g = append(g, []string{r.Name, parent})
		}
		if r.Super {
			for perm := range rootPerms.All() {
				p = append(p, []string{r.Name, resource.AllKeyspaces.Name(), perm.String()})
			}
		}
	}
	for _, gr := range pol.Grants {
		for perm := range gr.Perms.All() {
			p = append(p, []string{gr.Role, gr.Resource.Name(), perm.String()})
		}
	}
	root := resource.AllKeyspaces.Name()
	for _, ks := range pol.Keyspaces {
		k, all := resource.Keyspace(ks).Name(), resource.AllTables(ks).Name()
		g2 = append(g2, []string{k, root}, []string{all, k})
		for _, t := range pol.Tables {
			g2 = append(g2, []string{resource.Table(ks, t).Name(), all})
		}
	}
	em := e.GetModel()
	for _, add := range []struct {
		sec, ptype string
		rules      [][]string
	}{{"p", "p", p}, {"g", "g", g}, {"g", "g2", g2}} {
		if err := em.AddPolicies(add.sec, add.ptype, add.rules); err != nil {
			return nil, fmt.Errorf("casbin: adding %s rules: %w", add.ptype, err)
		}
	}
	if err := e.BuildRoleLinks(); err != nil {
		return nil, err
	}
	return &Casbin{e: e, Lines: len(p) + len(g) + len(g2), PolicyLines: len(p)}, nil
}

// Plain returns the engine deciding with casbin's Enforcer, no cache.
func (c *Casbin) Plain() Engine { return casbinEngine{c: c, cached: false} }

// Cached returns the engine deciding with casbin's CachedEnforcer.
func (c *Casbin) Cached() Engine { return casbinEngine{c: c, cached: true} }

// RevokeRole removes the inheritance of role by member through casbin's
// RBAC API (DeleteRoleForUser), as an application revoking a role would.
// It reports whether the link existed. The CachedEnforcer's cache is not
// told (casbin does not invalidate it on grouping changes): see
// TestCasbinCachedStaleAfterRevoke.
func (c *Casbin) RevokeRole(member, role string) (bool, error) {
	return c.e.DeleteRoleForUser(member, role)
}

// ClearCache empties the CachedEnforcer's decision cache.
func (c *Casbin) ClearCache() error { return c.e.InvalidateCache() }

type casbinEngine struct {
	c      *Casbin
	cached bool
}

func (e casbinEngine) Name() string {
	if e.cached {
		return "casbin-cached"
	}
	return "casbin"
}

// Prepare returns the request as casbin's argument list of strings.
func (e casbinEngine) Prepare(q workload.Query) (Request, error) {
	vals := []any{q.Role, q.Resource.Name(), q.Perm.String()}
	if e.cached {
		return &casbinCachedRequest{e: e.c.e, vals: vals}, nil
	}
	return &casbinRequest{e: e.c.e.Enforcer, vals: vals}, nil
}

type casbinRequest struct {
	e    *casbin.Enforcer
	vals []any
}

func (r *casbinRequest) Decide(context.Context) (bool, error) { return r.e.Enforce(r.vals...) }

type casbinCachedRequest struct {
	e    *casbin.CachedEnforcer
	vals []any
}

func (r *casbinCachedRequest) Decide(context.Context) (bool, error) { return r.e.Enforce(r.vals...) }
