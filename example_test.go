package cassauth_test

import (
	"context"
	"fmt"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

// ExampleNew wires Cassandra's PasswordAuthenticator and CassandraAuthorizer
// over the in-memory store, creates a role through the cached parts and
// checks and explains its access.
func ExampleNew() {
	ctx := context.Background()
	cfg, err := cassauth.ConfigFromMap(map[string]any{
		"authenticator":        "PasswordAuthenticator",
		"authorizer":           "org.apache.cassandra.auth.CassandraAuthorizer",
		"permissions_validity": "10s",
		"roles_validity_in_ms": 10000,
		"cassandra.auth_bcrypt_gensalt_log2_rounds": 4,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	st := memstore.New()
	a, err := cassauth.New(cfg, st, cassauth.Options{DisableDefaultSuperuser: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	if err := a.Setup(ctx); err != nil {
		fmt.Println(err)
		return
	}

	admin := roles.System
	yes, pw := true, "s3cret"
	_ = a.Roles().CreateRole(ctx, admin, "readers", roles.Options{})
	_ = a.Roles().CreateRole(ctx, admin, "bob", roles.Options{Login: &yes, Password: &pw})
	_ = a.Roles().GrantRole(ctx, admin, "readers", "bob")
	_, _ = a.Authorizer().Grant(ctx, admin, resource.SetOf(resource.Select), resource.Keyspace("shop"), "readers")

	bob, err := a.Authenticate(ctx, "bob", authn.NewSecret("s3cret"))
	fmt.Println(bob, err)

	orders := resource.Table("shop", "orders")
	ok, err := a.Check(ctx, bob, resource.Select, orders)
	fmt.Println("SELECT:", ok, err)
	fmt.Println(a.Ensure(ctx, bob, resource.Modify, orders))

	e, _ := a.Explain(ctx, bob, resource.Select, orders)
	fmt.Println(e)

	_, _ = a.Authorizer().Revoke(ctx, admin, resource.SetOf(resource.Select), resource.Keyspace("shop"), "readers")
	ok, _ = a.Check(ctx, bob, resource.Select, orders)
	fmt.Println("SELECT after revoke:", ok)
	// Output:
	// #<User bob> <nil>
	// SELECT: true <nil>
	// User bob has no MODIFY permission on <table shop.orders> or any of its parents
	// allowed (granted): SELECT on <keyspace shop> granted to readers via bob -> readers
	// SELECT after revoke: false
}

// ExampleConfigFromMap loads the auth keys of a cassandra.yaml, in either
// generation of names, and validates them as Cassandra does.
func ExampleConfigFromMap() {
	cfg, err := cassauth.ConfigFromMap(map[string]any{
		"authenticator":                     map[string]any{"class_name": "org.apache.cassandra.auth.AllowAllAuthenticator"},
		"authorizer":                        "CassandraAuthorizer",
		"roles_validity":                    "5s",
		"permissions_update_interval_in_ms": -1,
	})
	fmt.Println(cfg.Roles.Validity, cfg.Permissions.Settings().EffectiveUpdateInterval(), err)
	fmt.Println(cfg.Validate())

	_, err = cassauth.ConfigFromMap(map[string]any{"credentials_validity": "2S"})
	fmt.Println(err)
	// Output:
	// 5s 2s <nil>
	// org.apache.cassandra.auth.AllowAllAuthenticator can't be used with CassandraAuthorizer
	// Invalid duration: 2S Accepted units:[MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS] where case matters and only non-negative values.
}
