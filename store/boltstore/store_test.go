package boltstore

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "alice", CanLogin: true, SaltedHash: "$2a$10$h",
		Options: map[string]string{"a": "1", "b": ""}}))
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "admins", IsSuperuser: true}))
	require.NoError(t, s.GrantRole(ctx, "admins", "alice"))
	_, err = s.AddPermissions(ctx, "alice", "data/ks/t", resource.SetOf(resource.Select, resource.Modify))
	require.NoError(t, err)
	require.NoError(t, s.SetDatacenters(ctx, "alice", []string{"dc2", "dc1", "dc2"}))
	require.NoError(t, s.SetCIDRPermissions(ctx, "alice", nil))
	require.NoError(t, s.SetCIDRGroup(ctx, "office", []netip.Prefix{netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("10.0.0.0/8")}))
	require.NoError(t, s.AddIdentity(ctx, "spiffe://a", "alice"))
	before, err := takeSnapshot(ctx, s)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s = openAt(t, path, nil)
	after, err := takeSnapshot(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	r, err := s.GetRole(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, []string{"admins"}, r.MemberOf)
	assert.Equal(t, map[string]string{"a": "1", "b": ""}, r.Options)
	dcs, err := s.GetDatacenters(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, []string{"dc1", "dc2"}, dcs)
	groups, err := s.GetCIDRPermissions(ctx, "alice")
	require.NoError(t, err)
	assert.NotNil(t, groups, "an empty row means all and must read back as an empty, non-nil slice")
	assert.Empty(t, groups)
	require.NoError(t, s.Check(ctx))
}

func TestKeysWithSeparatorBytes(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	// Roles whose names contain the escape bytes must not see each
	// other's partitions.
	names := []string{"a", "a\x00", "a\x00\x01", "a\x00\xff", "a\x01", "\x00", "\xff"}
	for i, n := range names {
		require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: n}))
		_, err := s.AddPermissions(ctx, n, "data/ks\x00/t"+n, resource.PermissionSet(1<<i))
		require.NoError(t, err)
	}
	for _, n := range names {
		require.NoError(t, s.GrantRole(ctx, "a", n))
	}
	for i, n := range names {
		grants, err := s.ListGrants(ctx, n)
		require.NoError(t, err)
		assert.Equal(t, []store.Grant{{Role: n, Resource: "data/ks\x00/t" + n, Permissions: resource.PermissionSet(1 << i)}}, grants, "grants of %q", n)
		grantees, err := s.ListGrantees(ctx, "data/ks\x00/t"+n)
		require.NoError(t, err)
		assert.Equal(t, []string{n}, grantees)
	}
	members, err := s.ListMembers(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, sortedCopy(names), members)
	all, err := s.ListGrants(ctx, "")
	require.NoError(t, err)
	got := make([]string, len(all))
	for i, g := range all {
		got[i] = g.Role
	}
	assert.Equal(t, sortedCopy(names), got, "ListGrants sorted by role in byte order")
	require.NoError(t, s.DropRole(ctx, "a\x00"))
	require.NoError(t, s.Check(ctx))
}

func TestKeyTooLong(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	long := strings.Repeat("x", bolt.MaxKeySize+1)
	half := strings.Repeat("y", bolt.MaxKeySize/2+1)
	_, addErr := s.AddPermissions(ctx, half, half, resource.SetOf(resource.Select))
	tests := []struct {
		name string
		err  error
	}{
		{"CreateRole", s.CreateRole(ctx, store.RoleRecord{Name: long})},
		{"AddPermissions", addErr},
		{"SetDatacenters", s.SetDatacenters(ctx, long, nil)},
		{"SetCIDRGroup", s.SetCIDRGroup(ctx, long, nil)},
		{"AddIdentity", s.AddIdentity(ctx, long, "r")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.err, store.ErrInvalid)
			require.ErrorIs(t, tt.err, berrors.ErrKeyTooLarge)
			var se *store.Error
			require.ErrorAs(t, tt.err, &se)
			assert.Equal(t, tt.name, se.Op)
		})
	}
	_, err := s.GetRole(ctx, long)
	require.ErrorIs(t, err, store.ErrNotFound, "a read of a key too long is simply not found")
}

func TestCorruptValues(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		bucket []byte
		key    []byte
		value  []byte
		read   func(s *Store) error
	}{
		{"role flags", bucketRoles, []byte("r"), []byte{0x80, 0, 0, 0}, func(s *Store) error { _, err := s.GetRole(ctx, "r"); return err }},
		{"role truncated", bucketRoles, []byte("r"), []byte{0, 5, 'a'}, func(s *Store) error { _, err := s.ListRoles(ctx); return err }},
		{"permissions", bucketPerms, pairKey("r", "data"), []byte{0xff, 0xff}, func(s *Store) error {
			_, err := s.GetPermissions(ctx, "r", "data")
			return err
		}},
		{"empty permissions", bucketPerms, pairKey("r", "data"), []byte{0, 0}, func(s *Store) error { _, err := s.ListGrants(ctx, ""); return err }},
		{"grant key", bucketPerms, []byte("no terminator"), []byte{0, 1}, func(s *Store) error { _, err := s.ListGrants(ctx, ""); return err }},
		{"datacenters", bucketNetwork, []byte("r"), []byte{2, 1, 'b', 1, 'a'}, func(s *Store) error { _, err := s.GetDatacenters(ctx, "r"); return err }},
		{"cidr permissions", bucketCIDRPerms, []byte("r"), []byte{9}, func(s *Store) error { _, err := s.GetCIDRPermissions(ctx, "r"); return err }},
		{"cidr group", bucketCIDRGroup, []byte("g"), []byte{1, 4, 10, 0, 0, 0, 33}, func(s *Store) error { _, err := s.ListCIDRGroups(ctx); return err }},
		{"role on update", bucketRoles, []byte("r"), []byte{}, func(s *Store) error {
			return s.UpdateRole(ctx, "r", store.RoleUpdate{CanLogin: ptr(true)})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTemp(t)
			require.NoError(t, s.Check(ctx))
			require.NoError(t, s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(tt.bucket).Put(tt.key, tt.value) }))
			err := tt.read(s)
			require.ErrorIs(t, err, ErrCorrupt)
			var se *store.Error
			require.ErrorAs(t, err, &se)
			for _, other := range []error{store.ErrNotFound, store.ErrExists, store.ErrInvalid, store.ErrClosed} {
				assert.NotErrorIs(t, err, other)
			}
			require.ErrorIs(t, s.Check(ctx), ErrCorrupt)
		})
	}
}

