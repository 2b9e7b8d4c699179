package conformance

import (
	"crypto/x509"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
)

// certFor returns the fixture's certificate chain for identity, or ends
// the check.
func certFor(c *checker, p authnPart, identity string) []*x509.Certificate {
	c.Helper()
	chain, err := p.fx.Certificate(identity)
	noErr(c, err, "the fixture's Certificate(%q)", identity)
	if len(chain) == 0 {
		c.Fatalf("the fixture's Certificate(%q) returned no certificate", identity)
	}
	return chain
}

// certificateChecks cover certificate authentication (mutual TLS): an
// identity mapped to a role with ADD IDENTITY logs in as that role.
func certificateChecks() []authenticatorCheck {
	const alice, bob = "spiffe://example.org/ns/a/sa/alice", "spiffe://example.org/ns/a/sa/bob"
	setup := func(c *checker, p authnPart, canLogin bool) []*x509.Certificate {
		mkRole(c, c.ctx, p.fx.Roles, "alice", roles.Options{Login: &canLogin})
		noErr(c, p.fx.Roles.AddIdentity(c.ctx, alice, "alice"), "AddIdentity")
		return certFor(c, p, alice)
	}
	return []authenticatorCheck{
		{name: "Mapped", needs: needsCertificates, run: func(c *checker, p authnPart) {
			chain := setup(c, p, true)
			n, err := newNegotiator(c.ctx, p, chain)
			noErr(c, err, "NewNegotiator with a certificate")
			u, err := negotiate(c.ctx, n)
			if err == nil {
				err = loginStep(c.ctx, p, u)
			}
			wantUser(c, u, err, "alice", "a certificate of a mapped identity")
			if md, ok := n.(authn.MetadataNegotiator); ok && err == nil {
				wantEqual(c, md.Metadata()[authn.MetadataIdentityKey], alice, "Metadata()[%q]", authn.MetadataIdentityKey)
			}
		}},
		{name: "Unmapped", needs: needsCertificates, run: func(c *checker, p authnPart) {
			setup(c, p, true)
			_, err := login(c.ctx, p, certFor(c, p, bob))
			wantRefused(c, err, authn.ErrIdentityNotAuthorized, "a certificate of an unmapped identity")
		}},
		{name: "DroppedIdentity", needs: needsCertificates, run: func(c *checker, p authnPart) {
			chain := setup(c, p, true)
			u, err := login(c.ctx, p, chain)
			wantUser(c, u, err, "alice", "before DROP IDENTITY")
			noErr(c, p.fx.Roles.DropIdentity(c.ctx, alice), "DropIdentity")
			_, err = login(c.ctx, p, chain)
			wantRefused(c, err, authn.ErrIdentityNotAuthorized, "after DROP IDENTITY")
		}},
		{name: "DroppedRole", needs: needsCertificates, run: func(c *checker, p authnPart) {
			chain := setup(c, p, true)
			noErr(c, p.fx.Roles.DropRole(c.ctx, roles.System, "alice"), "DropRole")
			_, err := login(c.ctx, p, chain)
			wantCode(c, err, roles.CodeBadCredentials, "a certificate of a dropped role's identity")
		}},
		{name: "LoginRequired", needs: needsCertificates, run: func(c *checker, p authnPart) {
			_, err := login(c.ctx, p, setup(c, p, false))
			wantRefused(c, err, authn.ErrNotPermittedToLogin, "a certificate mapped to a role without LOGIN")
		}},
		{name: "NoCertificate", needs: needsCertificates, run: func(c *checker, p authnPart) {
			if authn.UsesPasswords(p.a) {
				c.Skip("without a certificate the authenticator falls back to passwords")
			}
			setup(c, p, true)
			_, err := login(c.ctx, p, nil)
			wantRefused(c, err, authn.ErrNoCertificate, "no client certificate")
		}},
	}
}

// authnConcurrencyChecks run attempts in parallel, each on its own
// negotiator. Run them under -race.
func authnConcurrencyChecks() []authenticatorCheck {
	const rounds = 3
	return []authenticatorCheck{
		{name: "ParallelLogins", long: true, needs: needsPasswords, run: func(c *checker, p authnPart) {
			for w := range concWorkers {
				mkLoginRole(c, c.ctx, p.fx.Roles, fmt.Sprintf("u%d", w), fmt.Sprintf("pw%d", w), true)
			}
			var ok atomic.Int32
			runParallel(concWorkers, func(w int) {
				for i := range rounds {
					// Every worker tries its own password, then a
					// neighbour's, then an unknown role.
					user, pw := fmt.Sprintf("u%d", w), fmt.Sprintf("pw%d", w)
					switch i {
					case 0:
						u, err := plainLogin(c.ctx, p, user, pw)
						wantUser(c, u, err, user, "%s in parallel", user)
						if err == nil {
							ok.Add(1)
						}
					case 1:
						_, err := plainLogin(c.ctx, p, user, fmt.Sprintf("pw%d", (w+1)%concWorkers))
						wantIncorrect(c, err, user, "%s with another's password, in parallel", user)
					default:
						_, err := plainLogin(c.ctx, p, "nobody"+user, pw)
						wantIncorrect(c, err, "nobody"+user, "an unknown role, in parallel")
					}
				}
			})
			wantEqual(c, int(ok.Load()), concWorkers, "parallel good logins")
		}},
		{name: "SharedNegotiatorsIndependent", long: true, needs: needsPasswords, run: func(c *checker, p authnPart) {
			// Negotiators made at once, completed in parallel with
			// different credentials, keep their own.
			mkLoginRole(c, c.ctx, p.fx.Roles, "alice", "secret-0", true)
			var mu sync.Mutex
			results := map[int]error{}
			runParallel(concWorkers, func(w int) {
				pw := "secret-0"
				if w%2 == 1 {
					pw = "secret-1"
				}
				_, err := plainLogin(c.ctx, p, "alice", pw)
				mu.Lock()
				results[w] = err
				mu.Unlock()
			})
			for w, err := range results {
				if w%2 == 0 {
					noErr(c, err, "worker %d with the right password", w)
				} else {
					wantIncorrect(c, err, "alice", "worker %d with a wrong password", w)
				}
			}
		}},
	}
}
