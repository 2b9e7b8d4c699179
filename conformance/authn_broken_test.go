package conformance

import (
	"context"
	"crypto/x509"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// Deliberately broken authenticators: each plants one bug that a real
// implementation could have, over the Password authenticator (whose
// RequireAuthentication, ClassName and modes they keep) or the mutual-TLS
// one.

// checkFn verifies a username and password.
type checkFn func(ctx context.Context, user, password string) (roles.User, error)

// brokenPlain is a SASL PLAIN negotiator of the tests. With keepOnError, a
// malformed response leaves the earlier credentials in place. It locks, so
// that sharing one between attempts is a bug of the authenticator that the
// suite sees, not a data race.
type brokenPlain struct {
	check       checkFn
	keepOnError bool
	mu          sync.Mutex
	user, pw    string // guarded by mu
	complete    bool   // guarded by mu
}

func (n *brokenPlain) EvaluateResponse(_ context.Context, token []byte) ([]byte, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	creds, err := authn.DecodePlain(token)
	if err != nil {
		if !n.keepOnError {
			n.complete = false
		}
		return nil, err
	}
	n.user, n.pw, n.complete = creds.Username, creds.Password.Reveal(), true
	return nil, nil
}

func (n *brokenPlain) IsComplete() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.complete
}

func (n *brokenPlain) AuthenticatedUser(ctx context.Context) (roles.User, error) {
	n.mu.Lock()
	user, pw, complete := n.user, n.pw, n.complete
	n.mu.Unlock()
	if !complete {
		return roles.User{}, &roles.Error{Code: roles.CodeBadCredentials, Msg: authn.MsgNegotiationIncomplete, Err: authn.ErrNegotiationIncomplete}
	}
	return n.check(ctx, user, pw)
}

// brokenPassword is the Password authenticator with its negotiators, and
// optionally its legacy check, replaced.
type brokenPassword struct {
	*authn.Password
	check       checkFn
	keepOnError bool
	shared      *brokenPlain // every attempt gets this one, if set
	legacy      func(ctx context.Context, creds map[string]string) (roles.User, error)
}

func (a *brokenPassword) NewNegotiator(context.Context, netip.Addr, []*x509.Certificate) (authn.Negotiator, error) {
	if a.shared != nil {
		return a.shared, nil
	}
	return &brokenPlain{check: a.check, keepOnError: a.keepOnError}, nil
}

func (a *brokenPassword) LegacyAuthenticate(ctx context.Context, creds map[string]string) (roles.User, error) {
	if a.legacy != nil {
		return a.legacy(ctx, creds)
	}
	return a.Password.LegacyAuthenticate(ctx, creds)
}

// zeroUserAuth does not require authentication and authenticates the zero
// User.
type zeroUserAuth struct{ authn.AllowAll }

func (zeroUserAuth) LegacyAuthenticate(context.Context, map[string]string) (roles.User, error) {
	return roles.User{}, nil
}

func (zeroUserAuth) NewNegotiator(context.Context, netip.Addr, []*x509.Certificate) (authn.Negotiator, error) {
	return &brokenPlain{check: func(context.Context, string, string) (roles.User, error) { return roles.User{}, nil }, complete: true}, nil
}

// cachedIdentities remembers every identity's role forever.
type cachedIdentities struct {
	authn.Identities
	mu    sync.Mutex
	roles map[string]string
}

func (c *cachedIdentities) RoleForIdentity(ctx context.Context, identity string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.roles[identity]; ok {
		return r, nil
	}
	r, err := c.Identities.RoleForIdentity(ctx, identity)
	if err == nil && r != "" {
		c.roles[identity] = r
	}
	return r, err
}

