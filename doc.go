// Package cassauth is Apache Cassandra's server-side security model as an
// embeddable Go library: who you are (authenticators), what you may do
// (authorizers over a whitelist of grants on a resource tree), roles granted
// to roles, the caches in front of them and the storage under them. A Go
// server that speaks CQL links it in and gets Cassandra's behaviour, messages
// included; a tool that needs a policy engine asks it "may role R do P on
// resource X, and why?".
//
// # Architecture
//
// The packages form layers; imports only point down.
//
//	layer  package      job
//	1      resource     permissions, permission sets, the resource trees, JMX names
//	1      cache        a loading cache with Cassandra's validity/refresh/max-entries knobs
//	2      store        the storage contract shaped like system_auth, and its backends
//	3      roles        the role manager, role closures, the authenticated user, error codes
//	4      authn        authenticators: AllowAll, Password (SASL PLAIN, bcrypt), mutual TLS
//	4      authz        authorizers, the access check with explanations, JMX, network and CIDR
//	5      cassauth     wiring: a Config mirroring cassandra.yaml, caches, setup order
//	6      dcl          the role and permission statements of CQL
//	7      transport    the CQL native-protocol front end
//	8      cmd/cassauth the program: a policy server and a shell
//	-      conformance  exported test suites for anyone implementing a part
//
// # How a request flows
//
// A client authenticates through an authn negotiator (SASL PLAIN checks a
// bcrypt hash read from the store through the credentials cache), then the
// role's LOGIN flag is checked. Each operation is then authorized by walking
// the requested resource and its parents (table, all tables in its keyspace,
// keyspace, all keyspaces); for each, the permissions of the user's role and
// of every role granted to it, transitively, come from the permissions cache,
// which loads them from the store on a miss. The first resource holding the
// permission allows; otherwise the error is Cassandra's
// "User bob has no SELECT permission on <table ks.t> or any of its parents".
//
// # Example
//
// The vocabulary is in package resource:
//
//	t := resource.Table("shop", "orders")
//	for r, ok := t, true; ok; r, ok = r.Parent() {
//		fmt.Println(r.Name(), r) // data/shop/orders <table shop.orders>, ...
//	}
//
// Storage backends implement store.Store; store/memstore is the in-memory
// reference and conformance.TestStore checks any other.
package cassauth
