package store

import "context"

// Catalog is an optional capability of a [Store]: a set of schema object
// names (keyspaces, tables, functions) for standalone use, where no embedding
// server owns a schema. Objects are named by canonical resource name:
// "data/ks" for a keyspace, "data/ks/t" for a table, "functions/ks/f[...]"
// for a function. The DCL layer declares objects with CREATE KEYSPACE /
// TABLE / FUNCTION and checks GRANTs against them. Callers find it with a
// type assertion.
type Catalog interface {
	// AddSchemaObject records name, or returns ErrExists.
	AddSchemaObject(ctx context.Context, name string) error
	// DropSchemaObject removes name, or returns ErrNotFound. It does not
	// remove objects below it; the caller drops those first.
	DropSchemaObject(ctx context.Context, name string) error
	// HasSchemaObject reports whether name is recorded.
	HasSchemaObject(ctx context.Context, name string) (bool, error)
	// ListSchemaObjects returns the recorded names that start with prefix
	// ("" for all), sorted.
	ListSchemaObjects(ctx context.Context, prefix string) ([]string, error)
}
