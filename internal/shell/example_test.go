package shell_test

import (
	"os"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/internal/shell"
)

// PrintResult prints rows as cqlsh does.
func ExamplePrintResult() {
	_ = shell.PrintResult(os.Stdout, dcl.Result{
		Kind: dcl.ResultRows,
		Columns: []dcl.Column{
			{Name: "role", Type: dcl.TypeText}, {Name: "super", Type: dcl.TypeBoolean},
			{Name: "login", Type: dcl.TypeBoolean}, {Name: "options", Type: dcl.TypeTextMap},
			{Name: "datacenters", Type: dcl.TypeText},
		},
		Rows: [][]any{{"cassandra", true, true, map[string]string{}, "ALL"}},
	})
	// Output:
	//
	//  role      | super | login | options | datacenters
	// -----------+-------+-------+---------+-------------
	//  cassandra |  True |  True |      {} |         ALL
	//
	// (1 rows)
}
