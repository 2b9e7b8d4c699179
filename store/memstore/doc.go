// Package memstore is the in-memory reference backend of the storage
// contract in package store: every system_auth table in maps behind one
// read-write lock, with the contract's semantics and nothing else. Use it
// for tests, for embedding without persistence, and as the model other
// backends are compared with.
//
// # Semantics
//
// Every method is atomic, including the multi-row ones (DropRole,
// GrantRole, RevokeAllFrom, ...). Records are deep-copied in and out, so a
// caller may modify what it passed or got back. Results are sorted in byte
// order. Errors are [*store.Error] values wrapping [store.ErrNotFound],
// [store.ErrExists], [store.ErrInvalid], [store.ErrClosed] or the context's
// error; a done context is checked before any work.
//
// Where the contract leaves a choice, memstore takes these readings:
// permissions, network and CIDR rows and identities may name roles that do
// not exist (Cassandra's authorizers do not check either); empty keys are
// rejected with [store.ErrInvalid] on writes and simply not found on reads;
// datacenter and CIDR group lists are sets (sorted, without duplicates);
// writes that change nothing report no change.
//
// # Change feed
//
// A [Store] implements [store.ChangeFeed]: subscribers hear of every write
// before the writing call returns; see [Store.Subscribe].
//
// # Memory and speed
//
// Small partitions (a role's grants, a resource's grantees, a role's
// members) are sorted slices that turn into maps past 16 entries, and keys
// are interned (and copied, so a key never pins a caller's larger buffer).
// A stored grant costs about 90 bytes when roles hold several grants over
// shared resources, under the 200 bytes the design allows; a grant that
// alone brings a new role and a new resource costs about 260, its two names
// and partitions included (see BenchmarkGrantMemory). GetPermissions takes
// a shared lock and does not allocate.
//
// # Testing
//
// The package passes conformance.TestStore, which every backend should run.
package memstore
