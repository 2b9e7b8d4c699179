package authn

import (
	"errors"
	"fmt"

	"github.com/cassauth/cassauth/internal/passwd"
	"github.com/cassauth/cassauth/roles"
)

// Cassandra's messages that take no argument. Errors built from the others
// ("Provided username %s and/or password are incorrect", "%s is not permitted
// to log in", ...) are returned by the functions of this package; their texts
// are listed on the sentinels below.
const (
	// MsgCredentialFormat: a SASL PLAIN token with three or more NULs. The
	// message holds a literal backslash followed by '0', as Cassandra's.
	MsgCredentialFormat = `Credential format error: username or password is empty or contains NUL(\0) character`
	// MsgPasswordNull: a SASL PLAIN token without a (non-empty) password.
	MsgPasswordNull = "Password must not be null"
	// MsgAuthIDNull: a SASL PLAIN token without a (non-empty) username.
	MsgAuthIDNull = "Authentication ID must not be null"
	// MsgNegotiationIncomplete: AuthenticatedUser before the negotiation
	// completed.
	MsgNegotiationIncomplete = "SASL negotiation not complete"
	// MsgMissingUsername: a legacy credentials map without "username".
	MsgMissingUsername = "Required key 'username' is missing"
	// MsgUnablePrefix starts every "could not decide" authentication error;
	// the cause's message follows it.
	MsgUnablePrefix = "Unable to perform authentication: "

	// MsgNoCertificate: mutual TLS without a client certificate.
	MsgNoCertificate = "No certificate present on connection"
	// MsgInvalidCertificate: the certificate validator rejected the chain.
	MsgInvalidCertificate = "Invalid or not supported certificate"
	// MsgNoIdentity: the validator returned an empty identity.
	MsgNoIdentity = "Unable to extract client identity from certificate for authentication"
	// MsgNoSpiffe: [SpiffeValidator] found no spiffe:// URI SAN.
	MsgNoSpiffe = "Unable to extract Spiffe from the certificate"
	// MsgLegacyMutualTLS: [MutualTLS.LegacyAuthenticate].
	MsgLegacyMutualTLS = "mTLS authentication is not supported for CassandraLoginModule"

	// MsgValidatorNotSet: [NewMutualTLS] without a certificate validator.
	MsgValidatorNotSet = "authenticator.parameters.validator_class_name is not set"
	// MsgMutualTLSConfig: [MutualTLS.ValidateConfiguration] when client
	// encryption is off or client certificates are not required.
	MsgMutualTLSConfig = "MutualTlsAuthenticator requires client_encryption_options.enabled to be true & client_encryption_options.require_client_auth to be true"
	// MsgFallbackConfig: [MutualTLSWithPasswordFallback.ValidateConfiguration]
	// when client certificates are not requested at all.
	MsgFallbackConfig = "MutualTlsWithPasswordFallbackAuthenticator requires client_encryption_options.require_client_auth to be optional/true"
)

// Sentinel causes. Every authentication failure this package returns is a
// [*roles.Error] with code [roles.CodeBadCredentials] (so errors.Is(err,
// roles.ErrBadCredentials) holds) and Cassandra's message; its cause is one
// of these sentinels, so callers tell the cases apart with errors.Is without
// parsing messages.
var (
	// ErrIncorrectCredentials: "Provided username %s and/or password are
	// incorrect". Unknown role, role without a password, wrong password and
	// a malformed stored hash all give it (spec 2.3).
	ErrIncorrectCredentials = errors.New("incorrect credentials")
	// ErrNotPermittedToLogin: "%s is not permitted to log in" ([Login]).
	ErrNotPermittedToLogin = errors.New("role may not log in")
	// ErrMalformedToken: a SASL PLAIN token that does not decode
	// ([MsgCredentialFormat], [MsgPasswordNull], [MsgAuthIDNull]).
	ErrMalformedToken = errors.New("malformed SASL token")
	// ErrNegotiationIncomplete: [MsgNegotiationIncomplete].
	ErrNegotiationIncomplete = errors.New("negotiation not complete")
	// ErrMissingCredential: a legacy credentials map without "username"
	// ([MsgMissingUsername]) or "password" ("Required key 'password' is
	// missing for provided username %s").
	ErrMissingCredential = errors.New("missing credential")
	// ErrUnavailable: "Unable to perform authentication: <cause>", the
	// "could not decide" case (store failure, no hashing slot, cancelled
	// context). The cause is joined to it and reachable with errors.Is/As.
	ErrUnavailable = errors.New("authentication unavailable")

	// ErrNoCertificate: [MsgNoCertificate].
	ErrNoCertificate = errors.New("no client certificate")
	// ErrInvalidCertificate: [MsgInvalidCertificate].
	ErrInvalidCertificate = errors.New("certificate rejected by validator")
	// ErrNoIdentity: [MsgNoIdentity], [MsgNoSpiffe], and any identity
	// extraction failure of a validator.
	ErrNoIdentity = errors.New("no identity in certificate")
	// ErrIdentityNotAuthorized: "Certificate identity '%s' not authorized".
	ErrIdentityNotAuthorized = errors.New("identity not authorized")
	// ErrCertificateValidity: "The validity period of the provided
	// certificate (%d minutes) exceeds the maximum allowed validity period
	// of %d minutes".
	ErrCertificateValidity = errors.New("certificate validity period too long")
	// ErrUnsupported: an operation the authenticator does not offer
	// ([MsgLegacyMutualTLS]).
	ErrUnsupported = errors.New("not supported by this authenticator")

	// ErrBadCost is the cause of the configuration error for a bcrypt cost
	// outside 4..30.
	ErrBadCost = passwd.ErrBadCost
	// ErrMalformedHash: a stored hash that is not a bcrypt hash
	// ([Hasher.Compare]); a login against it fails as a wrong password does.
	ErrMalformedHash = passwd.ErrMalformedHash

	// ErrHashingBusy: no password-hashing slot became free within the
	// queue timeout. Logins see it as the cause of ErrUnavailable.
	ErrHashingBusy = errors.New("no password-hashing slot became free in time")
	// ErrHashingQueueFull: too many callers were already waiting for a
	// password-hashing slot.
	ErrHashingQueueFull = errors.New("too many callers waiting for a password-hashing slot")
)

// authError returns a bad-credentials error with Cassandra's message msg and
// cause sentinel.
func authError(sentinel error, msg string) error {
	return &roles.Error{Code: roles.CodeBadCredentials, Msg: msg, Err: sentinel}
}

func incorrect(username string) error {
	return authError(ErrIncorrectCredentials, fmt.Sprintf("Provided username %s and/or password are incorrect", username))
}

// unavailable wraps cause as "Unable to perform authentication: <cause>".
// Both ErrUnavailable and cause are reachable through errors.Is/As.
func unavailable(cause error) error {
	return &roles.Error{
		Code: roles.CodeBadCredentials,
		Msg:  MsgUnablePrefix + cause.Error(),
		Err:  errors.Join(ErrUnavailable, cause),
	}
}

// configError returns a configuration error (code CONFIG_ERROR) with msg.
func configError(msg string) error {
	return &roles.Error{Code: roles.CodeConfigError, Msg: msg}
}
