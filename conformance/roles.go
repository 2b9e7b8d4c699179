package conformance

import (
	"testing"

	"github.com/cassauth/cassauth/roles"
)

// TestRoleManager tests a [roles.Manager] implementation against the role
// manager's contract (Cassandra's IRoleManager as CassandraRoleManager
// implements it). newManager must return a fresh manager over an empty
// store on every call, with Setup already run if it creates roles (the
// suite expects no roles at the start: disable or replace the default
// superuser), and register its teardown with t.Cleanup; TestRoleManager
// calls it once per check, on the test's goroutine.
//
// The subtests, each a group of named checks: CreateDrop, Alter, Options,
// Memberships, Superuser, Login, Identities, Concurrency, and Model, a
// randomized state-machine test (pgregory.net/rapid) that compares
// RoleDetails, Roles, AllRoles, IsSuper, CanLogin, [roles.HasSuperuserStatus]
// and the identities with a plain graph after every step. Select them with
// go test -run, e.g. -run 'TestX/Memberships'.
//
// Options are used only when the manager supports them: checks of the
// SUPERUSER flag run only if [roles.Manager.SupportedOptions] has
// [roles.OptSuperuser], and so on. Errors are matched with [errors.Is] and
// [errors.As], never by message, except where Cassandra's text is the
// contract: the CodeInvalid [*roles.Error] of a grant that repeats a
// membership, grants a role to itself or closes a cycle ("%s is a member
// of %s") and of a revoke of a role that is not granted directly ("%s is
// not a member of %s"). Each check runs under the watchdog described in
// the package documentation.
//
// The suite assumes what the interface leaves open as Cassandra and
// [roles.Table] do: a new role has neither SUPERUSER nor LOGIN unless
// given; CreateRole of an existing role fails with an error matching
// [store.ErrExists], DropRole of a missing role and an AlterRole that
// changes a flag of a missing role with one matching [store.ErrNotFound];
// GrantRole naming a missing role fails with one matching
// store.ErrNotFound; an empty role name is [roles.ErrInvalid]; DropRole
// also removes the role from the member lists of the roles granted to it
// and deletes the identities mapped to it; CreateRole fails for a name an
// identity maps to; AddIdentity of a mapped identity fails with an error
// matching store.ErrExists, and DropIdentity of an unknown one does
// nothing. REVOKE r FROM r may succeed (Cassandra's quirk) or fail as
// "not a member", but changes nothing. Two concurrent grants never close
// a cycle.
func TestRoleManager(t *testing.T, newManager func(t *testing.T) roles.Manager) {
	t.Helper()
	runSuite(t, roleManagerGroups(), func(t *testing.T) roles.Manager {
		m := newManager(t)
		if m == nil {
			t.Fatal("newManager returned nil")
		}
		return m
	})
}

// roleManagerCheck is one check of TestRoleManager.
type roleManagerCheck = partCheck[roles.Manager]

// roleManagerGroups returns the checks of TestRoleManager, in order.
func roleManagerGroups() []partGroup[roles.Manager] {
	return []partGroup[roles.Manager]{
		{"CreateDrop", createDropChecks()},
		{"Alter", alterChecks()},
		{"Options", optionChecks()},
		{"Memberships", grantChecks()},
		{"Superuser", superuserChecks()},
		{"Login", loginChecks()},
		{"Identities", managerIdentityChecks()},
		{"Concurrency", managerConcurrencyChecks()},
		{"Model", roleModelChecks()},
	}
}

// needsOption returns a needs function for checks that use option o.
func needsOption(o roles.Option) func(roles.Manager) string {
	return func(m roles.Manager) string {
		if !m.SupportedOptions().Has(o) {
			return "the manager does not support " + o.String()
		}
		return ""
	}
}
