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
// # Wiring
//
// [Config] mirrors the auth keys of cassandra.yaml: the five class names
// (authenticator, authorizer, role_manager, network_authorizer,
// cidr_authorizer and its parameters, short or fully qualified), the
// permissions_*, roles_* and credentials_* cache settings, warming,
// traverse_auth_from_root and the bcrypt cost. [ConfigFromMap] reads them
// from a parsed cassandra.yaml, in the 4.1 form ("2000ms") or the older
// `*_in_ms` form. [New] validates the combination as Cassandra's AuthConfig
// does, with its messages ("AllowAllAuthenticator can't be used with
// CassandraAuthorizer", ...), and builds the parts over a [store.Store];
// [Auth.Setup] runs their setup in Cassandra's order (role manager,
// authenticator, authorizer, network and CIDR authorizers, then cache
// warming). [Options] carries what is not cassandra.yaml: the clock, the
// logger, a custom role manager or certificate validator.
//
//	cfg, err := cassauth.ConfigFromMap(yamlMap)
//	a, err := cassauth.New(cfg, st, cassauth.Options{Logger: logger})
//	err = a.Setup(ctx)
//	defer a.Close()
//	user, err := a.AuthenticateSASL(ctx, clientAddr, peerCerts, token)
//	err = a.Ensure(ctx, user, resource.Select, resource.Table("shop", "orders"))
//
// # Caches
//
// The seven caches of Cassandra, with its names, settings groups and
// "enabled only if" predicates (spec 7.1):
//
//	cache                    key -> value                   settings      enabled only if
//	PermissionsCache         (user, resource) -> perms      permissions_  the authorizer requires authorization
//	RolesCache               role -> closure with flags     roles_        the authenticator requires authentication
//	CredentialsCache         role -> salted hash            credentials_  always
//	NetworkPermissionsCache  role -> datacenters            roles_        the authenticator requires authentication
//	JmxPermissionsCache      role -> MBean grants           permissions_  always
//	CidrPermissionsCache     role -> CIDR groups            roles_        the CIDR authorizer requires authorization
//	IdentitiesCache          identity -> role               credentials_  always
//
// They have Cassandra's semantics (package cache): entries are served for
// at most the validity, reloaded in the background past the update
// interval, refreshed on a timer with active update, and a failed reload
// keeps the old value until the validity runs out, after which the check
// fails with an error, never with an allow. Validity 0 turns a cache off.
// [Auth.ReconfigureCache], [Auth.CacheStats] and the Invalidate* methods
// are nodetool's setauthcacheconfig, the cache metrics and the
// invalidate*cache commands.
//
// One difference in shape: a PermissionsCache entry holds both what the
// user holds on exactly the resource (Cassandra's value, which
// [Auth.Checker] and [Auth.Explain] use) and the union over the resource
// and all its parents, so that [Auth.Check] decides with one lookup instead
// of one per resource of the chain. The entry is loaded through the
// uncached parts, reading the role closure once for the whole chain.
//
// All loaders read through the uncached parts, so an entry is never older
// than its own validity (a permissions entry is not built from a roles
// entry that was already old).
//
// # Invalidation
//
// Beyond Cassandra, which invalidates nothing on DCL, a change made through
// this library is visible to the very next check in the process: the parts
// returned by [Auth.Roles], [Auth.Authorizer], [Auth.Network], [Auth.CIDR]
// and [Auth.Hooks] invalidate before their writes return. The invalidation
// fans out: every cached answer records the role closure it was computed
// from, so a grant to, a change of, or the drop of role R drops the answers
// of R and of every role inheriting from R, however indirectly (and, for a
// grant on resource X, only those about X or the resources below it). A
// password change or drop also forgets the role's hash and its verified
// logins. A store implementing [store.ChangeFeed] (store/memstore does)
// drives the same invalidation for changes made elsewhere; store.ChangeReset
// empties every cache. Without a feed, changes made behind the library's
// back are seen within the update interval (on the next read) and never
// later than the validity, as in Cassandra.
//
// # Performance
//
// A cached [Auth.Check] is one lookup that neither locks nor allocates.
// On this project's shared 2-core benchmark machine, BenchmarkCheckCached
// (a role with five inherited roles, a table, everything cached) measures
// about 75-100 ns/op with the exact system clock, of which reading the clock
// is about 25 ns, and about 52-55 ns/op with [Options.ClockResolution] set
// to 1ms; 0 allocations, the same with 1k and 1M roles in the store.
// BenchmarkCheckMissStorm shows one load per key however many goroutines
// miss it at once. The benchmarks live in this package so that every later
// change is measured the same way.
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
//
// # Testing
//
// The tests of this package drive every time-dependent behaviour with
// cache.FakeClock, inject store failures with a wrapper, check with rapid
// that after any sequence of writes every cached check equals the uncached
// answer (and that writes behind the library's back are never served older
// than the validity), and count goroutines after Close.
package cassauth
