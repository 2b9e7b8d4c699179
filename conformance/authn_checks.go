package conformance

import (
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
)

// authnBasicChecks hold for every authenticator.
func authnBasicChecks() []authenticatorCheck {
	return []authenticatorCheck{
		{name: "ClassName", run: func(c *checker, p authnPart) {
			name := p.a.ClassName()
			if name == "" {
				c.Errorf("ClassName is empty, want the payload of AUTHENTICATE (a Java class name)")
			}
			wantEqual(c, p.a.ClassName(), name, "ClassName called twice")
		}},
		{name: "NeverZeroUser", run: func(c *checker, p authnPart) {
			for _, tc := range []struct {
				name   string
				tokens [][]byte
			}{{"empty response", [][]byte{{}}}, {"unknown role", [][]byte{plainToken("nobody", "secret-0")}}} {
				n, err := newNegotiator(c.ctx, p, nil)
				if err != nil {
					wantCode(c, err, roles.CodeBadCredentials, "NewNegotiator")
					continue
				}
				for _, token := range tc.tokens {
					_, _ = n.EvaluateResponse(c.ctx, token)
				}
				if n.IsComplete() {
					if u, err := n.AuthenticatedUser(c.ctx); err == nil && u.IsZero() {
						c.Errorf("%s: AuthenticatedUser returned the zero User and no error", tc.name)
					}
				}
			}
			for _, creds := range []map[string]string{nil, {}, {authn.UsernameKey: "nobody"}, {authn.UsernameKey: "nobody", authn.PasswordKey: "x"}} {
				if u, err := p.a.LegacyAuthenticate(c.ctx, creds); err == nil && u.IsZero() {
					c.Errorf("LegacyAuthenticate(%d keys) returned the zero User and no error", len(creds))
				}
			}
		}},
		{name: "ProtectedResources", run: func(c *checker, p authnPart) {
			for _, r := range p.a.ProtectedResources() {
				if r.IsZero() {
					c.Errorf("ProtectedResources holds the zero resource: %v", p.a.ProtectedResources())
				}
			}
		}},
	}
}

// notRequiredChecks cover authenticators that do not require
// authentication (Cassandra's AllowAllAuthenticator): everyone is
// anonymous.
func notRequiredChecks() []authenticatorCheck {
	return []authenticatorCheck{
		{name: "Anonymous", needs: needsNoAuthentication, run: func(c *checker, p authnPart) {
			for _, tokens := range [][][]byte{nil, {plainToken("alice", "secret-0")}} {
				u, err := login(c.ctx, p, nil, tokens...)
				noErr(c, err, "an attempt with %d responses", len(tokens))
				if !u.IsAnonymous() {
					c.Errorf("an attempt authenticated %v, want the anonymous user", u)
				}
			}
			u, err := p.a.LegacyAuthenticate(c.ctx, map[string]string{authn.UsernameKey: "alice", authn.PasswordKey: "x"})
			noErr(c, err, "LegacyAuthenticate")
			if !u.IsAnonymous() {
				c.Errorf("LegacyAuthenticate authenticated %v, want the anonymous user", u)
			}
		}},
	}
}