func TestCheckFindsDisagreeingTables(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		edit func(tx *bolt.Tx) error
		want string
	}{
		{"index row without grant", func(tx *bolt.Tx) error { return tx.Bucket(bucketIndex).Put(pairKey("data", "ghost"), nil) },
			`resource index row ("data", "ghost") without a grant`},
		{"grant without index row", func(tx *bolt.Tx) error { return tx.Bucket(bucketIndex).Delete(pairKey("data/ks", "r")) },
			`grant of "r" on "data/ks" is missing from the resource index`},
		{"member row without member_of", func(tx *bolt.Tx) error { return tx.Bucket(bucketMembers).Put(pairKey("p", "q"), nil) },
			`role_members row ("p", "q") without "p" in the member_of of "q"`},
		{"member_of without member row", func(tx *bolt.Tx) error { return tx.Bucket(bucketMembers).Delete(pairKey("p", "r")) },
			`role "r" is a member of "p" but role_members lacks the row`},
		{"member_of a missing role", func(tx *bolt.Tx) error { return tx.Bucket(bucketRoles).Delete([]byte("p")) },
			`role "r" is a member of missing role "p"`},
		{"foreign bucket", func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err },
			`unknown bucket "other"`},
		{"version", func(tx *bolt.Tx) error { return writeVersion(tx, 7) }, "format version 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTemp(t)
			for _, n := range []string{"p", "q", "r"} {
				require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: n}))
			}
			require.NoError(t, s.GrantRole(ctx, "p", "r"))
			_, err := s.AddPermissions(ctx, "r", "data/ks", resource.SetOf(resource.Select))
			require.NoError(t, err)
			require.NoError(t, s.Check(ctx))
			require.NoError(t, s.db.Update(tt.edit))
			err = s.Check(ctx)
			require.ErrorIs(t, err, ErrCorrupt)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "r"}))
	calls := 0
	s.Subscribe(func(store.Change) { calls++ })
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	_, err := s.GetRole(ctx, "r")
	require.ErrorIs(t, err, store.ErrClosed)
	_, err = s.GetPermissions(ctx, "r", "data")
	require.ErrorIs(t, err, store.ErrClosed)
	require.ErrorIs(t, s.CreateRole(ctx, store.RoleRecord{Name: "x"}), store.ErrClosed)
	require.ErrorIs(t, s.Check(ctx), store.ErrClosed)
	cancel := s.Subscribe(func(store.Change) { calls++ })
	cancel()
	assert.Zero(t, calls)
}

func TestReadRacingCloseReportsClosed(t *testing.T) {
	// A read that passed the closed flag before Close meets bbolt's
	// "database not open": it must still read as ErrClosed.
	s := openTemp(t)
	require.NoError(t, s.db.Close())
	_, err := s.GetPermissions(context.Background(), "r", "data")
	require.ErrorIs(t, err, store.ErrClosed)
	require.ErrorIs(t, err, berrors.ErrDatabaseNotOpen, "bbolt's error stays reachable")
	_, err = s.ListRoles(context.Background())
	require.ErrorIs(t, err, store.ErrClosed)
}

func TestContextCheckedFirst(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.CreateRole(ctx, store.RoleRecord{})
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, store.ErrInvalid)
	_, err = s.GetPermissions(ctx, "r", "data")
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, s.Check(ctx), context.Canceled)
}

func TestErrorShape(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	err := s.GrantRole(ctx, "nobody", "nobody2")
	var se *store.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "GrantRole", se.Op)
	assert.Equal(t, "nobody", se.Key)
	assert.Equal(t, "store: GrantRole nobody: not found", err.Error())

	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "r"}))
	err = s.GrantRole(ctx, "r", "nobody2")
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "nobody2", se.Key, "the missing grantee is named")

	_, err = s.AddPermissions(ctx, "r", "data", resource.PermissionSet(1<<15))
	require.ErrorIs(t, err, store.ErrInvalid)
	assert.Equal(t, "store: AddPermissions r on data: invalid record: unknown permission bits", err.Error())
	assert.False(t, errors.Is(err, store.ErrNotFound))
}

func TestOpenInMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "auth.db")
	_, err := Open(path, nil)
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe, "the file system's error stays reachable")
	var se *store.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Open", se.Op)
	assert.Equal(t, path, se.Key)
}
