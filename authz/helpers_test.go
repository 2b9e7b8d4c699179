package authz_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// tb is what the helpers need from *testing.T, *testing.B and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

// env is a complete authorization stack over memstore: the store (behind a
// switch that can make it fail), the table-backed role manager, the
// table-backed authorizer and a checker.
type env struct {
	mem     *memstore.Store
	st      *flakyStore
	roles   *roles.Table
	authz   *authz.Table
	checker *authz.Checker
	hooks   authz.SchemaHooks
}

func newEnv(t tb) *env {
	t.Helper()
	mem := memstore.New()
	st := &flakyStore{Store: mem}
	rm, err := roles.NewTable(roles.Config{Store: st, DisableDefaultSuperuser: true})
	if err != nil {
		t.Fatalf("roles.NewTable: %v", err)
	}
	a, err := authz.NewTable(authz.Config{Store: st, Roles: rm})
	if err != nil {
		t.Fatalf("authz.NewTable: %v", err)
	}
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: a, Roles: rm})
	if err != nil {
		t.Fatalf("authz.NewChecker: %v", err)
	}
	return &env{mem: mem, st: st, roles: rm, authz: a, checker: c, hooks: authz.SchemaHooks{Authorizer: a}}
}

// role creates a role that may log in.
func (e *env) role(t tb, name string, super bool) {
	t.Helper()
	login := true
	if err := e.roles.CreateRole(context.Background(), roles.System, name, roles.Options{Superuser: &super, Login: &login}); err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
}

// member grants role to grantee.
func (e *env) member(t tb, role, grantee string) {
	t.Helper()
	if err := e.roles.GrantRole(context.Background(), roles.System, role, grantee); err != nil {
		t.Fatalf("GrantRole %s to %s: %v", role, grantee, err)
	}
}

// grant grants perms on r to grantee.
func (e *env) grant(t tb, grantee string, r resource.Resource, perms ...resource.Permission) {
	t.Helper()
	if _, err := e.authz.Grant(context.Background(), roles.System, resource.SetOf(perms...), r, grantee); err != nil {
		t.Fatalf("Grant %v on %s to %s: %v", perms, r, grantee, err)
	}
}

// errStore is what flakyStore returns once broken.
var errStore = errors.New("storage node unreachable")

// flakyStore is a store.Store whose permission and role reads fail while
// broken is set, and whose CIDR group listing fails while brokenGroups is.
type flakyStore struct {
	store.Store
	broken       atomic.Bool
	brokenGroups atomic.Bool // ListCIDRGroups fails
}

func (f *flakyStore) ListCIDRGroups(ctx context.Context) ([]store.CIDRGroup, error) {
	if f.brokenGroups.Load() {
		return nil, errStore
	}
	return f.Store.ListCIDRGroups(ctx)
}

func (f *flakyStore) GetPermissions(ctx context.Context, role, res string) (resource.PermissionSet, error) {
	if f.broken.Load() {
		return 0, errStore
	}
	return f.Store.GetPermissions(ctx, role, res)
}

func (f *flakyStore) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	if f.broken.Load() {
		return store.RoleRecord{}, errStore
	}
	return f.Store.GetRole(ctx, name)
}

func (f *flakyStore) ListGrants(ctx context.Context, role string) ([]store.Grant, error) {
	if f.broken.Load() {
		return nil, errStore
	}
	return f.Store.ListGrants(ctx, role)
}

func (f *flakyStore) RevokeAllOn(ctx context.Context, res string) error {
	if f.broken.Load() {
		return errStore
	}
	return f.Store.RevokeAllOn(ctx, res)
}

// requireDenied asserts err is a denial with Cassandra's code and message.
func requireDenied(t *testing.T, err error, msg string) {
	t.Helper()
	require.Error(t, err)
	require.EqualError(t, err, msg)
	require.ErrorIs(t, err, authz.ErrDenied)
	require.Equal(t, roles.CodeUnauthorized, roles.CodeOf(err))
}

// Resources the tests use often.
var (
	tblKsT   = resource.Table("ks", "t")
	tblKsU   = resource.Table("ks", "u")
	ksKs     = resource.Keyspace("ks")
	allTblKs = resource.AllTables("ks")
)

// mustFunction returns a function resource or fails.
func mustFunction(t tb, ks, fn string, args ...string) resource.Resource {
	t.Helper()
	r, err := resource.Function(ks, fn, args...)
	if err != nil {
		t.Fatalf("resource.Function: %v", err)
	}
	return r
}

// mustMBean returns an mbean resource or fails.
func mustMBean(t tb, name string) resource.Resource {
	t.Helper()
	r, err := resource.MBean(name)
	if err != nil {
		t.Fatalf("resource.MBean: %v", err)
	}
	return r
}
