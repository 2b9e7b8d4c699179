package cache

import (
	"sync"
	"sync/atomic"
)

// The index is the authority on what the cache holds: a hash table whose
// readers take no lock and never write shared memory. Each bucket is an
// immutable slice behind an atomic pointer; writers hold the mutex of the
// key's stripe and publish a new slice. A resize holds every stripe and
// publishes a new table. Ristretto only decides admission and eviction; it
// tells the index what to drop (see admission.go).

const (
	numStripes = 64 // writer locks; a power of two no larger than minBuckets
	minBuckets = 64
	maxLoad    = 2 // average entries per bucket before the table doubles
)

// entry is one cached value. Every field but refreshing is immutable once
// the entry is published.
type entry[K comparable, V any] struct {
	hash       uint64
	born       int64       // clock reading (ns since the cache's epoch) when stored
	refreshing atomic.Bool // a background reload of this entry is scheduled or running
	key        K
	val        V
}

type bucket[K comparable, V any] struct {
	entries []*entry[K, V]
}

type table[K comparable, V any] struct {
	mask    uint64
	buckets []atomic.Pointer[bucket[K, V]]
}

func newTable[K comparable, V any](n int) *table[K, V] {
	return &table[K, V]{mask: uint64(n - 1), buckets: make([]atomic.Pointer[bucket[K, V]], n)}
}

// stripe is a writer lock with the loads in flight for its keys.
type stripe[K comparable, V any] struct {
	mu      sync.Mutex
	flights map[K]*call[V] // guarded by mu: the registered load of each key
	_       [48]byte       // keep stripes on separate cache lines
}

type index[K comparable, V any] struct {
	tab     atomic.Pointer[table[K, V]] // read by every Get
	_       [56]byte
	size    atomic.Int64 // written by every store: kept off tab's cache line
	_       [56]byte
	stripes [numStripes]stripe[K, V]
}

func (x *index[K, V]) init() { x.tab.Store(newTable[K, V](minBuckets)) }

// find returns the entry of k, or nil. It takes no lock.
func (x *index[K, V]) find(h uint64, k K) *entry[K, V] {
	t := x.tab.Load()
	b := t.buckets[h&t.mask].Load()
	if b == nil {
		return nil
	}
	for _, e := range b.entries {
		if e.hash == h && e.key == k {
			return e
		}
	}
	return nil
}

// lock locks and returns the stripe of hash h.
func (x *index[K, V]) lock(h uint64) *stripe[K, V] {
	s := &x.stripes[h&(numStripes-1)]
	s.mu.Lock()
	return s
}

func (x *index[K, V]) lockAll() {
	for i := range x.stripes {
		x.stripes[i].mu.Lock()
	}
}

func (x *index[K, V]) unlockAll() {
	for i := range x.stripes {
		x.stripes[i].mu.Unlock()
	}
}

// slot returns the bucket pointer of hash h; the caller holds h's stripe, so
// the table cannot change under it.
func (x *index[K, V]) slot(h uint64) *atomic.Pointer[bucket[K, V]] {
	t := x.tab.Load()
	return &t.buckets[h&t.mask]
}

// putLocked stores e, replacing the entry of the same key, and returns the
// replaced entry. The caller holds e's stripe.
func (x *index[K, V]) putLocked(e *entry[K, V]) (replaced *entry[K, V]) {
	slot := x.slot(e.hash)
	var n []*entry[K, V]
	if b := slot.Load(); b != nil {
		n = make([]*entry[K, V], 0, len(b.entries)+1)
		for _, o := range b.entries {
			if replaced == nil && o.hash == e.hash && o.key == e.key {
				replaced = o
				continue
			}
			n = append(n, o)
		}
	}
	slot.Store(&bucket[K, V]{entries: append(n, e)})
	if replaced == nil {
		x.size.Add(1)
	}
	return replaced
}

// removeLocked removes exactly e and reports whether it was there. The
// caller holds e's stripe.
func (x *index[K, V]) removeLocked(e *entry[K, V]) bool {
	slot := x.slot(e.hash)
	b := slot.Load()
	if b == nil {
		return false
	}
	for i, o := range b.entries {
		if o == e {
			x.storeWithout(slot, b, i)
			return true
		}
	}
	return false
}

// removeKeyLocked removes the entry of k, if any, and returns it. The caller
// holds k's stripe.
func (x *index[K, V]) removeKeyLocked(h uint64, k K) *entry[K, V] {
	slot := x.slot(h)
	b := slot.Load()
	if b == nil {
		return nil
	}
	for i, o := range b.entries {
		if o.hash == h && o.key == k {
			x.storeWithout(slot, b, i)
			return o
		}
	}
	return nil
}

func (x *index[K, V]) storeWithout(slot *atomic.Pointer[bucket[K, V]], b *bucket[K, V], i int) {
	x.size.Add(-1)
	if len(b.entries) == 1 {
		slot.Store(nil)
		return
	}
	n := make([]*entry[K, V], 0, len(b.entries)-1)
	n = append(n, b.entries[:i]...)
	n = append(n, b.entries[i+1:]...)
	slot.Store(&bucket[K, V]{entries: n})
}

// sameHashLocked returns the entries with hash h (usually none or one). The
// caller holds h's stripe.
func (x *index[K, V]) sameHashLocked(h uint64) []*entry[K, V] {
	b := x.slot(h).Load()
	if b == nil {
		return nil
	}
	var out []*entry[K, V]
	for _, e := range b.entries {
		if e.hash == h {
			out = append(out, e)
		}
	}
	return out
}

// appendStripeLocked appends every entry of stripe i. The caller holds it.
func (x *index[K, V]) appendStripeLocked(dst []*entry[K, V], i int) []*entry[K, V] {
	t := x.tab.Load()
	for j := i; j < len(t.buckets); j += numStripes {
		if b := t.buckets[j].Load(); b != nil {
			dst = append(dst, b.entries...)
		}
	}
	return dst
}

// snapshot returns the entries present at some point during the call. It
// takes no lock.
func (x *index[K, V]) snapshot() []*entry[K, V] {
	t := x.tab.Load()
	out := make([]*entry[K, V], 0, x.size.Load())
	for i := range t.buckets {
		if b := t.buckets[i].Load(); b != nil {
			out = append(out, b.entries...)
		}
	}
	return out
}

// resetLocked empties the index and forgets every registered load, whose
// results will then not be stored. The caller holds every stripe.
func (x *index[K, V]) resetLocked() {
	x.tab.Store(newTable[K, V](minBuckets))
	x.size.Store(0)
	for i := range x.stripes {
		x.stripes[i].flights = nil
	}
}

// maybeGrow doubles the table (as often as needed) when the average bucket
// holds more than maxLoad entries. The caller holds no stripe.
func (x *index[K, V]) maybeGrow() {
	if x.size.Load() <= maxLoad*int64(len(x.tab.Load().buckets)) {
		return
	}
	x.lockAll()
	defer x.unlockAll()
	old := x.tab.Load()
	n := len(old.buckets)
	for x.size.Load() > maxLoad*int64(n) {
		n *= 2
	}
	if n == len(old.buckets) {
		return
	}
	lists := make([][]*entry[K, V], n)
	mask := uint64(n - 1)
	for i := range old.buckets {
		if b := old.buckets[i].Load(); b != nil {
			for _, e := range b.entries {
				lists[e.hash&mask] = append(lists[e.hash&mask], e)
			}
		}
	}
	nt := newTable[K, V](n)
	for i, l := range lists {
		if len(l) > 0 {
			nt.buckets[i].Store(&bucket[K, V]{entries: l})
		}
	}
	x.tab.Store(nt)
}
