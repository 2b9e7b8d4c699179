// Package authn decides who a client is: Cassandra's IAuthenticator and its
// implementations, the SASL negotiation a CQL connection runs, and the
// bcrypt policy behind passwords.
//
// # Authenticators
//
// An [Authenticator] tells the wiring whether authentication is required,
// which resources it protects, whether its configuration is valid, and what
// to announce in AUTHENTICATE ([Authenticator.ClassName]); for each
// authentication attempt it returns a fresh [Negotiator]. Optional
// capabilities report early authentication ([EarlyAuthenticator]) and the
// authentication modes ([ModeAuthenticator]); [UsesPasswords] and
// [UsesCredentialsSettings] answer the wiring's questions of spec 1.11.
//
//   - [AllowAll]: authentication off; everyone is [roles.Anonymous].
//   - [Password]: SASL PLAIN over bcrypt hashes (Cassandra's
//     PasswordAuthenticator), read through a [Hashes] source.
//   - [MutualTLS]: the client certificate's identity, mapped to a role
//     through [Identities]; [SpiffeValidator] and [CommonNameValidator]
//     extract identities.
//   - [MutualTLSWithPasswordFallback]: a certificate if the client has one,
//     else a password.
//
// After a negotiation completes, the server calls [Login], which refuses a
// role without LOGIN ("<name> is not permitted to log in").
//
// # Errors
//
// Every authentication failure is a [*roles.Error] with code BAD_CREDENTIALS
// and Cassandra's exact message, ready for the wire; its cause is a sentinel
// of this package ([ErrIncorrectCredentials], [ErrMalformedToken],
// [ErrUnavailable], ...) for errors.Is. "Could not decide" (a store failure,
// no hashing slot, a cancelled context) is always ErrUnavailable with the
// underlying error joined, never a silent rejection and never a success.
// Configuration errors have code CONFIG_ERROR.
//
// # Passwords
//
// bcrypt runs through a [Hasher]: cost 4..30 (default 10), "$2a$", "$2b$"
// and "$2y$" hashes verify, and only the first 72 bytes of a password count,
// as in the hashes Cassandra makes with jBCrypt, so hashes imported from a
// Cassandra cluster verify exactly as there. Passwords that are not valid
// UTF-8 are decoded as Java does before hashing. Beyond Cassandra:
//
//   - An unknown role, a role without a password, and a malformed stored
//     hash cost one bcrypt at the configured cost, like a wrong password,
//     and give the same message.
//   - bcrypt runs under a bounded semaphore (a quarter of the CPUs by
//     default) with a queue deadline: a login that gets no slot in time
//     fails with "Unable to perform authentication: ..." instead of piling
//     up behind the others. The role manager can share the same [Hasher].
//   - An optional [VerifiedCache] lets a repeat login skip bcrypt; read its
//     documentation for the trade-off before turning it on.
//   - More SASL mechanisms than PLAIN can be offered ([Mechanisms]).
//
// # Secrets
//
// Passwords are carried as [Secret] values and in types that redact them
// in fmt, slog and JSON output; no error message of this package contains a
// password.
//
// # Concurrency
//
// Authenticators, the [Hasher], the [VerifiedCache] and [Mechanisms] are
// safe for concurrent use. A [Negotiator] serves one attempt on one
// connection and is not (except AllowAll's, which is stateless).
//
// # Testing
//
// The tests cover every message of spec 2.2, 2.3, 2.4 and 1.10 in tables,
// fuzz the SASL PLAIN decoder (testdata/fuzz/FuzzDecodePlain holds the seed
// corpus) and the Java UTF-8 decoding, and check fixed jBCrypt vectors.
package authn
