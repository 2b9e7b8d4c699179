package harness

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIssueVerifies(t *testing.T) {
	ca, err := NewCA("test CA")
	require.NoError(t, err)
	srv, err := ca.Issue(LeafOptions{CommonName: "server", IPs: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames: []string{"cassauth.test"}, Server: true})
	require.NoError(t, err)
	cli, err := ca.Issue(LeafOptions{CommonName: "client", URIs: []string{"spiffe://test.cassauth/alice"},
		Client: true})
	require.NoError(t, err)

	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(ca.CertPEM))
	tests := []struct {
		name    string
		leaf    *Leaf
		host    string
		usage   x509.ExtKeyUsage
		wantErr bool
	}{
		{"server by IP", srv, "127.0.0.1", x509.ExtKeyUsageServerAuth, false},
		{"server by DNS", srv, "cassauth.test", x509.ExtKeyUsageServerAuth, false},
		{"server wrong host", srv, "other.test", x509.ExtKeyUsageServerAuth, true},
		{"server as client", srv, "", x509.ExtKeyUsageClientAuth, true},
		{"client", cli, "", x509.ExtKeyUsageClientAuth, false},
		{"client as server", cli, "", x509.ExtKeyUsageServerAuth, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.leaf.Cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: tc.host,
				KeyUsages: []x509.ExtKeyUsage{tc.usage}})
			if tc.wantErr {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
		})
	}
	require.Len(t, cli.Cert.URIs, 1)
	assert.Equal(t, "spiffe://test.cassauth/alice", cli.Cert.URIs[0].String())
}

func TestIssueOtherCARejected(t *testing.T) {
	ca, err := NewCA("a")
	require.NoError(t, err)
	other, err := NewCA("b")
	require.NoError(t, err)
	leaf, err := other.Issue(LeafOptions{CommonName: "x"})
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	_, err = leaf.Cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	assert.Error(t, err)
}

func TestIssueBadURI(t *testing.T) {
	ca, err := NewCA("a")
	require.NoError(t, err)
	_, err = ca.Issue(LeafOptions{URIs: []string{"spiffe://bad host/%zz"}})
	assert.Error(t, err)
}

// TestMutualTLSHandshake loads the written files as tls.LoadX509KeyPair
// does (gocql's SslOptions) and completes a handshake with client
// certificate verification.
func TestMutualTLSHandshake(t *testing.T) {
	dir := t.TempDir()
	ca, err := NewCA("ca")
	require.NoError(t, err)
	caPath, err := ca.WriteFile(dir, "ca")
	require.NoError(t, err)
	require.FileExists(t, caPath)
	srvLeaf, err := ca.Issue(LeafOptions{CommonName: "server", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Server: true})
	require.NoError(t, err)
	cliLeaf, err := ca.Issue(LeafOptions{CommonName: "client", URIs: []string{"spiffe://t/c"}, Client: true})
	require.NoError(t, err)
	sc, sk, err := srvLeaf.WriteFiles(dir, "server")
	require.NoError(t, err)
	cc, ck, err := cliLeaf.WriteFiles(dir, "client")
	require.NoError(t, err)
	srvPair, err := tls.LoadX509KeyPair(sc, sk)
	require.NoError(t, err)
	cliPair, err := tls.LoadX509KeyPair(cc, ck)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)

	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	server := tls.Server(a, &tls.Config{Certificates: []tls.Certificate{srvPair}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert})
	client := tls.Client(b, &tls.Config{Certificates: []tls.Certificate{cliPair}, RootCAs: pool,
		ServerName: "127.0.0.1"})
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake() }()
	require.NoError(t, client.Handshake())
	require.NoError(t, <-errc)
	peer := server.ConnectionState().PeerCertificates
	require.NotEmpty(t, peer)
	assert.Equal(t, "spiffe://t/c", peer[0].URIs[0].String())
}
