// Package transport is the CQL native-protocol front end of cassauth
// (Cassandra's own name for this layer): the codec of protocol versions 1
// to 5, and a [Server] that speaks it to the Cassandra drivers with
// Cassandra's handshake, SASL authentication through the [authn]
// negotiators, client TLS, and statements routed to a [Handler].
//
// # Server
//
// [NewServer] takes a [Config]: the auth subsystem ([Auth], implemented
// by *cassauth.Auth), a [Handler] (nil: cassauth's own, [NewHandler]),
// client TLS ([TLSConfig]), protocol v1 for legacy clients (off by
// default), limits, the node description of system.local and a logger.
// [Server.Serve] serves a listener, [Server.ListenAndServe] the configured
// ports; [Server.Shutdown] drains and [Server.Close] stops everything.
//
// A connection follows Cassandra's ServerConnection:
//
//   - The first frame fixes the protocol version. Versions 4 and 5 are
//     served (and 1 with Config.EnableProtocolV1); any other gets ERROR
//     0x000A "Invalid or unsupported protocol version (%d); supported
//     versions are (4/v4, 5/v5)" on stream 0, unframed, in a v4 header
//     (v1 and v2 get their own version back), then the connection closes.
//     The DSE probes 0x41 and 0x42, which every default Python client
//     sends first, are rejected without a log line.
//   - OPTIONS is answered with SUPPORTED (CQL_VERSION, COMPRESSION
//     empty, PROTOCOL_VERSIONS) in every state, also as a heartbeat.
//   - STARTUP is checked as Cassandra does (CQL_VERSION present and at
//     least 3.0.0, no compression); then READY when the authenticator
//     requires no authentication (the user is roles.Anonymous),
//     AUTHENTICATE with the authenticator's Java class name otherwise, or,
//     for an authenticator with early authentication whose negotiator asks
//     for no AUTHENTICATE (mutual TLS), the outcome of the negotiation at
//     once. A v5 connection switches to segments right after writing READY
//     or AUTHENTICATE.
//   - AUTH_RESPONSE feeds the negotiator; once complete the role's LOGIN
//     flag is checked ([authn.Login]) and AUTH_SUCCESS carries the final
//     token (null for PLAIN). A failure is ERROR 0x0100 with Cassandra's
//     message and the connection stays open for another attempt. An
//     AUTH_CHALLENGE is sent only when the negotiator returns one before
//     completing, never to PLAIN (gocql panics on it). On protocol v1,
//     CREDENTIALS goes through the authenticator's credentials map.
//   - Other messages before the login are ERROR 0x000A with Cassandra's
//     "Unexpected message %s, expecting STARTUP or OPTIONS" (or "...
//     expecting SASL_RESPONSE"); REGISTER is answered READY (no events
//     are ever pushed); QUERY, PREPARE, EXECUTE and BATCH go to the
//     handler.
//
// Requests run concurrently, at most Config.MaxRequestsPerConnection per
// connection, and each response is written whole on its request's stream
// as soon as it is ready, so pipelined requests are answered out of order
// and a slow bcrypt never holds up a heartbeat. A malformed body is
// answered on its stream and the connection goes on; a frame too large is
// skipped and answered Invalid; an unreadable header or segment closes the
// connection.
//
// Beyond Cassandra: OPTIONS is also accepted while authentication is in
// progress (Cassandra refuses it there), and a handler panic becomes a
// Server_error instead of killing the process.
//
// # Handlers
//
// A [Handler] runs QUERY, PREPARE and EXECUTE for an authenticated
// [Session]; errors become ERROR responses with the codes of
// [roles.Error] ([ErrorResponseFor]). cassauth's [AuthHandler] runs the
// role and permission statements through [dcl], USE, and SELECT over
// read-only tables: system.local (one row describing this node, with the
// address the client connected to), system.peers and system.peers_v2
// (empty), the system_schema and system_virtual_schema tables the drivers
// read (empty), and system_auth.roles, role_members and role_permissions,
// read through the role manager and the authorizer and guarded by
// Cassandra's SELECT permission check. Its SELECT evaluator covers
// projection, aliases, equality restrictions (ALLOW FILTERING off the
// primary key), LIMIT and bind markers; prepared statements have
// Cassandra's ids (MD5 of keyspace and query) and unknown ids are
// Unprepared. Everything else goes to HandlerConfig.Next, the embedding
// server's handler; without one, it is an Invalid or Syntax_error, never a
// protocol error.
//
// # TLS
//
// [TLSConfig] mirrors client_encryption_options with PEM files: enabled,
// optional (TLS and plain text on one port, told apart by the first
// byte), require_client_auth, accepted protocols (TLS 1.2 and later by
// default) and cipher suites, and a separate TLS port (Config.SSLAddr).
// The files are checked for changes every ReloadInterval (10 minutes by
// default) and on [Server.ReloadTLS] (nodetool reloadssl; the program
// wires SIGHUP to it); new connections use the new certificates. The
// verified client chain reaches the authenticator's negotiator, so the
// mutual-TLS authenticators log clients in by certificate.
//
// # Codec
//
// The rest of the package frames, encodes and decodes, for the server
// and for test clients alike.
//
// # Frames
//
// [ReadFrame] reads one frame (header and raw body) from a connection and
// [WriteFrame] writes one. [DecodeEnvelope] turns a [Frame] into an
// [Envelope]: it checks the opcode against the direction bit and version,
// strips the tracing id, warnings and custom payload the header flags
// announce, and decodes the [Message]. [EncodeFrame] builds a complete
// frame from a message, which is how a server replies:
//
//	f, err := transport.ReadFrame(conn, 0)
//	env, err := transport.DecodeEnvelope(f)
//	switch m := env.Message.(type) {
//	case *transport.Startup: ...
//	}
//	buf, err = transport.EncodeFrame(buf[:0], f.Header.Version, f.Header.Stream, &transport.Ready{})
//	_, err = w.Write(buf)
//
// # Protocol v5 segments
//
// In v5, once the server has written READY or AUTHENTICATE in answer to
// STARTUP, both directions wrap envelopes in CRC-protected segments
// (uncompressed format only; advertise no compression). Switch the
// connection's reader to [SegmentReader.ReadFrame] and its writer to a
// [SegmentWriter]: since [SegmentWriter.Write] accepts whole encoded
// envelopes, the reply path stays the same io.Writer code. The header CRC24
// (init 0x875060, polynomial 0x1974F0B, header bytes fed least significant
// first) and the payload CRC32 (IEEE, primed with the bytes FA 2D 55 CA)
// follow Cassandra and the drivers.
//
// # Messages
//
// Requests: [Options], [Startup], [AuthResponse], [Credentials] (v1),
// [Register], [Query], [Prepare], [Execute], [Batch]. Responses:
// [ErrorResponse], [Ready], [Authenticate], [Supported], [AuthChallenge],
// [AuthSuccess], [Event], and the RESULT kinds [VoidResult], [RowsResult],
// [SetKeyspaceResult], [PreparedResult], [SchemaChangeResult]. Every type
// encodes and decodes both ways, so the package also serves test clients.
// Column types are [Type] values ([ParseType] reads their CQL form);
// [Marshal] and [Unmarshal] convert cell values.
//
// # Errors
//
// Decoders never panic and return errors matchable with [errors.Is] and
// [errors.As]. How Cassandra answers each:
//
//	*VersionError         ERROR 0x000A UnsupportedVersionMessage(...), stream 0,
//	                      header version = one the server speaks; then close
//	*FrameTooLargeError   ERROR 0x2200 with err.Error() on err.Header.Stream;
//	                      skip the body and go on
//	*OpcodeError          ERROR 0x000A on the frame's stream
//	*DecodeError          ERROR 0x000A on the frame's stream (header or segment
//	                      errors: close the connection)
//	*CRCError             close the connection (see SegmentReader.ReadFrame)
//
// Note that the Python driver drops a connection that receives 0x000A in
// answer to a request; statement-level problems are 0x2000 or 0x2200.
//
// # Limits
//
// Frames are limited to [DefaultMaxFrameSize] (16 MiB, Cassandra's
// native_transport_max_frame_size) unless configured otherwise, and never
// beyond the protocol's 256 MiB; the limit also applies to v5 envelopes
// reassembled from segments. No decoder allocates from a length or count
// field before checking it against the limit or against the bytes that
// remain, and frame bodies are allocated as their bytes arrive.
//
// # Concurrency
//
// Functions, [Server], [AuthHandler] and [Session] are safe for
// concurrent use. Message values, [SegmentReader] and [SegmentWriter] are
// not: use one reader and one (serialised) writer per connection.
//
// # Testing
//
// The codec tests round-trip every message and type for each version,
// check malformed input (truncation, negative and oversized lengths, bad
// versions, CRC mismatches), use the segment test vectors of the spec
// notes, and fuzz the header, segment and message decoders. The server
// tests drive a server over loopback with a small client built on the
// codec (version negotiation, handshake, logins, pipelining, v5 segments,
// DCL, the system and auth tables, PREPARE/EXECUTE, protocol v1, TLS with
// mutual authentication and reloads, shutdown and goroutine leaks);
// FuzzServerConn feeds arbitrary bytes to a connection. Seed corpora live
// under testdata/fuzz. Real-driver tests live in the interop module.
package transport
