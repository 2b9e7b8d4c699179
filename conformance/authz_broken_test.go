package conformance

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Deliberately broken authorizers: each wraps the table-backed authorizer
// over memstore and plants one bug that a real implementation could have.

// newMemAuthorizer returns the table-backed authorizer and role manager
// over a new memstore.
func newMemAuthorizer() (*authz.Table, *roles.Table) {
	m, st := newMemTable()
	a, err := authz.NewTable(authz.Config{Store: st, Roles: m})
	if err != nil {
		panic(err)
	}
	return a, m
}

// walksParents answers Authorize with what the resource or any of its
// parents holds: the access check's walk, done in the wrong layer.
type walksParents struct{ *authz.Table }

func (a walksParents) Authorize(ctx context.Context, u roles.User, r resource.Resource) (resource.PermissionSet, error) {
	var all resource.PermissionSet
	for _, cur := range r.Chain() {
		ps, err := a.Table.Authorize(ctx, u, cur)
		if err != nil {
			return 0, err
		}
		all |= ps
	}
	return all.Intersect(r.Applicable()), nil
}

// ownGrantsOnly ignores the roles granted to the user.
type ownGrantsOnly struct {
	*authz.Table
	m roles.Manager
}

func (a ownGrantsOnly) Authorize(ctx context.Context, u roles.User, r resource.Resource) (resource.PermissionSet, error) {
	if super, err := roles.HasSuperuserStatus(ctx, a.m, u.Name()); err != nil || super {
		return r.Applicable(), err
	}
	return a.RolePermissions(ctx, u.Name(), r)
}

// ownSuperuserOnly gives everything only to roles with their own flag.
type ownSuperuserOnly struct {
	*authz.Table
	m roles.Manager
}

func (a ownSuperuserOnly) Authorize(ctx context.Context, u roles.User, r resource.Resource) (resource.PermissionSet, error) {
	if super, err := a.m.IsSuper(ctx, u.Name()); err != nil || super {
		return r.Applicable(), err
	}
	details, err := a.m.RoleDetails(ctx, u.Name())
	var ps resource.PermissionSet
	for _, d := range details {
		p, perr := a.RolePermissions(ctx, d.Name, r)
		ps, err = ps|p, errors.Join(err, perr)
	}
	return ps, err
}

// echoesGrants returns the permissions asked for from Grant and Revoke.
type echoesGrants struct{ *authz.Table }

func (a echoesGrants) Grant(ctx context.Context, p roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) (resource.PermissionSet, error) {
	_, err := a.Table.Grant(ctx, p, perms, r, grantee)
	return perms, err
}

func (a echoesGrants) Revoke(ctx context.Context, p roles.User, perms resource.PermissionSet, r resource.Resource, revokee string) (resource.PermissionSet, error) {
	_, err := a.Table.Revoke(ctx, p, perms, r, revokee)
	return perms, err
}

// staleCache remembers answers and forgets them on its own grants and
// revokes only, not on role changes (casbin's CachedEnforcer bug).
type staleCache struct {
	*authz.Table
	mu    sync.Mutex
	cache map[string]resource.PermissionSet // user "|" resource
}

func (a *staleCache) Authorize(ctx context.Context, u roles.User, r resource.Resource) (resource.PermissionSet, error) {
	key := u.Name() + "|" + r.Name()
	a.mu.Lock()
	ps, ok := a.cache[key]
	a.mu.Unlock()
	if ok {
		return ps, nil
	}
	ps, err := a.Table.Authorize(ctx, u, r)
	if err == nil {
		a.mu.Lock()
		a.cache[key] = ps
		a.mu.Unlock()
	}
	return ps, err
}

func (a *staleCache) forget() {
	a.mu.Lock()
	clear(a.cache)
	a.mu.Unlock()
}

func (a *staleCache) Grant(ctx context.Context, p roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) (resource.PermissionSet, error) {
	defer a.forget()
	return a.Table.Grant(ctx, p, perms, r, grantee)
}

func (a *staleCache) Revoke(ctx context.Context, p roles.User, perms resource.PermissionSet, r resource.Resource, revokee string) (resource.PermissionSet, error) {
	defer a.forget()
	return a.Table.Revoke(ctx, p, perms, r, revokee)
}

// unsortedList lists in reverse order.
type unsortedList struct{ *authz.Table }

func (a unsortedList) List(ctx context.Context, p roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) ([]authz.PermissionDetails, error) {
	rows, err := a.Table.List(ctx, p, perms, r, grantee)
	slices.Reverse(rows)
	return rows, err
}

// listsForAnyone skips LIST PERMISSIONS' visibility check.
type listsForAnyone struct{ *authz.Table }

func (a listsForAnyone) List(ctx context.Context, _ roles.User, perms resource.PermissionSet, r resource.Resource, grantee string) ([]authz.PermissionDetails, error) {
	return a.Table.List(ctx, roles.System, perms, r, grantee)
}

// indexQuirk reproduces Cassandra's revoke quirk: after a partial revoke,
// RevokeAllOn no longer finds the role.
type indexQuirk struct {
	*authz.Table
	mu      sync.Mutex
	partial map[[2]string]bool // (role, resource)
}

