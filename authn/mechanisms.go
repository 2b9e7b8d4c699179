package authn

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/cassauth/cassauth/roles"
)

// MechanismFactory returns a new [Negotiator] of one SASL mechanism for one
// authentication attempt, with the arguments of
// [Authenticator.NewNegotiator]. It must be safe for concurrent use.
type MechanismFactory func(ctx context.Context, client netip.Addr, certs []*x509.Certificate) (Negotiator, error)

// Mechanisms is a registry of SASL mechanisms, by name. It is a value an
// embedding server builds and hands to [PasswordConfig].Mechanisms, never
// global state. The zero value is an empty registry ready to use; it is safe
// for concurrent use.
//
// How an embedding server offers a mechanism besides PLAIN:
//
//	mechs := &authn.Mechanisms{}
//	err := mechs.Register("SCRAM-SHA-256", func(ctx context.Context, client netip.Addr, certs []*x509.Certificate) (authn.Negotiator, error) {
//		return newScramNegotiator(myVerifier), nil // any type implementing authn.Negotiator
//	})
//	pw, err := authn.NewPassword(authn.PasswordConfig{Store: st, Mechanisms: mechs})
//
// The Password authenticator then offers PLAIN (its own, the default) and
// every registered mechanism. With more than one mechanism offered, a client
// picks one as DataStax Enterprise drivers do: its first response is the
// bare mechanism name ("SCRAM-SHA-256"), the server answers with the
// challenge "<NAME>-START", and the exchange continues with that
// mechanism's negotiator. A first response that is not exactly a registered
// name goes to the default mechanism, PLAIN, unchanged, so the plain
// drivers of Apache Cassandra work as before. With PLAIN alone (no
// registry) responses go straight to PLAIN, exactly as in Cassandra.
// Whatever the mechanism, [Login] follows the completed negotiation.
type Mechanisms struct {
	mu        sync.RWMutex
	names     []string                    // registration order; guarded by mu
	factories map[string]MechanismFactory // guarded by mu
}

// ErrInvalidMechanism is returned by [Mechanisms.Register] for a name that is
// not a SASL mechanism name, a nil factory, or a name registered twice.
var ErrInvalidMechanism = errors.New("authn: invalid SASL mechanism registration")

// Register adds a mechanism. name must be a SASL mechanism name (RFC 4422:
// 1 to 20 characters of A-Z, 0-9, '-' and '_'). Registering "PLAIN"
// replaces the Password authenticator's own PLAIN (and skips its credential
// check: the factory's negotiator then decides alone). It returns an error
// wrapping [ErrInvalidMechanism] for a bad name, a nil factory or a
// duplicate name.
func (m *Mechanisms) Register(name string, f MechanismFactory) error {
	if !isMechanismName(name) {
		return fmt.Errorf("%w: %q is not a SASL mechanism name", ErrInvalidMechanism, name)
	}
	if f == nil {
		return fmt.Errorf("%w: nil factory for %s", ErrInvalidMechanism, name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.factories[name]; dup {
		return fmt.Errorf("%w: %s registered twice", ErrInvalidMechanism, name)
	}
	if m.factories == nil {
		m.factories = make(map[string]MechanismFactory)
	}
	m.factories[name] = f
	m.names = append(m.names, name)
	return nil
}

// Names returns the registered names in registration order.
func (m *Mechanisms) Names() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.names)
}

// Lookup returns the factory registered under name.
func (m *Mechanisms) Lookup(name string) (MechanismFactory, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.factories[name]
	return f, ok
}

// isMechanismName reports whether s is a SASL mechanism name (RFC 4422
// section 3.1).
func isMechanismName(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// offered is the immutable set of mechanisms an authenticator offers; the
// first is the default.
type offered struct {
	names     []string
	factories map[string]MechanismFactory
}

// newOffered returns def under defName first, then every mechanism of extra
// (a registration of defName replaces def).
func newOffered(defName string, def MechanismFactory, extra *Mechanisms) *offered {
	o := &offered{names: []string{defName}, factories: map[string]MechanismFactory{defName: def}}
	if extra == nil {
		return o
	}
	for _, name := range extra.Names() {
		f, _ := extra.Lookup(name)
		if _, ok := o.factories[name]; !ok {
			o.names = append(o.names, name)
		}
		o.factories[name] = f
	}
	return o
}

// negotiator returns a negotiator for one attempt: the default mechanism's
// when it is the only one, else one that lets the client choose.
func (o *offered) negotiator(ctx context.Context, client netip.Addr, certs []*x509.Certificate) (Negotiator, error) {
	if len(o.names) == 1 {
		return o.start(ctx, o.names[0], client, certs)
	}
	return &selectingNegotiator{o: o, client: client, certs: certs}, nil
}

// errNoNegotiator is the cause when a factory returns neither a negotiator
// nor an error.
var errNoNegotiator = errors.New("SASL mechanism returned no negotiator")

// start calls the factory of name; its errors become authentication errors.
func (o *offered) start(ctx context.Context, name string, client netip.Addr, certs []*x509.Certificate) (Negotiator, error) {
	n, err := o.factories[name](ctx, client, certs)
	if err != nil {
		return nil, asAuthError(err)
	}
	if n == nil {
		return nil, unavailable(errNoNegotiator)
	}
	return n, nil
}

// asAuthError passes nil and [*roles.Error] values through and wraps any
// other error as "Unable to perform authentication: ...".
func asAuthError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*roles.Error](err); ok {
		return err
	}
	return unavailable(err)
}

// selectingNegotiator lets the client choose among several mechanisms with
// its first response (see [Mechanisms]); then it delegates.
type selectingNegotiator struct {
	o      *offered
	client netip.Addr
	certs  []*x509.Certificate
	inner  Negotiator // nil until the first response
}

func (n *selectingNegotiator) EvaluateResponse(ctx context.Context, token []byte) ([]byte, error) {
	if n.inner != nil {
		return n.inner.EvaluateResponse(ctx, token)
	}
	name := n.o.names[0]
	_, chosen := n.o.factories[string(token)]
	if chosen {
		name = string(token)
	}
	inner, err := n.o.start(ctx, name, n.client, n.certs)
	if err != nil {
		return nil, err
	}
	n.inner = inner
	if chosen {
		return []byte(name + "-START"), nil
	}
	return inner.EvaluateResponse(ctx, token)
}

var (
	_ ModeNegotiator     = (*selectingNegotiator)(nil)
	_ MetadataNegotiator = (*selectingNegotiator)(nil)
	_ EarlyNegotiator    = (*selectingNegotiator)(nil)
)

// SendAuthenticate delegates to the chosen negotiator; before the choice the
// server must send AUTHENTICATE so that the client can choose.
func (n *selectingNegotiator) SendAuthenticate() bool {
	return n.inner == nil || SendAuthenticate(n.inner)
}

// Metadata delegates to the chosen negotiator.
func (n *selectingNegotiator) Metadata() map[string]string {
	if n.inner == nil {
		return nil
	}
	return NegotiatorMetadata(n.inner)
}

func (n *selectingNegotiator) IsComplete() bool { return n.inner != nil && n.inner.IsComplete() }

func (n *selectingNegotiator) AuthenticatedUser(ctx context.Context) (roles.User, error) {
	if n.inner == nil {
		return roles.User{}, authError(ErrNegotiationIncomplete, MsgNegotiationIncomplete)
	}
	return n.inner.AuthenticatedUser(ctx)
}

func (n *selectingNegotiator) Mode() Mode {
	if n.inner == nil {
		return ModeUnauthenticated
	}
	return NegotiatorMode(n.inner)
}
