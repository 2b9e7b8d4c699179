package transport

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/authn"
)

// TLSConfig is Cassandra's client_encryption_options with PEM files in
// place of Java keystores. The zero value (Enabled false) means no TLS.
type TLSConfig struct {
	// Enabled turns client encryption on.
	Enabled bool
	// Optional serves TLS and plain text on the same port, told apart by
	// the connection's first byte (Cassandra's optional: true).
	Optional bool
	// CertFile and KeyFile are the server's certificate chain and private
	// key (PEM; the keystore). Required.
	CertFile, KeyFile string
	// CAFile holds the PEM certificates of the CAs that client
	// certificates must chain to (the truststore). Required unless
	// ClientAuth is authn.ClientAuthNotRequired.
	CAFile string
	// ClientAuth is require_client_auth: ClientAuthNotRequired ("false")
	// asks for no client certificate, ClientAuthOptional ("optional")
	// verifies one if given, ClientAuthRequired ("true") requires one. The
	// verified chain reaches the authenticator (mutual-TLS login).
	ClientAuth authn.ClientAuth
	// Protocols are accepted_protocols ("TLSv1.2", "TLSv1.3"; "TLSv1" and
	// "TLSv1.1" only if listed): the lowest and highest listed bound the
	// versions. Empty means TLS 1.2 and later.
	Protocols []string
	// CipherSuites are cipher_suites by their IANA (and JSSE) names, e.g.
	// "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", for TLS 1.2 and earlier.
	// TLS 1.3 suites are accepted and ignored (Go does not make them
	// configurable). Empty means Go's defaults.
	CipherSuites []string
	// ReloadInterval is how often the files are checked for changes and
	// reloaded (Cassandra checks every 10 minutes); 0 means 10 minutes, a
	// negative value turns polling off ([Server.ReloadTLS] still works).
	ReloadInterval time.Duration
	// HandshakeTimeout bounds a TLS handshake; 0 means 10 seconds.
	HandshakeTimeout time.Duration
}

// Default intervals of [TLSConfig].
const (
	DefaultTLSReloadInterval   = 10 * time.Minute
	DefaultTLSHandshakeTimeout = 10 * time.Second
)

// ParseClientAuth parses require_client_auth as cassandra.yaml spells it:
// "false", "true" or "optional" (case-insensitive; "" is "false").
func ParseClientAuth(s string) (authn.ClientAuth, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false":
		return authn.ClientAuthNotRequired, nil
	case "optional":
		return authn.ClientAuthOptional, nil
	case "true":
		return authn.ClientAuthRequired, nil
	}
	return 0, configErrorf("require_client_auth must be false, optional or true, not %q", s)
}

// protocolVersions maps accepted_protocols names to TLS versions.
var protocolVersions = map[string]uint16{
	"tlsv1": tls.VersionTLS10, "tlsv1.0": tls.VersionTLS10, "tlsv1.1": tls.VersionTLS11,
	"tlsv1.2": tls.VersionTLS12, "tlsv1.3": tls.VersionTLS13,
}

