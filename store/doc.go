// Package store is the storage contract of cassauth: small interfaces shaped
// like Cassandra's system_auth keyspace, the records they exchange, sentinel
// errors and optional capabilities. It holds no logic; the roles, authz and
// authn packages add validation, caching and Cassandra's semantics on top,
// so that backends stay small (as database/sql/driver is to database/sql).
//
// # Tables
//
//	system_auth table                    interface
//	roles                                [Roles]
//	role_members (+ roles.member_of)     [Memberships]
//	role_permissions (+ resource index)  [Permissions]
//	network_permissions                  [Network]
//	cidr_permissions, cidr_groups        [CIDR]
//	identity_to_role                     [Identities]
//
// A [Store] embeds them all. Multi-row changes that Cassandra writes in one
// logged batch (granting a role, dropping a role, revoking everything on a
// resource or from a role) are single atomic methods here. Where Cassandra
// leaves debris behind, the contract keeps the tables consistent: a partial
// revoke keeps its index row, and dropping a role removes it from every
// parent's member list as well as from its members'.
//
// # Errors
//
// Backends wrap failures in [*Error] (or with %w) so that [errors.Is] matches
// [ErrNotFound], [ErrExists], [ErrClosed] and [ErrInvalid], and [errors.As]
// still reaches the backend's native error. Any other error means the store
// could not answer: callers fail closed.
//
// # Capabilities
//
// A backend that can report changes implements [ChangeFeed]; caches subscribe
// to it and invalidate what changed. Find it with a type assertion.
//
// # Backends
//
// store/memstore keeps everything in memory (the reference backend),
// store/boltstore in one file on disk (the default on-disk store), and
// store/pgstore in PostgreSQL, shared by many processes, with a change feed
// carried by LISTEN/NOTIFY. store/dump moves data between stores and imports
// Cassandra's own system_auth CSV exports.
//
// # Testing
//
// Every backend should pass conformance.TestStore.
package store
