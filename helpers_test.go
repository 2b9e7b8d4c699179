package cassauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// tb is what the helpers need of a *testing.T, a *testing.B and a
// *rapid.T (which is not a testing.TB).
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

var ctx = context.Background()

// start is the fake clocks' start time.
var start = time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)

// passwordConfig is PasswordAuthenticator + CassandraAuthorizer with the
// given cache settings for all three groups and a cheap bcrypt.
func passwordConfig(cc cassauth.CacheConfig) cassauth.Config {
	return cassauth.Config{
		Authenticator: cassauth.PasswordAuthenticator,
		Authorizer:    cassauth.CassandraAuthorizer,
		Permissions:   cc,
		Roles:         cc,
		Credentials:   cc,
		BcryptRounds:  4,
	}
}

// newAuth builds an Auth over st on clk (no default superuser), set up,
// closed at the end of the test.
func newAuth(t *testing.T, cfg cassauth.Config, st store.Store, clk cache.Clock) *cassauth.Auth {
	t.Helper()
	a, err := cassauth.New(cfg, st, cassauth.Options{Clock: clk, DisableDefaultSuperuser: true})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	require.NoError(t, a.Setup(ctx))
	return a
}

// noFeed hides the change feed of the store it wraps: the library then sees
// only its own writes.
type noFeed struct{ store.Store }

// faultyStore wraps a store and fails every read while failing is set,
// with errStoreDown.
type faultyStore struct {
	store.Store
	failing atomic.Bool
}

var errStoreDown = errors.New("store unavailable")

func (f *faultyStore) err(op string) error {
	if f.failing.Load() {
		return &store.Error{Op: op, Err: errStoreDown}
	}
	return nil
}

func (f *faultyStore) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	if err := f.err("GetRole"); err != nil {
		return store.RoleRecord{}, err
	}
	return f.Store.GetRole(ctx, name)
}

func (f *faultyStore) ListRoles(ctx context.Context) ([]store.RoleRecord, error) {
	if err := f.err("ListRoles"); err != nil {
		return nil, err
	}
	return f.Store.ListRoles(ctx)
}

func (f *faultyStore) GetPermissions(ctx context.Context, role, res string) (resource.PermissionSet, error) {
	if err := f.err("GetPermissions"); err != nil {
		return 0, err
	}
	return f.Store.GetPermissions(ctx, role, res)
}

func (f *faultyStore) ListGrants(ctx context.Context, role string) ([]store.Grant, error) {
	if err := f.err("ListGrants"); err != nil {
		return nil, err
	}
	return f.Store.ListGrants(ctx, role)
}

func (f *faultyStore) GetDatacenters(ctx context.Context, role string) ([]string, error) {
	if err := f.err("GetDatacenters"); err != nil {
		return nil, err
	}
	return f.Store.GetDatacenters(ctx, role)
}

func (f *faultyStore) GetCIDRPermissions(ctx context.Context, role string) ([]string, error) {
	if err := f.err("GetCIDRPermissions"); err != nil {
		return nil, err
	}
	return f.Store.GetCIDRPermissions(ctx, role)
}

func (f *faultyStore) GetIdentity(ctx context.Context, id string) (string, error) {
	if err := f.err("GetIdentity"); err != nil {
		return "", err
	}
	return f.Store.GetIdentity(ctx, id)
}

// recordingStore records the read operations made on it, in order.
type recordingStore struct {
	store.Store
	mu  sync.Mutex
	ops []string
}

func (r *recordingStore) record(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ops) == 0 || r.ops[len(r.ops)-1] != op {
		r.ops = append(r.ops, op)
	}
}

func (r *recordingStore) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	r.record("GetRole")
	return r.Store.GetRole(ctx, name)
}

func (r *recordingStore) ListRoles(ctx context.Context) ([]store.RoleRecord, error) {
	r.record("ListRoles")
	return r.Store.ListRoles(ctx)
}

func (r *recordingStore) ListCIDRGroups(ctx context.Context) ([]store.CIDRGroup, error) {
	r.record("ListCIDRGroups")
	return r.Store.ListCIDRGroups(ctx)
}

func (r *recordingStore) ListGrants(ctx context.Context, role string) ([]store.Grant, error) {
	r.record("ListGrants")
	return r.Store.ListGrants(ctx, role)
}

func (r *recordingStore) indexOf(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Index(r.ops, op)
}

// fixture writes roles and grants through the library's parts.
type fixture struct {
	t tb
	a *cassauth.Auth
}

func (f fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%v", err)
	}
}

func (f fixture) role(name string, login bool, opts ...func(*roles.Options)) {
	f.t.Helper()
	o := roles.Options{Login: &login}
	for _, fn := range opts {
		fn(&o)
	}
	f.must(f.a.Roles().CreateRole(ctx, roles.System, name, o))
}

func withPassword(pw string) func(*roles.Options) {
	return func(o *roles.Options) { o.Password = &pw }
}

func superuser(o *roles.Options) { yes := true; o.Superuser = &yes }

func (f fixture) grantRole(role, grantee string) {
	f.t.Helper()
	f.must(f.a.Roles().GrantRole(ctx, roles.System, role, grantee))
}

func (f fixture) grant(role string, r resource.Resource, ps ...resource.Permission) {
	f.t.Helper()
	_, err := f.a.Authorizer().Grant(ctx, roles.System, resource.SetOf(ps...), r, role)
	f.must(err)
}

func (f fixture) revoke(role string, r resource.Resource, ps ...resource.Permission) {
	f.t.Helper()
	_, err := f.a.Authorizer().Revoke(ctx, roles.System, resource.SetOf(ps...), r, role)
	f.must(err)
}

// check returns the cached decision and fails the test on an error.
func (f fixture) check(user string, p resource.Permission, r resource.Resource) bool {
	f.t.Helper()
	ok, err := f.a.Check(ctx, roles.NewUser(user), p, r)
	if err != nil {
		f.t.Fatalf("check %s %s %s: %v", user, p, r, err)
	}
	return ok
}

// chain creates roles names[0] <- names[1] <- ...: each role is granted
// the next one, so names[0] inherits from all the others.
func (f fixture) chain(names ...string) {
	f.t.Helper()
	for i, n := range names {
		f.role(n, i == 0)
	}
	for i := 0; i+1 < len(names); i++ {
		f.grantRole(names[i+1], names[i])
	}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func prefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func roleName(i int) string { return fmt.Sprintf("r%d", i) }

// newMem returns a memstore closed at the end of the test.
func newMem(t *testing.T) *memstore.Store {
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	return st
}
