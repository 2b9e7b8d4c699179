package dcl_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

func TestStoreCatalog(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	c := dcl.NewStoreCatalog(mem)
	f1, err := resource.Function("ks", "f", "int")
	require.NoError(t, err)
	f2, err := resource.Function("ks", "f", "text", "list<int>")
	require.NoError(t, err)
	other, err := resource.Function("ks2", "g")
	require.NoError(t, err)

	ok, err := c.KeyspaceExists(ctx, "ks")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.ErrorIs(t, c.CreateTable(ctx, "ks", "t"), store.ErrNotFound)
	assert.ErrorIs(t, c.CreateFunction(ctx, f1), store.ErrNotFound)
	assert.ErrorIs(t, c.CreateFunction(ctx, resource.Keyspace("ks")), store.ErrInvalid)
	assert.ErrorIs(t, c.DropKeyspace(ctx, "ks"), store.ErrNotFound)

	require.NoError(t, c.CreateKeyspace(ctx, "ks"))
	require.NoError(t, c.CreateKeyspace(ctx, "ks2"))
	assert.ErrorIs(t, c.CreateKeyspace(ctx, "ks"), store.ErrExists)
	require.NoError(t, c.CreateTable(ctx, "ks", "t"))
	require.NoError(t, c.CreateTable(ctx, "ks", "u"))
	require.NoError(t, c.CreateTable(ctx, "ks2", "t"))
	assert.ErrorIs(t, c.CreateTable(ctx, "ks", "t"), store.ErrExists)
	require.NoError(t, c.CreateFunction(ctx, f1))
	require.NoError(t, c.CreateFunction(ctx, f2))
	require.NoError(t, c.CreateFunction(ctx, other))
	assert.ErrorIs(t, c.CreateFunction(ctx, f1), store.ErrExists)

	tables, err := c.Tables(ctx, "ks")
	require.NoError(t, err)
	assert.Equal(t, []string{"t", "u"}, tables)
	fns, err := c.Functions(ctx, "ks")
	require.NoError(t, err)
	assert.ElementsMatch(t, []resource.Resource{f1, f2}, fns)
	ok, err = c.FunctionExists(ctx, "ks", "f", f2.FunctionArgs())
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = c.FunctionExists(ctx, "ks", "f", nil)
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = c.TableExists(ctx, "ks", "u")
	require.NoError(t, err)
	assert.True(t, ok)

	require.NoError(t, c.DropTable(ctx, "ks", "u"))
	assert.ErrorIs(t, c.DropTable(ctx, "ks", "u"), store.ErrNotFound)
	require.NoError(t, c.DropFunction(ctx, f2))
	assert.ErrorIs(t, c.DropFunction(ctx, f2), store.ErrNotFound)

	// Dropping a keyspace drops what is in it, and nothing else.
	require.NoError(t, c.DropKeyspace(ctx, "ks"))
	names, err := mem.ListSchemaObjects(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"data/ks2", "data/ks2/t", other.Name()}, names)

	// System keyspaces and system_auth tables exist without declarations.
	for _, ks := range []string{"system", "system_auth", "system_schema"} {
		ok, err := c.KeyspaceExists(ctx, ks)
		require.NoError(t, err)
		assert.True(t, ok, ks)
	}
	ok, err = c.TableExists(ctx, "system_auth", "role_permissions")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = c.TableExists(ctx, "system_auth", "other")
	require.NoError(t, err)
	assert.False(t, ok)
}
