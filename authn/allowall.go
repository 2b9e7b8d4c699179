package authn

import (
	"context"
	"crypto/x509"
	"net/netip"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// AllowAll is Cassandra's AllowAllAuthenticator: authentication is off and
// every client is [roles.Anonymous]. The zero value is ready to use and safe
// for concurrent use.
type AllowAll struct{}

var (
	_ Authenticator     = AllowAll{}
	_ ModeAuthenticator = AllowAll{}
)

// RequireAuthentication returns false.
func (AllowAll) RequireAuthentication() bool { return false }

// ProtectedResources returns nil: AllowAll depends on no table.
func (AllowAll) ProtectedResources() []resource.Resource { return nil }

// ValidateConfiguration returns nil.
func (AllowAll) ValidateConfiguration() error { return nil }

// Setup does nothing and returns nil.
func (AllowAll) Setup(context.Context) error { return nil }

// ClassName returns [AllowAllClassName].
func (AllowAll) ClassName() string { return AllowAllClassName }

// SupportedModes returns [ModeUnauthenticated].
func (AllowAll) SupportedModes() []Mode { return []Mode{ModeUnauthenticated} }

// NewNegotiator returns the shared AllowAll negotiator: it is stateless,
// complete from the start, answers every response with no challenge, and
// authenticates [roles.Anonymous]. Unlike other negotiators it is safe for
// concurrent use.
func (AllowAll) NewNegotiator(context.Context, netip.Addr, []*x509.Certificate) (Negotiator, error) {
	return allowAllNegotiator{}, nil
}

// LegacyAuthenticate returns [roles.Anonymous] whatever the credentials.
func (AllowAll) LegacyAuthenticate(context.Context, map[string]string) (roles.User, error) {
	return roles.Anonymous, nil
}

type allowAllNegotiator struct{}

var _ ModeNegotiator = allowAllNegotiator{}

func (allowAllNegotiator) EvaluateResponse(context.Context, []byte) ([]byte, error) { return nil, nil }
func (allowAllNegotiator) IsComplete() bool                                         { return true }
func (allowAllNegotiator) AuthenticatedUser(context.Context) (roles.User, error) {
	return roles.Anonymous, nil
}
func (allowAllNegotiator) Mode() Mode { return ModeUnauthenticated }
