package dump

import (
	"context"
	"fmt"
	"strings"

	"github.com/cassauth/cassauth/store"
)

// check validates p against itself and the store, before anything is
// written: the store must be empty unless opts.Merge; every membership must
// name roles defined in the input or (with Merge) in the store; memberships
// must not form a cycle. Rows naming roles defined nowhere, which the store
// accepts, are kept with a warning. It returns the roles the store holds
// (empty without Merge).
func (p *plan) check(ctx context.Context, st store.Store, opts ImportOptions) (map[string]store.RoleRecord, error) {
	existing, err := storeRoles(ctx, st, opts.Merge)
	if err != nil {
		return nil, err
	}
	defined := make(map[string]bool, len(p.roles)+len(existing))
	for name := range existing {
		defined[name] = true
	}
	for _, r := range p.roles {
		defined[r.rec.Name] = true
	}
	for _, r := range p.roles {
		for i, parent := range r.rec.MemberOf {
			loc := r.memberLocs[i]
			switch {
			case parent == r.rec.Name:
				return nil, inputErr(loc, ErrInconsistent, "role %q cannot be a member of itself", parent)
			case !defined[parent]:
				return nil, inputErr(loc, ErrInconsistent,
					"dangling membership: role %q is a member of %q, which is not defined", r.rec.Name, parent)
			}
		}
	}
	if err := p.checkCycles(existing); err != nil {
		return nil, err
	}
	undefined := func(role string, loc Location) {
		if !defined[role] {
			p.warn(loc, fmt.Sprintf("role %q is not defined; the row is imported anyway, as Cassandra's tables allow", role))
		}
	}
	for _, g := range p.grants {
		undefined(g.role, g.loc)
	}
	for _, n := range p.network {
		undefined(n.role, n.loc)
	}
	for _, c := range p.cidrPerms {
		undefined(c.role, c.loc)
	}
	for _, id := range p.identities {
		undefined(id.role, id.loc)
	}
	if len(p.schema) > 0 {
		if _, ok := st.(store.Catalog); !ok {
			p.warn(p.schema[0].loc, fmt.Sprintf("the store does not implement store.Catalog: %d schema object names skipped", len(p.schema)))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dump: %w", err)
	}
	return existing, nil
}

// storeRoles returns the store's roles by name. Without merge it checks that
// the store is empty instead and returns an empty map.
func storeRoles(ctx context.Context, st store.Store, merge bool) (map[string]store.RoleRecord, error) {
	roles, err := st.ListRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("dump: reading the target store: %w", err)
	}
	if merge {
		m := make(map[string]store.RoleRecord, len(roles))
		for _, r := range roles {
			m[r.Name] = r
		}
		return m, nil
	}
	var held []string
	if len(roles) > 0 {
		held = append(held, fmt.Sprintf("%d roles", len(roles)))
	}
	grants, err := st.ListGrants(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("dump: reading the target store: %w", err)
	}
	if len(grants) > 0 {
		held = append(held, fmt.Sprintf("%d grants", len(grants)))
	}
	ids, err := st.ListIdentities(ctx)
	if err != nil {
		return nil, fmt.Errorf("dump: reading the target store: %w", err)
	}
	if len(ids) > 0 {
		held = append(held, fmt.Sprintf("%d identities", len(ids)))
	}
	groups, err := st.ListCIDRGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("dump: reading the target store: %w", err)
	}
	if len(groups) > 0 {
		held = append(held, fmt.Sprintf("%d CIDR groups", len(groups)))
	}
	if cat, ok := st.(store.Catalog); ok {
		names, err := cat.ListSchemaObjects(ctx, "")
		if err != nil {
			return nil, fmt.Errorf("dump: reading the target store: %w", err)
		}
		if len(names) > 0 {
			held = append(held, fmt.Sprintf("%d schema objects", len(names)))
		}
	}
	if len(held) > 0 {
		return nil, fmt.Errorf("dump: %w: it holds %s; set ImportOptions.Merge to import into it",
			ErrNotEmpty, strings.Join(held, ", "))
	}
	return map[string]store.RoleRecord{}, nil
}

// edge is a membership: from is a member of to. loc is nil for a membership
// the store already holds.
type edge struct {
	to  string
	loc *Location
}

// checkCycles reports a membership cycle that involves at least one
// membership of the input, at the location of the input's last membership
// on the cycle.
func (p *plan) checkCycles(existing map[string]store.RoleRecord) error {
	graph := make(map[string][]edge)
	var order []string
	for i := range p.roles {
		r := &p.roles[i]
		order = append(order, r.rec.Name)
		for j, parent := range r.rec.MemberOf {
			graph[r.rec.Name] = append(graph[r.rec.Name], edge{to: parent, loc: &r.memberLocs[j]})
		}
	}
	for name, rec := range existing {
		for _, parent := range rec.MemberOf {
			graph[name] = append(graph[name], edge{to: parent})
		}
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(graph))
	var path []string
	var pathEdges []edge
	var visit func(n string) error
	visit = func(n string) error {
		state[n] = onPath
		path = append(path, n)
		for _, e := range graph[n] {
			pathEdges = append(pathEdges, e)
			switch state[e.to] {
			case onPath:
				start := 0
				for path[start] != e.to {
					start++
				}
				cycle := append(append([]string{}, path[start:]...), e.to)
				var loc *Location
				for _, ce := range pathEdges[start:] {
					if ce.loc != nil {
						loc = ce.loc
					}
				}
				if loc != nil {
					return inputErr(*loc, ErrInconsistent, "membership cycle: %s", strings.Join(quoteAll(cycle), " is a member of "))
				}
			case unseen:
				if err := visit(e.to); err != nil {
					return err
				}
			}
			pathEdges = pathEdges[:len(pathEdges)-1]
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	for _, n := range order {
		if state[n] == unseen {
			if err := visit(n); err != nil {
				return err
			}
		}
	}
	return nil
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}
