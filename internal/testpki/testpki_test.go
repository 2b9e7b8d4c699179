package testpki

import (
	"crypto/x509"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIssueVerifies(t *testing.T) {
	ca, err := NewCA("test CA")
	require.NoError(t, err)
	srv, err := ca.Issue(LeafOptions{CommonName: "server", Server: true})
	require.NoError(t, err)
	_, err = srv.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "127.0.0.1"})
	require.NoError(t, err, "a server certificate verifies for 127.0.0.1")
	id, _ := url.Parse("spiffe://example.org/reader")
	cl, err := ca.Issue(LeafOptions{CommonName: "client", URIs: []*url.URL{id}})
	require.NoError(t, err)
	_, err = cl.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)
	assert.Equal(t, "spiffe://example.org/reader", cl.Cert.URIs[0].String())
	assert.NotEqual(t, srv.Cert.SerialNumber, cl.Cert.SerialNumber)
	_, err = cl.TLSCertificate()
	require.NoError(t, err)
	other, err := NewCA("other")
	require.NoError(t, err)
	_, err = cl.Cert.Verify(x509.VerifyOptions{Roots: other.Pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	assert.Error(t, err, "another CA does not vouch for it")
}
