package authn

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// PasswordConfig configures [NewPassword]. Store or Hashes is required;
// every other zero value means something documented.
type PasswordConfig struct {
	// Store is read for salted hashes (through [StoreHashes]) unless Hashes
	// is set.
	Store store.Roles
	// Hashes, when set, is where salted hashes are read instead of Store:
	// the wiring puts Cassandra's CredentialsCache here.
	Hashes Hashes

	// Cost is the bcrypt cost of new hashes and of the dummy hash unknown
	// roles are checked against: 4..30, 0 means 10.
	Cost int
	// MaxConcurrentHashes bounds concurrent bcrypt runs; 0 means a quarter
	// of GOMAXPROCS, at least one.
	MaxConcurrentHashes int
	// QueueTimeout bounds the wait for a bcrypt slot; 0 means
	// [DefaultQueueTimeout] (5s), negative means no waiting. A login that
	// gets no slot in time fails with "Unable to perform authentication:
	// no password-hashing slot became free in time".
	QueueTimeout time.Duration
	// MaxQueuedHashes bounds how many logins may wait for a slot at once; 0
	// means no bound.
	MaxQueuedHashes int
	// Hasher, when set, is shared with others (the role manager, another
	// authenticator) instead of a new one made from the four fields above,
	// which must then be zero.
	Hasher *Hasher

	// Verified configures the verified-credentials cache; off by default.
	Verified VerifiedCacheConfig

	// Mechanisms adds SASL mechanisms besides PLAIN; nil offers PLAIN
	// alone, exactly as Cassandra does. See [Mechanisms].
	Mechanisms *Mechanisms

	// ClassName overrides the AUTHENTICATE payload; "" means
	// [PasswordClassName]. A server offering several mechanisms to DataStax
	// drivers may announce "com.datastax.bdp.cassandra.auth.DseAuthenticator".
	ClassName string

	// Logger receives the warning about malformed stored hashes; nil
	// discards.
	Logger *slog.Logger
}

// Password is Cassandra's PasswordAuthenticator: SASL PLAIN (and any other
// registered mechanism) over the bcrypt hashes of system_auth.roles.
//
// Beyond Cassandra:
//   - An unknown role, a role without a password and a role whose stored
//     hash is malformed cost what a wrong password costs (one bcrypt against
//     a dummy hash at the configured cost) and give the same message,
//     "Provided username %s and/or password are incorrect". Cassandra
//     answers unknown roles without bcrypt, which tells them apart by
//     timing. A stored hash imported at another cost than the configured
//     one still costs what its own cost does.
//   - bcrypt runs under the [Hasher]'s bounded semaphore with a queue
//     deadline.
//   - An optional [VerifiedCache] lets a repeat login skip bcrypt.
//   - More SASL mechanisms may be offered ([Mechanisms]).
//   - Hashes with the "$2b$" and "$2y$" revisions verify (jBCrypt 0.4 knows
//     only "$2a$").
//
// Safe for concurrent use.
type Password struct {
	hashes    Hashes
	hasher    *Hasher
	verified  *VerifiedCache // nil when off
	mechs     *offered
	className string
	log       *slog.Logger
}

var (
	_ Authenticator     = (*Password)(nil)
	_ ModeAuthenticator = (*Password)(nil)
)

