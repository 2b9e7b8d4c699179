package cache

import "sync/atomic"

// Stats is a snapshot of a cache's counters, returned by [Cache.Stats].
// Counters only grow; they are not reset by invalidation or
// reconfiguration.
type Stats struct {
	// Hits counts Gets answered from a cached entry.
	Hits uint64
	// Misses counts Gets that had to wait for a load, their own or one
	// they shared, including every Get while caching is disabled.
	Misses uint64
	// Loads counts calls of the loader: for misses, background and
	// active-update reloads, and bulk loads by Warm.
	Loads uint64
	// LoadFailures counts the loads that returned an error (or panicked).
	LoadFailures uint64
	// Evictions counts entries removed to respect MaxEntries.
	Evictions uint64
	// Size is the number of entries held, including expired ones not yet
	// replaced or evicted.
	Size int
}

// Requests returns Hits + Misses (Cassandra's "requests" metric).
func (s Stats) Requests() uint64 { return s.Hits + s.Misses }

// HitRatio returns Hits / Requests, or 0 before the first request.
func (s Stats) HitRatio() float64 {
	if r := s.Requests(); r > 0 {
		return float64(s.Hits) / float64(r)
	}
	return 0
}

// stripedCounter is a counter for the hit path: adders spread over padded
// cells chosen by a number that varies between calls, so parallel hits do not
// fight over one cache line.
type stripedCounter struct {
	cells [counterCells]struct {
		n atomic.Uint64
		_ [56]byte
	}
}

const (
	counterBits  = 4
	counterCells = 1 << counterBits
)

// add counts one in the cell numbered i % counterCells.
func (s *stripedCounter) add(i uint64) { s.cells[i%counterCells].n.Add(1) }

func (s *stripedCounter) load() uint64 {
	var n uint64
	for i := range s.cells {
		n += s.cells[i].n.Load()
	}
	return n
}
