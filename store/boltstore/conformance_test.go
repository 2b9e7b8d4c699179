package boltstore_test

import (
	"path/filepath"
	"testing"

	"github.com/cassauth/cassauth/conformance"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/boltstore"
)

// TestConformance runs the storage contract's suite. Each check gets a new
// file; fsync is off, since the suite tests semantics, not durability
// (TestCrash does that).
func TestConformance(t *testing.T) {
	conformance.TestStore(t, func(t *testing.T) store.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "auth.db"), &boltstore.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		})
		return s
	})
}

// TestConformanceSynced runs the suite again with fsync on, as the store
// runs by default (a few seconds).
func TestConformanceSynced(t *testing.T) {
	if testing.Short() {
		t.Skip("fsync on every write")
	}
	conformance.TestStore(t, func(t *testing.T) store.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "auth.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
