// Package authz is Cassandra's authorization model: the [Authorizer]
// interface with its AllowAll and table-backed implementations, the access
// check that walks roles and resource parents with Cassandra's error texts,
// MBean (JMX) operation checks, and the datacenter and CIDR authorizers.
//
// # Authorizers
//
// An [Authorizer] answers one question, "which permissions does this user
// hold on exactly this resource?", and stores grants. [AllowAll] turns
// authorization off. [Table] (Cassandra's CassandraAuthorizer) reads
// role_permissions through a [store.Permissions] and unions the grants of
// the user's whole role closure from a [roles.Manager]; a user with
// superuser status holds every permission applicable to the resource.
//
// Optional capabilities, found with a type assertion as in
// database/sql/driver: [ChainAuthorizer] decides a whole check reading the
// role closure once (used when nothing is cached), [RolePermissions]
// attributes a decision to the grants of single roles (for Explain), and
// [BulkLoader] warms a permissions cache.
//
// # The access check
//
// A [Checker] walks the requested resource and its parents
// (data/ks/t, data/ks/*, data/ks, data), asks for the user's permissions on
// each, and allows on the first that holds the permission. Denials carry
// Cassandra's messages:
//
//	User bob has no SELECT permission on <table ks.t> or any of its parents
//	User bob does not have sufficient privileges to perform the requested operation
//
// [Checker.EnsureData] adds the data-resource guards (system keyspaces,
// protected tables, always-readable system tables), [Checker.ValidateLogin]
// the per-request login, datacenter and CIDR checks.
// [Checker.Explain] returns the same decision with the grants behind it:
// the role path from the user to each granting role, the resource that
// held the permission, and everything consulted, which Cassandra cannot
// tell.
//
// The per-resource lookup is a [PermissionsFunc]; an embedding layer puts
// its permissions cache there (see [CheckerConfig.Permissions]) without
// this package knowing about caches. The check itself does not allocate.
//
// # Errors
//
// Client-visible errors are [*roles.Error] values with a native-protocol
// code and Cassandra's text. A decision "no" wraps [ErrDenied]; a failure
// to decide (a store or role-manager error) wraps [ErrUndecided] and the
// cause, and is never an allow; operations an authorizer does not support
// wrap [ErrUnsupported].
//
// # JMX
//
// [Checker.AuthorizeJMX] reproduces Cassandra's JMX AuthorizationProxy:
// always-denied methods, superusers, method-to-permission mapping, grants
// on exact names, patterns and the mbean root, checked against the live
// MBean registry given as a callback.
//
// # Network and CIDR
//
// [NetworkAuthorizer] ([AllowAllNetwork], [TableNetwork]) restricts the
// datacenters a role may use; [CIDRAuthorizer] ([AllowAllCIDR],
// [TableCIDR]) the CIDR groups it may connect from, with MONITOR and
// ENFORCE modes and longest-prefix matching for IPv4 and IPv6.
// [Checker.EnsureAccessChange] refuses a non-superuser changing its own
// restrictions, which Cassandra allows.
//
// # Schema changes
//
// [SchemaHooks] keep grants in step with the schema: creators get their
// automatic grants, and dropping a keyspace, table, function or role
// revokes everything granted on (or to) it.
//
// # Testing
//
// The package's tests include a model-based test (pgregory.net/rapid) that
// runs random role and grant operations against memstore and the
// table-backed role manager and compares every check with a reference
// model recomputed from scratch.
package authz
