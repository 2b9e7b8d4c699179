package authn

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// testCA issues certificates for the tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newSerial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	return n
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          newSerial(t),
		Subject:               pkix.Name{CommonName: "test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert: cert, key: key}
}

type leafOpts struct {
	cn        string
	uris      []string
	dns       []string
	notBefore time.Time
	notAfter  time.Time
}

// issue returns a client certificate chain (leaf, CA) and the leaf's key.
func (ca *testCA) issue(t testing.TB, o leafOpts) ([]*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	if o.notBefore.IsZero() {
		o.notBefore = time.Now().Add(-time.Hour)
	}
	if o.notAfter.IsZero() {
		o.notAfter = time.Now().Add(23 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: newSerial(t),
		Subject:      pkix.Name{CommonName: o.cn},
		NotBefore:    o.notBefore,
		NotAfter:     o.notAfter,
		DNSNames:     o.dns,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	for _, u := range o.uris {
		parsed, err := url.Parse(u)
		require.NoError(t, err)
		tmpl.URIs = append(tmpl.URIs, parsed)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return []*x509.Certificate{leaf, ca.cert}, key
}

// identityMap is an Identities source over a map.
type identityMap struct {
	mu      sync.Mutex
	m       map[string]string
	err     error
	warmed  int
	warmErr error
}

func (i *identityMap) RoleForIdentity(_ context.Context, id string) (string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.m[id], i.err
}

func (i *identityMap) Warm(context.Context) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.warmed++
	return i.warmErr
}

type fixedValidator struct {
	valid    bool
	identity string
	err      error
}

func (v fixedValidator) IsValid([]*x509.Certificate) bool { return v.valid }
func (v fixedValidator) Identity([]*x509.Certificate) (string, error) {
	return v.identity, v.err
}

const spiffeID = "spiffe://example.org/ns/prod/sa/billing"

func TestMutualTLSAuthenticate(t *testing.T) {
	ca := newTestCA(t)
	spiffe, _ := ca.issue(t, leafOpts{cn: "billing", uris: []string{"https://example.org/other", spiffeID, "spiffe://example.org/second"}})
	noSpiffe, _ := ca.issue(t, leafOpts{cn: "web", uris: []string{"https://example.org/x"}, dns: []string{"web.example.org"}})
	unmapped, _ := ca.issue(t, leafOpts{uris: []string{"spiffe://example.org/unknown"}})
	longLived, _ := ca.issue(t, leafOpts{uris: []string{spiffeID}, notBefore: time.Now().Add(-time.Hour), notAfter: time.Now().Add(400 * 24 * time.Hour)})
	noCN, _ := ca.issue(t, leafOpts{uris: []string{spiffeID}})
	ids := &identityMap{m: map[string]string{spiffeID: "billing_role", "web": "web_role", "weird id": "weird_role"}}
	boom := errors.New("identity table unavailable")

	cases := []struct {
		name      string
		validator CertificateValidator
		certs     []*x509.Certificate
		lookupErr error
		maxValid  time.Duration
		role      string
		identity  string
		msg       string
		cause     error
	}{
		{name: "spiffe", validator: SpiffeValidator{}, certs: spiffe, role: "billing_role", identity: spiffeID},
		{name: "spiffe leaf only", validator: SpiffeValidator{}, certs: spiffe[:1], role: "billing_role", identity: spiffeID},
		{name: "no certificate", validator: SpiffeValidator{}, certs: nil, msg: "No certificate present on connection", cause: ErrNoCertificate},
		{name: "empty chain", validator: SpiffeValidator{}, certs: []*x509.Certificate{}, msg: "No certificate present on connection", cause: ErrNoCertificate},
		{name: "validator rejects", validator: fixedValidator{valid: false}, certs: spiffe, msg: "Invalid or not supported certificate", cause: ErrInvalidCertificate},
		{name: "no spiffe SAN", validator: SpiffeValidator{}, certs: noSpiffe, msg: "Unable to extract Spiffe from the certificate", cause: ErrNoIdentity},
		{name: "empty identity", validator: fixedValidator{valid: true}, certs: spiffe, msg: "Unable to extract client identity from certificate for authentication", cause: ErrNoIdentity},
		{name: "validator error passes its message", validator: fixedValidator{valid: true, err: errors.New("bad SAN")}, certs: spiffe, msg: "bad SAN", cause: ErrNoIdentity},
		{name: "identity not mapped", validator: SpiffeValidator{}, certs: unmapped, msg: "Certificate identity 'spiffe://example.org/unknown' not authorized", cause: ErrIdentityNotAuthorized},
		{name: "not found error means not mapped", validator: SpiffeValidator{}, certs: unmapped, lookupErr: store.ErrNotFound, msg: "Certificate identity 'spiffe://example.org/unknown' not authorized", cause: ErrIdentityNotAuthorized},
		{name: "lookup failure", validator: SpiffeValidator{}, certs: spiffe, lookupErr: boom, msg: "Unable to perform authentication: identity table unavailable", cause: boom},
		{name: "validity period too long", validator: SpiffeValidator{}, certs: longLived, maxValid: 365 * 24 * time.Hour, msg: "The validity period of the provided certificate (576060 minutes) exceeds the maximum allowed validity period of 525600 minutes", cause: ErrCertificateValidity},
		{name: "validity period within limit", validator: SpiffeValidator{}, certs: spiffe, maxValid: 365 * 24 * time.Hour, role: "billing_role", identity: spiffeID},
		{name: "common name", validator: CommonNameValidator{}, certs: noSpiffe, role: "web_role", identity: "web"},
		{name: "no common name", validator: CommonNameValidator{}, certs: noCN, msg: "Unable to extract common name from the certificate", cause: ErrNoIdentity},
		{name: "custom identity", validator: fixedValidator{valid: true, identity: "weird id"}, certs: spiffe, role: "weird_role", identity: "weird id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids.mu.Lock()
			ids.err = c.lookupErr
			ids.mu.Unlock()
			m, err := NewMutualTLS(MutualTLSConfig{Validator: c.validator, Identities: ids, MaxCertificateValidity: c.maxValid})
			require.NoError(t, err)
			ctx := context.Background()
			n, err := m.NewNegotiator(ctx, netipZero, c.certs)
			require.NoError(t, err)
			assert.False(t, SendAuthenticate(n), "mTLS needs no AUTHENTICATE round")
			assert.Equal(t, ModeMutualTLS, NegotiatorMode(n))
			ch, err := n.EvaluateResponse(ctx, nil)
			require.NoError(t, err)
			assert.Nil(t, ch)
			require.True(t, n.IsComplete())
			u, err := n.AuthenticatedUser(ctx)
			if c.msg == "" {
				require.NoError(t, err)
				assert.Equal(t, c.role, u.Name())
				assert.Equal(t, map[string]string{"identity": c.identity}, NegotiatorMetadata(n))
				return
			}
			require.Error(t, err)
			assert.Equal(t, c.msg, err.Error())
			assert.ErrorIs(t, err, c.cause)
			assert.Equal(t, roles.CodeBadCredentials, roles.CodeOf(err))
			assert.Nil(t, NegotiatorMetadata(n))
		})
	}
}

func TestMutualTLSExpiryWarning(t *testing.T) {
	ca := newTestCA(t)
	now := time.Now().Truncate(time.Second) // certificates keep whole seconds
	soon, _ := ca.issue(t, leafOpts{uris: []string{spiffeID}, notAfter: now.Add(90 * time.Minute)})
	var logs bytes.Buffer
	m, err := NewMutualTLS(MutualTLSConfig{
		Validator:                        SpiffeValidator{},
		Identities:                       &identityMap{m: map[string]string{spiffeID: "r"}},
		CertificateValidityWarnThreshold: 2 * time.Hour,
		Logger:                           slog.New(slog.NewTextHandler(&logs, nil)),
		Now:                              func() time.Time { return now },
	})
	require.NoError(t, err)
	u, err := m.Authenticate(context.Background(), soon)
	require.NoError(t, err)
	assert.Equal(t, "r", u.Name())
	assert.Contains(t, logs.String(), "Certificate with identity '"+spiffeID+"' will expire in 90 minutes")

	logs.Reset()
	later, _ := ca.issue(t, leafOpts{uris: []string{spiffeID}, notAfter: now.Add(3 * time.Hour)})
	_, err = m.Authenticate(context.Background(), later)
	require.NoError(t, err)
	assert.Empty(t, logs.String())
}

func TestMutualTLSConfiguration(t *testing.T) {
	ids := &identityMap{}
	_, err := NewMutualTLS(MutualTLSConfig{Identities: ids})
	require.Error(t, err)
	assert.Equal(t, "authenticator.parameters.validator_class_name is not set", err.Error())
	assert.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	_, err = NewMutualTLS(MutualTLSConfig{Validator: SpiffeValidator{}})
	assert.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
	_, err = NewMutualTLS(MutualTLSConfig{Validator: SpiffeValidator{}, Identities: ids, MaxCertificateValidity: -1})
	assert.Equal(t, roles.CodeConfigError, roles.CodeOf(err))

	const mtlsMsg = "MutualTlsAuthenticator requires client_encryption_options.enabled to be true & client_encryption_options.require_client_auth to be true"
	const fallbackMsg = "MutualTlsWithPasswordFallbackAuthenticator requires client_encryption_options.require_client_auth to be optional/true"
	cases := []struct {
		enc           ClientEncryption
		mtls, fallbck string
	}{
		{ClientEncryption{Enabled: true, RequireClientAuth: ClientAuthRequired}, "", ""},
		{ClientEncryption{Enabled: true, RequireClientAuth: ClientAuthOptional}, mtlsMsg, ""},
		{ClientEncryption{Enabled: true, RequireClientAuth: ClientAuthNotRequired}, mtlsMsg, fallbackMsg},
		{ClientEncryption{Enabled: false, RequireClientAuth: ClientAuthRequired}, mtlsMsg, ""}, // the fallback does not check Enabled
		{ClientEncryption{}, mtlsMsg, fallbackMsg},
	}
	for _, c := range cases {
		t.Run(c.enc.RequireClientAuth.String(), func(t *testing.T) {
			m, err := NewMutualTLS(MutualTLSConfig{Validator: SpiffeValidator{}, Identities: ids, ClientEncryption: c.enc})
			require.NoError(t, err)
			checkConfigErr(t, m.ValidateConfiguration(), c.mtls)
			f, err := NewMutualTLSWithPasswordFallback(PasswordConfig{Hashes: &fakeHashes{}, Cost: 4},
				MutualTLSConfig{Validator: SpiffeValidator{}, Identities: ids, ClientEncryption: c.enc})
			require.NoError(t, err)
			checkConfigErr(t, f.ValidateConfiguration(), c.fallbck)
		})
	}
	assert.Equal(t, "optional", ClientAuthOptional.String())
	assert.Equal(t, "ClientAuth(9)", ClientAuth(9).String())
}

func checkConfigErr(t *testing.T, err error, msg string) {
	t.Helper()
	if msg == "" {
		assert.NoError(t, err)
		return
	}
	require.Error(t, err)
	assert.Equal(t, msg, err.Error())
	assert.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
}

func TestMutualTLSIdentity(t *testing.T) {
	ids := &identityMap{warmErr: errors.New("warming failed")}
	var logs bytes.Buffer
	m, err := NewMutualTLS(MutualTLSConfig{Validator: SpiffeValidator{}, Identities: ids, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	ctx := context.Background()
	assert.True(t, m.RequireAuthentication())
	assert.True(t, SupportsEarlyAuthentication(m))
	assert.Equal(t, MutualTLSClassName, m.ClassName())
	assert.Equal(t, []Mode{ModeMutualTLS}, SupportedModes(m))
	assert.False(t, UsesPasswords(m))
	assert.True(t, UsesCredentialsSettings(m))
	require.Len(t, m.ProtectedResources(), 1)
	assert.Equal(t, "data/system_auth/roles", m.ProtectedResources()[0].Name())

	require.NoError(t, m.Setup(ctx), "a warming failure is logged, not returned")
	assert.Equal(t, 1, ids.warmed)
	assert.Contains(t, logs.String(), "warming failed")

	_, err = m.LegacyAuthenticate(ctx, map[string]string{"username": "a", "password": "b"})
	require.Error(t, err)
	assert.Equal(t, "mTLS authentication is not supported for CassandraLoginModule", err.Error())
	assert.ErrorIs(t, err, ErrUnsupported)
}

func TestMutualTLSWithPasswordFallback(t *testing.T) {
	ca := newTestCA(t)
	certs, _ := ca.issue(t, leafOpts{uris: []string{spiffeID}})
	ids := &identityMap{m: map[string]string{spiffeID: "billing_role"}}
	src := &fakeHashes{hashes: map[string]string{"alice": mustHash(t, "secret", 4)}}
	f, err := NewMutualTLSWithPasswordFallback(PasswordConfig{Hashes: src, Cost: 4},
		MutualTLSConfig{Validator: SpiffeValidator{}, Identities: ids, ClientEncryption: ClientEncryption{Enabled: true, RequireClientAuth: ClientAuthOptional}})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, f.Setup(ctx))
	assert.Equal(t, 1, ids.warmed)
	assert.Equal(t, MutualTLSWithPasswordFallbackClassName, f.ClassName())
	assert.Equal(t, []Mode{ModePassword, ModeMutualTLS}, SupportedModes(f))
	assert.True(t, UsesPasswords(f), "a PasswordAuthenticator subclass")
	assert.True(t, SupportsEarlyAuthentication(f))
	assert.True(t, f.RequireAuthentication())
	assert.NotNil(t, f.MutualTLS())

	// No certificate: the password negotiator.
	n, err := f.NewNegotiator(ctx, netipZero, nil)
	require.NoError(t, err)
	assert.True(t, SendAuthenticate(n))
	_, err = n.EvaluateResponse(ctx, []byte("\x00alice\x00secret"))
	require.NoError(t, err)
	u, err := n.AuthenticatedUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "alice", u.Name())

	// A certificate: the certificate negotiator.
	n, err = f.NewNegotiator(ctx, netipZero, certs)
	require.NoError(t, err)
	assert.False(t, SendAuthenticate(n))
	u, err = n.AuthenticatedUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "billing_role", u.Name())

	// Legacy authentication is the password one.
	u, err = f.LegacyAuthenticate(ctx, map[string]string{"username": "alice", "password": "secret"})
	require.NoError(t, err)
	assert.Equal(t, "alice", u.Name())

	g, err := NewMutualTLSWithPasswordFallback(PasswordConfig{Hashes: src, Cost: 4, ClassName: "custom"},
		MutualTLSConfig{Validator: SpiffeValidator{}, Identities: ids})
	require.NoError(t, err)
	assert.Equal(t, "custom", g.ClassName())
	_, err = NewMutualTLSWithPasswordFallback(PasswordConfig{Hashes: src, Cost: 4}, MutualTLSConfig{Identities: ids})
	assert.Equal(t, MsgValidatorNotSet, err.Error())
	_, err = NewMutualTLSWithPasswordFallback(PasswordConfig{Hashes: src, Cost: 2}, MutualTLSConfig{Validator: SpiffeValidator{}, Identities: ids})
	assert.ErrorIs(t, err, ErrBadCost)
}

