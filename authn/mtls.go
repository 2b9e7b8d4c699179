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

// ClientAuth is client_encryption_options.require_client_auth.
type ClientAuth uint8

// The values of require_client_auth.
const (
	ClientAuthNotRequired ClientAuth = iota // "false": no client certificate asked for
	ClientAuthOptional                      // "optional": asked for, not required
	ClientAuthRequired                      // "true": required
)

// String returns the cassandra.yaml spelling: "false", "optional", "true".
func (c ClientAuth) String() string {
	switch c {
	case ClientAuthNotRequired:
		return "false"
	case ClientAuthOptional:
		return "optional"
	case ClientAuthRequired:
		return "true"
	}
	return fmt.Sprintf("ClientAuth(%d)", uint8(c))
}

// ClientEncryption holds the client_encryption_options the mutual-TLS
// authenticators check in ValidateConfiguration.
type ClientEncryption struct {
	Enabled           bool
	RequireClientAuth ClientAuth
}

// MutualTLSConfig configures [NewMutualTLS].
type MutualTLSConfig struct {
	// Validator extracts identities from certificates. Required (Cassandra's
	// validator_class_name parameter).
	Validator CertificateValidator
	// Identities maps identities to roles: a [roles.Manager], or the
	// identities cache the wiring puts in front of one. Required.
	Identities Identities
	// ClientEncryption is checked by ValidateConfiguration.
	ClientEncryption ClientEncryption
	// MaxCertificateValidity rejects leaf certificates whose validity
	// period (NotAfter - NotBefore) is longer (trunk's
	// client_encryption_options.max_certificate_validity_period); 0 means no
	// limit.
	MaxCertificateValidity time.Duration
	// CertificateValidityWarnThreshold logs a warning for a certificate
	// that expires sooner than this (certificate_validity_warn_threshold);
	// 0 means never.
	CertificateValidityWarnThreshold time.Duration
	// Logger receives Cassandra's error and warning lines; nil discards.
	Logger *slog.Logger
	// Now is the clock of the validity checks; nil means time.Now.
	Now func() time.Time
}

// MutualTLS is Cassandra's MutualTlsAuthenticator: a client is the role its
// certificate's identity maps to (ADD IDENTITY). It supports early
// authentication: its negotiators need no AUTHENTICATE round. Safe for
// concurrent use.
type MutualTLS struct {
	validator  CertificateValidator
	identities Identities
	enc        ClientEncryption
	maxValid   time.Duration
	warnBelow  time.Duration
	log        *slog.Logger
	now        func() time.Time
}

var (
	_ EarlyAuthenticator = (*MutualTLS)(nil)
	_ ModeAuthenticator  = (*MutualTLS)(nil)
)

// NewMutualTLS returns a MutualTLS authenticator. Without a Validator it
// returns Cassandra's "authenticator.parameters.validator_class_name is not
// set"; without Identities, or with a negative duration, a configuration
// error of its own. All are [*roles.Error] values with code CONFIG_ERROR.
func NewMutualTLS(cfg MutualTLSConfig) (*MutualTLS, error) {
	switch {
	case cfg.Validator == nil:
		return nil, configError(MsgValidatorNotSet)
	case cfg.Identities == nil:
		return nil, configError("authn: MutualTLSConfig.Identities is required")
	case cfg.MaxCertificateValidity < 0 || cfg.CertificateValidityWarnThreshold < 0:
		return nil, configError("authn: MutualTLSConfig durations must not be negative")
	}
	m := &MutualTLS{validator: cfg.Validator, identities: cfg.Identities, enc: cfg.ClientEncryption,
		maxValid: cfg.MaxCertificateValidity, warnBelow: cfg.CertificateValidityWarnThreshold, log: cfg.Logger, now: cfg.Now}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.now == nil {
		m.now = time.Now
	}
	return m, nil
}

// RequireAuthentication returns true.
func (m *MutualTLS) RequireAuthentication() bool { return true }

// SupportsEarlyAuthentication returns true.
func (m *MutualTLS) SupportsEarlyAuthentication() bool { return true }

// SupportedModes returns [ModeMutualTLS].
func (m *MutualTLS) SupportedModes() []Mode { return []Mode{ModeMutualTLS} }

// ProtectedResources returns system_auth.roles.
func (m *MutualTLS) ProtectedResources() []resource.Resource {
	return []resource.Resource{resource.Table("system_auth", "roles")}
}

// ValidateConfiguration requires client encryption on and client
// certificates required, else Cassandra's configuration error
// [MsgMutualTLSConfig].
func (m *MutualTLS) ValidateConfiguration() error {
	if !m.enc.Enabled || m.enc.RequireClientAuth != ClientAuthRequired {
		m.log.Error(MsgMutualTLSConfig)
		return configError(MsgMutualTLSConfig)
	}
	return nil
}

