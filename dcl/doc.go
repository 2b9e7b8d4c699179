// Package dcl parses and runs the role and permission statements of CQL,
// as an authenticated user, with Cassandra's checks, order and messages:
//
//	CREATE ROLE / USER     ALTER ROLE / USER      DROP ROLE / USER
//	GRANT / REVOKE perms   GRANT / REVOKE role    LIST PERMISSIONS
//	LIST ROLES             LIST USERS             LIST SUPERUSERS
//	ADD IDENTITY           DROP IDENTITY          USE
//
// and, as declarations of names for standalone use, CREATE and DROP of
// KEYSPACE, TABLE and FUNCTION.
//
// # Running statements
//
// [Execute] parses a text of one or more statements separated by semicolons
// and runs them in order against an [Env] (the role manager, authorizer,
// access check, network and CIDR authorizers, schema hooks and schema) as
// the user of a [Session]. Each statement runs Cassandra's three steps in
// Cassandra's order: authorize, validate, execute; so when several errors
// apply, the client sees the one Cassandra would. Results are [Result]
// values shaped like Cassandra's: LIST statements return rows with
// Cassandra's keyspace, table, column names and types (and Void when
// nothing matches), GRANT and REVOKE carry Cassandra's client warnings.
//
// Every change goes through the Env's parts, so an embedding layer that
// hands in cached parts sees its caches invalidated by the writes it makes.
//
// # Parsing
//
// [Parse] follows Cassandra's grammar (Parser.g, Lexer.g): case-insensitive
// keywords, unreserved keywords usable as names, double-quoted names and
// single-quoted string literals (a doubled quote inside stands for one),
// $$...$$ strings, and -- // /* */ comments. Role names follow spec 10.1 (unquoted names fold to lower case;
// USER statements and identities keep names verbatim). GRANT and REVOKE
// narrow their permissions to those the resource supports, and refuse a set
// of which none applies, as Cassandra's parser does. Every resource syntax
// of Cassandra is accepted: ALL KEYSPACES, KEYSPACE ks, ALL TABLES IN
// KEYSPACE ks, [TABLE] [ks.]t, ALL ROLES, ROLE r, ALL FUNCTIONS [IN KEYSPACE
// ks], FUNCTION ks.f(types), ALL MBEANS, MBEAN 'name' and MBEANS 'pattern'.
//
// # Errors
//
// Errors are [*roles.Error] values carrying the native-protocol code of
// Cassandra's exception (syntax error, unauthorized, invalid, configuration
// error, already exists, server error) and Cassandra's exact message, typos
// included, so a CQL server can send them unchanged. Syntax errors also
// hold a [*SyntaxError] with the line, column and offending token; their
// messages follow ANTLR's and Cassandra's ErrorCollector format ("line 1:12
// no viable alternative at input 'x' (...snippet [x]...)"). Failures of the
// store and the authorizers are returned as those parts report them: a
// statement never reports success for a change it could not make.
//
// Deliberate differences from Cassandra: a non-superuser may not change
// its own ACCESS TO DATACENTERS or ACCESS FROM CIDRS (Cassandra lets a
// restricted role lift its own restriction); a syntax error at the end of
// the input gives its real position rather than ANTLR's "line 0:-1".
//
// # Schema
//
// GRANT on a keyspace, table or function that does not exist fails as in
// Cassandra, given a [Schema] that says what exists; an embedding server
// implements it over its schema. For standalone use, [NewStoreCatalog]
// keeps a catalog of names in a store with the store.Catalog capability,
// and the CREATE/DROP statements declare names in it, with Cassandra's
// permission checks, the creator's automatic grants (spec 10.4) and the
// revocations that follow a drop (spec 10.5).
//
// # Concurrency
//
// Parse, Execute and ExecuteStatement are safe for concurrent use; an Env
// is only read. A [Session] belongs to one connection and is not safe for
// concurrent use.
//
// # Testing
//
// testdata/golden holds CQL scripts with the expected rows or error after
// each statement, written from the spec and from Cassandra's auth dtests;
// TestGolden runs them all. FuzzParse checks that no input makes the
// parser panic, that what parses renders back to the same statements, and
// that a text that fails to parse changes nothing when executed.
package dcl
