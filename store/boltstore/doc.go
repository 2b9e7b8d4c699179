// Package boltstore is the durable, embedded backend of the storage
// contract in package store, and cassauth's default store on disk: every
// system_auth table in one file managed by go.etcd.io/bbolt (a B+tree with
// copy-on-write pages and one writer at a time).
//
// # Semantics
//
// A [Store] implements [store.Store] with the same readings as
// store/memstore, the reference backend: every method runs in one bbolt
// transaction, so multi-row changes (DropRole, GrantRole, RevokeAllFrom,
// ...) are atomic and reads see a consistent snapshot; results are sorted
// in byte order; empty keys are rejected on writes with
// [store.ErrInvalid]; writes that change nothing write nothing. A done
// context is checked before each transaction starts.
//
// # Durability
//
// A write returns after its transaction has committed and been synced to
// disk (fdatasync), so an acknowledged write survives a crash of the
// process or of the machine; Options.NoSync trades that for speed. The
// crash test kills a writing child process at random moments and checks
// that every acknowledged write is there and the file is consistent.
//
// # Tables
//
// Each system_auth table is a top-level bucket. Composite keys are the
// first column in an order-preserving escaped form followed by the second
// column (see codec.go), so a bucket's key order is the table's
// clustering order and a partition is a key prefix.
//
//	bucket                           system_auth table               key                   value
//	roles                            roles                           role                  flags, salted_hash, member_of, options
//	role_members                     role_members                    (role, member)        empty
//	role_permissions                 role_permissions                (role, resource)      permission set, 2 bytes
//	resource_role_permissions_index  resource_role_permissons_index  (resource, role)      empty
//	network_permissions              network_permissions             role (bare name)      set of datacenters
//	cidr_permissions                 cidr_permissions                role                  set of CIDR group names
//	cidr_groups                      cidr_groups                     group name            set of prefixes
//	identity_to_role                 identity_to_role                identity              role
//	meta                             -                               "format_version"      uint64, big-endian
//
// The index bucket fixes Cassandra's spelling ("permissons"). Values are
// compact varint encodings (encoding/binary), canonical and checked when
// read: a value that does not decode is reported as [ErrCorrupt], never
// served, and never makes the decoder panic.
//
// # Format versions
//
// The meta bucket records the file's format version. Open refuses a file
// newer than [FormatVersion] with [ErrUnsupportedVersion] (and leaves it
// untouched), and migrates an older one, step by step, in one write
// transaction: a failed migration leaves the file as it was. A file with
// no version is version 0; a new file is migrated from it.
//
// # Locking
//
// Open takes an exclusive lock (flock) on the file for the life of the
// Store: a second Open of the same file, from another process or this
// one, waits Options.Timeout and then fails with [ErrLocked].
//
// # Change feed
//
// A Store implements [store.ChangeFeed] for the writes made through it,
// with memstore's semantics: callbacks run after the commit, before the
// writing call returns, in commit order, holding no bbolt lock. See
// [Store.Subscribe].
//
// # Errors
//
// Errors are [*store.Error] values wrapping the contract's sentinels
// ([store.ErrNotFound], [store.ErrExists], [store.ErrInvalid],
// [store.ErrClosed]), this package's ([ErrLocked], [ErrUnsupportedVersion],
// [ErrCorrupt]) or the context's error, and keeping bbolt's error
// reachable with [errors.Is] and [errors.As]. Any other error means the
// store could not answer: callers fail closed.
//
// # Testing
//
// The package passes conformance.TestStore, which every backend should
// run. [Store.Check] verifies a file: bbolt's consistency check and the
// agreement of the tables.
package boltstore
