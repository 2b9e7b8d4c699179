package transport

import (
	"crypto/tls"
	"crypto/x509"
	"maps"
	"net/netip"
	"sync"

	"github.com/cassauth/cassauth/roles"
)

// Session is the state of one client connection that a [Handler] sees: the
// negotiated protocol version, the addresses, the TLS state, the STARTUP
// options, the authenticated user and the session keyspace (USE).
//
// The exported fields are set before the first statement reaches a handler
// and never change afterwards; User and Keyspace may change (a
// re-authentication, a USE) and are read through methods. A Session is safe
// for concurrent use: requests of one connection run concurrently.
type Session struct {
	// Version is the connection's protocol version.
	Version Version
	// Remote is the client's address and port; the zero value when the
	// connection is not TCP (net.Pipe in tests).
	Remote netip.AddrPort
	// Local is the address and port the client connected to; system.local
	// reports it as the node's address.
	Local netip.AddrPort
	// DataCenter is this node's datacenter, against which a role's ACCESS
	// TO DATACENTERS restriction is checked.
	DataCenter string
	// TLS is the connection's TLS state, nil for a plain-text connection.
	TLS *tls.ConnectionState
	// Options are the STARTUP options (CQL_VERSION, DRIVER_NAME, ...).
	// Handlers must not modify the map.
	Options map[string]string

	mu       sync.Mutex // guards user and keyspace
	user     roles.User
	keyspace string
}

// User returns the authenticated user: [roles.Anonymous] when the
// authenticator requires no authentication, the zero User before a login
// completed.
func (s *Session) User() roles.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user
}

// Keyspace returns the session keyspace set by USE, "" if none.
func (s *Session) Keyspace() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyspace
}

// SetKeyspace sets the session keyspace. The server calls it for every
// Set_keyspace result a handler returns, so handlers need not.
func (s *Session) SetKeyspace(ks string) {
	s.mu.Lock()
	s.keyspace = ks
	s.mu.Unlock()
}

// setUser records a completed login.
func (s *Session) setUser(u roles.User) {
	s.mu.Lock()
	s.user = u
	s.mu.Unlock()
}

// PeerCertificates returns the client's verified certificate chain, leaf
// first, or nil without TLS or without a client certificate: what the
// server hands to [authn.Authenticator.NewNegotiator].
func (s *Session) PeerCertificates() []*x509.Certificate {
	return verifiedChain(s.TLS)
}

// verifiedChain returns the first verified chain of st, or nil.
func verifiedChain(st *tls.ConnectionState) []*x509.Certificate {
	if st == nil || len(st.VerifiedChains) == 0 {
		return nil
	}
	return st.VerifiedChains[0]
}

// cloneOptions copies STARTUP options so that the session does not alias
// a decoded frame.
func cloneOptions(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}
