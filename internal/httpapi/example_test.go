package httpapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/store/memstore"
)

// A policy server over an in-memory store, driven by the Client: log in as
// the default superuser, create a role, grant it, and check.
func Example() {
	ctx := context.Background()
	st := memstore.New()
	a, err := cassauth.New(cassauth.Config{
		Authenticator: cassauth.PasswordAuthenticator,
		Authorizer:    cassauth.CassandraAuthorizer,
		BcryptRounds:  4,
	}, st, cassauth.Options{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	if err := a.Setup(ctx); err != nil { // creates cassandra/cassandra
		panic(err)
	}
	env := &dcl.Env{Roles: a.Roles(), Authorizer: a.Authorizer(), Checker: a.Checker(),
		Network: a.Network(), CIDR: a.CIDR(), Hooks: a.Hooks(), Schema: dcl.NewStoreCatalog(st)}
	srv, err := httpapi.New(httpapi.Config{Auth: a, Env: env, Store: st})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()

	c := &httpapi.Client{BaseURL: hs.URL, Username: "cassandra", Password: "cassandra"}
	if _, err := c.Login(ctx); err != nil {
		panic(err)
	}
	for _, s := range []string{
		"CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
		"CREATE ROLE app WITH PASSWORD = 'secret' AND LOGIN = true",
		"GRANT SELECT ON KEYSPACE shop TO app",
	} {
		if _, err := c.Execute(ctx, s); err != nil {
			panic(err)
		}
	}
	no := false
	for _, p := range []string{"SELECT", "MODIFY"} {
		r, err := c.Check(ctx, httpapi.CheckRequest{Role: "app", Permission: p, Resource: "data/shop/orders", Explain: &no})
		if err != nil {
			panic(err)
		}
		fmt.Println(p, r.Allowed)
	}
	_, err = c.Execute(ctx, "DROP ROLE ghost")
	fmt.Println(err)
	// Output:
	// SELECT true
	// MODIFY false
	// ghost doesn't exist (HTTP 400, code INVALID)
}
