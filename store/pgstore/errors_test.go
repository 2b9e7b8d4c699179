package pgstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/pgtest"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// pgCode returns the SQLSTATE of the *pgconn.PgError behind err, or "".
func pgCode(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// TestErrorsReachPgError checks that both the sentinel and PostgreSQL's
// error are reachable: a unique violation, and a table dropped behind the
// store's back.
func TestErrorsReachPgError(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openStore(t, dsn, nil)
	ctx := testCtx(t)
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "r"}))

	err := s.CreateRole(ctx, store.RoleRecord{Name: "r"})
	require.ErrorIs(t, err, store.ErrExists)
	assert.Equal(t, codeUniqueViolation, pgCode(err))
	var se *store.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, store.Error{Op: "CreateRole", Key: "r", Err: se.Err}, *se)

	require.NoError(t, s.AddIdentity(ctx, "id", "r"))
	err = s.AddIdentity(ctx, "id", "r")
	require.ErrorIs(t, err, store.ErrExists)
	assert.Equal(t, codeUniqueViolation, pgCode(err))

	execSQL(t, dsn, `DROP TABLE `+pgx.Identifier{s.schema, "roles"}.Sanitize()+` CASCADE`)
	_, err = s.GetRole(ctx, "r")
	require.Error(t, err)
	assert.Equal(t, "42P01", pgCode(err), "undefined_table: %v", err)
	for _, sentinel := range []error{store.ErrNotFound, store.ErrExists, store.ErrInvalid, store.ErrClosed} {
		assert.NotErrorIs(t, err, sentinel, "a broken table is not an answer")
	}
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "GetRole", se.Op)
}

// TestDeadlineWhileBlocked blocks a write on a lock held by another
// session: the deadline must cut it off with context.DeadlineExceeded,
// write nothing, and leave the store usable.
func TestDeadlineWhileBlocked(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openStore(t, dsn, nil)
	ctx := testCtx(t)
	_, err := s.AddPermissions(ctx, "r", "data/ks", resource.SetOf(resource.Select))
	require.NoError(t, err)

	holder, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer holder.Close(ctx)
	// A session lock on the role tables and a row lock on the grant.
	_, err = holder.Exec(ctx, `SELECT pg_advisory_lock($1)`, s.rolesLock)
	require.NoError(t, err)
	tx, err := holder.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, s.sql.perms.lock, "r", "data/ks")
	require.NoError(t, err)

	for _, k := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"CreateRole waits for the role lock", func(ctx context.Context) error {
			return s.CreateRole(ctx, store.RoleRecord{Name: "late"})
		}},
		{"AddPermissions waits for the row lock", func(ctx context.Context) error {
			_, err := s.AddPermissions(ctx, "r", "data/ks", resource.SetOf(resource.Modify))
			return err
		}},
	} {
		t.Run(k.name, func(t *testing.T) {
			short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := k.call(short)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 10*time.Second)
			for _, sentinel := range []error{store.ErrNotFound, store.ErrExists, store.ErrInvalid, store.ErrClosed} {
				assert.NotErrorIs(t, err, sentinel)
			}
		})
	}
	require.NoError(t, tx.Rollback(ctx))
	_, err = holder.Exec(ctx, `SELECT pg_advisory_unlock($1)`, s.rolesLock)
	require.NoError(t, err)

	_, err = s.GetRole(ctx, "late")
	require.ErrorIs(t, err, store.ErrNotFound, "the cut-off CreateRole wrote nothing")
	p, err := s.GetPermissions(ctx, "r", "data/ks")
	require.NoError(t, err)
	assert.Equal(t, resource.SetOf(resource.Select), p, "the cut-off AddPermissions wrote nothing")
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "late"}), "the store works on")
}

