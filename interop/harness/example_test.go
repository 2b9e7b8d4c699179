package harness_test

import (
	"fmt"
	"net"

	"github.com/cassauth/cassauth/interop/harness"
)

// A server certificate for a loopback server and a client certificate
// carrying a SPIFFE id, both from one throw-away CA.
func ExampleCA_Issue() {
	ca, err := harness.NewCA("interop CA")
	if err != nil {
		panic(err)
	}
	server, err := ca.Issue(harness.LeafOptions{CommonName: "cassauth",
		IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Server: true})
	if err != nil {
		panic(err)
	}
	client, err := ca.Issue(harness.LeafOptions{CommonName: "alice",
		URIs: []string{"spiffe://cassauth.test/alice"}, Client: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(server.Cert.IPAddresses, server.Cert.Issuer.CommonName)
	fmt.Println(client.Cert.URIs[0])
	// Output:
	// [127.0.0.1] interop CA
	// spiffe://cassauth.test/alice
}
