package conformance

import (
	"crypto/x509"
	"testing"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
)

// AuthenticatorFixture is what [TestAuthenticator] needs besides the
// authenticator: a way to make the roles it authenticates, and to map
// certificate identities to them.
type AuthenticatorFixture struct {
	// Roles creates, alters and drops the roles the suite logs in as
	// (CREATE ROLE ... WITH PASSWORD and LOGIN), maps identities to them
	// (ADD IDENTITY), and answers the login step ([authn.Login] asks its
	// CanLogin). It must share its store with the authenticator: a change
	// made through it must be seen by the authenticator's next attempt (a
	// caching authenticator must be wired so that Roles invalidates it).
	// It must support LOGIN, and PASSWORD for the password checks
	// (HASHED_PASSWORD is used when supported). Nil is allowed only when
	// the authenticator does not require authentication.
	Roles roles.Manager

	// Certificate, if not nil, returns a client certificate chain, leaf
	// first, from which the authenticator's certificate validator extracts
	// identity, as the TLS layer would pass it (already verified). The
	// suite then checks certificate authentication, with identities
	// mapped through Roles.AddIdentity. Nil skips those checks.
	Certificate func(identity string) ([]*x509.Certificate, error)
}

// TestAuthenticator tests an [authn.Authenticator] implementation against
// the authenticator's contract (Cassandra's IAuthenticator, its SASL
// negotiators and the login step after them). newAuthenticator must return,
// on every call, a fresh authenticator with Setup already run and the
// fixture for it over one fresh, empty store, and register their teardown
// with t.Cleanup; TestAuthenticator calls it once per check, on the test's
// goroutine.
//
// The subtests, each a group of named checks: Basics (ClassName, never the
// zero user with a nil error), NotRequired, Password (SASL PLAIN with good
// and bad passwords, unknown roles, roles without a password, case,
// password changes, dropped roles, imported hashes, the authzid),
// Negotiator (a fresh negotiator per attempt with state of its own,
// malformed tokens, retries on one negotiator), Login (LOGIN is required
// and never inherited, checked by [authn.Login] after the negotiation),
// Legacy (the protocol-v1 credentials map), Certificates, Concurrency, and
// Model, a randomized test (pgregory.net/rapid) of short sequences of role
// changes and logins against a plain model.
//
// Which checks run depends on what the authenticator does, as it says
// itself. The password checks run when RequireAuthentication is true and
// [authn.UsesPasswords] reports passwords; the certificate checks when
// RequireAuthentication is true and the fixture has Certificate;
// NotRequired only when RequireAuthentication is false, and checks that
// every client is [roles.Anonymous] then. Nothing is timed: the suite
// checks behaviour only (an unknown role must fail exactly as a wrong
// password does, but how long either takes is not checked).
//
// Errors are matched with [errors.Is] and [errors.As]: every failure is a
// [*roles.Error] with code [roles.CodeBadCredentials] whose cause matches
// authn's sentinels ([authn.ErrIncorrectCredentials],
// [authn.ErrNotPermittedToLogin], [authn.ErrMalformedToken], ...). Where
// Cassandra's text is what clients see and compare, it is checked too:
// "Provided username %s and/or password are incorrect" for a wrong
// password and an unknown role alike. Each check runs under the watchdog
// described in the package documentation; the password paths run bcrypt,
// so configure the cheapest cost (4) in tests.
func TestAuthenticator(t *testing.T, newAuthenticator func(t *testing.T) (authn.Authenticator, AuthenticatorFixture)) {
	t.Helper()
	runSuite(t, authenticatorGroups(), func(t *testing.T) authnPart {
		a, fx := newAuthenticator(t)
		if a == nil {
			t.Fatal("newAuthenticator returned a nil authenticator")
		}
		if fx.Roles == nil && a.RequireAuthentication() {
			t.Fatal("newAuthenticator returned no fixture Roles for an authenticator that requires authentication")
		}
		return authnPart{a: a, fx: fx}
	})
}

// authnPart is what the checks of TestAuthenticator run against.
type authnPart struct {
	a  authn.Authenticator
	fx AuthenticatorFixture
}

// authenticatorCheck is one check of TestAuthenticator.
type authenticatorCheck = partCheck[authnPart]

// authenticatorGroups returns the checks of TestAuthenticator, in order.
func authenticatorGroups() []partGroup[authnPart] {
	return []partGroup[authnPart]{
		{"Basics", authnBasicChecks()},
		{"NotRequired", notRequiredChecks()},
		{"Password", passwordChecks()},
		{"Negotiator", negotiatorChecks()},
		{"Login", authnLoginChecks()},
		{"Legacy", legacyChecks()},
		{"Certificates", certificateChecks()},
		{"Concurrency", authnConcurrencyChecks()},
		{"Model", authnModelChecks()},
	}
}

func needsPasswords(p authnPart) string {
	switch {
	case !p.a.RequireAuthentication():
		return "the authenticator does not require authentication"
	case !authn.UsesPasswords(p.a):
		return "the authenticator does not use passwords (authn.UsesPasswords)"
	case !p.fx.Roles.SupportedOptions().Has(roles.OptPassword) || !p.fx.Roles.SupportedOptions().Has(roles.OptLogin):
		return "the fixture's role manager does not support PASSWORD and LOGIN"
	}
	return ""
}

func needsCertificates(p authnPart) string {
	switch {
	case !p.a.RequireAuthentication():
		return "the authenticator does not require authentication"
	case p.fx.Certificate == nil:
		return "the fixture makes no certificates"
	case !p.fx.Roles.SupportedOptions().Has(roles.OptLogin):
		return "the fixture's role manager does not support LOGIN"
	}
	return ""
}

func needsNoAuthentication(p authnPart) string {
	if p.a.RequireAuthentication() {
		return "the authenticator requires authentication"
	}
	return ""
}
