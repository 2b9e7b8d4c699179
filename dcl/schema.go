package dcl

import (
	"context"
	"strings"

	"github.com/cassauth/cassauth/resource"
)

// Schema tells the statements which keyspaces, tables and functions exist,
// so that GRANT, REVOKE and LIST PERMISSIONS on a missing resource fail as
// in Cassandra ("Resource <table ks.t> doesn't exist"). An embedding server
// implements it over its own schema; [NewStoreCatalog] implements it over a
// store for standalone use.
//
// Implementations must be safe for concurrent use. An error means the
// question could not be answered; the statement fails with it.
type Schema interface {
	// KeyspaceExists reports whether keyspace ks exists.
	KeyspaceExists(ctx context.Context, ks string) (bool, error)
	// TableExists reports whether table ks.table exists.
	TableExists(ctx context.Context, ks, table string) (bool, error)
	// FunctionExists reports whether the user function ks.name with
	// exactly these argument types exists. argTypes are Java type names,
	// as in a function resource's name (resource.Resource.FunctionArgs),
	// e.g. "org.apache.cassandra.db.marshal.Int32Type".
	FunctionExists(ctx context.Context, ks, name string, argTypes []string) (bool, error)
}

// SchemaLister is an optional capability of a [Schema]: listing the tables
// and functions of a keyspace. DROP FUNCTION without argument types needs
// it to find the overloads.
type SchemaLister interface {
	// Tables returns the names of the tables of keyspace ks, sorted.
	Tables(ctx context.Context, ks string) ([]string, error)
	// Functions returns the function resources of keyspace ks, sorted by
	// name.
	Functions(ctx context.Context, ks string) ([]resource.Resource, error)
}

// Catalog is a [Schema] that also accepts declarations: the CREATE and
// DROP KEYSPACE, TABLE and FUNCTION statements change it. Without one, those
// statements fail with [ErrNoCatalog]. Implementations must be safe for
// concurrent use.
type Catalog interface {
	Schema
	SchemaLister
	// CreateKeyspace records keyspace ks; an error wrapping
	// store.ErrExists if it exists.
	CreateKeyspace(ctx context.Context, ks string) error
	// CreateTable records table ks.table; store.ErrExists if it exists.
	CreateTable(ctx context.Context, ks, table string) error
	// CreateFunction records the function fn (a function resource);
	// store.ErrExists if it exists.
	CreateFunction(ctx context.Context, fn resource.Resource) error
	// DropKeyspace removes keyspace ks and everything in it;
	// store.ErrNotFound if it does not exist.
	DropKeyspace(ctx context.Context, ks string) error
	// DropTable removes table ks.table; store.ErrNotFound if missing.
	DropTable(ctx context.Context, ks, table string) error
	// DropFunction removes the function fn; store.ErrNotFound if missing.
	DropFunction(ctx context.Context, fn resource.Resource) error
}

// exists reports whether res exists (Cassandra's IResource.exists, spec
// 4.3): roots always; roles through the role manager; data and function
// resources through [Env].Schema (everything exists when it is nil);
// MBeans through [Env].MBeanExists (all exist when it is nil).
func (r *runner) exists(ctx context.Context, res resource.Resource) (bool, error) {
	if res.IsRoot() {
		return true, nil
	}
	switch res.Level() {
	case resource.RoleLevel:
		return r.env.Roles.IsExistingRole(ctx, res.RoleName())
	case resource.MBeanLevel:
		if r.env.MBeanExists == nil {
			return true, nil
		}
		return r.env.MBeanExists(ctx, res.ObjectName())
	}
	if strings.Contains(res.Keyspace(), "/") || strings.Contains(res.Table(), "/") {
		// Not a schema name (Cassandra's are \w+), and a resource name
		// that would not parse back.
		return false, nil
	}
	s := r.env.Schema
	if s == nil {
		return true, nil
	}
	switch res.Level() {
	case resource.KeyspaceLevel, resource.AllTablesLevel, resource.FunctionsInLevel:
		return s.KeyspaceExists(ctx, res.Keyspace())
	case resource.TableLevel:
		return s.TableExists(ctx, res.Keyspace(), res.Table())
	case resource.FunctionLevel:
		return s.FunctionExists(ctx, res.Keyspace(), res.FunctionName(), res.FunctionArgs())
	}
	return false, nil
}
