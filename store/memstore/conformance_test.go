package memstore_test

import (
	"testing"

	"github.com/cassauth/cassauth/conformance"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

func TestConformance(t *testing.T) {
	conformance.TestStore(t, func(t *testing.T) store.Store {
		s := memstore.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
