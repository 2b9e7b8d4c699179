// Package pgstore is the PostgreSQL backend of the storage contract in
// package store: the system_auth tables in one schema of a database that
// many processes share, on github.com/jackc/pgx/v5 (a connection pool),
// with a change feed across processes by LISTEN/NOTIFY.
//
// # Semantics
//
// A [Store] implements [store.Store] with the same readings as
// store/memstore, the reference backend, and passes
// conformance.TestStore, ChangeFeed and Catalog included. Every method is
// one statement or one transaction, so multi-row changes (DropRole,
// GrantRole, RevokeAllFrom, ...) are atomic; reads run one statement each
// (READ COMMITTED), so each sees a consistent snapshot. Results are sorted
// in byte order (keys are text COLLATE "C"); writes with empty keys fail
// with [store.ErrInvalid]; writes that change nothing write and report
// nothing. A done context is checked before any I/O, and pgx honours it
// during the call.
//
// # Tables
//
// Open creates the schema (Options.Schema, default "cassauth") and its
// tables when they do not exist:
//
//	table                            key                  columns
//	roles                            role                 is_superuser, can_login, salted_hash (NULL: none), member_of text[], options jsonb
//	role_members                     (role, member)       -
//	role_permissions                 (role, resource)     permissions text[] of enum names, never empty
//	resource_role_permissions_index  (resource, role)     - (references its role_permissions row, ON DELETE CASCADE)
//	network_permissions              role (bare name)     dcs text[] ('{}': all)
//	cidr_permissions                 role                 cidr_groups text[] ('{}': all)
//	cidr_groups                      cidr_group           cidrs inet[] (prefixes as given, host bits kept)
//	identity_to_role                 identity             role (indexed)
//	schema_objects                   name                 - (the store.Catalog)
//	schema_version                   -                    version (one row)
//
// The index fixes Cassandra's spelling ("permissons"); its foreign key
// makes the database itself keep the index from outliving a grant.
// Permissions are stored as Cassandra stores them, a set of enum names
// ('SELECT', 'MODIFY', ...) with a CHECK constraint, rather than as a bit
// set: the rows read the same in psql as LIST PERMISSIONS, tools can copy
// them to and from a real system_auth, and the meaning of a row does not
// hang on the ordinals of a Go enum. Parsing a few names costs well under
// a microsecond against a round trip of tens. A name this build does not
// know is reported as [ErrCorrupt], never guessed.
//
// PostgreSQL's text holds valid UTF-8 without NUL bytes, and btree keys up
// to about 2.7 kB: writes of other strings fail with [store.ErrInvalid]
// (with PostgreSQL's error, when it is the one refusing), and reads of them
// answer "not there".
//
// # Schema versions
//
// schema_version records the version of the tables. Open refuses a schema
// newer than [SchemaVersion] with [ErrUnsupportedVersion], leaving it
// untouched, and migrates an older one step by step in one transaction
// under an advisory lock, so that processes starting together migrate
// once and a failed step changes nothing. A schema that holds tables but
// no schema_version is not adopted ([ErrCorrupt]).
//
// # Concurrency
//
// Grants and revokes lock the grant's row (SELECT ... FOR UPDATE), so
// concurrent ones, from any process, neither lose each other's permissions
// nor both report the same permission as added. Writes of roles and
// role_members (create, alter, drop, grant and revoke of roles) take a
// transaction-scoped advisory lock per schema: they run one at a time
// across all processes, which keeps DropRole's multi-row clean-up free of
// races and deadlocks at a cost that only DCL pays. A transaction that
// still meets a deadlock or a serialization failure is run again, up to 5
// times.
//
// # Change feed
//
// A Store implements [store.ChangeFeed] across processes. A write sends
// its Change with pg_notify inside its transaction, so other processes
// hear of it exactly when it commits; it carries the schema and a random
// origin id of the Store. The writing Store delivers the Change to its own
// subscribers after the commit, before the write returns, and ignores its
// own notification when it comes back. A dedicated connection per Store,
// outside the pool, LISTENs on Options.NotifyChannel and delivers other
// Stores' changes of the same schema on its goroutine, typically within a
// millisecond of the commit (see the benchmarks). The fan-out to roles that
// inherit from a changed role is the subscriber's job, as with every
// backend: the Change names the roles whose rows changed.
//
// When that connection drops, the feed delivers [store.ChangeReset],
// reconnects with backoff (50 ms doubling to 5 s), and delivers another
// ChangeReset once it listens again, since changes may have committed in
// between; it pings a quiet connection every 15 s to notice one that died
// silently. A change whose notification would exceed PostgreSQL's 8000
// bytes reaches other processes as a ChangeReset. While the feed is down,
// the caches' validity and refresh intervals bound how stale they get, as
// in Cassandra; [Store.FeedConnected] tells a health check. With
// Options.DisableFeed the store neither sends nor hears notifications.
//
// # Errors
//
// Errors are [*store.Error] values. Their Err joins the contract's
// sentinel, when one applies, and PostgreSQL's error, so [errors.Is]
// matches [store.ErrNotFound], [store.ErrExists] (a unique violation),
// [store.ErrInvalid], [store.ErrClosed] or the context's error, and
// [errors.As] still reaches the *pgconn.PgError. A call cut off by its
// context matches the context's error and no sentinel, so it is never
// taken for an answer. Any other error means the store could not answer:
// callers fail closed. Errors and logs never carry the DSN.
//
// # Testing
//
// The package passes conformance.TestStore against a real server:
// internal/pgtest starts a throwaway PostgreSQL from the installed binaries
// (skipped with a hint when they are missing, a failure when CI=true).
package pgstore
