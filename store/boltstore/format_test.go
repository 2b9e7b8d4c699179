package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/cassauth/cassauth/store"
)

// makeFile creates a bbolt file by hand, as an older (or newer, or
// foreign) program would have left it.
func makeFile(t *testing.T, path string, fill func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(fill))
	require.NoError(t, db.Close())
}

// fileVersion reads a file's format version with bbolt directly.
func fileVersion(t *testing.T, path string) (v uint64, buckets []string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		if v, err = readVersion(tx); err != nil {
			return err
		}
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			buckets = append(buckets, string(name))
			return nil
		})
	}))
	return v, buckets
}

var allBuckets = []string{"cidr_groups", "cidr_permissions", "identity_to_role", "meta", "network_permissions",
	"resource_role_permissions_index", "role_members", "role_permissions", "roles", "schema_objects"}

func TestNewFileIsCurrentVersion(t *testing.T) {
	path := tempPath(t)
	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	v, buckets := fileVersion(t, path)
	assert.Equal(t, uint64(FormatVersion), v)
	assert.Equal(t, allBuckets, buckets)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, DefaultFileMode, fi.Mode().Perm())
}

func TestNewerVersionRefused(t *testing.T) {
	path := tempPath(t)
	makeFile(t, path, func(tx *bolt.Tx) error { return writeVersion(tx, FormatVersion+1) })
	_, err := Open(path, nil)
	require.ErrorIs(t, err, ErrUnsupportedVersion)
	assert.Contains(t, err.Error(), fmt.Sprintf("format version %d, this build supports up to %d", FormatVersion+1, FormatVersion))
	assert.Contains(t, err.Error(), path)
	v, buckets := fileVersion(t, path)
	assert.Equal(t, uint64(FormatVersion+1), v, "the file is left untouched")
	assert.Equal(t, []string{"meta"}, buckets)
	// The failed Open released the lock.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 100 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, db.Close())
}

func TestMigrateFromVersion0(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		fill func(tx *bolt.Tx) error
	}{
		{"empty bbolt file", func(*bolt.Tx) error { return nil }},
		{"empty meta bucket", func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucketMeta); return err }},
		{"half set up, with a role", func(tx *bolt.Tx) error {
			if _, err := tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			b, err := tx.CreateBucket(bucketRoles)
			if err != nil {
				return err
			}
			return b.Put([]byte("kept"), encodeRole(&store.RoleRecord{Name: "kept", CanLogin: true}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			makeFile(t, path, tt.fill)
			v, _ := fileVersion(t, path)
			require.Zero(t, v)
			s, err := Open(path, nil)
			require.NoError(t, err)
			require.NoError(t, s.Check(ctx))
			require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "new"}))
			roles, err := s.ListRoles(ctx)
			require.NoError(t, err)
			assert.NotEmpty(t, roles)
			require.NoError(t, s.Close())
			v, buckets := fileVersion(t, path)
			assert.Equal(t, uint64(FormatVersion), v)
			assert.Equal(t, allBuckets, buckets)
		})
	}
}

func TestForeignFileRefused(t *testing.T) {
	path := tempPath(t)
	makeFile(t, path, func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("someone_elses")); return err })
	_, err := Open(path, nil)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), `"someone_elses"`)
	v, buckets := fileVersion(t, path)
	assert.Zero(t, v)
	assert.Equal(t, []string{"someone_elses"}, buckets, "nothing was created")
}

func TestNotABoltFile(t *testing.T) {
	path := tempPath(t)
	garbage := make([]byte, 16<<10)
	for i := range garbage {
		garbage[i] = byte(i * 7)
	}
	require.NoError(t, os.WriteFile(path, garbage, 0o600))
	_, err := Open(path, nil)
	require.ErrorIs(t, err, ErrCorrupt)
	require.True(t, errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum), "bbolt's error stays reachable: %v", err)
}

func TestBadVersionValue(t *testing.T) {
	path := tempPath(t)
	makeFile(t, path, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keyFormatVersion, []byte{1})
	})
	_, err := Open(path, nil)
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestMissingTableRefused(t *testing.T) {
	path := tempPath(t)
	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketIndex) }))
	require.NoError(t, s.Close())
	_, err = Open(path, nil)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "resource_role_permissions_index")
}

// TestMigrationChain runs the migration machinery with a made-up version 3,
// as the next format change will: from each older version the file goes
// step by step to the newest, and a failing step leaves the file as it was.
func TestMigrationChain(t *testing.T) {
	ctx := context.Background()
	toV3 := func(tx *bolt.Tx) error {
		// A plausible format change: rewrite every role row.
		b := tx.Bucket(bucketRoles)
		return b.ForEach(func(k, v []byte) error {
			r, err := decodeRole(string(k), v)
			if err != nil {
				return err
			}
			r.Options = map[string]string{"migrated": "yes"}
			return b.Put(k, encodeRole(&r))
		})
	}
	steps := []migration{migrateFrom0, migrateFrom1, toV3}

	t.Run("from 0 to 3", func(t *testing.T) {
		path := tempPath(t)
		makeFile(t, path, func(*bolt.Tx) error { return nil })
		db, err := bolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		s := &Store{db: db, path: path, log: discardLogger()}
		require.NoError(t, s.upgrade(steps))
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			v, err := readVersion(tx)
			assert.Equal(t, uint64(3), v)
			return err
		}))
		require.NoError(t, db.Close())
	})
	t.Run("from 2 to 3", func(t *testing.T) {
		path := tempPath(t)
		s := openAt(t, path, nil)
		require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "alice"}))
		require.NoError(t, s.Close())
		db, err := bolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		s = &Store{db: db, path: path, log: discardLogger()}
		require.NoError(t, s.upgrade(steps))
		r, err := s.GetRole(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"migrated": "yes"}, r.Options)
		require.NoError(t, db.Close())
		// This build's Open now refuses the file.
		_, err = Open(path, nil)
		require.ErrorIs(t, err, ErrUnsupportedVersion)
	})
	t.Run("failing step rolls back", func(t *testing.T) {
		path := tempPath(t)
		makeFile(t, path, func(*bolt.Tx) error { return nil })
		boom := errors.New("boom")
		db, err := bolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		s := &Store{db: db, path: path, log: discardLogger()}
		err = s.upgrade([]migration{migrateFrom0, migrateFrom1, func(*bolt.Tx) error { return boom }})
		require.ErrorIs(t, err, boom)
		assert.Contains(t, err.Error(), "migrating from format version 2 to 3")
		require.NoError(t, db.Close())
		v, buckets := fileVersion(t, path)
		assert.Zero(t, v, "the version 0 -> 2 steps were rolled back with the failing one")
		assert.Empty(t, buckets)
	})
}

// TestMigrateFromVersion1 opens a file written by format version 1 (no
// schema_objects bucket) and checks it is upgraded in place, data kept.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	makeFile(t, path, func(tx *bolt.Tx) error {
		for _, name := range tableBuckets {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		r := store.RoleRecord{Name: "alice", CanLogin: true}
		if err := tx.Bucket(bucketRoles).Put([]byte("alice"), encodeRole(&r)); err != nil {
			return err
		}
		return writeVersion(tx, 1)
	})
	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Check(ctx))
	r, err := s.GetRole(ctx, "alice")
	require.NoError(t, err)
	assert.True(t, r.CanLogin)
	require.NoError(t, s.AddSchemaObject(ctx, "data/ks"))
	require.NoError(t, s.Close())
	v, buckets := fileVersion(t, path)
	assert.Equal(t, uint64(FormatVersion), v)
	assert.Equal(t, allBuckets, buckets)
}
