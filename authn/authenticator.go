package authn

import (
	"context"
	"crypto/x509"
	"net/netip"
	"slices"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Class names of Cassandra's authenticators: the payload of the
// AUTHENTICATE message, on which drivers key their choice of credentials.
const (
	AllowAllClassName                      = "org.apache.cassandra.auth.AllowAllAuthenticator"
	PasswordClassName                      = "org.apache.cassandra.auth.PasswordAuthenticator"
	MutualTLSClassName                     = "org.apache.cassandra.auth.MutualTlsAuthenticator"
	MutualTLSWithPasswordFallbackClassName = "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator"
)

// Keys of the protocol-v1 / JMX credentials map ([Authenticator.LegacyAuthenticate]).
const (
	UsernameKey = "username"
	PasswordKey = "password"
)

// Authenticator decides who a client is (Cassandra's IAuthenticator).
// Implementations are safe for concurrent use; the [Negotiator] values they
// return are not (one per authentication attempt, used by one connection).
type Authenticator interface {
	// RequireAuthentication reports whether clients must authenticate.
	// False means every connection is [roles.Anonymous] from the start and
	// STARTUP is answered READY.
	RequireAuthentication() bool
	// ProtectedResources returns the resources nobody may CREATE, ALTER or
	// DROP because the authenticator depends on them.
	ProtectedResources() []resource.Resource
	// ValidateConfiguration checks the authenticator's configuration once
	// all auth components exist; it returns a [*roles.Error] with code
	// CONFIG_ERROR and Cassandra's message.
	ValidateConfiguration() error
	// Setup runs once at startup, after the role manager's setup.
	Setup(ctx context.Context) error
	// ClassName returns the payload of the AUTHENTICATE message: the Java
	// class name of the Cassandra authenticator this one stands for.
	ClassName() string
	// NewNegotiator returns a new negotiator for one authentication
	// attempt of a client at client (the zero Addr for an internal client)
	// that presented certs: the TLS peer certificates, leaf first, already
	// verified by the TLS layer (nil without TLS or without a client
	// certificate).
	NewNegotiator(ctx context.Context, client netip.Addr, certs []*x509.Certificate) (Negotiator, error)
	// LegacyAuthenticate checks a protocol-v1 / JMX credentials map (keys
	// [UsernameKey] and [PasswordKey]). It never returns the zero User with
	// a nil error.
	LegacyAuthenticate(ctx context.Context, credentials map[string]string) (roles.User, error)
}

// Negotiator runs one SASL exchange (Cassandra's SaslNegotiator). It is not
// safe for concurrent use: a connection feeds it one response at a time.
//
// The server calls EvaluateResponse for every AUTH_RESPONSE; if IsComplete
// then holds, it calls AuthenticatedUser, then [Login], and answers
// AUTH_SUCCESS with the challenge; otherwise it answers AUTH_CHALLENGE with
// it. An error from any of them is sent as an ERROR with its code (see
// [roles.CodeOf]) and message, and the connection may try again with the same
// negotiator.
type Negotiator interface {
	// EvaluateResponse consumes a client response and returns the next
	// challenge (nil for none).
	EvaluateResponse(ctx context.Context, token []byte) (challenge []byte, err error)
	// IsComplete reports whether the exchange has finished.
	IsComplete() bool
	// AuthenticatedUser returns the authenticated user once the exchange is
	// complete; it never returns the zero User with a nil error.
	AuthenticatedUser(ctx context.Context) (roles.User, error)
}

// EarlyNegotiator is an optional capability of a [Negotiator] (Cassandra
// trunk's shouldSendAuthenticateMessage): when the authenticator supports
// early authentication ([SupportsEarlyAuthentication]) and SendAuthenticate
// returns false, the server does not send AUTHENTICATE after STARTUP but
// calls EvaluateResponse with an empty token at once (mutual TLS).
type EarlyNegotiator interface {
	Negotiator
	SendAuthenticate() bool
}

// SendAuthenticate reports whether the server should send AUTHENTICATE for
// n: true unless n is an [EarlyNegotiator] that says otherwise.
func SendAuthenticate(n Negotiator) bool {
	if e, ok := n.(EarlyNegotiator); ok {
		return e.SendAuthenticate()
	}
	return true
}

// EarlyAuthenticator is an optional capability of an [Authenticator]
// (Cassandra trunk's supportsEarlyAuthentication).
type EarlyAuthenticator interface {
	Authenticator
	SupportsEarlyAuthentication() bool
}

// SupportsEarlyAuthentication reports whether a may authenticate during
// STARTUP, without AUTHENTICATE (false unless a is an [EarlyAuthenticator]
// that says so).
func SupportsEarlyAuthentication(a Authenticator) bool {
	if e, ok := a.(EarlyAuthenticator); ok {
		return e.SupportsEarlyAuthentication()
	}
	return false
}

// MetadataIdentityKey is the metadata key of a mutual-TLS identity
// (Cassandra's AuthenticatedUser metadata "identity").
const MetadataIdentityKey = "identity"

// MetadataNegotiator is an optional capability of a [Negotiator]: metadata
// about the authentication (Cassandra's AuthenticatedUser metadata, e.g.
// {"identity": ...} for mutual TLS), available after AuthenticatedUser
// succeeded; nil before. The caller must not modify the map.
type MetadataNegotiator interface {
	Negotiator
	Metadata() map[string]string
}

// NegotiatorMetadata returns the metadata of n, or nil if n has none.
func NegotiatorMetadata(n Negotiator) map[string]string {
	if m, ok := n.(MetadataNegotiator); ok {
		return m.Metadata()
	}
	return nil
}

// Mode is an authentication mode (Cassandra trunk's AuthenticationMode),
// named by its display name.
type Mode string

// The authentication modes.
const (
	ModeUnauthenticated Mode = "Unauthenticated"
	ModePassword        Mode = "Password"
	ModeMutualTLS       Mode = "MutualTls"
)

// ModeAuthenticator is an optional capability of an [Authenticator]: the
// modes its negotiators may authenticate with.
type ModeAuthenticator interface {
	Authenticator
	SupportedModes() []Mode
}

// SupportedModes returns the modes of a, or nil if a does not say.
func SupportedModes(a Authenticator) []Mode {
	if m, ok := a.(ModeAuthenticator); ok {
		return m.SupportedModes()
	}
	return nil
}

// ModeNegotiator is an optional capability of a [Negotiator]: the mode it
// authenticates with (for metrics).
type ModeNegotiator interface {
	Negotiator
	Mode() Mode
}

// NegotiatorMode returns the mode of n, [ModeUnauthenticated] if n does not
// say.
func NegotiatorMode(n Negotiator) Mode {
	if m, ok := n.(ModeNegotiator); ok {
		return m.Mode()
	}
	return ModeUnauthenticated
}

// UsesPasswords reports whether a verifies role passwords, as Cassandra's
// PasswordAuthenticator and its subclasses do. The wiring then requires the
// table-backed role manager ("CassandraRoleManager must be used with
// PasswordAuthenticator") and enables the PASSWORD and HASHED PASSWORD role
// options ([roles.Config].PasswordAuthentication).
func UsesPasswords(a Authenticator) bool {
	return slices.Contains(SupportedModes(a), ModePassword)
}

// UsesCredentialsSettings reports whether the credentials_* cache settings
// apply to a (a password or mutual-TLS authenticator); the wiring logs at
// INFO level when they are set otherwise, as Cassandra does.
func UsesCredentialsSettings(a Authenticator) bool {
	modes := SupportedModes(a)
	return slices.Contains(modes, ModePassword) || slices.Contains(modes, ModeMutualTLS)
}

// LoginChecker says whether a role may log in. [roles.Manager] implements
// it, and so does a roles cache in front of one.
type LoginChecker interface {
	// CanLogin returns the role's own LOGIN flag (never inherited).
	CanLogin(ctx context.Context, role string) (bool, error)
}

// Login is the step that follows a completed negotiation (Cassandra's
// ClientState.login): [roles.Anonymous] may always log in; any other user
// must have LOGIN on its primary role, else the error is a [*roles.Error]
// with code BAD_CREDENTIALS, message "<name> is not permitted to log in" and
// cause [ErrNotPermittedToLogin]. The zero User is refused the same way,
// without a lookup. A failed lookup gives "Unable to perform authentication:
// <cause>" with cause [ErrUnavailable] joined to the lookup's error.
func Login(ctx context.Context, m LoginChecker, user roles.User) error {
	if user.IsAnonymous() {
		return nil
	}
	if !user.IsZero() {
		ok, err := m.CanLogin(ctx, user.Name())
		if err != nil {
			return unavailable(err)
		}
		if ok {
			return nil
		}
	}
	return authError(ErrNotPermittedToLogin, user.Name()+" is not permitted to log in")
}

// Hashes is where the Password authenticator reads salted hashes (the
// salted_hash column of system_auth.roles). [StoreHashes] reads a store; the
// wiring may put Cassandra's CredentialsCache in front of it. Implementations
// are safe for concurrent use.
type Hashes interface {
	// SaltedHash returns the bcrypt hash of role's password. ok is false
	// when the role does not exist or has no password; err is for failures
	// to answer (the login then fails with "Unable to perform
	// authentication: ...").
	SaltedHash(ctx context.Context, role string) (hash string, ok bool, err error)
}

// HashesFunc adapts a function to [Hashes].
type HashesFunc func(ctx context.Context, role string) (hash string, ok bool, err error)

// SaltedHash calls f.
func (f HashesFunc) SaltedHash(ctx context.Context, role string) (string, bool, error) {
	return f(ctx, role)
}

// HashInvalidator is an optional capability of a caching [Hashes] source:
// when it reports no hash for a role, the Password authenticator calls
// InvalidateHash so that a role created a moment later is seen at once, as
// Cassandra's CredentialsCache does with its "no hash" sentinel.
type HashInvalidator interface {
	InvalidateHash(role string)
}

// Identities maps mutual-TLS identities to roles. [roles.Manager] implements
// it; the wiring may put an identities cache in front. Implementations are
// safe for concurrent use.
type Identities interface {
	// RoleForIdentity returns the role mapped to identity, or "" if none.
	RoleForIdentity(ctx context.Context, identity string) (string, error)
}

// Warmer is an optional capability of an [Identities] source (a cache):
// [MutualTLS.Setup] calls Warm to preload it, as Cassandra warms its
// IdentitiesCache. A failure is logged, not returned: warming is an
// optimisation.
type Warmer interface {
	Warm(ctx context.Context) error
}