// Setup warms the identities source when it is a [Warmer]; a failure is
// logged at WARN, not returned (warming is an optimisation, as in
// Cassandra). It returns ctx's error if ctx is already done.
func (m *MutualTLS) Setup(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if w, ok := m.identities.(Warmer); ok {
		if err := w.Warm(ctx); err != nil {
			m.log.WarnContext(ctx, "could not warm the identities cache", slog.Any("error", err))
		}
	}
	return nil
}

// ClassName returns [MutualTLSClassName].
func (m *MutualTLS) ClassName() string { return MutualTLSClassName }

// NewNegotiator returns a certificate negotiator for certs: complete at once,
// it asks for no AUTHENTICATE round ([SendAuthenticate] is false) and
// ignores every response; AuthenticatedUser does the checks (see
// [MutualTLS.Authenticate]).
func (m *MutualTLS) NewNegotiator(_ context.Context, _ netip.Addr, certs []*x509.Certificate) (Negotiator, error) {
	return &certNegotiator{m: m, certs: certs}, nil
}

// LegacyAuthenticate fails with "mTLS authentication is not supported for
// CassandraLoginModule" (cause [ErrUnsupported]).
func (m *MutualTLS) LegacyAuthenticate(context.Context, map[string]string) (roles.User, error) {
	return roles.User{}, authError(ErrUnsupported, MsgLegacyMutualTLS)
}

// Authenticate returns the user of a verified client certificate chain
// (leaf first), checking in Cassandra's order; each failure is a
// [*roles.Error] with code BAD_CREDENTIALS:
//   - no certificate: "No certificate present on connection"
//     ([ErrNoCertificate]);
//   - the validator rejects the chain: "Invalid or not supported
//     certificate" ([ErrInvalidCertificate]);
//   - the validator's identity error, passed through (e.g. "Unable to
//     extract Spiffe from the certificate"), or for an empty identity
//     "Unable to extract client identity from certificate for
//     authentication" ([ErrNoIdentity]);
//   - no role for the identity: "Certificate identity '<identity>' not
//     authorized" ([ErrIdentityNotAuthorized]); a failed lookup gives
//     "Unable to perform authentication: <cause>" ([ErrUnavailable]);
//   - a leaf valid for longer than MaxCertificateValidity: "The validity
//     period of the provided certificate (<n> minutes) exceeds the maximum
//     allowed validity period of <max> minutes" ([ErrCertificateValidity]).
//
// On success the user is named after the mapped role; the negotiator
// reports the metadata {"identity": <identity>} ([MetadataNegotiator]). The
// LOGIN flag is checked afterwards by [Login].
func (m *MutualTLS) Authenticate(ctx context.Context, certs []*x509.Certificate) (roles.User, error) {
	u, _, err := m.authenticate(ctx, certs)
	return u, err
}

// authenticate is Authenticate that also returns the identity.
func (m *MutualTLS) authenticate(ctx context.Context, certs []*x509.Certificate) (roles.User, string, error) {
	fail := func(err error) (roles.User, string, error) { return roles.User{}, "", err }
	if len(certs) == 0 || certs[0] == nil {
		return fail(authError(ErrNoCertificate, MsgNoCertificate))
	}
	if !m.validator.IsValid(certs) {
		m.log.ErrorContext(ctx, MsgInvalidCertificate)
		return fail(authError(ErrInvalidCertificate, MsgInvalidCertificate))
	}
	identity, err := m.validator.Identity(certs)
	if err != nil {
		if _, ok := errors.AsType[*roles.Error](err); ok {
			return fail(err)
		}
		return fail(&roles.Error{Code: roles.CodeBadCredentials, Msg: err.Error(), Err: errors.Join(ErrNoIdentity, err)})
	}
	if identity == "" {
		m.log.ErrorContext(ctx, MsgNoIdentity)
		return fail(authError(ErrNoIdentity, MsgNoIdentity))
	}
	role, err := m.identities.RoleForIdentity(ctx, identity)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fail(unavailable(err))
	}
	if role == "" {
		msg := fmt.Sprintf("Certificate identity '%s' not authorized", identity)
		m.log.ErrorContext(ctx, msg)
		return fail(authError(ErrIdentityNotAuthorized, msg))
	}
	leaf := certs[0]
	if m.maxValid > 0 {
		period := int64(leaf.NotAfter.Sub(leaf.NotBefore) / time.Minute)
		if limit := int64(m.maxValid / time.Minute); period > limit {
			return fail(authError(ErrCertificateValidity, fmt.Sprintf(
				"The validity period of the provided certificate (%d minutes) exceeds the maximum allowed validity period of %d minutes",
				period, limit)))
		}
	}
	if m.warnBelow > 0 {
		if left := int64(leaf.NotAfter.Sub(m.now()) / time.Minute); left < int64(m.warnBelow/time.Minute) {
			m.log.WarnContext(ctx, fmt.Sprintf("Certificate with identity '%s' will expire in %d minutes", identity, left))
		}
	}
	return roles.NewUser(role), identity, nil
}

