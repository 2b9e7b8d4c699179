package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/dump"
	"github.com/cassauth/cassauth/store/memstore"
)

func TestProgressBar(t *testing.T) {
	now := time.Unix(0, 0)
	var out bytes.Buffer
	p := newProgress(true, &out, "importing", "bytes", 4<<20)
	p.now = func() time.Time { return now }
	p.set(1<<20, 0)
	assert.Equal(t, "\rimporting  [#######.......................]  25%  1.0 MiB / 4.0 MiB\x1b[K", out.String())
	out.Reset()
	p.set(2<<20, 0) // within 100ms: not redrawn
	assert.Empty(t, out.String())
	now = now.Add(time.Second)
	p.add(2 << 20)
	assert.Contains(t, out.String(), "100%  4.0 MiB / 4.0 MiB")
	out.Reset()
	p.finish()
	assert.True(t, strings.HasSuffix(out.String(), "\n"))

	out.Reset()
	q := newProgress(true, &out, "exporting", "bytes", 0)
	q.set(1536, 0)
	assert.Equal(t, "\rexporting  1.5 KiB\x1b[K", out.String())

	var off *progressBar = newProgress(false, &out, "x", "rows", 1)
	off.set(1, 1) // a nil bar does nothing
	off.add(1)
	off.finish()
	assert.Nil(t, off.setIfOn())
}

func TestCountingStoreCountsImportedRows(t *testing.T) {
	ctx := context.Background()
	src := memstore.New()
	require.NoError(t, src.CreateRole(ctx, store.RoleRecord{Name: "a", CanLogin: true}))
	require.NoError(t, src.CreateRole(ctx, store.RoleRecord{Name: "b"}))
	require.NoError(t, src.GrantRole(ctx, "b", "a"))
	_, err := src.AddPermissions(ctx, "b", "data/ks", 1)
	require.NoError(t, err)
	require.NoError(t, src.AddSchemaObject(ctx, "data/ks"))
	require.NoError(t, src.AddIdentity(ctx, "spiffe://x", "a"))
	var buf bytes.Buffer
	require.NoError(t, dump.Export(ctx, src, &buf))

	var out bytes.Buffer
	p := newProgress(true, &out, "importing", "rows", 0)
	dst := withRowProgress(memstore.New(), p)
	_, isCatalog := dst.(store.Catalog)
	assert.True(t, isCatalog, "the catalog capability is kept")
	sum, err := dump.Import(ctx, dst, &buf, dump.ImportOptions{})
	require.NoError(t, err)
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	assert.Equal(t, int64(sum.Rows()), done)
	assert.Equal(t, memstore.New(), withRowProgress(memstore.New(), nil), "without a bar the store is returned as is")
}
