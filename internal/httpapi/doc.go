// Package httpapi is the HTTP API of cassauth's policy server: JSON in and
// out, over an [cassauth.Auth], a [dcl.Env] and the store under them.
//
// # Endpoints
//
//	POST /v1/authenticate  {"username", "password"} -> {"role", "token", "expires_at", "expires_in"}
//	POST /v1/logout        forget the bearer token of the call (204)
//	POST /v1/execute       {"statement", "keyspace"} -> {"kind", "columns", "types", "rows", "warnings", ...}
//	POST /v1/check         {"role", "permission", "resource", "explain"} -> {"allowed", "explanation"}
//	POST /v1/import        ?format=dump|cassandra&merge=true: a JSON dump or CSV files (superusers)
//	GET  /v1/export        the store as a JSON dump (superusers)
//	POST /v1/admin/reloadssl  reload the CQL front end's TLS certificates, like nodetool reloadssl (superusers) -> {"reloaded": true}
//	GET  /healthz          {"status": "ok"}, no authentication
//	GET  /metrics          Prometheus text format, no authentication
//
// Every other /v1 call needs "Authorization: Bearer <token>" (a token from
// /v1/authenticate) or HTTP Basic credentials, which are checked like a
// login. Errors are {"error": {"code", "name", "message"}} with the
// native-protocol code of Cassandra's exception and its message; the HTTP
// status keeps a denial (403) apart from a decision that could not be made
// (503). README.md at the repository root documents each endpoint.
//
// # Tokens
//
// Tokens are 32 random bytes in unpadded base64url, held in memory (as
// SHA-256 hashes) for a configurable lifetime. Each is bound to its role
// and to a keyed fingerprint of the role's salted hash and LOGIN flag. An
// ALTER ROLE (password or LOGIN) or DROP ROLE made through the API
// re-checks the role's tokens at once, so they die even if the change is
// undone right after. A change made elsewhere (the CQL port, an import,
// another server sharing a PostgreSQL store) is caught on the token's next
// use, when the fingerprint is taken again (cached per role and dropped by
// the store's change feed when it has one); only a change undone before
// that use (LOGIN turned off and on again) goes unseen, since the role is
// then as it was. A restart forgets every token.
//
// # Hostile input
//
// Bodies must be application/json in UTF-8, at most Config.MaxBodyBytes,
// one object without unknown or duplicate members; names (roles,
// identities, resources, keyspaces, tables) are bounded by
// Config.MaxNameLength, in requests and inside statements. Every violation
// is a 4xx that changes nothing.
//
// # Metrics
//
// Each Server has its own Prometheus registry: decisions by result, logins
// by method and outcome, statements by outcome, the statistics of the seven
// auth caches, tokens held, HTTP requests and latencies by route, and Go's
// runtime and process collectors.
//
// # Client
//
// [Client] speaks the same API, for the program's --server mode.
package httpapi
