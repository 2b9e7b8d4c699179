package pgstore

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/pgtest"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// schemaVersion reads the version recorded in schema.
func schemaVersion(t *testing.T, dsn, schema string) int {
	t.Helper()
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	v, err := readVersion(ctx, conn, schema)
	require.NoError(t, err)
	return v
}

func TestOpenCreatesAndReopens(t *testing.T) {
	dsn := pgtest.Start(t)
	schema := newSchema()
	ctx := testCtx(t)
	s := openStore(t, dsn, &Options{Schema: schema})
	assert.Equal(t, schema, s.Schema())
	assert.Equal(t, SchemaVersion, schemaVersion(t, dsn, schema))
	var tables []string
	require.NoError(t, s.pool.QueryRow(ctx, `SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables WHERE schemaname = $1`,
		schema).Scan(&tables))
	assert.ElementsMatch(t, tablesAt(SchemaVersion), tables, "tablesAt lists what the migrations create")
	require.Len(t, migrations(), SchemaVersion)
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "kept", CanLogin: true, SaltedHash: "$2a$04$x"}))
	require.NoError(t, s.Close())

	s = openStore(t, dsn, &Options{Schema: schema})
	r, err := s.GetRole(ctx, "kept")
	require.NoError(t, err)
	assert.Equal(t, store.RoleRecord{Name: "kept", CanLogin: true, SaltedHash: "$2a$04$x"}, r)
}

// TestOpenRefusesNewerSchema writes a newer version by hand: Open must
// refuse it and leave it as it is.
func TestOpenRefusesNewerSchema(t *testing.T) {
	dsn := pgtest.Start(t)
	schema := newSchema()
	require.NoError(t, openStore(t, dsn, &Options{Schema: schema}).Close())
	execSQL(t, dsn, `UPDATE `+pgx.Identifier{schema}.Sanitize()+`.schema_version SET version = 99`)

	_, err := Open(testCtx(t), dsn, &Options{Schema: schema})
	require.ErrorIs(t, err, ErrUnsupportedVersion)
	assert.Contains(t, err.Error(), "version 99")
	var se *store.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Open", se.Op)
	assert.Equal(t, schema, se.Key)
	assert.Equal(t, 99, schemaVersion(t, dsn, schema), "a refused schema is left untouched")
}

// TestOpenMigratesFromVersion1 creates a version-1 schema (before the
// catalog table), fills it by hand as an operator or an older build
// would, and checks that Open migrates it and keeps the data.
func TestOpenMigratesFromVersion1(t *testing.T) {
	dsn := pgtest.Start(t)
	schema := newSchema()
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	from, to, err := upgrade(ctx, connBeginner{conn}, schema, migrations()[:1])
	require.NoError(t, err)
	require.Equal(t, []int{0, 1}, []int{from, to})
	x := expander(schema)
	for _, q := range []string{
		`INSERT INTO {s}.roles (role, can_login, salted_hash, member_of) VALUES ('alice', true, '$2a$04$h', '{admins}')`,
		`INSERT INTO {s}.roles (role, is_superuser) VALUES ('admins', true)`,
		`INSERT INTO {s}.role_members (role, member) VALUES ('admins', 'alice')`,
		`INSERT INTO {s}.role_permissions VALUES ('alice', 'data/ks', '{SELECT,MODIFY}')`,
		`INSERT INTO {s}.resource_role_permissions_index VALUES ('data/ks', 'alice')`,
	} {
		_, err := conn.Exec(ctx, x(q))
		require.NoError(t, err, q)
	}
	var logs bytes.Buffer
	s := openStore(t, dsn, &Options{Schema: schema, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	assert.Equal(t, SchemaVersion, schemaVersion(t, dsn, schema))
	assert.Contains(t, logs.String(), "migrated schema")
	assert.NotContains(t, logs.String(), "postgres://", "logs never carry the DSN")

	r, err := s.GetRole(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, store.RoleRecord{Name: "alice", CanLogin: true, SaltedHash: "$2a$04$h", MemberOf: []string{"admins"}}, r)
	p, err := s.GetPermissions(ctx, "alice", "data/ks")
	require.NoError(t, err)
	assert.Equal(t, resource.SetOf(resource.Select, resource.Modify), p)
	require.NoError(t, s.AddSchemaObject(ctx, "data/ks"), "the table version 2 adds")
	ok, err := s.HasSchemaObject(ctx, "data/ks")
	require.NoError(t, err)
	assert.True(t, ok)
}

// connBeginner adapts a *pgx.Conn to txBeginner.
type connBeginner struct{ *pgx.Conn }

func TestOpenRefusesForeignSchema(t *testing.T) {
	dsn := pgtest.Start(t)
	schema := newSchema()
	q := pgx.Identifier{schema}.Sanitize()
	execSQL(t, dsn, `CREATE SCHEMA `+q, `CREATE TABLE `+q+`.accounts (id int)`)
	_, err := Open(testCtx(t), dsn, &Options{Schema: schema})
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "accounts")
}

func TestOpenRefusesMissingTable(t *testing.T) {
	dsn := pgtest.Start(t)
	schema := newSchema()
	require.NoError(t, openStore(t, dsn, &Options{Schema: schema}).Close())
	execSQL(t, dsn, `DROP TABLE `+pgx.Identifier{schema, "cidr_groups"}.Sanitize())
	_, err := Open(testCtx(t), dsn, &Options{Schema: schema})
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "cidr_groups")
}

// TestOpenConcurrently opens one new schema from several goroutines at
// once, as processes starting together would: they must migrate it once
// and all succeed.
func TestOpenConcurrently(t *testing.T) {
	dsn := pgtest.Start(t)
	schema := newSchema()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(testCtx(t), dsn, &Options{Schema: schema, DisableFeed: true})
			errs[i] = err
			if err == nil {
				_ = s.Close()
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "Open %d", i)
	}
	assert.Equal(t, SchemaVersion, schemaVersion(t, dsn, schema))
}

func TestOpenInvalid(t *testing.T) {
	dsn := pgtest.Start(t)
	for _, k := range []struct {
		name string
		dsn  string
		opts *Options
	}{
		{"schema too long", dsn, &Options{Schema: strings.Repeat("s", 64)}},
		{"schema with NUL", dsn, &Options{Schema: "a\x00b"}},
		{"channel not UTF-8", dsn, &Options{NotifyChannel: "\xff"}},
		{"negative MaxConns", dsn, &Options{MaxConns: -1}},
		{"unparsable DSN", "postgres://user:s3cret@host:notaport/db", nil},
	} {
		t.Run(k.name, func(t *testing.T) {
			_, err := Open(testCtx(t), k.dsn, k.opts)
			require.ErrorIs(t, err, store.ErrInvalid)
			assert.NotContains(t, err.Error(), "s3cret", "errors never carry the password")
		})
	}
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*1e9)
	defer cancel()
	_, err := Open(ctx, "postgres://nobody@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", nil)
	require.Error(t, err)
	var se *store.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Open", se.Op)
	for _, s := range []error{store.ErrNotFound, store.ErrExists, store.ErrInvalid, store.ErrClosed} {
		assert.False(t, errors.Is(err, s), "an unreachable server is not %v", s)
	}
	var pgErr *pgconn.PgError
	assert.False(t, errors.As(err, &pgErr), "no server answered")
}

func TestOpenMaxConns(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openStore(t, dsn, &Options{Schema: newSchema(), MaxConns: 2})
	assert.Equal(t, int32(2), s.pool.Config().MaxConns)
}
