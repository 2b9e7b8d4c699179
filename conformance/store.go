package conformance

import (
	"io"
	"testing"
	"time"

	"github.com/cassauth/cassauth/store"
)

// Watchdog limits of one check of TestStore, before the test binary's
// deadline shortens them.
const (
	checkLimit     = 60 * time.Second
	longCheckLimit = 5 * time.Minute // Model and Concurrency
)

// TestStore tests a [store.Store] implementation against the storage
// contract. newStore must return a fresh, empty store on every call and
// register its teardown with t.Cleanup; TestStore calls it once per check,
// on the test's goroutine, and never closes the store itself except in
// the Closed subtest (run only when the store implements [io.Closer]),
// so the teardown must tolerate a store that is already closed.
//
// The subtests, each a group of named checks: Roles, Memberships,
// Permissions, Index, Network, CIDR, Identities, Catalog (only if the store
// implements store.Catalog), Errors, Context,
// Concurrency, ChangeFeed (only when the store implements
// [store.ChangeFeed]), Closed, and Model, a randomized state-machine test
// (pgregory.net/rapid) that compares every read against a plain model after
// every step. Select them with go test -run, e.g. -run 'TestX/Permissions'.
//
// Errors are matched with [errors.Is] only, so a backend may return any
// error that wraps the contract's sentinels. Each check runs on its own
// goroutine under a watchdog: a check that does not finish within a minute
// (five for Model and Concurrency, less when go test -timeout is nearer)
// fails with every goroutine's stack instead of hanging the test binary;
// its context is cancelled, and the store is left to its teardown.
//
// The suite assumes what the contract leaves open as follows (backends
// that pass agree on these): writes with an empty key (role, resource,
// identity, CIDR group) fail with [store.ErrInvalid]; permissions, network
// and CIDR rows and identities may name roles that do not exist; the store
// records self-grants and cycles (rejecting them is the role manager's
// job); datacenter, CIDR group and CIDR lists are sets, compared sorted and
// without duplicates.
func TestStore(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	runSuite(t, storeGroups(), newStore)
}

// storeCheck is one named check of the store suite; storeGroup a group of them.
type (
	storeCheck = partCheck[store.Store]
	storeGroup = partGroup[store.Store]
)

func needsChangeFeed(s store.Store) string {
	if _, ok := s.(store.ChangeFeed); !ok {
		return "the store does not implement store.ChangeFeed"
	}
	return ""
}

func needsCloser(s store.Store) string {
	if _, ok := s.(io.Closer); !ok {
		return "the store does not implement io.Closer"
	}
	return ""
}

// storeGroups returns the checks of TestStore, in order.
func storeGroups() []storeGroup {
	return []storeGroup{
		{"Roles", roleChecks()},
		{"Memberships", membershipChecks()},
		{"Permissions", permissionChecks()},
		{"Index", indexChecks()},
		{"Network", networkChecks()},
		{"CIDR", cidrChecks()},
		{"Identities", identityChecks()},
		{"Catalog", catalogChecks()},
		{"Errors", errorChecks()},
		{"Context", contextChecks()},
		{"Concurrency", concurrencyChecks()},
		{"ChangeFeed", changeFeedChecks()},
		{"Closed", closedChecks()},
		{"Model", modelChecks()},
	}
}
