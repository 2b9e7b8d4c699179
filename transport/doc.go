// Package transport is the codec of the CQL native protocol (the Cassandra
// binary protocol), versions 3 to 5, with the v1/v2 frame header and
// handshake messages for the legacy CREDENTIALS path. It frames, encodes
// and decodes; it holds no connection state, no authentication and no
// query logic, which the server built on it supplies.
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
// Functions are safe for concurrent use. Message values, [SegmentReader]
// and [SegmentWriter] are not: use one reader and one (serialised) writer
// per connection.
//
// # Testing
//
// The tests round-trip every message and type for each version, check
// malformed input (truncation, negative and oversized lengths, bad
// versions, CRC mismatches), use the segment test vectors of the spec
// notes, and fuzz the header, segment and message decoders (seed corpora
// under testdata/fuzz).
package transport
