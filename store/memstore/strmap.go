package memstore

import (
	"slices"
	"strings"
)

// smallMax is the number of entries a strMap keeps in its sorted slice
// before it switches to a Go map. Most partitions (a role's grants, a
// resource's grantees, a role's members) are small, and a slice of 16
// entries costs a fraction of a map while a binary search over it is as
// fast as hashing.
const smallMax = 16

// strMap maps string keys to values of type V. Up to smallMax entries live in
// a slice sorted by key; above that, in a Go map. The zero value is an empty
// map ready to use. Callers pass interned keys (see Store): the map stores the
// key string it is given, so a long-lived key must not share the backing
// array of a larger string. Not safe for concurrent use.
type strMap[V any] struct {
	small []strEntry[V] // sorted by key; unused while big != nil
	big   map[string]V
}

type strEntry[V any] struct {
	key string
	val V
}

func (m *strMap[V]) search(k string) (int, bool) {
	return slices.BinarySearchFunc(m.small, k, func(e strEntry[V], k string) int { return strings.Compare(e.key, k) })
}

// get returns the value stored under k.
func (m *strMap[V]) get(k string) (V, bool) {
	if m.big != nil {
		v, ok := m.big[k]
		return v, ok
	}
	if i, ok := m.search(k); ok {
		return m.small[i].val, true
	}
	var zero V
	return zero, false
}

// set stores v under k and reports whether k is new. An existing entry keeps
// its key string and takes the new value.
func (m *strMap[V]) set(k string, v V) bool {
	if m.big != nil {
		_, ok := m.big[k]
		m.big[k] = v
		return !ok
	}
	i, ok := m.search(k)
	if ok {
		m.small[i].val = v
		return false
	}
	if len(m.small) < smallMax {
		m.small = slices.Insert(m.small, i, strEntry[V]{k, v})
		return true
	}
	m.big = make(map[string]V, 2*smallMax)
	for _, e := range m.small {
		m.big[e.key] = e.val
	}
	m.big[k] = v
	m.small = nil
	return true
}

// del removes k and returns its value. A map that shrinks to a quarter of
// smallMax goes back to the slice form, so memory follows the size.
func (m *strMap[V]) del(k string) (V, bool) {
	var zero V
	if m.big != nil {
		v, ok := m.big[k]
		if !ok {
			return zero, false
		}
		delete(m.big, k)
		if len(m.big) <= smallMax/4 {
			m.small = make([]strEntry[V], 0, len(m.big))
			for k, v := range m.big {
				m.small = append(m.small, strEntry[V]{k, v})
			}
			slices.SortFunc(m.small, func(a, b strEntry[V]) int { return strings.Compare(a.key, b.key) })
			m.big = nil
		}
		return v, true
	}
	i, ok := m.search(k)
	if !ok {
		return zero, false
	}
	v := m.small[i].val
	m.small = slices.Delete(m.small, i, i+1) // clears the vacated tail slot
	if len(m.small) == 0 {
		m.small = nil
	}
	return v, true
}

// len returns the number of entries.
func (m *strMap[V]) len() int {
	if m.big != nil {
		return len(m.big)
	}
	return len(m.small)
}

// sorted returns the entries sorted by key, in a new slice.
func (m *strMap[V]) sorted() []strEntry[V] {
	if m.big == nil {
		return slices.Clone(m.small)
	}
	out := make([]strEntry[V], 0, len(m.big))
	for k, v := range m.big {
		out = append(out, strEntry[V]{k, v})
	}
	slices.SortFunc(out, func(a, b strEntry[V]) int { return strings.Compare(a.key, b.key) })
	return out
}

// keys returns the keys sorted, in a new slice.
func (m *strMap[V]) keys() []string {
	out := make([]string, 0, m.len())
	if m.big == nil {
		for _, e := range m.small {
			out = append(out, e.key)
		}
		return out
	}
	for k := range m.big {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// each calls fn for every entry, in no particular order. fn must not modify m.
func (m *strMap[V]) each(fn func(k string, v V)) {
	if m.big != nil {
		for k, v := range m.big {
			fn(k, v)
		}
		return
	}
	for _, e := range m.small {
		fn(e.key, e.val)
	}
}
