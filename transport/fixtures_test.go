package transport

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Wire fixtures of the messages the drivers exchange in the connect
// sequences of shared/spec/cql-drivers.md (sections 1, 3, 4 and 6). They
// were assembled with a separate Python script written from the protocol
// spec and the Python driver's segment.py (CRC24 and seeded CRC32), not
// with this package, so they check its layout independently. They are not
// captures: the drivers' STARTUP key order is not recorded, so the maps
// are in sorted order (key order does not matter to decoders).
var frameFixtures = []struct {
	name string
	hex  string
	want Message
	ver  Version
	strm int16
}{
	{
		name: "Python 3.25.0 STARTUP, v5 stream 1 (echoes the server's CQL_VERSION)",
		hex: "0500000101000000530003000b43514c5f56455253494f4e0005332e342e37000b4452495645525f4e414d4500164461746153" +
			"7461782050797468 6f6e20447269766572000e4452495645525f56455253494f4e0006332e32352e30",
		want: &Startup{Options: map[string]string{"CQL_VERSION": "3.4.7", "DRIVER_NAME": "DataStax Python Driver", "DRIVER_VERSION": "3.25.0"}},
		ver:  V5, strm: 1,
	},
	{
		name: "gocql 1.7.0 STARTUP, v4 stream 64",
		hex: "0400004001000000650003000b43514c5f56455253494f4e0005332e302e30000b4452495645525f4e414d4500286769746875622e" +
			"636f6d2f6170616368652f63617373616e6472612d676f63716c2d647269766572000e4452495645525f56455253494f4e000676312e372e30",
		want: &Startup{Options: map[string]string{"CQL_VERSION": "3.0.0", "DRIVER_NAME": "github.com/apache/cassandra-gocql-driver", "DRIVER_VERSION": "v1.7.0"}},
		ver:  V4, strm: 64,
	},
	{
		name: "gocql LIST ROLES: QUORUM, flags 0x24 ([byte]), page size 5000, timestamp",
		hex:  "04000001070000001d0000000a4c49535420524f4c45530004240000138800064468c30d9a00",
		want: &Query{Query: "LIST ROLES", Params: QueryParams{Consistency: Quorum, Flags: QueryPageSize | QueryDefaultTimestamp,
			PageSize: 5000, Timestamp: 1764066600000000}},
		ver: V4, strm: 1,
	},
	{
		name: "Python LIST ROLES: LOCAL_ONE, flags 0x24 ([int] in v5)",
		hex:  "0500000407000000200000000a4c49535420524f4c4553000a000000240000138800064468c30d9a00",
		want: &Query{Query: "LIST ROLES", Params: QueryParams{Consistency: LocalOne, Flags: QueryPageSize | QueryDefaultTimestamp,
			PageSize: 5000, Timestamp: 1764066600000000}},
		ver: V5, strm: 4,
	},
	{
		name: "Cassandra's answer to the 0x42 probe: ERROR 0x000A, v4 response header, stream 0",
		hex: "8400000000000000570000000a0051496e76616c6964206f7220756e737570706f727465642070726f746f636f6c2076657273696f6e" +
			"20283636293b20737570706f727465642076657273696f6e73206172652028342f76342c20352f763529",
		want: &ErrorResponse{Code: CodeProtocolError, Message: UnsupportedVersionMessage(66, []Version{V4, V5})},
		ver:  V4, strm: 0,
	},
}

func TestFrameFixtures(t *testing.T) {
	for _, fx := range frameFixtures {
		t.Run(fx.name, func(t *testing.T) {
			wire := unhex(t, fx.hex)
			f, err := ReadFrame(bytes.NewReader(wire), 0)
			require.NoError(t, err)
			assert.Equal(t, fx.ver, f.Header.Version)
			assert.Equal(t, fx.strm, f.Header.Stream)
			env, err := DecodeEnvelope(f)
			require.NoError(t, err)
			assert.Equal(t, fx.want, env.Message)
			enc, err := EncodeFrame(nil, fx.ver, fx.strm, fx.want)
			require.NoError(t, err)
			assert.Equal(t, wire, enc)
		})
	}
}

func TestSegmentFixtures(t *testing.T) {
	cases := []struct {
		name string
		hex  string
		want Message
	}{
		{
			// After AUTHENTICATE the Python driver frames its first
			// AUTH_RESPONSE (PlainTextAuthenticator: \0user\0password).
			name: "Python AUTH_RESPONSE in a v5 segment",
			hex:  "21000221628d050000020f00000018000000140063617373616e6472610063617373616e647261c59c7a7e",
			want: &AuthResponse{Token: []byte("\x00cassandra\x00cassandra")},
		},
		{
			// Cassandra's PLAIN success: AUTH_SUCCESS with a null token.
			name: "AUTH_SUCCESS null in a v5 segment",
			hex:  "0d0002cf07f7850000021000000004ffffffff010826a8",
			want: &AuthSuccess{},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wire := unhex(t, c.hex)
			f, err := NewSegmentReader(bytes.NewReader(wire), 0).ReadFrame()
			require.NoError(t, err)
			env, err := DecodeEnvelope(f)
			require.NoError(t, err)
			assert.Equal(t, c.want, env.Message)
			var out bytes.Buffer
			enc, err := EncodeFrame(nil, V5, 2, c.want)
			require.NoError(t, err)
			_, err = NewSegmentWriter(&out).Write(enc)
			require.NoError(t, err)
			assert.Equal(t, wire, out.Bytes())
		})
	}
}

func TestVersionProbeFixture(t *testing.T) {
	// The Python driver's first OPTIONS on a default cluster: version 0x42.
	_, err := ReadFrame(bytes.NewReader(unhex(t, "420000000500000000")), 0)
	var ve *VersionError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, 66, ve.Version)
}
