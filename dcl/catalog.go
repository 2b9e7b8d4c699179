package dcl

import (
	"context"
	"errors"
	"strings"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// StoreCatalog is a [Catalog] kept in a store's [store.Catalog] capability,
// for standalone use where no embedding server owns a schema: keyspaces,
// tables and functions are recorded by canonical resource name ("data/ks",
// "data/ks/t", "functions/ks/f[...]") and nothing else about them is kept.
// Cassandra's system keyspaces and the system_auth tables exist without
// being recorded, so that grants on them (GRANT SELECT ON
// system_auth.roles) work as in Cassandra; they cannot be created or dropped
// (the data checks refuse it, or they exist already).
// It is safe for concurrent use if the store is.
type StoreCatalog struct {
	c store.Catalog
}

var _ Catalog = (*StoreCatalog)(nil)

// NewStoreCatalog returns the catalog kept in c.
func NewStoreCatalog(c store.Catalog) *StoreCatalog { return &StoreCatalog{c: c} }

// systemKeyspaces are Cassandra's system keyspaces (SchemaConstants).
var systemKeyspaces = map[string]bool{
	"system": true, "system_schema": true, "system_auth": true, "system_distributed": true,
	"system_traces": true, "system_views": true, "system_virtual_schema": true,
}

// authTables are the tables of system_auth (spec section 6).
var authTables = map[string]bool{
	"roles": true, "role_members": true, "role_permissions": true, "resource_role_permissons_index": true,
	"network_permissions": true, "cidr_permissions": true, "cidr_groups": true, "identity_to_role": true,
}

// KeyspaceExists reports whether keyspace ks is a system keyspace or is
// recorded. Errors: the store's.
func (s *StoreCatalog) KeyspaceExists(ctx context.Context, ks string) (bool, error) {
	if systemKeyspaces[ks] {
		return true, nil
	}
	return s.c.HasSchemaObject(ctx, resource.Keyspace(ks).Name())
}

// TableExists reports whether table ks.table is a system_auth table or is
// recorded. Errors: the store's.
func (s *StoreCatalog) TableExists(ctx context.Context, ks, table string) (bool, error) {
	if ks == "system_auth" && authTables[table] {
		return true, nil
	}
	return s.c.HasSchemaObject(ctx, resource.Table(ks, table).Name())
}

// FunctionExists reports whether function ks.name with the given Java
// argument types is recorded. Errors: the store's.
func (s *StoreCatalog) FunctionExists(ctx context.Context, ks, name string, argTypes []string) (bool, error) {
	return s.c.HasSchemaObject(ctx, functionName(ks, name, argTypes))
}

// functionName is the canonical name of a function resource.
func functionName(ks, name string, argTypes []string) string {
	return "functions/" + ks + "/" + name + "[" + strings.Join(argTypes, "^") + "]"
}

// Tables returns the tables of keyspace ks, sorted. Errors: the store's.
func (s *StoreCatalog) Tables(ctx context.Context, ks string) ([]string, error) {
	prefix := resource.Keyspace(ks).Name() + "/"
	names, err := s.c.ListSchemaObjects(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if t := strings.TrimPrefix(n, prefix); t != "" && !strings.Contains(t, "/") {
			out = append(out, t)
		}
	}
	return out, nil
}

// Functions returns the functions of keyspace ks, sorted by canonical name.
// Errors: the store's; recorded names that do not parse are skipped.
func (s *StoreCatalog) Functions(ctx context.Context, ks string) ([]resource.Resource, error) {
	prefix := resource.FunctionsIn(ks).Name() + "/"
	names, err := s.c.ListSchemaObjects(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]resource.Resource, 0, len(names))
	for _, n := range names {
		r, err := resource.Parse(n)
		if err != nil || r.Level() != resource.FunctionLevel || r.Keyspace() != ks {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// CreateKeyspace records keyspace ks. Errors: store.ErrExists (wrapped) if
// it is recorded; the store's.
func (s *StoreCatalog) CreateKeyspace(ctx context.Context, ks string) error {
	return s.c.AddSchemaObject(ctx, resource.Keyspace(ks).Name())
}

// CreateTable records table ks.table; the keyspace must be recorded.
// Errors: store.ErrNotFound (wrapped) without the keyspace, store.ErrExists
// if the table is recorded; the store's.
func (s *StoreCatalog) CreateTable(ctx context.Context, ks, table string) error {
	if err := s.requireKeyspace(ctx, ks); err != nil {
		return err
	}
	return s.c.AddSchemaObject(ctx, resource.Table(ks, table).Name())
}

// CreateFunction records the function fn, a function resource whose
// keyspace is recorded. Errors: store.ErrInvalid for another level,
// store.ErrNotFound without the keyspace, store.ErrExists if recorded; the
// store's.
func (s *StoreCatalog) CreateFunction(ctx context.Context, fn resource.Resource) error {
	if fn.Level() != resource.FunctionLevel {
		return store.Errorf("CreateFunction", fn.Name(), store.ErrInvalid)
	}
	if err := s.requireKeyspace(ctx, fn.Keyspace()); err != nil {
		return err
	}
	return s.c.AddSchemaObject(ctx, fn.Name())
}

func (s *StoreCatalog) requireKeyspace(ctx context.Context, ks string) error {
	ok, err := s.KeyspaceExists(ctx, ks)
	if err != nil {
		return err
	}
	if !ok {
		return store.Errorf("CreateSchemaObject", resource.Keyspace(ks).Name(), store.ErrNotFound)
	}
	return nil
}

// DropKeyspace removes keyspace ks and its tables and functions. Errors:
// store.ErrNotFound (wrapped) if it is not recorded; the store's (objects
// already removed stay removed).
func (s *StoreCatalog) DropKeyspace(ctx context.Context, ks string) error {
	ok, err := s.KeyspaceExists(ctx, ks)
	if err != nil {
		return err
	}
	if !ok {
		return store.Errorf("DropKeyspace", resource.Keyspace(ks).Name(), store.ErrNotFound)
	}
	for _, prefix := range []string{resource.Keyspace(ks).Name() + "/", resource.FunctionsIn(ks).Name() + "/"} {
		names, err := s.c.ListSchemaObjects(ctx, prefix)
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := s.c.DropSchemaObject(ctx, n); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	return s.c.DropSchemaObject(ctx, resource.Keyspace(ks).Name())
}

// DropTable removes table ks.table. Errors: store.ErrNotFound (wrapped) if
// it is not recorded; the store's.
func (s *StoreCatalog) DropTable(ctx context.Context, ks, table string) error {
	return s.c.DropSchemaObject(ctx, resource.Table(ks, table).Name())
}

// DropFunction removes the function fn. Errors: store.ErrNotFound
// (wrapped) if it is not recorded; the store's.
func (s *StoreCatalog) DropFunction(ctx context.Context, fn resource.Resource) error {
	return s.c.DropSchemaObject(ctx, fn.Name())
}
