package harness

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// CA is a throw-away certificate authority for tests: an ECDSA P-256 key
// and a self-signed certificate valid for a day. It is safe for concurrent
// use (issuing only reads it).
type CA struct {
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// CertPEM is Cert in PEM form, what a trust store file holds.
	CertPEM []byte
	key     crypto.Signer
}

// Leaf is a certificate issued by a [CA] with its private key, both in PEM
// form (the key as PKCS #8 "PRIVATE KEY", which Go's tls.LoadX509KeyPair,
// OpenSSL and Python's ssl module all read).
type Leaf struct {
	// Cert is the parsed certificate.
	Cert *x509.Certificate
	// CertPEM is the certificate in PEM form.
	CertPEM []byte
	// KeyPEM is the private key in PEM form.
	KeyPEM []byte
}

// LeafOptions says what a [CA.Issue] certificate is for.
type LeafOptions struct {
	// CommonName is the subject CN.
	CommonName string
	// IPs are IP address SANs (127.0.0.1 for a loopback server).
	IPs []net.IP
	// DNSNames are DNS SANs.
	DNSNames []string
	// URIs are URI SANs, such as a SPIFFE id for the mutual-TLS
	// authenticator.
	URIs []string
	// Server and Client set the extended key usages serverAuth and
	// clientAuth; neither set means both.
	Server, Client bool
}

// certValidity is how long the certificates of a test run are valid.
const certValidity = 24 * time.Hour

// NewCA creates a certificate authority whose subject CN is name.
// Errors come from key generation or certificate encoding.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("harness: CA key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"cassauth interop tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("harness: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("harness: CA certificate: %w", err)
	}
	return &CA{Cert: cert, CertPEM: pemBlock("CERTIFICATE", der), key: key}, nil
}

// Issue creates a certificate signed by ca with a fresh ECDSA P-256 key.
// A URI that does not parse is an error; so are failures of key
// generation and encoding.
func (ca *CA) Issue(o LeafOptions) (*Leaf, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("harness: leaf key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	uris := make([]*url.URL, 0, len(o.URIs))
	for _, s := range o.URIs {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("harness: URI SAN %q: %w", s, err)
		}
		uris = append(uris, u)
	}
	var eku []x509.ExtKeyUsage
	if o.Server || !o.Client {
		eku = append(eku, x509.ExtKeyUsageServerAuth)
	}
	if o.Client || !o.Server {
		eku = append(eku, x509.ExtKeyUsageClientAuth)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: o.CommonName, Organization: []string{"cassauth interop tests"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  eku,
		IPAddresses:  o.IPs,
		DNSNames:     o.DNSNames,
		URIs:         uris,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.key)
	if err != nil {
		return nil, fmt.Errorf("harness: leaf certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("harness: leaf certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("harness: leaf key: %w", err)
	}
	return &Leaf{Cert: cert, CertPEM: pemBlock("CERTIFICATE", der), KeyPEM: pemBlock("PRIVATE KEY", pkcs8)}, nil
}

// WriteFiles writes the certificate and key to dir/name.crt and
// dir/name.key (the key with mode 0600) and returns both paths.
func (l *Leaf) WriteFiles(dir, name string) (certPath, keyPath string, err error) {
	certPath = filepath.Join(dir, name+".crt")
	keyPath = filepath.Join(dir, name+".key")
	if err := os.WriteFile(certPath, l.CertPEM, 0o644); err != nil {
		return "", "", fmt.Errorf("harness: %w", err)
	}
	if err := os.WriteFile(keyPath, l.KeyPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("harness: %w", err)
	}
	return certPath, keyPath, nil
}

// WriteFile writes the CA certificate to dir/name.crt and returns the path.
func (ca *CA) WriteFile(dir, name string) (string, error) {
	p := filepath.Join(dir, name+".crt")
	if err := os.WriteFile(p, ca.CertPEM, 0o644); err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	return p, nil
}

// serialNumber returns a random positive 127-bit serial number.
func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("harness: serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// pemBlock encodes der as a PEM block of type typ.
func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
