package conformance

import (
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
)

// authnLoginChecks cover the login step after a password negotiation:
// LOGIN is required, is the role's own, and a wrong password never tells
// whether the role may log in.
func authnLoginChecks() []authenticatorCheck {
	return []authenticatorCheck{
		{name: "Required", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", false)
			_, err := plainLogin(c.ctx, p, "alice", "secret-0")
			wantRefused(c, err, authn.ErrNotPermittedToLogin, "a role without LOGIN, with its password")
			_, err = plainLogin(c.ctx, p, "alice", "secret-1")
			wantIncorrect(c, err, "alice", "a role without LOGIN, with a wrong password")
		}},
		{name: "NotInherited", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "parent", "secret-1", true)
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", false)
			noErr(c, p.fx.Roles.GrantRole(c.ctx, roles.System, "parent", "alice"), "GrantRole")
			_, err := plainLogin(c.ctx, p, "alice", "secret-0")
			wantRefused(c, err, authn.ErrNotPermittedToLogin, "a role without LOGIN granted one with it")
		}},
		{name: "Altered", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			for _, canLogin := range []bool{false, true, false} {
				noErr(c, p.fx.Roles.AlterRole(c.ctx, roles.System, "alice", roles.Options{Login: &canLogin}), "AlterRole(LOGIN %t)", canLogin)
				u, err := plainLogin(c.ctx, p, "alice", "secret-0")
				if canLogin {
					wantUser(c, u, err, "alice", "after ALTER ROLE ... LOGIN = true")
				} else {
					wantRefused(c, err, authn.ErrNotPermittedToLogin, "after ALTER ROLE ... LOGIN = false")
				}
			}
		}},
	}
}

// legacyChecks cover LegacyAuthenticate, the protocol-v1 / JMX credentials
// map, for password authenticators.
func legacyChecks() []authenticatorCheck {
	creds := func(user, password string) map[string]string {
		return map[string]string{authn.UsernameKey: user, authn.PasswordKey: password}
	}
	return []authenticatorCheck{
		{name: "Good", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			u, err := p.a.LegacyAuthenticate(c.ctx, creds("alice", "secret-0"))
			wantUser(c, u, err, "alice", "LegacyAuthenticate")
		}},
		{name: "Bad", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			_, err := p.a.LegacyAuthenticate(c.ctx, creds("alice", "secret-1"))
			wantIncorrect(c, err, "alice", "LegacyAuthenticate with a wrong password")
			_, err = p.a.LegacyAuthenticate(c.ctx, creds("nobody", "secret-0"))
			wantIncorrect(c, err, "nobody", "LegacyAuthenticate of an unknown role")
		}},
		{name: "MissingKeys", needs: needsPasswords, run: func(c *checker, p authnPart) {
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			for _, m := range []map[string]string{nil, {authn.PasswordKey: "secret-0"}, {authn.UsernameKey: "alice"}} {
				_, err := p.a.LegacyAuthenticate(c.ctx, m)
				wantRefused(c, err, authn.ErrMissingCredential, "LegacyAuthenticate with %d keys", len(m))
			}
		}},
	}
}
