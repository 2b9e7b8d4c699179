package conformance

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/netip"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// spiffeCert returns a self-signed client certificate whose URI SAN is
// identity, as SpiffeValidator reads it.
func spiffeCert(identity string) ([]*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(identity)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "client"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		URIs:         []*url.URL{u},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return []*x509.Certificate{cert}, nil
}

// testPasswordConfig is the Password authenticator's configuration in
// tests: bcrypt at cost 4.
func testPasswordConfig(st store.Store) authn.PasswordConfig {
	return authn.PasswordConfig{Store: st, Cost: 4, MaxConcurrentHashes: 2}
}

// newTestPassword returns a Password authenticator over st with setup run,
// and a fixture whose role manager hashes with the authenticator's hasher.
func newTestPassword(t *testing.T, st store.Store, cfg authn.PasswordConfig) (*authn.Password, AuthenticatorFixture) {
	t.Helper()
	a, err := authn.NewPassword(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, AuthenticatorFixture{Roles: newTestTable(t, st, true, a.Hasher())}
}

func TestAuthenticatorSuiteOnPassword(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			TestAuthenticator(t, func(t *testing.T) (authn.Authenticator, AuthenticatorFixture) {
				st := b.open(t)
				return newTestPassword(t, st, testPasswordConfig(st))
			})
		})
	}
}

func TestAuthenticatorSuiteOnPasswordVariants(t *testing.T) {
	t.Run("verified cache", func(t *testing.T) {
		// The cache must never let an old password or a dropped role in:
		// the whole suite, model included.
		TestAuthenticator(t, func(t *testing.T) (authn.Authenticator, AuthenticatorFixture) {
			st := backends()[0].open(t)
			cfg := testPasswordConfig(st)
			cfg.Verified = authn.VerifiedCacheConfig{Enabled: true}
			return newTestPassword(t, st, cfg)
		})
	})
	t.Run("extra mechanism", func(t *testing.T) {
		// A first response that names no mechanism goes to PLAIN: the
		// checks of the PLAIN exchange are enough to show it.
		groups := []string{"Password", "Negotiator", "Login"}
		results := recordSuite(authenticatorGroups(), func() authnPart {
			mechs := &authn.Mechanisms{}
			err := mechs.Register("EXAMPLE", func(context.Context, netip.Addr, []*x509.Certificate) (authn.Negotiator, error) {
				return authn.AllowAll{}.NewNegotiator(context.Background(), netip.Addr{}, nil)
			})
			if err != nil {
				t.Fatal(err)
			}
			st := memstore.New()
			cfg := testPasswordConfig(st)
			cfg.Mechanisms = mechs
			a, fx := newTestPassword(t, st, cfg)
			return authnPart{a: a, fx: fx}
		}, func(g, _ string) bool { return slices.Contains(groups, g) })
		if len(results) == 0 {
			t.Fatal("no checks ran")
		}
		wantAllPass(t, results)
	})
}

func TestAuthenticatorSuiteOnAllowAll(t *testing.T) {
	TestAuthenticator(t, func(t *testing.T) (authn.Authenticator, AuthenticatorFixture) {
		return authn.AllowAll{}, AuthenticatorFixture{}
	})
}

func TestAuthenticatorSuiteOnMutualTLS(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			TestAuthenticator(t, func(t *testing.T) (authn.Authenticator, AuthenticatorFixture) {
				m := newTestTable(t, b.open(t), false, nil)
				a, err := authn.NewMutualTLS(authn.MutualTLSConfig{Validator: authn.SpiffeValidator{}, Identities: m})
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Setup(context.Background()); err != nil {
					t.Fatal(err)
				}
				return a, AuthenticatorFixture{Roles: m, Certificate: spiffeCert}
			})
		})
	}
}

func TestAuthenticatorSuiteOnMutualTLSWithPasswordFallback(t *testing.T) {
	TestAuthenticator(t, func(t *testing.T) (authn.Authenticator, AuthenticatorFixture) {
		st := backends()[0].open(t)
		m := newTestTable(t, st, true, roles.BcryptHasher{Cost: 4})
		a, err := authn.NewMutualTLSWithPasswordFallback(testPasswordConfig(st),
			authn.MutualTLSConfig{Validator: authn.SpiffeValidator{}, Identities: m})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Setup(context.Background()); err != nil {
			t.Fatal(err)
		}
		return a, AuthenticatorFixture{Roles: m, Certificate: spiffeCert}
	})
}
