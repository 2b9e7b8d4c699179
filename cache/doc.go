// Package cache is a generic loading cache with the semantics of Apache
// Cassandra's auth caches (PermissionsCache, RolesCache, CredentialsCache,
// ...), built on ristretto. It knows nothing about auth: the layers above
// give it a loader and a key type.
//
// # Semantics
//
// A [Cache] is configured with Cassandra's four [Settings]:
//
//   - Validity: an entry is served for at most this long after it was
//     loaded; then the next Get loads again, synchronously. Validity 0
//     turns caching off: every Get calls the loader, nothing is stored,
//     no goroutine runs, invalidation does nothing.
//   - UpdateInterval: an entry older than this (and younger than the
//     validity) is still served, and the read starts one background reload
//     of it. If the reload fails the old value keeps being served until the
//     validity runs out; the next Get then loads synchronously and gets the
//     loader's error if that fails too. Zero means "same as validity" (no
//     background reloads), Cassandra's default.
//   - MaxEntries: the bound on the number of entries. Ristretto's TinyLFU
//     decides what to admit and what to evict.
//   - ActiveUpdate: instead of reloading on read, a timer reloads every
//     cached key once per update interval.
//
// [Cache.Reconfigure] changes them at run time, like `nodetool
// setauthcacheconfig`. A failed load is returned to the caller unchanged and
// nothing is cached.
//
// Beyond Cassandra, the cache guarantees:
//
//   - One load per key: concurrent misses of a key wait for one load, and at
//     most Options.MaxConcurrentLoads loads run at once. A background reload
//     runs at most once per key at a time.
//   - Invalidation that sticks: once [Cache.Invalidate],
//     [Cache.InvalidateIf] or [Cache.InvalidateAll] has returned, no Get
//     returns a value it removed, and no load of an affected key that was
//     running when it was called stores its result. A caller that writes to
//     the store and then invalidates therefore sees its write on its very
//     next Get, and so does every Get that starts later.
//   - Bulk warming ([Cache.Warm]), statistics ([Cache.Stats]) and a
//     [Cache.Close] that stops every goroutine the cache started.
//
// # Ristretto
//
// Ristretto's writes are buffered and may be dropped or refused by its
// admission policy, and its keys are strings or integers. So the cache keeps
// its own index, a hash table keyed by a 64-bit hash of K that stores the
// full key with each entry (a hash collision is a miss, never a wrong
// value). Reads consult only the index; ristretto sees every stored entry and
// a sample of the reads, and the entries it refuses or evicts leave the
// index. Nothing depends on a ristretto write being kept.
//
// # Performance
//
// A hit reads the index without a lock and without allocating: a hash of the
// key, two atomic loads, a comparison of the key, one reading of the clock
// (the monotonic clock, for [SystemClock]) and an increment of a counter
// spread over 16 cache lines. One hit in 16 is also reported to ristretto's
// frequency sketch, which takes a read lock and, once per thousand hits or
// so, allocates a buffer. Misses, invalidations and reconfigurations take
// per-stripe or cache-wide locks.
//
// # Time and goroutines
//
// Time comes from a [Clock], and the cache starts all background work
// through it. [FakeClock] makes expiry, reloads and active update
// deterministic: a test advances the clock and the due work has run when
// Advance returns. With caching enabled, ristretto runs two goroutines of its
// own; Close stops them and waits for running background loads.
//
// # Testing
//
// Packages built on this one test with a [FakeClock] and the loader they
// would use in production, or a fake that fails on demand. The
// conformance suites of the layers above exercise the caches they build.
package cache
