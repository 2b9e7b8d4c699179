package engines

import (
	"context"
	"fmt"
	"time"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/bench/workload"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// LoadMemstore returns a memstore holding pol: its roles (with their
// SUPERUSER flags, all allowed to log in), memberships and grants, written
// through the store contract as the table-backed managers would.
func LoadMemstore(ctx context.Context, pol *workload.Policy) (*memstore.Store, error) {
	st := memstore.New()
	for _, r := range pol.Roles {
		if err := st.CreateRole(ctx, store.RoleRecord{Name: r.Name, IsSuperuser: r.Super, CanLogin: true}); err != nil {
			return nil, err
		}
	}
	for _, r := range pol.Roles {
		for _, p := range r.Parents {
			if err := st.GrantRole(ctx, p, r.Name); err != nil {
				return nil, err
			}
		}
	}
	for _, g := range pol.Grants {
		if _, err := st.AddPermissions(ctx, g.Role, g.Resource.Name(), g.Perms); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// CassauthUncached is cassauth's access check with nothing cached: an
// authz.Checker over the table-backed authorizer and role manager, which
// read the role closure and each role's grants from the store on every
// decision.
type CassauthUncached struct{ checker *authz.Checker }

// NewCassauthUncached builds the uncached check over st.
func NewCassauthUncached(st store.Store) (*CassauthUncached, error) {
	rm, err := roles.NewTable(roles.Config{Store: st, DisableDefaultSuperuser: true})
	if err != nil {
		return nil, err
	}
	az, err := authz.NewTable(authz.Config{Store: st, Roles: rm})
	if err != nil {
		return nil, err
	}
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: az, Roles: rm})
	if err != nil {
		return nil, err
	}
	return &CassauthUncached{checker: c}, nil
}

// Name returns "cassauth-uncached".
func (*CassauthUncached) Name() string { return "cassauth-uncached" }

// Prepare returns the query as the typed values an embedding server holds.
func (e *CassauthUncached) Prepare(q workload.Query) (Request, error) {
	return &checkerRequest{c: e.checker, user: roles.NewUser(q.Role), perm: q.Perm, res: q.Resource}, nil
}

type checkerRequest struct {
	c    *authz.Checker
	user roles.User
	perm resource.Permission
	res  resource.Resource
}

func (r *checkerRequest) Decide(ctx context.Context) (bool, error) {
	return r.c.Check(ctx, r.user, r.perm, r.res)
}

// Cassauth is the library as an application uses it: cassauth.New with
// Cassandra's PasswordAuthenticator and CassandraAuthorizer over the store,
// and Auth.Check answered from the permissions and roles caches.
type Cassauth struct {
	auth *cassauth.Auth
	name string
}

// NewCassauth wires cassauth over st with caches that hold maxEntries
// entries each for an hour, so that nothing expires while timing. A
// positive clockResolution selects the coarse cache clock of
// cassauth.Options.ClockResolution; zero keeps the system clock (the
// default an application gets).
func NewCassauth(ctx context.Context, st store.Store, maxEntries int, clockResolution time.Duration) (*Cassauth, error) {
	hour := cassauth.CacheConfig{Validity: time.Hour, MaxEntries: maxEntries}
	a, err := cassauth.New(cassauth.Config{
		Authenticator: cassauth.PasswordAuthenticator,
		Authorizer:    cassauth.CassandraAuthorizer,
		Permissions:   hour,
		Roles:         hour,
		Credentials:   hour,
		BcryptRounds:  4,
	}, st, cassauth.Options{DisableDefaultSuperuser: true, ClockResolution: clockResolution})
	if err != nil {
		return nil, err
	}
	if err := a.Setup(ctx); err != nil {
		_ = a.Close()
		return nil, err
	}
	name := "cassauth"
	if clockResolution > 0 {
		name = fmt.Sprintf("cassauth-clock%s", clockResolution)
	}
	return &Cassauth{auth: a, name: name}, nil
}

// Name returns "cassauth", or "cassauth-clock1ms" with a coarse clock.
func (e *Cassauth) Name() string { return e.name }

// Prepare returns the query as the typed values an embedding server holds.
func (e *Cassauth) Prepare(q workload.Query) (Request, error) {
	return &authRequest{a: e.auth, user: roles.NewUser(q.Role), perm: q.Perm, res: q.Resource}, nil
}

// Misses returns the permissions cache's misses so far, to show that a
// timed loop ran on hits only.
func (e *Cassauth) Misses() uint64 {
	return e.auth.CacheStats()[cassauth.PermissionsCache].Misses
}

// Warm decides every request until a whole pass causes no cache miss (the
// caches admit new keys asynchronously), at most rounds passes.
func (e *Cassauth) Warm(ctx context.Context, reqs []Request, rounds int) error {
	for range rounds {
		before := e.Misses()
		for _, r := range reqs {
			if _, err := r.Decide(ctx); err != nil {
				return err
			}
		}
		if e.Misses() == before {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("cassauth: caches still missing after %d warm-up passes", rounds)
}

// Close stops the caches' goroutines.
func (e *Cassauth) Close() error { return e.auth.Close() }

type authRequest struct {
	a    *cassauth.Auth
	user roles.User
	perm resource.Permission
	res  resource.Resource
}

func (r *authRequest) Decide(ctx context.Context) (bool, error) {
	return r.a.Check(ctx, r.user, r.perm, r.res)
}