// passwordChecks cover SASL PLAIN over the roles' passwords.
func passwordChecks() []authenticatorCheck {
	return []authenticatorCheck{
		{name: "Good", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			u, err := plainLogin(c.ctx, p, "alice", "secret-0")
			wantUser(c, u, err, "alice", "alice with her password")
		}},
		{name: "WrongPassword", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			for _, pw := range []string{"secret-1", "secret-0 ", "Secret-0", "secret-"} {
				_, err := plainLogin(c.ctx, p, "alice", pw)
				wantIncorrect(c, err, "alice", "alice with the password %q", pw)
			}
		}},
		{name: "UnknownRole", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			_, err := plainLogin(c.ctx, p, "nobody", "secret-0")
			wantIncorrect(c, err, "nobody", "an unknown role")
		}},
		{name: "NoPassword", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "", true)
			_, err := plainLogin(c.ctx, p, "alice", "secret-0")
			wantIncorrect(c, err, "alice", "a role without a password")
		}},
		{name: "CaseSensitive", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "Alice", "secret-0", true)
			_, err := plainLogin(c.ctx, p, "alice", "secret-0")
			wantIncorrect(c, err, "alice", "alice, when the role is Alice")
			u, err := plainLogin(c.ctx, p, "Alice", "secret-0")
			wantUser(c, u, err, "Alice", "Alice")
		}},
		{name: "PasswordChange", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			u, err := plainLogin(c.ctx, p, "alice", "secret-0")
			wantUser(c, u, err, "alice", "alice before the change")
			noErr(c, p.fx.Roles.AlterRole(c.ctx, roles.System, "alice", roles.Options{Password: ptr("secret-1")}), "AlterRole(PASSWORD)")
			_, err = plainLogin(c.ctx, p, "alice", "secret-0")
			wantIncorrect(c, err, "alice", "alice with her old password")
			u, err = plainLogin(c.ctx, p, "alice", "secret-1")
			wantUser(c, u, err, "alice", "alice with her new password")
		}},
		{name: "DroppedRole", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			u, err := plainLogin(c.ctx, p, "alice", "secret-0")
			wantUser(c, u, err, "alice", "alice before the drop")
			noErr(c, p.fx.Roles.DropRole(c.ctx, roles.System, "alice"), "DropRole")
			_, err = plainLogin(c.ctx, p, "alice", "secret-0")
			wantIncorrect(c, err, "alice", "a dropped role")
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-1", true)
			_, err = plainLogin(c.ctx, p, "alice", "secret-0")
			wantIncorrect(c, err, "alice", "a role created again, with the old password")
			u, err = plainLogin(c.ctx, p, "alice", "secret-1")
			wantUser(c, u, err, "alice", "a role created again, with the new password")
		}},
		{name: "ImportedHash", needs: needsPasswords, run: func(c *checker, p authnPart) {
			if !p.fx.Roles.SupportedOptions().Has(roles.OptHashedPassword) {
				c.Skip("the fixture's role manager does not support HASHED_PASSWORD")
			}
			mkRole(c, c.ctx, p.fx.Roles, "alice", passwordOptions(p.fx.Roles, "secret-0", true, true))
			u, err := plainLogin(c.ctx, p, "alice", "secret-0")
			wantUser(c, u, err, "alice", "alice with a password given as a bcrypt hash")
			_, err = plainLogin(c.ctx, p, "alice", "secret-1")
			wantIncorrect(c, err, "alice", "alice with another password")
		}},
		{name: "AuthzidIgnored", needs: needsPasswords, run: func(c *checker, p authnPart) {
			// Cassandra ignores the authorization identity of PLAIN.
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			u, err := login(c.ctx, p, nil, []byte("bob\x00alice\x00secret-0"))
			wantUser(c, u, err, "alice", "PLAIN with the authzid bob")
		}},
	}
}

// negotiatorChecks cover the negotiator's state: one per attempt,
// malformed responses, retries.
func negotiatorChecks() []authenticatorCheck {
	return []authenticatorCheck{
		{name: "PerAttempt", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			n1, err := newNegotiator(c.ctx, p, nil)
			noErr(c, err, "NewNegotiator")
			n2, err := newNegotiator(c.ctx, p, nil)
			noErr(c, err, "NewNegotiator")
			if n1.IsComplete() || n2.IsComplete() {
				c.Errorf("a fresh password negotiator is complete before any response")
			}
			_, err = n1.EvaluateResponse(c.ctx, plainToken("alice", "secret-0"))
			noErr(c, err, "EvaluateResponse on the first negotiator")
			if n2.IsComplete() {
				c.Errorf("a response to one negotiator completed another")
			}
			_, err = negotiate(c.ctx, n2, plainToken("alice", "secret-1"))
			wantIncorrect(c, err, "alice", "the second negotiator with a wrong password")
			u, err := n1.AuthenticatedUser(c.ctx)
			wantUser(c, u, err, "alice", "the first negotiator after the second failed")
		}},
		{name: "IncompleteFirst", needs: needsPasswords, run: func(c *checker, p authnPart) {
			n, err := newNegotiator(c.ctx, p, nil)
			noErr(c, err, "NewNegotiator")
			if !n.IsComplete() {
				_, err = n.AuthenticatedUser(c.ctx)
				wantRefused(c, err, authn.ErrNegotiationIncomplete, "AuthenticatedUser before any response")
			}
		}},
		{name: "MalformedToken", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			for _, token := range []string{"", "alice", "alice\x00secret-0", "\x00alice\x00", "\x00\x00secret-0", "a\x00b\x00alice\x00secret-0"} {
				n, err := newNegotiator(c.ctx, p, nil)
				noErr(c, err, "NewNegotiator")
				// A good response first: a malformed one must not leave
				// its credentials usable.
				_, err = n.EvaluateResponse(c.ctx, plainToken("alice", "secret-0"))
				noErr(c, err, "EvaluateResponse of a good response")
				_, err = n.EvaluateResponse(c.ctx, []byte(token))
				wantRefused(c, err, authn.ErrMalformedToken, "EvaluateResponse(%q)", token)
				if n.IsComplete() {
					if u, err := n.AuthenticatedUser(c.ctx); err == nil {
						c.Errorf("after the malformed response %q the negotiator authenticated %v", token, u)
					}
				}
			}
		}},
		{name: "RetrySameNegotiator", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			n, err := newNegotiator(c.ctx, p, nil)
			noErr(c, err, "NewNegotiator")
			_, err = negotiate(c.ctx, n, plainToken("alice", "secret-1"))
			wantIncorrect(c, err, "alice", "the first try, with a wrong password")
			u, err := negotiate(c.ctx, n, plainToken("alice", "secret-0"))
			wantUser(c, u, err, "alice", "the second try on the same negotiator")
		}},
	}
}
