package conformance

import (
	"errors"
	"testing"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// TestAuthorizer tests an [authz.Authorizer] implementation against the
// authorizer's contract (Cassandra's IAuthorizer as CassandraAuthorizer
// implements it). The authorizer needs roles to grant to: newAuthorizer
// must return, on every call, a fresh authorizer and the [roles.Manager]
// it resolves roles through, over one fresh, empty store, with Setup run
// and no role created (disable or replace the default superuser); it
// registers their teardown with t.Cleanup. TestAuthorizer calls it once per
// check, on the test's goroutine, and creates roles, memberships and
// superusers through the manager only.
//
// The subtests, each a group of named checks: GrantRevoke (what Grant and
// Revoke return, unknown grantees, the zero resource, every kind of
// resource), Authorize (exactly the resource asked, never its parents; the
// union over the role closure; changes visible to the next call),
// Superuser, List (the filters by role, resource and permissions, the
// order of spec 4.4, the visibility check of spec 9.6), RevokeAll
// (RevokeAllFrom, RevokeAllOn), Unsupported, and Model, a randomized
// state-machine test (pgregory.net/rapid) that compares Authorize for every
// role and resource, and List when the authorizer supports it, with a plain
// model after every step. Select them with go test -run, e.g.
// -run 'TestX/List'.
//
// An authorizer whose RequireAuthorization is false (Cassandra's
// AllowAllAuthorizer) runs only Unsupported: Grant, Revoke and List may
// fail, with an error matching [authz.ErrUnsupported]; RevokeAllFrom and
// RevokeAllOn succeed; Authorize never fails and returns nothing beyond
// the resource's applicable permissions. An authorizer that requires
// authorization but does not implement Grant or List (they are optional)
// has the checks that need them skipped when the first call fails with
// ErrUnsupported. The Superuser checks run only if the manager supports
// SUPERUSER.
//
// Errors are matched with [errors.Is] and [errors.As], never by message.
// The suite assumes what the interface leaves open as [authz.Table] does:
// Grant to a role that does not exist fails with an error matching
// [authz.ErrNoSuchRole]; Grant and Revoke of the zero resource fail with
// one matching [authz.ErrInvalidResource]; Revoke from a role without
// grants returns the empty set; a refused List is an error matching
// [authz.ErrDenied] and [roles.ErrUnauthorized]; [roles.System] may list
// everyone's permissions; and revoking everything on a resource leaves
// nothing behind even after a partial revoke (Cassandra's index quirk is
// a failure here). Each check runs under the watchdog described in the
// package documentation.
func TestAuthorizer(t *testing.T, newAuthorizer func(t *testing.T) (authz.Authorizer, roles.Manager)) {
	t.Helper()
	runSuite(t, authorizerGroups(), func(t *testing.T) authzPart {
		a, m := newAuthorizer(t)
		if a == nil || m == nil {
			t.Fatalf("newAuthorizer returned (%v, %v), want both non-nil", a, m)
		}
		return authzPart{a: a, m: m}
	})
}

// authzPart is what the checks of TestAuthorizer run against: the
// authorizer and the role manager over the same store.
type authzPart struct {
	a authz.Authorizer
	m roles.Manager
}

// authorizerCheck is one check of TestAuthorizer.
type authorizerCheck = partCheck[authzPart]

// authorizerGroups returns the checks of TestAuthorizer, in order.
func authorizerGroups() []partGroup[authzPart] {
	return []partGroup[authzPart]{
		{"GrantRevoke", grantRevokeChecks()},
		{"Authorize", authorizeChecks()},
		{"Superuser", authzSuperuserChecks()},
		{"List", listChecks()},
		{"RevokeAll", revokeAllChecks()},
		{"Unsupported", unsupportedChecks()},
		{"Model", authzModelChecks()},
	}
}

func needsAuthorization(p authzPart) string {
	if !p.a.RequireAuthorization() {
		return "the authorizer does not require authorization (see Unsupported)"
	}
	return ""
}

func needsNoAuthorization(p authzPart) string {
	if p.a.RequireAuthorization() {
		return "the authorizer requires authorization"
	}
	return ""
}

func needsAuthzSuperuser(p authzPart) string {
	if reason := needsAuthorization(p); reason != "" {
		return reason
	}
	return needsOption(roles.OptSuperuser)(p.m)
}

// skipUnsupported ends the check as skipped if err says that the
// authorizer does not implement what was asked.
func skipUnsupported(c *checker, err error, what string) {
	c.Helper()
	if errors.Is(err, authz.ErrUnsupported) {
		c.Skipf("%s is not supported by the authorizer: %v", what, err)
	}
}

// grantPerms grants perms on res to role and returns what Grant says was
// newly granted; it skips the check if Grant is unsupported and ends it on
// any other error.
func grantPerms(c *checker, p authzPart, role string, res resource.Resource, perms resource.PermissionSet) resource.PermissionSet {
	c.Helper()
	got, err := p.a.Grant(c.ctx, roles.System, perms, res, role)
	skipUnsupported(c, err, "Grant")
	noErr(c, err, "Grant(%v, %s, %q)", perms, res.Name(), role)
	return got
}

// revokePerms revokes perms on res from role and returns what Revoke says
// was removed, or ends the check.
func revokePerms(c *checker, p authzPart, role string, res resource.Resource, perms resource.PermissionSet) resource.PermissionSet {
	c.Helper()
	got, err := p.a.Revoke(c.ctx, roles.System, perms, res, role)
	noErr(c, err, "Revoke(%v, %s, %q)", perms, res.Name(), role)
	return got
}
