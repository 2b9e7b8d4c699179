package dcl_test

import (
	"context"
	"fmt"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

// exampleEnv builds an Env over memstore with the default superuser
// cassandra and a catalog for schema declarations.
func exampleEnv(ctx context.Context) (*dcl.Env, error) {
	st := memstore.New()
	rm, err := roles.NewTable(roles.Config{Store: st, PasswordAuthentication: true, Hasher: roles.BcryptHasher{Cost: 4}})
	if err != nil {
		return nil, err
	}
	if err := rm.Setup(ctx); err != nil {
		return nil, err
	}
	a, err := authz.NewTable(authz.Config{Store: st, Roles: rm})
	if err != nil {
		return nil, err
	}
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: a, Roles: rm})
	if err != nil {
		return nil, err
	}
	return &dcl.Env{Roles: rm, Authorizer: a, Checker: c, Schema: dcl.NewStoreCatalog(st)}, nil
}

// The superuser creates a keyspace, a table and a role, and grants the role
// SELECT and EXECUTE on the table: EXECUTE does not apply to tables and is
// dropped, as in Cassandra. The role may then list its permissions but not
// grant anything.
func ExampleExecute() {
	ctx := context.Background()
	env, err := exampleEnv(ctx)
	if err != nil {
		panic(err)
	}
	admin := &dcl.Session{User: roles.NewUser("cassandra")}
	_, err = dcl.Execute(ctx, env, admin, `
		CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
		CREATE TABLE shop.orders (id int PRIMARY KEY);
		CREATE ROLE bob WITH PASSWORD = 'secret' AND LOGIN = true;
		GRANT SELECT, EXECUTE ON TABLE shop.orders TO bob`)
	if err != nil {
		panic(err)
	}

	bob := &dcl.Session{User: roles.NewUser("bob")}
	res, err := dcl.Execute(ctx, env, bob, "LIST ALL PERMISSIONS OF bob")
	if err != nil {
		panic(err)
	}
	fmt.Println(res[0])

	_, err = dcl.Execute(ctx, env, bob, "GRANT SELECT ON shop.orders TO cassandra")
	fmt.Printf("0x%04x %v\n", int32(roles.CodeOf(err)), err)
	// Output:
	// Rows system_auth.permissions role:text username:text resource:text permission:text
	// bob | bob | <table shop.orders> | SELECT
	// 0x2100 User bob has no AUTHORIZE permission on <table shop.orders> or any of its parents
}

// Parse gives the statements of a text; String renders them as CQL with
// passwords hidden, safe for logs.
func ExampleParse() {
	sts, err := dcl.Parse(`CREATE ROLE Alice WITH PASSWORD = 'hunter2' AND LOGIN = true; -- the new role
		GRANT ALL ON KEYSPACE shop TO alice`)
	if err != nil {
		panic(err)
	}
	for _, st := range sts {
		fmt.Println(st)
	}
	_, err = dcl.Parse("GRANT EXECUTE ON TABLE shop.orders TO alice")
	fmt.Println(err)
	// Output:
	// CREATE ROLE alice WITH PASSWORD = '*******' AND LOGIN = true AND SUPERUSER = false
	// GRANT ALL PERMISSIONS ON KEYSPACE shop TO alice
	// Resource type DataResource does not support any of the requested permissions
}
