package conformance

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
)

// The authentication flow as a CQL server runs it for a connection, and
// the assertions on its outcome.

// Outcomes of an attempt that are failures of the authenticator, not
// authentication errors.
var (
	errZeroUser   = errors.New("conformance: AuthenticatedUser returned the zero User and no error")
	errIncomplete = errors.New("conformance: the negotiation did not complete after the client's responses")
	errNoRoles    = errors.New("conformance: a user other than anonymous, and no fixture Roles for the login step")
)

// suiteClient is the address the suite's clients connect from.
func suiteClient() netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, 1}) }

// plainToken is the SASL PLAIN response of a client.
func plainToken(user, password string) []byte {
	return authn.EncodePlain(user, authn.NewSecret(password))
}

// negotiate feeds responses to n one at a time, as a server feeds
// AUTH_RESPONSE messages (an empty one when none is given: the early round
// of a negotiator that needs no AUTHENTICATE, or what a certificate client
// sends), and returns the authenticated user once n completes.
func negotiate(ctx context.Context, n authn.Negotiator, responses ...[]byte) (roles.User, error) {
	if len(responses) == 0 {
		responses = [][]byte{{}}
	}
	for _, token := range responses {
		if _, err := n.EvaluateResponse(ctx, token); err != nil {
			return roles.User{}, err
		}
		if n.IsComplete() {
			u, err := n.AuthenticatedUser(ctx)
			if err == nil && u.IsZero() {
				err = errZeroUser
			}
			return u, err
		}
	}
	return roles.User{}, errIncomplete
}

// newNegotiator returns a fresh negotiator for a client with certs.
func newNegotiator(ctx context.Context, p authnPart, certs []*x509.Certificate) (authn.Negotiator, error) {
	n, err := p.a.NewNegotiator(ctx, suiteClient(), certs)
	if err == nil && n == nil {
		err = errors.New("conformance: NewNegotiator returned neither a negotiator nor an error")
	}
	return n, err
}

// login runs a whole attempt on a fresh negotiator: the negotiation, then
// the login step with the fixture's roles.
func login(ctx context.Context, p authnPart, certs []*x509.Certificate, responses ...[]byte) (roles.User, error) {
	n, err := newNegotiator(ctx, p, certs)
	if err != nil {
		return roles.User{}, err
	}
	u, err := negotiate(ctx, n, responses...)
	if err != nil {
		return u, err
	}
	return u, loginStep(ctx, p, u)
}

// loginStep is what follows a completed negotiation: authn.Login.
func loginStep(ctx context.Context, p authnPart, u roles.User) error {
	if p.fx.Roles == nil {
		if !u.IsAnonymous() {
			return errNoRoles
		}
		return nil
	}
	return authn.Login(ctx, p.fx.Roles, u)
}

// plainLogin logs in with a password over SASL PLAIN.
func plainLogin(ctx context.Context, p authnPart, user, password string) (roles.User, error) {
	return login(ctx, p, nil, plainToken(user, password))
}

// wantUser reports unless err is nil and u is the user of role.
func wantUser(r reporter, u roles.User, err error, role, what string, args ...any) {
	r.Helper()
	if err != nil {
		r.Errorf("%s: %v, want to log in as %q", fmt.Sprintf(what, args...), err, role)
		return
	}
	if u.Name() != role || u.IsAnonymous() || u.IsSystem() {
		r.Errorf("%s: logged in as %v, want %q", fmt.Sprintf(what, args...), u, role)
	}
}

// wantRefused reports unless err is a BAD_CREDENTIALS [*roles.Error] whose
// chain matches cause.
func wantRefused(r reporter, err, cause error, what string, args ...any) {
	r.Helper()
	if wantCode(r, err, roles.CodeBadCredentials, what, args...) != nil {
		wantErr(r, err, cause, what, args...)
	}
}

// wantIncorrect reports unless err is Cassandra's refusal of a wrong
// password or unknown role for username: the same error, with the same
// message, whichever it was.
func wantIncorrect(r reporter, err error, username, what string, args ...any) {
	r.Helper()
	wantText(r, err, roles.CodeBadCredentials, "Provided username "+username+" and/or password are incorrect", what, args...)
	wantErr(r, err, authn.ErrIncorrectCredentials, what, args...)
}

// mkLoginRole creates a role with a password ("" for none) hashed by the
// role manager and LOGIN canLogin, or ends the check.
func mkLoginRole(r reporter, ctx context.Context, m roles.Manager, name, password string, canLogin bool) {
	r.Helper()
	mkRole(r, ctx, m, name, passwordOptions(m, password, canLogin, false))
}

// passwordOptions returns the options that give a role password ("" for
// none) and LOGIN canLogin. With preferHashed, for the suite's passwords
// that have a precomputed hash, and with HASHED_PASSWORD supported, they
// give the hash instead (no bcrypt run).
func passwordOptions(m roles.Manager, password string, canLogin, preferHashed bool) roles.Options {
	opts := roles.Options{Login: &canLogin}
	hashed := map[string]string{"secret-0": hashedSecret0, "secret-1": hashedSecret1}[password]
	switch {
	case password == "":
	case preferHashed && hashed != "" && m.SupportedOptions().Has(roles.OptHashedPassword):
		opts.HashedPassword = &hashed
	default:
		opts.Password = &password
	}
	return opts
}