// versionRange returns the TLS version bounds of c.
func (c *TLSConfig) versionRange() (lo, hi uint16, err error) {
	if len(c.Protocols) == 0 {
		return tls.VersionTLS12, 0, nil
	}
	for _, p := range c.Protocols {
		v, ok := protocolVersions[strings.ToLower(strings.TrimSpace(p))]
		if !ok {
			return 0, 0, configErrorf("unknown TLS protocol %q (want TLSv1.2, TLSv1.3, ...)", p)
		}
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo, hi, nil
}

// cipherIDs resolves cipher suite names.
func (c *TLSConfig) cipherIDs() ([]uint16, error) {
	if len(c.CipherSuites) == 0 {
		return nil, nil
	}
	byName := map[string]uint16{}
	for _, s := range tls.CipherSuites() {
		byName[s.Name] = s.ID
	}
	for _, s := range tls.InsecureCipherSuites() {
		byName[s.Name] = s.ID
	}
	tls13 := map[string]bool{"TLS_AES_128_GCM_SHA256": true, "TLS_AES_256_GCM_SHA384": true, "TLS_CHACHA20_POLY1305_SHA256": true}
	var ids []uint16
	for _, n := range c.CipherSuites {
		n = strings.TrimSpace(n)
		if tls13[n] {
			continue
		}
		id, ok := byName[n]
		if !ok {
			return nil, configErrorf("unknown cipher suite %q", n)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// check validates the fields that do not need the files.
func (c *TLSConfig) check() error {
	switch {
	case c.CertFile == "" || c.KeyFile == "":
		return configErrorf("TLS needs CertFile and KeyFile")
	case c.ClientAuth > authn.ClientAuthRequired:
		return configErrorf("unknown ClientAuth %d", c.ClientAuth)
	case c.ClientAuth != authn.ClientAuthNotRequired && c.CAFile == "":
		return configErrorf("require_client_auth %s needs CAFile", c.ClientAuth)
	case c.HandshakeTimeout < 0:
		return configErrorf("HandshakeTimeout must not be negative")
	}
	if _, _, err := c.versionRange(); err != nil {
		return err
	}
	_, err := c.cipherIDs()
	return err
}

// tlsState holds the current tls.Config, swapped by reloads.
type tlsState struct {
	cfg              TLSConfig
	log              *slog.Logger
	handshakeTimeout time.Duration
	cur              atomic.Pointer[tls.Config]
	mu               sync.Mutex // serializes reloads; guards sum
	sum              [sha256.Size]byte
}

func newTLSState(cfg TLSConfig, log *slog.Logger) (*tlsState, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	st := &tlsState{cfg: cfg, log: log, handshakeTimeout: cfg.HandshakeTimeout}
	if st.handshakeTimeout == 0 {
		st.handshakeTimeout = DefaultTLSHandshakeTimeout
	}
	if _, err := st.reload(true); err != nil {
		return nil, err
	}
	return st, nil
}

// interval returns the polling interval, 0 for none.
func (st *tlsState) interval() time.Duration {
	switch {
	case st.cfg.ReloadInterval < 0:
		return 0
	case st.cfg.ReloadInterval == 0:
		return DefaultTLSReloadInterval
	}
	return st.cfg.ReloadInterval
}

// current returns the configuration for a new connection.
func (st *tlsState) current() *tls.Config { return st.cur.Load() }

// reload reads the files and, if their contents changed (or force),
// builds and installs a new configuration. It reports whether it did.
func (st *tlsState) reload(force bool) (bool, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cert, err := os.ReadFile(st.cfg.CertFile)
	if err != nil {
		return false, st.failed(fmt.Errorf("transport: reading TLS certificate: %w", err))
	}
	key, err := os.ReadFile(st.cfg.KeyFile)
	if err != nil {
		return false, st.failed(fmt.Errorf("transport: reading TLS key: %w", err))
	}
	var ca []byte
	if st.cfg.CAFile != "" {
		if ca, err = os.ReadFile(st.cfg.CAFile); err != nil {
			return false, st.failed(fmt.Errorf("transport: reading TLS CA file: %w", err))
		}
	}
	h := sha256.New()
	for _, b := range [][]byte{cert, key, ca} {
		_, _ = fmt.Fprintf(h, "%d:", len(b))
		_, _ = h.Write(b)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	if !force && bytes.Equal(sum[:], st.sum[:]) {
		return false, nil
	}
	c, err := st.build(cert, key, ca)
	if err != nil {
		return false, st.failed(err)
	}
	st.cur.Store(c)
	st.sum = sum
	if !force {
		st.log.Info("reloaded TLS certificates", slog.String("cert", st.cfg.CertFile))
	}
	return true, nil
}

func (st *tlsState) failed(err error) error {
	if st.cur.Load() != nil {
		st.log.Warn("TLS reload failed; keeping the previous certificates", slog.Any("error", err))
	}
	return err
}

// build makes a tls.Config from PEM contents.
func (st *tlsState) build(certPEM, keyPEM, caPEM []byte) (*tls.Config, error) {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("transport: TLS certificate %s / key %s: %w", st.cfg.CertFile, st.cfg.KeyFile, err)
	}
	lo, hi, _ := st.cfg.versionRange() // checked by check
	ciphers, _ := st.cfg.cipherIDs()   // checked by check
	c := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: lo, MaxVersion: hi, CipherSuites: ciphers}
	if caPEM != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("transport: TLS CA file %s holds no PEM certificate", st.cfg.CAFile)
		}
		c.ClientCAs = pool
	}
	switch st.cfg.ClientAuth {
	case authn.ClientAuthOptional:
		c.ClientAuth = tls.VerifyClientCertIfGiven
	case authn.ClientAuthRequired:
		c.ClientAuth = tls.RequireAndVerifyClientCert
	default:
		c.ClientAuth = tls.NoClientCert
	}
	return c, nil
}
