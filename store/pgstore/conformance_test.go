package pgstore

import (
	"testing"

	"github.com/cassauth/cassauth/conformance"
	"github.com/cassauth/cassauth/internal/pgtest"
	"github.com/cassauth/cassauth/store"
)

// TestConformance runs the storage contract's suite, ChangeFeed and
// Catalog included, against a real server. Each check gets a fresh schema
// in one database, with the cross-process feed on.
func TestConformance(t *testing.T) {
	dsn := pgtest.Start(t)
	conformance.TestStore(t, func(t *testing.T) store.Store {
		return openStore(t, dsn, nil)
	})
}
