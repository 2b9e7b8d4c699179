package pgstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// schemaSeq numbers the schemas of this test binary's stores.
var schemaSeq atomic.Int64

// testCtx returns a context that ends with the test, bounded to a minute.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newSchema returns a schema name no other store of this binary uses.
func newSchema() string { return fmt.Sprintf("t%d", schemaSeq.Add(1)) }

// openStore opens a store on dsn with opts (nil: a fresh schema), and
// closes it when the test ends.
func openStore(t testing.TB, dsn string, opts *Options) *Store {
	t.Helper()
	if opts == nil {
		opts = &Options{Schema: newSchema()}
	}
	s, err := Open(testCtx(t), dsn, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// execSQL runs statements on dsn outside any store, as an operator would.
func execSQL(t testing.TB, dsn string, sqls ...string) {
	t.Helper()
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, q := range sqls {
		_, err := conn.Exec(ctx, q)
		require.NoError(t, err, q)
	}
}