// certNegotiator is Cassandra's CertificateNegotiator.
type certNegotiator struct {
	m        *MutualTLS
	certs    []*x509.Certificate
	identity string // set by a successful AuthenticatedUser
}

var (
	_ EarlyNegotiator    = (*certNegotiator)(nil)
	_ ModeNegotiator     = (*certNegotiator)(nil)
	_ MetadataNegotiator = (*certNegotiator)(nil)
)

func (n *certNegotiator) EvaluateResponse(context.Context, []byte) ([]byte, error) { return nil, nil }
func (n *certNegotiator) IsComplete() bool                                         { return true }
func (n *certNegotiator) SendAuthenticate() bool                                   { return false }
func (n *certNegotiator) Mode() Mode                                               { return ModeMutualTLS }
func (n *certNegotiator) AuthenticatedUser(ctx context.Context) (roles.User, error) {
	u, identity, err := n.m.authenticate(ctx, n.certs)
	if err != nil {
		return roles.User{}, err
	}
	n.identity = identity
	return u, nil
}

// Metadata returns {"identity": <identity>} after a successful
// AuthenticatedUser, else nil.
func (n *certNegotiator) Metadata() map[string]string {
	if n.identity == "" {
		return nil
	}
	return map[string]string{MetadataIdentityKey: n.identity}
}

// MutualTLSWithPasswordFallback is Cassandra's
// MutualTlsWithPasswordFallbackAuthenticator: a client that presents a
// certificate is authenticated as by [MutualTLS], any other by password as
// by [Password] (whose methods it has: Authenticate, LegacyAuthenticate,
// Hasher, ...). Like Cassandra's, which extends PasswordAuthenticator, it
// uses passwords ([UsesPasswords]). Safe for concurrent use.
type MutualTLSWithPasswordFallback struct {
	*Password
	mtls *MutualTLS
}

var (
	_ EarlyAuthenticator = (*MutualTLSWithPasswordFallback)(nil)
	_ ModeAuthenticator  = (*MutualTLSWithPasswordFallback)(nil)
)

// NewMutualTLSWithPasswordFallback returns the fallback authenticator; the
// errors are those of [NewPassword] and [NewMutualTLS]. An empty
// pw.ClassName means [MutualTLSWithPasswordFallbackClassName].
func NewMutualTLSWithPasswordFallback(pw PasswordConfig, tls MutualTLSConfig) (*MutualTLSWithPasswordFallback, error) {
	m, err := NewMutualTLS(tls)
	if err != nil {
		return nil, err
	}
	if pw.ClassName == "" {
		pw.ClassName = MutualTLSWithPasswordFallbackClassName
	}
	if pw.Logger == nil {
		pw.Logger = tls.Logger
	}
	p, err := NewPassword(pw)
	if err != nil {
		return nil, err
	}
	return &MutualTLSWithPasswordFallback{Password: p, mtls: m}, nil
}

// ValidateConfiguration requires client certificates to be asked for
// (require_client_auth optional or true), else Cassandra's configuration
// error [MsgFallbackConfig]. Like Cassandra's, it does not check that client
// encryption is enabled.
func (f *MutualTLSWithPasswordFallback) ValidateConfiguration() error {
	if f.mtls.enc.RequireClientAuth == ClientAuthNotRequired {
		return configError(MsgFallbackConfig)
	}
	return nil
}

// Setup runs the password setup, then the mutual-TLS one.
func (f *MutualTLSWithPasswordFallback) Setup(ctx context.Context) error {
	if err := f.Password.Setup(ctx); err != nil {
		return err
	}
	return f.mtls.Setup(ctx)
}

// SupportsEarlyAuthentication returns true.
func (f *MutualTLSWithPasswordFallback) SupportsEarlyAuthentication() bool { return true }

// SupportedModes returns [ModePassword] and [ModeMutualTLS].
func (f *MutualTLSWithPasswordFallback) SupportedModes() []Mode {
	return []Mode{ModePassword, ModeMutualTLS}
}

// NewNegotiator returns the password negotiator when certs is empty, the
// certificate negotiator otherwise.
func (f *MutualTLSWithPasswordFallback) NewNegotiator(ctx context.Context, client netip.Addr, certs []*x509.Certificate) (Negotiator, error) {
	if len(certs) == 0 {
		return f.Password.NewNegotiator(ctx, client, certs)
	}
	return f.mtls.NewNegotiator(ctx, client, certs)
}

// MutualTLS returns the mutual-TLS half, for its Authenticate method.
func (f *MutualTLSWithPasswordFallback) MutualTLS() *MutualTLS { return f.mtls }