func (a *indexQuirk) Revoke(ctx context.Context, p roles.User, perms resource.PermissionSet, r resource.Resource, revokee string) (resource.PermissionSet, error) {
	removed, err := a.Table.Revoke(ctx, p, perms, r, revokee)
	if err == nil && !removed.IsEmpty() {
		a.mu.Lock()
		a.partial[[2]string{revokee, r.Name()}] = true
		a.mu.Unlock()
	}
	return removed, err
}

func (a *indexQuirk) RevokeAllOn(ctx context.Context, r resource.Resource) error {
	rows, err := a.Table.List(ctx, roles.System, resource.AllPermissions, r, "")
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, row := range rows {
		if !a.partial[[2]string{row.Grantee, r.Name()}] {
			if _, err := a.Table.Revoke(ctx, roles.System, resource.AllPermissions, r, row.Grantee); err != nil {
				return err
			}
		}
	}
	return nil
}

// opaqueAllowAll turns authorization off but fails grants with an error
// that does not say "unsupported".
type opaqueAllowAll struct{ authz.AllowAll }

func (opaqueAllowAll) Grant(context.Context, roles.User, resource.PermissionSet, resource.Resource, string) (resource.PermissionSet, error) {
	return 0, errors.New("GRANT operation is not supported by AllowAllAuthorizer")
}

func brokenAuthorizers() []brokenCase[authzPart] {
	wrap := func(f func(a *authz.Table, m *roles.Table) authz.Authorizer) func() authzPart {
		return func() authzPart {
			a, m := newMemAuthorizer()
			return authzPart{a: f(a, m), m: m}
		}
	}
	return []brokenCase[authzPart]{
		{"Authorize walks parents", wrap(func(a *authz.Table, _ *roles.Table) authz.Authorizer { return walksParents{a} }),
			[]string{"Authorize/ExactResource"}},
		{"Authorize ignores granted roles", wrap(func(a *authz.Table, m *roles.Table) authz.Authorizer { return ownGrantsOnly{a, m} }),
			[]string{"Authorize/UnionOverClosure", "Authorize/VisibleAtOnce"}},
		{"superuser status not inherited", wrap(func(a *authz.Table, m *roles.Table) authz.Authorizer { return ownSuperuserOnly{a, m} }),
			[]string{"Superuser/Inherited", "Superuser/LostOnAlter"}},
		{"Grant and Revoke echo their argument", wrap(func(a *authz.Table, _ *roles.Table) authz.Authorizer { return echoesGrants{a} }),
			[]string{"GrantRevoke/GrantReturnsNew", "GrantRevoke/RevokeReturnsRemoved", "GrantRevoke/RevokeWithoutGrants"}},
		{"cache misses role changes", wrap(func(a *authz.Table, _ *roles.Table) authz.Authorizer {
			return &staleCache{Table: a, cache: map[string]resource.PermissionSet{}}
		}), []string{"Authorize/VisibleAtOnce"}},
		{"List unsorted", wrap(func(a *authz.Table, _ *roles.Table) authz.Authorizer { return unsortedList{a} }),
			[]string{"List/Everything", "List/ByRole"}},
		{"List shows anyone everything", wrap(func(a *authz.Table, _ *roles.Table) authz.Authorizer { return listsForAnyone{a} }),
			[]string{"List/Visibility"}},
		{"partial revoke hides the grant from RevokeAllOn", wrap(func(a *authz.Table, _ *roles.Table) authz.Authorizer {
			return &indexQuirk{Table: a, partial: map[[2]string]bool{}}
		}), []string{"RevokeAll/OnAfterPartialRevoke"}},
		{"AllowAll with opaque errors", wrap(func(*authz.Table, *roles.Table) authz.Authorizer { return opaqueAllowAll{} }),
			[]string{"Unsupported/GrantRevokeList"}},
	}
}

func TestAuthorizerSuiteFailsOnBrokenAuthorizers(t *testing.T) {
	testBroken(t, authorizerGroups(), brokenAuthorizers(), notModelOf)
}

func TestAuthorizerSuiteRecordedOnTable(t *testing.T) {
	// The recorder agrees with the real run: everything passes, and only
	// the checks for authorizers without authorization skip.
	results := recordSuite(authorizerGroups(), func() authzPart {
		a, m := newMemAuthorizer()
		return authzPart{a: a, m: m}
	}, notModel)
	wantAllPass(t, results, "Unsupported/GrantRevokeList", "Unsupported/RevokeAll", "Unsupported/Authorize")
}

// TestPlantedAuthorizerModel runs the authorizer's model test against an
// authorizer whose Authorize walks the resource's parents: it must fail,
// and rapid must shrink the case to a role, a grant on a parent and the
// check.
func TestPlantedAuthorizerModel(t *testing.T) {
	const bug = "authz:walksParents"
	if plantedChild(bug) {
		TestAuthorizer(t, func(t *testing.T) (authz.Authorizer, roles.Manager) {
			a, m := newMemAuthorizer()
			return walksParents{a}, m
		})
		return
	}
	out := runPlantedChild(t, "TestPlantedAuthorizerModel", bug)
	wantInOutput(t, out, "--- FAIL: TestPlantedAuthorizerModel/Model/StateMachine", `"CreateRole"`, `"Grant"`, "Authorize(")
	if strings.Contains(out, "flaky") || strings.Contains(out, "_m1") {
		t.Errorf("the failure is not reproducible without its namespace:\n%s", out)
	}
	t.Logf("child output:\n%s", out)
}