// NewPassword returns a Password authenticator for cfg. Configuration errors
// are [*roles.Error] values with code CONFIG_ERROR (a bad cost carries
// Cassandra's message and cause [ErrBadCost]).
func NewPassword(cfg PasswordConfig) (*Password, error) {
	p := &Password{hashes: cfg.Hashes, className: cfg.ClassName, log: cfg.Logger}
	if p.hashes == nil {
		if cfg.Store == nil {
			return nil, configError("authn: PasswordConfig needs Store or Hashes")
		}
		p.hashes = StoreHashes{Roles: cfg.Store}
	}
	if p.className == "" {
		p.className = PasswordClassName
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.hasher = cfg.Hasher
	if p.hasher == nil {
		h, err := NewHasher(HasherConfig{Cost: cfg.Cost, MaxConcurrent: cfg.MaxConcurrentHashes, QueueTimeout: cfg.QueueTimeout, MaxQueued: cfg.MaxQueuedHashes})
		if err != nil {
			return nil, err
		}
		p.hasher = h
	} else if cfg.Cost != 0 || cfg.MaxConcurrentHashes != 0 || cfg.QueueTimeout != 0 || cfg.MaxQueuedHashes != 0 {
		return nil, configError("authn: PasswordConfig.Hasher excludes Cost, MaxConcurrentHashes, QueueTimeout and MaxQueuedHashes")
	}
	if cfg.Verified.Enabled {
		v, err := NewVerifiedCache(cfg.Verified)
		if err != nil {
			return nil, err
		}
		p.verified = v
	}
	p.mechs = newOffered(MechanismPlain, p.newPlain, cfg.Mechanisms)
	return p, nil
}

func (p *Password) newPlain(context.Context, netip.Addr, []*x509.Certificate) (Negotiator, error) {
	return newPlainNegotiator(p.Authenticate), nil
}

// RequireAuthentication returns true.
func (p *Password) RequireAuthentication() bool { return true }

// ProtectedResources returns system_auth.roles.
func (p *Password) ProtectedResources() []resource.Resource {
	return []resource.Resource{resource.Table("system_auth", "roles")}
}

// ValidateConfiguration returns nil: everything was checked by NewPassword.
func (p *Password) ValidateConfiguration() error { return nil }

// Setup makes the dummy hash that unknown roles are checked against, so that
// the first such login costs no more than a wrong password. It returns an
// error only if bcrypt fails.
func (p *Password) Setup(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.hasher.prepare()
}

// ClassName returns the AUTHENTICATE payload, [PasswordClassName] unless
// configured otherwise.
func (p *Password) ClassName() string { return p.className }

// SupportedModes returns [ModePassword].
func (p *Password) SupportedModes() []Mode { return []Mode{ModePassword} }

// Mechanisms returns the names of the SASL mechanisms offered, the default
// (PLAIN) first.
func (p *Password) Mechanisms() []string { return append([]string(nil), p.mechs.names...) }

// NewNegotiator returns a negotiator for one attempt: SASL PLAIN (see
// [DecodePlain]; the credential check of [Password.Authenticate] runs in
// AuthenticatedUser), or, when other mechanisms are registered, one that
// lets the client choose (see [Mechanisms]). client and certs are passed to
// the mechanism factories; PLAIN ignores them.
func (p *Password) NewNegotiator(ctx context.Context, client netip.Addr, certs []*x509.Certificate) (Negotiator, error) {
	return p.mechs.negotiator(ctx, client, certs)
}

// LegacyAuthenticate checks a protocol-v1 / JMX credentials map: a missing
// "username" gives "Required key 'username' is missing", a missing
// "password" gives "Required key 'password' is missing for provided username
// <name>" (both with cause [ErrMissingCredential]); then the check of
// [Password.Authenticate].
func (p *Password) LegacyAuthenticate(ctx context.Context, credentials map[string]string) (roles.User, error) {
	username, ok := credentials[UsernameKey]
	if !ok {
		return roles.User{}, authError(ErrMissingCredential, MsgMissingUsername)
	}
	password, ok := credentials[PasswordKey]
	if !ok {
		return roles.User{}, authError(ErrMissingCredential,
			fmt.Sprintf("Required key '%s' is missing for provided username %s", PasswordKey, username))
	}
	return p.Authenticate(ctx, username, NewSecret(password))
}

// Authenticate is the credential check (spec 2.3). It returns the user whose
// primary role is username when password matches the role's stored hash.
// Otherwise it returns a [*roles.Error] with code BAD_CREDENTIALS:
//   - "Provided username <username> and/or password are incorrect" (cause
//     [ErrIncorrectCredentials]) for an unknown role, a role without a
//     password, a wrong password, or a malformed stored hash (logged at
//     WARN as "Error: invalid password hash encountered, rejecting user");
//     all of them cost one bcrypt;
//   - "Unable to perform authentication: <cause>" (cause [ErrUnavailable]
//     joined to the failure) when the hash could not be read, no bcrypt slot
//     was free in time, or ctx ended.
//
// Role names are case-sensitive and used as given. Strings that are not
// valid UTF-8 are first decoded as Java would (see [DecodePlain]). The LOGIN
// flag is not checked here: [Login] does it afterwards.
func (p *Password) Authenticate(ctx context.Context, username string, password Secret) (roles.User, error) {
	username = javaStringOf(username)
	pw := javaStringOf(password.Reveal())
	hash, ok, err := p.hashes.SaltedHash(ctx, username)
	if err != nil {
		return roles.User{}, unavailable(err)
	}
	if !ok {
		if inv, ok := p.hashes.(HashInvalidator); ok {
			inv.InvalidateHash(username)
		}
		if err := p.hasher.compareDummy(ctx, pw); err != nil {
			return roles.User{}, unavailable(err)
		}
		return roles.User{}, incorrect(username)
	}
	compare := func() (bool, error) { return p.hasher.Compare(ctx, hash, pw) }
	var match bool
	if p.verified != nil {
		match, err = p.verified.check(ctx, username, hash, pw, compare)
	} else {
		match, err = compare()
	}
	switch {
	case errors.Is(err, ErrMalformedHash):
		p.log.WarnContext(ctx, "Error: invalid password hash encountered, rejecting user", slog.String("role", username))
		return roles.User{}, incorrect(username)
	case err != nil:
		return roles.User{}, unavailable(err)
	case !match:
		return roles.User{}, incorrect(username)
	}
	return roles.NewUser(username), nil
}

// Hasher returns the authenticator's [Hasher], to be shared with the role
// manager ([roles.Config].Hasher) so that CREATE/ALTER ROLE hashing runs
// under the same bound.
func (p *Password) Hasher() *Hasher { return p.hasher }

// VerifiedCache returns the verified-credentials cache, or nil when it is
// off.
func (p *Password) VerifiedCache() *VerifiedCache { return p.verified }

// Invalidate forgets what the verified-credentials cache holds for role
// (when it is on). Call it when a role is dropped or its password changes.
func (p *Password) Invalidate(role string) {
	if p.verified != nil {
		p.verified.Invalidate(role)
	}
}

// InvalidateAll empties the verified-credentials cache (when it is on).
func (p *Password) InvalidateAll() {
	if p.verified != nil {
		p.verified.InvalidateAll()
	}
}

// String describes the authenticator (never a secret).
func (p *Password) String() string {
	return fmt.Sprintf("%s{cost:%d slots:%d mechanisms:%v verified:%t}",
		p.className, p.hasher.Cost(), p.hasher.Slots(), p.mechs.names, p.verified != nil)
}

// Format prints the authenticator as String does, for every verb.
func (p *Password) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// StoreHashes reads salted hashes from a store's roles table (the SELECT
// salted_hash FROM system_auth.roles WHERE role = ? of Cassandra). A missing
// role or an empty hash is (ok false, nil error). Safe for concurrent use if
// Roles is.
type StoreHashes struct {
	Roles store.Roles
}

// SaltedHash returns role's salted hash.
func (s StoreHashes) SaltedHash(ctx context.Context, role string) (string, bool, error) {
	r, err := s.Roles.GetRole(ctx, role)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return r.SaltedHash, r.SaltedHash != "", nil
}
