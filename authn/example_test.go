package authn_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"github.com/cassauth/cassauth/authn"
)

// Example shows a CQL server's side of a password login: a negotiator per
// attempt, the client's SASL PLAIN token, the credential check, then Login.
func Example() {
	ctx := context.Background()

	// Salted hashes come from the roles table; a map stands in for it here.
	var mu sync.Mutex
	hashes := map[string]string{}
	source := authn.HashesFunc(func(_ context.Context, role string) (string, bool, error) {
		mu.Lock()
		defer mu.Unlock()
		h, ok := hashes[role]
		return h, ok, nil
	})
	pw, err := authn.NewPassword(authn.PasswordConfig{Hashes: source, Cost: 4})
	if err != nil {
		panic(err)
	}
	// CREATE ROLE alice WITH PASSWORD = 's3cret' AND LOGIN = true hashes
	// with the authenticator's Hasher (shared with the role manager).
	h, err := pw.Hasher().Hash(ctx, "s3cret")
	if err != nil {
		panic(err)
	}
	mu.Lock()
	hashes["alice"] = h
	mu.Unlock()
	canLogin := loginFlags{"alice": true}

	fmt.Println(pw.ClassName()) // the AUTHENTICATE payload

	for _, token := range [][]byte{
		authn.EncodePlain("alice", authn.NewSecret("s3cret")),
		authn.EncodePlain("alice", authn.NewSecret("wrong")),
		authn.EncodePlain("mallory", authn.NewSecret("s3cret")),
		[]byte("alice\x00s3cret"), // no authzid separator: no username
	} {
		n, err := pw.NewNegotiator(ctx, netip.MustParseAddr("192.0.2.1"), nil)
		if err != nil {
			panic(err)
		}
		if _, err := n.EvaluateResponse(ctx, token); err != nil {
			fmt.Println("ERROR:", err)
			continue
		}
		user, err := n.AuthenticatedUser(ctx)
		if err == nil {
			err = authn.Login(ctx, canLogin, user)
		}
		if err != nil {
			fmt.Println("ERROR:", err)
			continue
		}
		fmt.Println("AUTH_SUCCESS", user)
	}
	// Output:
	// org.apache.cassandra.auth.PasswordAuthenticator
	// AUTH_SUCCESS #<User alice>
	// ERROR: Provided username alice and/or password are incorrect
	// ERROR: Provided username mallory and/or password are incorrect
	// ERROR: Authentication ID must not be null
}

type loginFlags map[string]bool

func (f loginFlags) CanLogin(_ context.Context, role string) (bool, error) { return f[role], nil }

// ExampleDecodePlain shows Cassandra's decoding of a SASL PLAIN token: the
// authzid is ignored and the password never prints.
func ExampleDecodePlain() {
	creds, err := authn.DecodePlain([]byte("admin\x00alice\x00s3cret"))
	if err != nil {
		panic(err)
	}
	fmt.Println(creds.Username)
	fmt.Println(creds)
	fmt.Printf("%#v\n", creds.Password)

	_, err = authn.DecodePlain([]byte("\x00alice\x00"))
	fmt.Println(err)
	// Output:
	// alice
	// {Username:"alice" Password:<redacted>}
	// <redacted>
	// Password must not be null
}