// TestUnstorableStrings checks what PostgreSQL's text cannot hold: writes
// fail with ErrInvalid, reads answer "not there".
func TestUnstorableStrings(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openStore(t, dsn, nil)
	ctx := testCtx(t)
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "r"}))
	for _, k := range []struct {
		name string
		err  error
	}{
		{"CreateRole NUL", s.CreateRole(ctx, store.RoleRecord{Name: "a\x00b"})},
		{"CreateRole bad UTF-8", s.CreateRole(ctx, store.RoleRecord{Name: "\xff"})},
		{"CreateRole hash with NUL", s.CreateRole(ctx, store.RoleRecord{Name: "h", SaltedHash: "x\x00"})},
		{"CreateRole option with NUL", s.CreateRole(ctx, store.RoleRecord{Name: "o", Options: map[string]string{"k": "\x00"}})},
		{"UpdateRole option with bad UTF-8", s.UpdateRole(ctx, "r", store.RoleUpdate{Options: map[string]string{"\xfe": "v"}})},
		{"SetDatacenters bad dc", s.SetDatacenters(ctx, "r", []string{"dc\x00"})},
		{"AddIdentity bad identity", s.AddIdentity(ctx, "\xc3", "r")},
		{"AddSchemaObject NUL", s.AddSchemaObject(ctx, "data/\x00")},
		{"SetCIDRGroup NUL", s.SetCIDRGroup(ctx, "g\x00", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})},
	} {
		t.Run(k.name, func(t *testing.T) {
			require.ErrorIs(t, k.err, store.ErrInvalid)
			assert.NotErrorIs(t, k.err, store.ErrExists)
		})
	}
	_, err := s.GetRole(ctx, "a\x00b")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetIdentity(ctx, "\xff")
	require.ErrorIs(t, err, store.ErrNotFound)
	p, err := s.GetPermissions(ctx, "\xff", "data")
	require.NoError(t, err)
	assert.Zero(t, p)
	members, err := s.ListMembers(ctx, "\x00")
	require.NoError(t, err)
	assert.Empty(t, members)
	require.NoError(t, s.RevokeRole(ctx, "\x00", "r"), "a membership that cannot exist is a no-op")
	require.ErrorIs(t, s.DropRole(ctx, "\xff"), store.ErrNotFound)
	roles, err := s.ListRoles(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, len(roles), "nothing was written")
}

// TestLongKeyKeepsPgError checks that a key too long for PostgreSQL's
// btree comes back as ErrInvalid with PostgreSQL's error reachable.
func TestLongKeyKeepsPgError(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openStore(t, dsn, nil)
	// Random text does not compress below the btree entry limit (~2.7 kB).
	rnd := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range 8000 {
		b.WriteByte(byte('!' + rnd.IntN(90)))
	}
	_, err := s.AddPermissions(testCtx(t), "r", b.String(), resource.SetOf(resource.Select))
	require.Error(t, err)
	assert.True(t, errors.Is(err, store.ErrInvalid), "want ErrInvalid")
	assert.Equal(t, codeProgramLimitExceeded, pgCode(err))
	grants, err := s.ListGrants(testCtx(t), "")
	require.NoError(t, err)
	assert.Equal(t, 0, len(grants), "nothing was written")
}

// TestCorruptPermissionName writes a permission name this build does not
// know, behind the store's back: reads must fail closed with ErrCorrupt.
func TestCorruptPermissionName(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openStore(t, dsn, nil)
	ctx := testCtx(t)
	_, err := s.AddPermissions(ctx, "r", "data/ks", resource.SetOf(resource.Select))
	require.NoError(t, err)
	x := expander(s.schema)
	execSQL(t, dsn,
		x(`ALTER TABLE {s}.role_permissions DROP CONSTRAINT role_permissions_permissions_check`),
		x(`UPDATE {s}.role_permissions SET permissions = '{SELECT,FLY}'`))
	_, err = s.GetPermissions(ctx, "r", "data/ks")
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "FLY")
	_, err = s.ListGrants(ctx, "")
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = s.AddPermissions(ctx, "r", "data/ks", resource.SetOf(resource.Modify))
	require.ErrorIs(t, err, ErrCorrupt)
}

// TestClosedDuringCall closes the store while a call waits for a lock:
// Close waits for it, and calls after Close fail with ErrClosed.
func TestClosedDuringCall(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openStore(t, dsn, nil)
	ctx := testCtx(t)
	holder, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer holder.Close(ctx)
	_, err = holder.Exec(ctx, `SELECT pg_advisory_lock($1)`, s.rolesLock)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- s.CreateRole(ctx, store.RoleRecord{Name: "waiting"}) }()
	time.Sleep(100 * time.Millisecond)
	closed := make(chan struct{})
	go func() { _ = s.Close(); close(closed) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-closed:
		t.Fatal("Close returned while a call was using a connection")
	default:
	}
	_, err = holder.Exec(ctx, `SELECT pg_advisory_unlock($1)`, s.rolesLock)
	require.NoError(t, err)
	require.NoError(t, <-done, "the call in progress completes")
	<-closed
	_, err = s.GetRole(ctx, "waiting")
	require.ErrorIs(t, err, store.ErrClosed)
}
