package boltstore

import (
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// FormatVersion is the version of the file format this build writes. Open
// refuses a file of a newer version and migrates an older one.
const FormatVersion = 2

// Bucket names. Each top-level bucket is one system_auth table; see the
// package documentation for keys and values.
var (
	bucketMeta      = []byte("meta")
	bucketRoles     = []byte("roles")
	bucketMembers   = []byte("role_members")
	bucketPerms     = []byte("role_permissions")
	bucketIndex     = []byte("resource_role_permissions_index")
	bucketNetwork   = []byte("network_permissions")
	bucketCIDRPerms = []byte("cidr_permissions")
	bucketCIDRGroup = []byte("cidr_groups")
	bucketIdentity  = []byte("identity_to_role")
	bucketSchema    = []byte("schema_objects") // version 2: the optional store.Catalog

	keyFormatVersion = []byte("format_version")
)

// tableBuckets lists the buckets of format version 1, meta excepted.
var tableBuckets = [][]byte{
	bucketRoles, bucketMembers, bucketPerms, bucketIndex,
	bucketNetwork, bucketCIDRPerms, bucketCIDRGroup, bucketIdentity,
}

// currentBuckets lists the buckets of the current format version, meta
// excepted.
var currentBuckets = append(slices.Clone(tableBuckets), bucketSchema)

// migration upgrades the file by one format version, inside the write
// transaction that also records the new version.
type migration func(tx *bolt.Tx) error

// migrations[v] upgrades a file from version v to v+1; its length is
// FormatVersion. A future format change appends one function here and
// bumps FormatVersion; the tests create files at every older version.
var migrations = []migration{
	migrateFrom0,
	migrateFrom1,
}

// migrateFrom1 adds version 2's schema_objects bucket, the store.Catalog.
func migrateFrom1(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketSchema)
	return err
}

// migrateFrom0 turns a file without a format version (a new, empty bbolt
// file, or one an older Open left half set up) into version 1: it creates
// every table's bucket. A file holding any other bucket belongs to some
// other program and is refused with ErrCorrupt rather than adopted.
func migrateFrom0(tx *bolt.Tx) error {
	known := append(slices.Clone(currentBuckets), bucketMeta)
	err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if !slices.ContainsFunc(known, func(k []byte) bool { return string(k) == string(name) }) {
			return corrupt("the file has no format version and holds bucket %q: it is not a cassauth store", name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range tableBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// readVersion returns the file's format version; 0 when it has none.
func readVersion(tx *bolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(keyFormatVersion)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, corrupt("format_version of %d bytes", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// writeVersion records v as the file's format version.
func writeVersion(tx *bolt.Tx, v uint64) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	return meta.Put(keyFormatVersion, binary.BigEndian.AppendUint64(nil, v))
}

// unsupported returns the error for a file newer than target.
func unsupported(have, target uint64) error {
	return fmt.Errorf("%w: the file has format version %d, this build supports up to %d; use a newer cassauth",
		ErrUnsupportedVersion, have, target)
}

// migrate brings the file in tx from its version to len(steps), applying
// steps[v] for each version v on the way and recording each new version,
// and returns the version it found. A file newer than len(steps) is
// refused with an error wrapping ErrUnsupportedVersion. Run it in one
// write transaction: a failing step leaves the file as it was.
func migrate(tx *bolt.Tx, steps []migration) (from uint64, err error) {
	from, err = readVersion(tx)
	if err != nil {
		return 0, err
	}
	target := uint64(len(steps))
	if from > target {
		return from, unsupported(from, target)
	}
	for v := from; v < target; v++ {
		if err := steps[v](tx); err != nil {
			return from, fmt.Errorf("migrating from format version %d to %d: %w", v, v+1, err)
		}
		if err := writeVersion(tx, v+1); err != nil {
			return from, err
		}
	}
	return from, nil
}
