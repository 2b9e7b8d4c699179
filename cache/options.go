package cache

import (
	"context"
	"log/slog"
	"time"
)

// Cassandra's defaults for every auth cache (cassandra.yaml
// `*_validity`, `*_cache_max_entries`), and the default bound on loads
// running at once.
const (
	DefaultValidity           = 2 * time.Second
	DefaultMaxEntries         = 1000
	DefaultMaxConcurrentLoads = 64
)

// Settings are the four knobs Cassandra exposes per auth cache, in
// cassandra.yaml and at run time through `nodetool setauthcacheconfig`.
// The zero value disables caching.
type Settings struct {
	// Validity is how long an entry may be served after it was loaded
	// (Caffeine's expireAfterWrite). Zero or negative disables caching:
	// every Get calls the loader and nothing is kept (Cassandra's
	// `*_validity: 0`).
	Validity time.Duration

	// UpdateInterval is the age after which a read still returns the
	// entry but starts one background reload of it (Caffeine's
	// refreshAfterWrite). Zero or negative means "same as Validity", which
	// is Cassandra's default (null, or -1 in the pre-4.1 `_in_ms` form):
	// no background reloads, entries simply expire. An interval at or
	// above Validity has the same effect for passive refresh. With
	// ActiveUpdate it is the period of the refresh timer instead.
	UpdateInterval time.Duration

	// MaxEntries bounds the number of entries kept; admission and
	// eviction are ristretto's (TinyLFU), and the bound holds once
	// ristretto has applied its buffered writes. Zero keeps nothing, like
	// Caffeine's maximumSize(0), so it disables caching too. Negative is
	// invalid.
	MaxEntries int

	// ActiveUpdate (Cassandra 4.1+ `*_cache_active_update`) refreshes
	// every cached key on a timer, once per UpdateInterval (first run one
	// interval after configuration), instead of on read. Entries then
	// expire only if their refreshes keep failing for Validity. The
	// interval must be at least MinActiveUpdateInterval.
	ActiveUpdate bool
}

// DefaultSettings returns Cassandra's defaults: validity 2s, update interval
// the same as validity, 1000 entries, no active update.
func DefaultSettings() Settings {
	return Settings{Validity: DefaultValidity, MaxEntries: DefaultMaxEntries}
}

// Enabled reports whether these settings cache anything: Validity and
// MaxEntries must both be positive.
func (s Settings) Enabled() bool { return s.Validity > 0 && s.MaxEntries > 0 }

// EffectiveUpdateInterval is the update interval Cassandra reports for these
// settings: UpdateInterval, or Validity when UpdateInterval is zero or
// negative.
func (s Settings) EffectiveUpdateInterval() time.Duration {
	if s.UpdateInterval <= 0 {
		return s.Validity
	}
	return s.UpdateInterval
}

// MinActiveUpdateInterval is the shortest period accepted for active update
// (Cassandra's durations have a millisecond resolution).
const MinActiveUpdateInterval = time.Millisecond

func (s Settings) validate() error {
	if s.MaxEntries < 0 {
		return invalid("MaxEntries", "must not be negative, got %d", s.MaxEntries)
	}
	if s.Enabled() && s.ActiveUpdate && s.EffectiveUpdateInterval() < MinActiveUpdateInterval {
		return invalid("UpdateInterval", "active update needs an interval of at least %v, got %v",
			MinActiveUpdateInterval, s.EffectiveUpdateInterval())
	}
	return nil
}

// refreshAfter is the age from which a read triggers a background reload:
// the update interval, capped at the validity; with active update reads
// never trigger one (Cassandra sets refreshAfterWrite to the validity).
func (s Settings) refreshAfter() time.Duration {
	if s.ActiveUpdate {
		return s.Validity
	}
	return min(s.EffectiveUpdateInterval(), s.Validity)
}

// Options configure a [Cache]. Only Load is required.
type Options[K comparable, V any] struct {
	// Name is Cassandra's name for the cache ("PermissionsCache",
	// "RolesCache", ...), used in log lines.
	Name string

	// Settings are the initial validity, update interval, max entries and
	// active update; [Cache.Reconfigure] changes them later.
	Settings

	// Load fetches the value of one key. It is called with the context of
	// the Get that missed (a background reload gets a context that Close
	// cancels), at most once at a time per key, and by at most
	// MaxConcurrentLoads goroutines at once. An error is returned to the
	// callers waiting on that load and nothing is cached. Required.
	Load func(ctx context.Context, key K) (V, error)

	// LoadAll, if set, returns every entry worth caching; [Cache.Warm]
	// stores them. Nil makes Warm a no-op (Cassandra's caches without a
	// bulk loader).
	LoadAll func(ctx context.Context) (map[K]V, error)

	// InvalidationCondition, if set, is checked after each active-update
	// refresh of a key: a value for which it reports true is removed
	// (Cassandra drops the CredentialsCache's "no such role" sentinel this
	// way).
	InvalidationCondition func(V) bool

	// Hash maps a key to 64 bits for the index and for ristretto. Nil uses
	// [hash/maphash.Comparable] with a seed of this cache. A custom hash
	// may collide freely: the full key is kept with each entry and a
	// mismatch is a miss, never a wrong value. It must be consistent with
	// ==, fast and safe for concurrent use.
	Hash func(K) uint64

	// MaxConcurrentLoads bounds the loads (Load, LoadAll, refreshes) that
	// run at once. Zero means DefaultMaxConcurrentLoads; negative is
	// invalid.
	MaxConcurrentLoads int

	// Clock supplies the time and runs background work. Nil means
	// [SystemClock]; tests pass a [FakeClock].
	Clock Clock

	// Logger receives the (re)initialisation line and reload failures.
	// Nil discards.
	Logger *slog.Logger
}