// The wiring the authenticator expects: a TLS server that verifies client
// certificates hands VerifiedChains[0] to NewNegotiator. A certificate from
// an unknown CA never gets that far.
func TestMutualTLSOverTLSHandshake(t *testing.T) {
	ca, rogue := newTestCA(t), newTestCA(t)
	serverChain, serverKey := ca.issue(t, leafOpts{cn: "server", dns: []string{"server.test"}})
	serverChain[0].ExtKeyUsage = nil
	good, goodKey := ca.issue(t, leafOpts{uris: []string{spiffeID}})
	bad, badKey := rogue.issue(t, leafOpts{uris: []string{spiffeID}})
	ids := &identityMap{m: map[string]string{spiffeID: "billing_role"}}
	m, err := NewMutualTLS(MutualTLSConfig{Validator: SpiffeValidator{}, Identities: ids,
		ClientEncryption: ClientEncryption{Enabled: true, RequireClientAuth: ClientAuthRequired}})
	require.NoError(t, err)
	require.NoError(t, m.ValidateConfiguration())
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)

	handshake := func(chain []*x509.Certificate, key *ecdsa.PrivateKey) ([][]*x509.Certificate, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		go func() {
			c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{
				Certificates:       []tls.Certificate{{Certificate: [][]byte{chain[0].Raw}, PrivateKey: key}},
				InsecureSkipVerify: true, // the client side is not under test
			})
			if err == nil {
				_, _ = c.Read(make([]byte, 1)) // wait for the server's verdict
				_ = c.Close()
			}
		}()
		conn, err := ln.Accept()
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
		srv := tls.Server(conn, &tls.Config{
			Certificates: []tls.Certificate{{Certificate: [][]byte{serverChain[0].Raw}, PrivateKey: serverKey}},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    pool,
		})
		if err := srv.Handshake(); err != nil {
			return nil, err
		}
		return srv.ConnectionState().VerifiedChains, nil
	}

	chains, err := handshake(good, goodKey)
	require.NoError(t, err)
	require.NotEmpty(t, chains)
	n, err := m.NewNegotiator(context.Background(), netipZero, chains[0])
	require.NoError(t, err)
	u, err := n.AuthenticatedUser(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "billing_role", u.Name())

	_, err = handshake(bad, badKey)
	assert.Error(t, err, "a certificate from an unknown CA must fail the handshake")
}

// URI SANs are read as written in the certificate, in order.
func TestParseURISANs(t *testing.T) {
	der, err := asn1.Marshal([]asn1.RawValue{
		{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("dns.example")},
		{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("spiffe://a/b%2Fc")},
		{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("urn:x")},
	})
	require.NoError(t, err)
	uris, err := parseURISANs(der)
	require.NoError(t, err)
	assert.Equal(t, []string{"spiffe://a/b%2Fc", "urn:x"}, uris)
	_, err = parseURISANs([]byte{0x30, 0x05, 0x86})
	assert.Error(t, err)
	_, err = parseURISANs(append(der, 0))
	assert.Error(t, err)
}
