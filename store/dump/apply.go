package dump

import (
	"context"
	"errors"

	"github.com/cassauth/cassauth/store"
)

// apply writes a checked plan, table by table: schema objects, CIDR groups,
// roles, memberships, grants, network permissions, CIDR permissions,
// identities. The first failing write stops it with a *WriteError; the
// returned Summary counts what was written.
func (p *plan) apply(ctx context.Context, st store.Store, existing map[string]store.RoleRecord, merge bool) (Summary, error) {
	sum := Summary{Warnings: p.warnings}
	fail := func(loc Location, op, key string, err error) (Summary, error) {
		return sum, &WriteError{Location: loc, Op: op, Key: key, Written: sum, Err: err}
	}
	if cat, ok := st.(store.Catalog); ok {
		for _, s := range p.schema {
			err := cat.AddSchemaObject(ctx, s.name)
			if err != nil && !(merge && errors.Is(err, store.ErrExists)) {
				return fail(s.loc, "AddSchemaObject", s.name, err)
			}
			sum.SchemaObjects++
		}
	}
	for _, g := range p.groups {
		if err := st.SetCIDRGroup(ctx, g.name, g.cidrs); err != nil {
			return fail(g.loc, "SetCIDRGroup", g.name, err)
		}
		sum.CIDRGroups++
	}
	for _, r := range p.roles {
		rec := r.rec
		if _, ok := existing[rec.Name]; ok {
			opts := rec.Options
			if opts == nil {
				opts = map[string]string{}
			}
			u := store.RoleUpdate{IsSuperuser: &rec.IsSuperuser, CanLogin: &rec.CanLogin, SaltedHash: &rec.SaltedHash, Options: opts}
			if err := st.UpdateRole(ctx, rec.Name, u); err != nil {
				return fail(r.loc, "UpdateRole", rec.Name, err)
			}
		} else {
			rec.MemberOf = nil
			if err := st.CreateRole(ctx, rec); err != nil {
				return fail(r.loc, "CreateRole", rec.Name, err)
			}
		}
		sum.Roles++
	}
	for _, r := range p.roles {
		for i, parent := range r.rec.MemberOf {
			if err := st.GrantRole(ctx, parent, r.rec.Name); err != nil {
				return fail(r.memberLocs[i], "GrantRole", parent+" to "+r.rec.Name, err)
			}
			sum.Memberships++
		}
	}
	for _, g := range p.grants {
		if _, err := st.AddPermissions(ctx, g.role, g.res, g.perms); err != nil {
			return fail(g.loc, "AddPermissions", g.role+" on "+g.res, err)
		}
		sum.Grants++
	}
	for _, n := range p.network {
		if err := st.SetDatacenters(ctx, n.role, n.values); err != nil {
			return fail(n.loc, "SetDatacenters", n.role, err)
		}
		sum.Network++
	}
	for _, c := range p.cidrPerms {
		if err := st.SetCIDRPermissions(ctx, c.role, c.values); err != nil {
			return fail(c.loc, "SetCIDRPermissions", c.role, err)
		}
		sum.CIDRPermissions++
	}
	for _, id := range p.identities {
		if merge {
			old, err := st.GetIdentity(ctx, id.identity)
			switch {
			case err == nil && old == id.role:
				sum.Identities++
				continue
			case err == nil:
				if err := st.DropIdentity(ctx, id.identity); err != nil {
					return fail(id.loc, "DropIdentity", id.identity, err)
				}
			case !errors.Is(err, store.ErrNotFound):
				return fail(id.loc, "GetIdentity", id.identity, err)
			}
		}
		if err := st.AddIdentity(ctx, id.identity, id.role); err != nil {
			return fail(id.loc, "AddIdentity", id.identity, err)
		}
		sum.Identities++
	}
	return sum, nil
}

// run checks and applies p: the common tail of every import.
func (p *plan) run(ctx context.Context, st store.Store, opts ImportOptions) (Summary, error) {
	existing, err := p.check(ctx, st, opts)
	if err != nil {
		return Summary{}, err
	}
	return p.apply(ctx, st, existing, opts.Merge)
}
