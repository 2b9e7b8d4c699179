package cassauth

import (
	"context"
	"net/netip"

	"github.com/cassauth/cassauth/authz"
)

// cachedNetwork is the network authorizer handed out by [Auth.Network]:
// datacenter permissions come from the NetworkPermissionsCache, and
// restriction changes invalidate before they return.
type cachedNetwork struct {
	a *Auth
	n authz.NetworkAuthorizer // uncached
}

var (
	_ authz.NetworkAuthorizer = (*cachedNetwork)(nil)
	_ authz.CIDRAuthorizer    = (*cachedCIDR)(nil)
)

func (c *cachedNetwork) RequireAuthorization() bool { return c.n.RequireAuthorization() }

func (c *cachedNetwork) Authorize(ctx context.Context, role string) (authz.DCPermissions, error) {
	e, err := c.a.caches.network.Get(ctx, role)
	return e.p, err
}

func (c *cachedNetwork) SetRoleDatacenters(ctx context.Context, role string, p authz.DCPermissions) error {
	err := c.n.SetRoleDatacenters(ctx, role, p)
	c.a.networkChanged(role)
	return err
}

func (c *cachedNetwork) Drop(ctx context.Context, role string) error {
	err := c.n.Drop(ctx, role)
	c.a.networkChanged(role)
	return err
}

func (c *cachedNetwork) ValidateConfiguration() error    { return c.n.ValidateConfiguration() }
func (c *cachedNetwork) Setup(ctx context.Context) error { return c.n.Setup(ctx) }

// cachedCIDR is the CIDR authorizer handed out by [Auth.CIDR]. With the
// table-backed authorizer it decides as authz.TableCIDR does, but reads
// role restrictions from the CidrPermissionsCache; the AllowAll variant is
// passed through. Restriction changes invalidate before they return.
type cachedCIDR struct {
	a *Auth
	c authz.CIDRAuthorizer // uncached
	t *authz.TableCIDR     // c, when table-backed
}

func newCachedCIDR(a *Auth) *cachedCIDR {
	c := &cachedCIDR{a: a, c: a.cidr}
	c.t, _ = a.cidr.(*authz.TableCIDR)
	return c
}

func (c *cachedCIDR) RequireAuthorization() bool { return c.c.RequireAuthorization() }

// Permissions returns role's CIDR permissions from the cache (table-backed
// authorizer), or ALL.
func (c *cachedCIDR) Permissions(ctx context.Context, role string) (authz.CIDRPermissions, error) {
	if c.t == nil {
		return authz.AllCIDRGroups(), nil
	}
	e, err := c.a.caches.cidr.Get(ctx, role)
	return e.p, err
}

// Mode returns the configured cidr_authorizer_mode (MONITOR for AllowAll).
func (c *cachedCIDR) Mode() authz.CIDRMode {
	if c.t == nil {
		return authz.CIDRMonitor
	}
	return c.t.Mode()
}

// HasAccessFromIP decides as Cassandra's CassandraCIDRAuthorizer (see
// authz.TableCIDR.HasAccessFromIP), with the role's permissions from the
// CidrPermissionsCache. After a change feed reported a cidr_groups change,
// the group mapping is reloaded first.
func (c *cachedCIDR) HasAccessFromIP(ctx context.Context, role string, ip netip.Addr) (bool, error) {
	if c.t == nil {
		return c.c.HasAccessFromIP(ctx, role, ip)
	}
	if c.a.cidrGroupsStale.CompareAndSwap(true, false) {
		if err := c.t.LoadCIDRGroupsCache(ctx); err != nil {
			c.a.cidrGroupsStale.Store(true)
			return false, err
		}
	}
	perms, err := c.Permissions(ctx, role)
	if err != nil {
		return false, err
	}
	return c.t.HasAccessWith(ctx, perms, role, ip)
}

func (c *cachedCIDR) SetCIDRGroupsForRole(ctx context.Context, role string, p authz.CIDRPermissions) error {
	err := c.c.SetCIDRGroupsForRole(ctx, role, p)
	c.a.cidrChanged(role)
	return err
}

func (c *cachedCIDR) DropCIDRPermissionsForRole(ctx context.Context, role string) error {
	err := c.c.DropCIDRPermissionsForRole(ctx, role)
	c.a.cidrChanged(role)
	return err
}

// InvalidateCIDRPermissionsCache drops the cached permissions of role
// (every role for "") and reports whether anything was dropped;
// the AllowAll variant refuses, with Cassandra's message.
func (c *cachedCIDR) InvalidateCIDRPermissionsCache(role string) (bool, error) {
	if c.t == nil {
		return c.c.InvalidateCIDRPermissionsCache(role)
	}
	if role == "" {
		c.a.caches.cidr.InvalidateAll()
		return true, nil
	}
	return c.a.caches.cidr.InvalidateIf(func(k string, _ cidrEntry) bool { return k == role }) > 0, nil
}

func (c *cachedCIDR) LoadCIDRGroupsCache(ctx context.Context) error {
	return c.c.LoadCIDRGroupsCache(ctx)
}

func (c *cachedCIDR) LookupCIDRGroupsForIP(ctx context.Context, ip netip.Addr) ([]string, error) {
	return c.c.LookupCIDRGroupsForIP(ctx, ip)
}

// AvailableCIDRGroups returns the names of the CIDR groups in the store,
// sorted, for CIDRPermissions.Validate (with either variant, as Cassandra
// keeps the groups mapping for both).
func (c *cachedCIDR) AvailableCIDRGroups(ctx context.Context) ([]string, error) {
	if c.t != nil {
		return c.t.AvailableCIDRGroups(ctx)
	}
	gs, err := c.a.store.ListCIDRGroups(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return names, nil
}

// UpdateCIDRGroup creates or replaces a CIDR group (nodetool
// updatecidrgroup) and reloads the mapping.
func (c *cachedCIDR) UpdateCIDRGroup(ctx context.Context, name string, cidrs []netip.Prefix) error {
	if c.t != nil {
		return c.t.UpdateCIDRGroup(ctx, name, cidrs)
	}
	return c.a.store.SetCIDRGroup(ctx, name, cidrs)
}

// DropCIDRGroup deletes a CIDR group (nodetool dropcidrgroup) and reloads
// the mapping; Cassandra's "CIDR group '<name>' doesn't exists" for a
// missing one (table-backed authorizer).
func (c *cachedCIDR) DropCIDRGroup(ctx context.Context, name string) error {
	if c.t != nil {
		return c.t.DropCIDRGroup(ctx, name)
	}
	return c.a.store.DropCIDRGroup(ctx, name)
}

func (c *cachedCIDR) ValidateConfiguration() error    { return c.c.ValidateConfiguration() }
func (c *cachedCIDR) Setup(ctx context.Context) error { return c.c.Setup(ctx) }
