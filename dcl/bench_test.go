package dcl_test

import (
	"context"
	"testing"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/roles"
)

const benchGrant = "GRANT SELECT, MODIFY ON TABLE shop.orders TO readers"

func BenchmarkParseGrant(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dcl.Parse(benchGrant); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCreateRole(b *testing.B) {
	const q = "CREATE ROLE IF NOT EXISTS alice WITH PASSWORD = 'x' AND LOGIN = true AND ACCESS TO DATACENTERS {'dc1', 'dc2'}"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dcl.Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStack is a stack with keyspace shop, table shop.orders and role
// readers.
func benchStack(b *testing.B) *stack {
	s := newStack(b, defaultConfig())
	s.exec(b, "cassandra", `CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy'};
		CREATE TABLE shop.orders (id int PRIMARY KEY);
		CREATE ROLE readers`)
	return s
}

// BenchmarkExecuteGrant runs a GRANT (parse, checks, store write) over
// memstore as the superuser; after the first run it only warns.
func BenchmarkExecuteGrant(b *testing.B) {
	s := benchStack(b)
	ctx := context.Background()
	sess := &dcl.Session{User: roles.NewUser("cassandra"), Datacenter: "dc1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dcl.Execute(ctx, s.env, sess, benchGrant); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecuteGrantRevoke alternates GRANT and REVOKE of a prepared
// statement, so every run writes.
func BenchmarkExecuteGrantRevoke(b *testing.B) {
	s := benchStack(b)
	ctx := context.Background()
	sess := &dcl.Session{User: roles.NewUser("cassandra"), Datacenter: "dc1"}
	sts, err := dcl.Parse(benchGrant + "; REVOKE SELECT, MODIFY ON TABLE shop.orders FROM readers")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, st := range sts {
			if _, err := dcl.ExecuteStatement(ctx, s.env, sess, st); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkExecuteListPermissions(b *testing.B) {
	s := benchStack(b)
	s.exec(b, "cassandra", benchGrant)
	ctx := context.Background()
	sess := &dcl.Session{User: roles.NewUser("cassandra"), Datacenter: "dc1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dcl.Execute(ctx, s.env, sess, "LIST ALL ON shop.orders OF readers"); err != nil {
			b.Fatal(err)
		}
	}
}
