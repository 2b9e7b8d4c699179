package dump_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store/dump"
	"github.com/cassauth/cassauth/store/memstore"
)

// Load two tables exported from a Cassandra cluster with cqlsh, query them,
// and write the store as a dump.
func Example() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()

	// COPY system_auth.roles TO 'roles.csv' WITH HEADER = true;
	roles := "role,can_login,is_superuser,member_of,salted_hash\r\n" +
		"app,True,False,{'reader'},$2a$10$Glrmq.IWVhkNA/MWfzCya.bRZsb5.6oaEjGBteotFSXLTczwD5iOG\r\n" +
		"reader,False,False,,\r\n"
	// COPY system_auth.role_permissions TO 'role_permissions.csv';
	grants := "reader,data/shop,{'SELECT'}\r\n" +
		"app,data/shop/orders,\"{'MODIFY', 'SELECT'}\"\r\n"

	sum, err := dump.ImportCassandraCSV(ctx, st, dump.CSVFiles{
		Roles:           strings.NewReader(roles),
		RolePermissions: strings.NewReader(grants),
	}, dump.ImportOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.Roles, "roles,", sum.Memberships, "membership,", sum.Grants, "grants")

	p, _ := st.GetPermissions(ctx, "app", "data/shop/orders")
	fmt.Println("app on data/shop/orders:", p)

	if err := dump.Export(ctx, st, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 2 roles, 1 membership, 2 grants
	// app on data/shop/orders: [SELECT, MODIFY]
	// {
	//   "format": "cassauth-dump",
	//   "version": 1,
	//   "roles": [
	//     {"role":"app","is_superuser":false,"can_login":true,"salted_hash":"$2a$10$Glrmq.IWVhkNA/MWfzCya.bRZsb5.6oaEjGBteotFSXLTczwD5iOG","member_of":["reader"]},
	//     {"role":"reader","is_superuser":false,"can_login":false}
	//   ],
	//   "grants": [
	//     {"role":"app","resource":"data/shop/orders","permissions":["SELECT","MODIFY"]},
	//     {"role":"reader","resource":"data/shop","permissions":["SELECT"]}
	//   ],
	//   "network": [],
	//   "cidr_permissions": [],
	//   "cidr_groups": [],
	//   "identities": [],
	//   "schema": []
	// }
}

// Bad input is reported with its location, and nothing is imported.
func ExampleImport() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()

	in := `{"format": "cassauth-dump", "version": 1,
  "roles": [{"role": "app"}],
  "grants": [{"role": "app", "resource": "data/shop/orders/x", "permissions": ["SELECT"]}]
}`
	_, err := dump.Import(ctx, st, strings.NewReader(in), dump.ImportOptions{Name: "auth.json"})
	fmt.Println(err)
	var ie *dump.InputError
	if errors.As(err, &ie) {
		fmt.Println(ie.Line, ie.Column, ie.Field)
	}
	fmt.Println(errors.Is(err, resource.ErrInvalidName))
	roles, _ := st.ListRoles(ctx)
	fmt.Println(len(roles), "roles imported")
	// Output:
	// dump: auth.json:3:42: grants[0].resource: data/shop/orders/x is not a valid data resource name
	// 3 42 grants[0].resource
	// true
	// 0 roles imported
}