func brokenAuthenticators(t *testing.T) []brokenCase[authnPart] {
	// password wraps a Password authenticator over a new memstore.
	password := func(f func(pw *authn.Password, st store.Store) authn.Authenticator) func() authnPart {
		return func() authnPart {
			st := memstore.New()
			pw, fx := newTestPassword(t, st, testPasswordConfig(st))
			return authnPart{a: f(pw, st), fx: fx}
		}
	}
	check := func(pw *authn.Password) checkFn {
		return func(ctx context.Context, user, password string) (roles.User, error) {
			return pw.Authenticate(ctx, user, authn.NewSecret(password))
		}
	}
	return []brokenCase[authnPart]{
		{"accepts any password", password(func(pw *authn.Password, _ store.Store) authn.Authenticator {
			anyone := func(_ context.Context, user, _ string) (roles.User, error) { return roles.NewUser(user), nil }
			return &brokenPassword{Password: pw, check: anyone, legacy: func(ctx context.Context, creds map[string]string) (roles.User, error) {
				return anyone(ctx, creds[authn.UsernameKey], "")
			}}
		}), []string{"Password/WrongPassword", "Password/UnknownRole", "Password/NoPassword", "Password/PasswordChange",
			"Password/DroppedRole", "Negotiator/PerAttempt", "Login/Required", "Legacy/Bad"}},
		{"unknown role told apart", password(func(pw *authn.Password, st store.Store) authn.Authenticator {
			tells := func(ctx context.Context, user, password string) (roles.User, error) {
				if _, err := st.GetRole(ctx, user); errors.Is(err, store.ErrNotFound) {
					return roles.User{}, &roles.Error{Code: roles.CodeBadCredentials, Msg: "Role " + user + " doesn't exist", Err: authn.ErrIncorrectCredentials}
				}
				return check(pw)(ctx, user, password)
			}
			return &brokenPassword{Password: pw, check: tells, legacy: func(ctx context.Context, creds map[string]string) (roles.User, error) {
				return tells(ctx, creds[authn.UsernameKey], creds[authn.PasswordKey])
			}}
		}), []string{"Password/UnknownRole", "Legacy/Bad"}},
		{"one negotiator for every attempt", password(func(pw *authn.Password, _ store.Store) authn.Authenticator {
			return &brokenPassword{Password: pw, shared: &brokenPlain{check: check(pw)}}
		}), []string{"Negotiator/PerAttempt"}},
		{"malformed response keeps the earlier credentials", password(func(pw *authn.Password, _ store.Store) authn.Authenticator {
			return &brokenPassword{Password: pw, check: check(pw), keepOnError: true}
		}), []string{"Negotiator/MalformedToken"}},
		{"successful logins cached forever", password(func(pw *authn.Password, _ store.Store) authn.Authenticator {
			var mu sync.Mutex
			ok := map[string]bool{}
			return &brokenPassword{Password: pw, check: func(ctx context.Context, user, password string) (roles.User, error) {
				key := user + "\x00" + password
				mu.Lock()
				hit := ok[key]
				mu.Unlock()
				if hit {
					return roles.NewUser(user), nil
				}
				u, err := check(pw)(ctx, user, password)
				if err == nil {
					mu.Lock()
					ok[key] = true
					mu.Unlock()
				}
				return u, err
			}}
		}), []string{"Password/PasswordChange", "Password/DroppedRole"}},
		{"missing password read as empty", password(func(pw *authn.Password, _ store.Store) authn.Authenticator {
			return &brokenPassword{Password: pw, check: check(pw), legacy: func(ctx context.Context, creds map[string]string) (roles.User, error) {
				return pw.Authenticate(ctx, creds[authn.UsernameKey], authn.NewSecret(creds[authn.PasswordKey]))
			}}
		}), []string{"Legacy/MissingKeys"}},
		{"zero user", func() authnPart { return authnPart{a: zeroUserAuth{}} },
			[]string{"Basics/NeverZeroUser", "NotRequired/Anonymous"}},
		{"identities cached forever", func() authnPart {
			m := newTestTable(t, memstore.New(), false, nil)
			a, err := authn.NewMutualTLS(authn.MutualTLSConfig{Validator: authn.SpiffeValidator{},
				Identities: &cachedIdentities{Identities: m, roles: map[string]string{}}})
			if err != nil {
				t.Fatal(err)
			}
			return authnPart{a: a, fx: AuthenticatorFixture{Roles: m, Certificate: spiffeCert}}
		}, []string{"Certificates/DroppedIdentity"}},
	}
}

func TestAuthenticatorSuiteFailsOnBrokenAuthenticators(t *testing.T) {
	// Only the groups named: bcrypt makes the others slow.
	testBroken(t, authenticatorGroups(), brokenAuthenticators(t), func(c brokenCase[authnPart]) func(string, string) bool {
		return func(group, _ string) bool {
			return slices.ContainsFunc(c.wantFail, func(name string) bool { return strings.HasPrefix(name, group+"/") })
		}
	})
}

// TestPlantedAuthenticatorModel runs the authenticator's model test
// against one that accepts any password: it must fail, and rapid must
// shrink the case to a single login of a role that does not exist.
func TestPlantedAuthenticatorModel(t *testing.T) {
	const bug = "authn:anyPassword"
	if plantedChild(bug) {
		TestAuthenticator(t, func(t *testing.T) (authn.Authenticator, AuthenticatorFixture) {
			st := memstore.New()
			pw, fx := newTestPassword(t, st, testPasswordConfig(st))
			return &brokenPassword{Password: pw, check: func(_ context.Context, user, _ string) (roles.User, error) {
				return roles.NewUser(user), nil
			}}, fx
		})
		return
	}
	out := runPlantedChild(t, "TestPlantedAuthenticatorModel", bug)
	wantInOutput(t, out, "--- FAIL: TestPlantedAuthenticatorModel/Model/Logins", `draw steps: []conformance.authnStep{conformance.authnStep{Action:"Login"`, "and/or password are incorrect")
	if strings.Contains(out, "flaky") || strings.Contains(out, "m1.") {
		t.Errorf("the failure is not reproducible without its namespace:\n%s", out)
	}
	t.Logf("child output:\n%s", out)
}
