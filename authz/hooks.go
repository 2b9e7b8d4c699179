package authz

import (
	"context"
	"errors"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// SchemaHooks are the calls an embedding server makes when its schema or
// roles change, so that grants follow the objects they are about (spec
// 10.4, 10.5 and 9.3): creators get their automatic grants, and dropped
// objects take their grants with them. Authorizer is required; Network and
// CIDR are optional. The zero value is not usable. Safe for concurrent use
// if the authorizers are.
type SchemaHooks struct {
	Authorizer Authorizer
	Network    NetworkAuthorizer
	CIDR       CIDRAuthorizer
}

// OnCreate gives creator's primary role every applicable permission on
// each created resource, granted as [roles.System] (Cassandra's creator
// auto-grant, spec 10.4): CREATE TABLE passes the table, CREATE FUNCTION
// or AGGREGATE the function (not when OR REPLACE replaced one), CREATE ROLE
// the new role's resource; for CREATE KEYSPACE use OnCreateKeyspace. An
// anonymous, system or zero creator gets nothing, nor does a creator
// whose role has been dropped meanwhile ([ErrNoSuchRole]), and an
// authorizer that does not support grants ([ErrUnsupported]) is ignored. Errors: the
// first failed grant's; earlier grants stay.
func (h SchemaHooks) OnCreate(ctx context.Context, creator roles.User, rs ...resource.Resource) error {
	if creator.IsAnonymous() || creator.IsSystem() || creator.IsZero() {
		return nil
	}
	for _, r := range rs {
		_, err := h.Authorizer.Grant(ctx, roles.System, r.Applicable(), r, creator.Name())
		if err != nil {
			if errors.Is(err, ErrUnsupported) {
				return nil
			}
			if errors.Is(err, ErrNoSuchRole) {
				continue
			}
			return err
		}
	}
	return nil
}

// OnCreateKeyspace is OnCreate for CREATE KEYSPACE ks: the creator gets
// everything applicable on the keyspace and on all functions in it.
func (h SchemaHooks) OnCreateKeyspace(ctx context.Context, creator roles.User, ks string) error {
	return h.OnCreate(ctx, creator, resource.Keyspace(ks), resource.FunctionsIn(ks))
}

// OnDropKeyspace revokes every permission granted on the keyspace ks and
// on anything in it: its tables, its all-tables resource, its functions
// and aggregates, and all functions in it (spec 10.5). Cassandra relies on
// the server to announce each dropped table and function; this finds them
// among the stored grants (through Authorizer.List as [roles.System]), so
// nothing is left behind even if the server forgets one. An authorizer
// that cannot list ([ErrUnsupported]) stores nothing, and the hook does
// nothing. Errors: the authorizer's; the revocations already made stay.
func (h SchemaHooks) OnDropKeyspace(ctx context.Context, ks string) error {
	all, err := h.Authorizer.List(ctx, roles.System, resource.AllPermissions, resource.Resource{}, "")
	if err != nil {
		if errors.Is(err, ErrUnsupported) {
			return nil
		}
		return err
	}
	seen := make(map[resource.Resource]bool)
	var targets []resource.Resource
	for _, d := range all {
		if !seen[d.Resource] && inKeyspace(d.Resource, ks) {
			seen[d.Resource] = true
			targets = append(targets, d.Resource)
		}
	}
	// Children first, then the keyspace-level resources, as Cassandra's
	// notifications come.
	for _, r := range append(targets, resource.AllTables(ks), resource.FunctionsIn(ks), resource.Keyspace(ks)) {
		if err := h.Authorizer.RevokeAllOn(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// inKeyspace reports whether r is a table or function of keyspace ks.
func inKeyspace(r resource.Resource, ks string) bool {
	switch r.Level() {
	case resource.TableLevel, resource.FunctionLevel:
		return r.Keyspace() == ks
	}
	return false
}

// OnDropTable revokes every permission granted on table ks.table.
func (h SchemaHooks) OnDropTable(ctx context.Context, ks, table string) error {
	return h.Authorizer.RevokeAllOn(ctx, resource.Table(ks, table))
}

// OnDropFunction revokes every permission granted on a function or
// aggregate fn (a function resource).
func (h SchemaHooks) OnDropFunction(ctx context.Context, fn resource.Resource) error {
	if fn.Level() != resource.FunctionLevel {
		return roles.Wrap(roles.CodeServerError, ErrInvalidResource,
			"authz: OnDropFunction needs a function resource, got "+fn.String())
	}
	return h.Authorizer.RevokeAllOn(ctx, fn)
}

// OnDropRole runs DROP ROLE's clean-up after the role manager has dropped
// the role (spec 9.3 steps 2 to 5): it revokes every permission granted to
// role and every permission granted on the role's resource, then drops its
// datacenter and CIDR restrictions. Every step runs even if an earlier one
// fails; the errors are joined.
func (h SchemaHooks) OnDropRole(ctx context.Context, role string) error {
	errs := []error{
		h.Authorizer.RevokeAllFrom(ctx, role),
		h.Authorizer.RevokeAllOn(ctx, resource.Role(role)),
	}
	if h.Network != nil {
		errs = append(errs, h.Network.Drop(ctx, role))
	}
	if h.CIDR != nil {
		errs = append(errs, h.CIDR.DropCIDRPermissionsForRole(ctx, role))
	}
	return errors.Join(errs...)
}
