package main

import (
	"context"
	"net/netip"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// countingStore reports each row an import writes to a progress bar: the
// write methods store/dump's importers use (one call per row), counted
// after they succeed. Reads and other writes pass through.
type countingStore struct {
	store.Store
	p *progressBar
}

// withRowProgress wraps st so that its rows written show on p, keeping the
// store.Catalog capability when st has it. With p nil it returns st.
func withRowProgress(st store.Store, p *progressBar) store.Store {
	if p == nil {
		return st
	}
	cs := countingStore{Store: st, p: p}
	if c, ok := st.(store.Catalog); ok {
		return countingCatalogStore{countingStore: cs, cat: c}
	}
	return cs
}

func (c countingStore) count(err error) error {
	if err == nil {
		c.p.add(1)
	}
	return err
}

func (c countingStore) CreateRole(ctx context.Context, r store.RoleRecord) error {
	return c.count(c.Store.CreateRole(ctx, r))
}

func (c countingStore) UpdateRole(ctx context.Context, name string, u store.RoleUpdate) error {
	return c.count(c.Store.UpdateRole(ctx, name, u))
}

func (c countingStore) GrantRole(ctx context.Context, role, grantee string) error {
	return c.count(c.Store.GrantRole(ctx, role, grantee))
}

func (c countingStore) AddPermissions(ctx context.Context, role, res string, perms resource.PermissionSet) (resource.PermissionSet, error) {
	added, err := c.Store.AddPermissions(ctx, role, res, perms)
	return added, c.count(err)
}

func (c countingStore) SetDatacenters(ctx context.Context, role string, dcs []string) error {
	return c.count(c.Store.SetDatacenters(ctx, role, dcs))
}

func (c countingStore) SetCIDRPermissions(ctx context.Context, role string, groups []string) error {
	return c.count(c.Store.SetCIDRPermissions(ctx, role, groups))
}

func (c countingStore) SetCIDRGroup(ctx context.Context, name string, cidrs []netip.Prefix) error {
	return c.count(c.Store.SetCIDRGroup(ctx, name, cidrs))
}

func (c countingStore) AddIdentity(ctx context.Context, identity, role string) error {
	return c.count(c.Store.AddIdentity(ctx, identity, role))
}

// countingCatalogStore is a countingStore over a store with a catalog.
type countingCatalogStore struct {
	countingStore
	cat store.Catalog
}

var (
	_ store.Store   = countingStore{}
	_ store.Catalog = countingCatalogStore{}
)

func (c countingCatalogStore) AddSchemaObject(ctx context.Context, name string) error {
	return c.count(c.cat.AddSchemaObject(ctx, name))
}

func (c countingCatalogStore) DropSchemaObject(ctx context.Context, name string) error {
	return c.cat.DropSchemaObject(ctx, name)
}

func (c countingCatalogStore) HasSchemaObject(ctx context.Context, name string) (bool, error) {
	return c.cat.HasSchemaObject(ctx, name)
}

func (c countingCatalogStore) ListSchemaObjects(ctx context.Context, prefix string) ([]string, error) {
	return c.cat.ListSchemaObjects(ctx, prefix)
}
