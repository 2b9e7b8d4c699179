// Package conformance holds exported test suites, in the spirit of
// testing/fstest.TestFS and golang.org/x/net/nettest.TestConn, that every
// implementation of cassauth's contracts runs from its own tests. A backend
// or plug-in written outside this module proves itself against the same
// checks as the ones inside it.
//
// The package depends only on the standard library, pgregory.net/rapid and
// cassauth's own packages, so importing it adds nothing else to a module.
//
// # Stores
//
// [TestStore] checks a [store.Store]: every method's documented semantics,
// sorted results, errors matched with errors.Is, deep copies, context
// handling, the consistency of role_members with roles.member_of and of the
// resource index with role_permissions (including what Cassandra itself gets
// wrong: partial revokes and dropped roles), atomicity under concurrent
// writers, the optional [store.ChangeFeed], Close, and a randomized
// state-machine test against a reference model.
//
// A third-party backend runs it like this:
//
//	package sqlitestore_test
//
//	import (
//		"path/filepath"
//		"testing"
//
//		"github.com/cassauth/cassauth/conformance"
//		"github.com/cassauth/cassauth/store"
//
//		"example.com/sqlitestore"
//	)
//
//	func TestConformance(t *testing.T) {
//		conformance.TestStore(t, func(t *testing.T) store.Store {
//			s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "auth.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() }) // must tolerate a second Close
//			return s
//		})
//	}
//
// Run one area with go test -run 'TestConformance/Permissions', the model
// longer with -rapid.checks=1000, and reproduce a model failure with the
// -rapid.seed or -rapid.failfile flag it prints.
//
// # Role managers
//
// [TestRoleManager] checks a [roles.Manager]: creating, altering and
// dropping roles, the options it says it supports (and only those),
// memberships and their closure, Cassandra's refusals of repeated, self and
// cyclic grants with its "%s is a member of %s" text, superuser status (own
// flag against [roles.HasSuperuserStatus]), LOGIN (never inherited),
// identities, concurrent grants that must not close a cycle, and a model
// of the role graph. Its factory returns a fresh manager over an empty
// store:
//
//	conformance.TestRoleManager(t, func(t *testing.T) roles.Manager {
//		m, err := roles.NewTable(roles.Config{Store: newStore(t), DisableDefaultSuperuser: true})
//		if err != nil {
//			t.Fatal(err)
//		}
//		return m
//	})
//
// # Authorizers
//
// [TestAuthorizer] checks an [authz.Authorizer] together with the role
// manager it resolves roles through, both over one fresh store: what Grant
// and Revoke return, Authorize on exactly the resource asked (never its
// parents) as the union over the role closure, superusers, List with its
// filters, order and visibility check, RevokeAllFrom and RevokeAllOn, the
// ErrUnsupported errors of an authorizer that does not require
// authorization, and a model of roles and grants. Optional operations
// (Grant, List) are checked only when the authorizer implements them.
//
// # Authenticators
//
// [TestAuthenticator] checks an [authn.Authenticator] through the flow a
// CQL server runs: a fresh negotiator per attempt, SASL PLAIN responses,
// then [authn.Login]. The factory returns, besides the authenticator, an
// [AuthenticatorFixture] whose role manager creates the roles the suite
// logs in as (and maps certificate identities), and optionally makes
// client certificates. Password checks run for authenticators that use
// passwords ([authn.UsesPasswords]), certificate checks when the fixture
// makes certificates; an authenticator that does not require
// authentication must make everyone anonymous. Nothing is timed.
//
// # Watchdog
//
// Each check runs on its own goroutine. If it does not finish in time (a
// minute; five for Model and Concurrency; less when go test -timeout is
// nearer) the check fails with the stacks of every goroutine instead of
// hanging the test binary, and its context is cancelled.
package conformance
