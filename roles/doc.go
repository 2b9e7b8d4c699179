// Package roles is cassauth's role management: the [Manager] interface
// (Cassandra's IRoleManager), the table-backed manager [Table] (Cassandra's
// CassandraRoleManager) over a [store.Store], the authenticated [User] type,
// and the native-protocol [Error] every auth layer returns to clients.
//
// # Roles and memberships
//
// A role has its own SUPERUSER and LOGIN flags and, with a password
// authenticator, a bcrypt hash. GRANT r TO g makes g a member of r: g
// inherits r's permissions and superuser status, transitively. LOGIN is
// never inherited, and [Manager.IsSuper] is a role's own flag; superuser
// status through granted roles is [HasSuperuserStatus].
//
// [Table.Roles] and [Table.RoleDetails] return a role's closure, the role
// itself first. RoleDetails is on the access path below the caches: it reads
// one row per role of the closure and allocates little (see the benchmarks).
// Grants that would repeat a membership (directly or through inheritance),
// grant a role to itself or close a cycle fail with "%s is a member of %s";
// revoking a role that is not granted directly fails with "%s is not a
// member of %s", except that REVOKE r FROM r is a silent no-op, as in
// Cassandra.
//
// # Options
//
// [Table.SupportedOptions] and [Table.AlterableOptions] depend on
// [Config.PasswordAuthentication], as Cassandra's depend on whether the
// authenticator is a PasswordAuthenticator. [ValidateOptions] reproduces
// Cassandra's RoleOptions.validate messages. PASSWORD is hashed by the
// configured [Hasher]; HASHED PASSWORD is stored verbatim after validation.
// [Options] and [DefaultRole] redact their secrets in fmt and slog output.
//
// # Errors
//
// Client-visible errors are [*Error] values with Cassandra's text and the
// native-protocol code of the Java exception (InvalidRequestException is
// [CodeInvalid]; IllegalStateException, thrown by Cassandra for identity
// conflicts, reaches clients as [CodeServerError]). Errors caused by a
// missing or existing row wrap [store.ErrNotFound] or [store.ErrExists], so
// the DCL layer can tell them apart with errors.Is. A store failure is
// returned as is (or, from the checks IsSuper, CanLogin and
// HasSuperuserStatus, wrapped as CodeUnauthorized with Cassandra's "Unable to
// perform authorization of ..." text): callers fail closed.
//
// Messages of the statements ("Role %s doesn't exist" when checked up
// front, "Only superusers can ...") belong to the DCL layer; the manager uses
// the same texts when it finds the condition itself. Cassandra's "Invalid
// metadata has been detected for role %s" cannot occur: the store's records
// are typed, so a role's flags are never null.
//
// # Default superuser
//
// [Table.Setup] creates Cassandra's default superuser, "cassandra" with the
// password "cassandra", when no role exists, and logs "Created default
// superuser role 'cassandra'" at INFO plus, unlike Cassandra, a WARN that the
// well-known password must be replaced. An embedding server supplies its own
// first role with [Config.DefaultRole] or turns the behaviour off with
// [Config.DisableDefaultSuperuser]. Setup is idempotent and safe to race.
//
// # Concurrency
//
// [Table] is safe for concurrent use. It caches nothing and takes no lock
// on its read paths. Grants through one Table are serialized (a wait that
// honours ctx), so that two concurrent grants cannot close a cycle; no
// other call waits for another, and no wait spans bcrypt.
//
// # Testing
//
// Every [Manager] implementation should pass the role manager suite of the
// conformance package; the tests here also check the Table against a
// reference model of the role graph with rapid.
package roles
