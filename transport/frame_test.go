package transport

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	require.NoError(t, err)
	return b
}

func TestParseHeader(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Header
	}{
		{"v4 OPTIONS request", "04 00 0000 05 00000000", Header{Version: V4, Opcode: OpOptions}},
		{"v5 response stream -1", "85 08 ffff 0c 0000002a", Header{Version: V5, Response: true, Flags: FlagWarning, Stream: -1, Opcode: OpEvent, Length: 42}},
		{"v3 max stream", "03 02 7fff 07 7fffffff", Header{Version: V3, Flags: FlagTracing, Stream: 32767, Opcode: OpQuery, Length: 1<<31 - 1}},
		{"v1 8-byte header", "01 00 05 04 00000010", Header{Version: V1, Stream: 5, Opcode: OpCredentials, Length: 16}},
		{"v2 negative stream", "82 00 ff 00 00000000", Header{Version: V2, Response: true, Stream: -1, Opcode: OpError}},
		{"unknown opcode is not checked here", "04 00 0001 ff 00000000", Header{Version: V4, Stream: 1, Opcode: 0xff}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := unhex(t, c.in)
			h, err := ParseHeader(b)
			require.NoError(t, err)
			assert.Equal(t, c.want, h)
			assert.Equal(t, len(b), h.Size())
			enc, err := h.AppendBinary(nil)
			require.NoError(t, err)
			assert.Equal(t, b, enc)
		})
	}
}

func TestParseHeaderErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrTruncated},
		{"v4 short", "04 00 0000 05 000000", ErrTruncated},
		{"v1 short", "01 00 00 05 0000", ErrTruncated},
		{"version 0", "00 00 0000 05 00000000", ErrUnsupportedVersion},
		{"version 6", "06 00 0000 05 00000000", ErrUnsupportedVersion},
		{"DSE v1 probe 0x41", "41 00 0000 05 00000000", ErrUnsupportedVersion},
		{"DSE v2 probe 0x42", "42", ErrUnsupportedVersion},
		{"negative length", "04 00 0000 07 80000000", ErrInvalidLength},
		{"length -1", "04 00 0000 07 ffffffff", ErrInvalidLength},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseHeader(unhex(t, c.in))
			assert.ErrorIs(t, err, c.want)
			assert.ErrorIs(t, err, ErrProtocol)
		})
	}
	var ve *VersionError
	_, err := ParseHeader([]byte{0xc2})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, &VersionError{Version: 0x42, Response: true}, ve)
}

func TestHeaderEncodeErrors(t *testing.T) {
	for name, h := range map[string]Header{
		"unknown version": {Version: 7},
		"negative length": {Version: V4, Length: -1},
		"huge length":     {Version: V4, Length: 1 << 31},
		"v2 stream":       {Version: V2, Stream: 128},
		"v1 stream":       {Version: V1, Stream: -129},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := h.AppendBinary([]byte{1})
			assert.ErrorIs(t, err, ErrUnencodable)
			assert.Equal(t, []byte{1}, b)
		})
	}
}

func TestReadFrame(t *testing.T) {
	body := []byte("\x00\x01\x00\x0bCQL_VERSION\x00\x053.0.0")
	f := &Frame{Header: Header{Version: V4, Stream: 1, Opcode: OpStartup}, Body: body}
	var buf bytes.Buffer
	require.NoError(t, WriteFrame(&buf, f))
	require.NoError(t, WriteFrame(&buf, &Frame{Header: Header{Version: V4, Stream: 2, Opcode: OpOptions}}))
	r := iotest.OneByteReader(&buf) // ReadFrame must cope with short reads
	got, err := ReadFrame(r, 0)
	require.NoError(t, err)
	assert.Equal(t, Header{Version: V4, Stream: 1, Opcode: OpStartup, Length: len(body)}, got.Header)
	assert.Equal(t, body, got.Body)
	got, err = ReadFrame(r, 0)
	require.NoError(t, err)
	assert.Equal(t, int16(2), got.Header.Stream)
	assert.Empty(t, got.Body)
	_, err = ReadFrame(r, 0)
	assert.Equal(t, io.EOF, err, "a clean end between frames is io.EOF")
}

func TestReadFrameErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		max  int
		want error
	}{
		{"empty", "", 0, io.EOF},
		{"header cut", "04 00 00", 0, io.ErrUnexpectedEOF},
		{"body cut", "04 00 0000 0f 00000004 0000", 0, io.ErrUnexpectedEOF},
		{"negative length", "04 00 0000 0f ffffffff", 0, ErrInvalidLength},
		{"unsupported version", "42 00 0000 05 00000000", 0, ErrUnsupportedVersion},
		{"too large for max", "04 00 0003 07 00000100", 100, ErrFrameTooLarge},
		{"too large for default", "04 00 0003 07 01000000", 0, ErrFrameTooLarge},
		{"max is clamped to 256 MiB", "04 00 0003 07 7fffffff", 1 << 40, ErrFrameTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(unhex(t, c.in)), c.max)
			assert.ErrorIs(t, err, c.want)
		})
	}
}

// TestReadFrameTooLargeRecovery: after a FrameTooLargeError the caller can
// skip the body and read the next frame, as Cassandra does.
func TestReadFrameTooLargeRecovery(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteFrame(&buf, &Frame{Header: Header{Version: V4, Stream: 9, Opcode: OpQuery}, Body: make([]byte, 200)}))
	require.NoError(t, WriteFrame(&buf, &Frame{Header: Header{Version: V4, Stream: 10, Opcode: OpOptions}}))
	_, err := ReadFrame(&buf, 100)
	var tl *FrameTooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, int16(9), tl.Header.Stream)
	assert.Equal(t, "Request is too big: length 209 exceeds maximum allowed length 100.", tl.Error())
	_, err = io.CopyN(io.Discard, &buf, int64(tl.Header.Length))
	require.NoError(t, err)
	f, err := ReadFrame(&buf, 100)
	require.NoError(t, err)
	assert.Equal(t, int16(10), f.Header.Stream)
}

// claimReader serves a header claiming a large body, then a few bytes,
// then EOF; it records how much it was asked to fill.
type claimReader struct {
	data    []byte
	maxRead int
}

func (c *claimReader) Read(p []byte) (int, error) {
	c.maxRead = max(c.maxRead, len(p))
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.data)
	c.data = c.data[n:]
	return n, nil
}

// TestReadFrameAllocatesWithData: a header claiming 200 MiB followed by a
// few bytes must not make the reader allocate 200 MiB.
func TestReadFrameAllocatesWithData(t *testing.T) {
	hdr, err := Header{Version: V4, Opcode: OpQuery, Length: 200 << 20}.AppendBinary(nil)
	require.NoError(t, err)
	r := &claimReader{data: append(hdr, "abc"...)}
	_, err = ReadFrame(r, MaxFrameSizeLimit)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.LessOrEqual(t, r.maxRead, bodyChunk)
}

func TestReadFrameLargeBody(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 350_000) // 3.5 MB, several growth steps
	var buf bytes.Buffer
	require.NoError(t, WriteFrame(&buf, &Frame{Header: Header{Version: V5, Opcode: OpQuery}, Body: body}))
	f, err := ReadFrame(&buf, 0)
	require.NoError(t, err)
	assert.Equal(t, body, f.Body)
}

func TestWriteFrameErrors(t *testing.T) {
	err := WriteFrame(io.Discard, &Frame{Header: Header{Version: 0}})
	assert.ErrorIs(t, err, ErrUnencodable)
	err = WriteFrame(errWriter{}, &Frame{Header: Header{Version: V4}})
	assert.EqualError(t, err, "write failed")
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("write failed") }

func TestDecodeEnvelopeOpcodeErrors(t *testing.T) {
	cases := []struct {
		name string
		h    Header
		want string
	}{
		{"unknown", Header{Version: V4, Opcode: 0x11}, "Unknown opcode 17"},
		{"response sent as request", Header{Version: V4, Opcode: OpResult}, "Wrong protocol direction (expected RESPONSE, got REQUEST) for opcode 8 (RESULT)"},
		{"request sent as response", Header{Version: V4, Response: true, Opcode: OpQuery}, "Wrong protocol direction (expected REQUEST, got RESPONSE) for opcode 7 (QUERY)"},
		{"credentials after v1", Header{Version: V4, Stream: 3, Opcode: OpCredentials}, "Opcode 4 (CREDENTIALS) is not supported in protocol version 4/v4"},
		{"prepare in v2", Header{Version: V2, Opcode: OpPrepare}, "Opcode 9 (PREPARE) is not supported in protocol version 2/v2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeEnvelope(&Frame{Header: c.h})
			var oe *OpcodeError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, c.want, oe.Message)
			assert.Equal(t, c.h.Stream, oe.Stream)
			assert.ErrorIs(t, err, ErrProtocol)
		})
	}
}

func TestDecodeEnvelopeBodyErrors(t *testing.T) {
	cases := []struct {
		name   string
		h      Header
		body   string
		want   error
		offset int
	}{
		{"custom payload in v3", Header{Version: V3, Flags: FlagCustomPayload, Opcode: OpQuery}, "0000", ErrInvalidValue, 0},
		{"warnings in v3", Header{Version: V3, Response: true, Flags: FlagWarning, Opcode: OpReady}, "0000", ErrInvalidValue, 0},
		{"tracing id cut", Header{Version: V4, Response: true, Flags: FlagTracing, Opcode: OpReady}, "0102", ErrTruncated, 0},
		{"offset counts the prefix", Header{Version: V4, Flags: FlagCustomPayload, Opcode: OpQuery}, "0000 00000009 41", ErrTruncated, 6},
		{"negative long string", Header{Version: V4, Opcode: OpQuery}, "ffffffff", ErrInvalidLength, 0},
		{"huge long string", Header{Version: V4, Opcode: OpQuery}, "7fffffff 41", ErrTruncated, 4},
		{"value length -3", Header{Version: V4, Opcode: OpQuery}, "00000000 0001 01 0001 fffffffd", ErrInvalidValue, 9},
		{"unset value in v3", Header{Version: V3, Opcode: OpQuery}, "00000000 0001 01 0001 fffffffe", ErrInvalidValue, 9},
		{"value count beyond body", Header{Version: V4, Opcode: OpQuery}, "00000000 0001 01 ffff 00000000", ErrInvalidLength, 7},
		{"unknown result kind", Header{Version: V4, Response: true, Opcode: OpResult}, "00000009", ErrInvalidValue, 0},
		{"result kind cut", Header{Version: V4, Response: true, Opcode: OpResult}, "0000", ErrTruncated, 0},
		{"negative column count", Header{Version: V4, Response: true, Opcode: OpResult}, "00000002 00000004 ffffffff", ErrInvalidLength, 8},
		{"rows count beyond body", Header{Version: V4, Response: true, Opcode: OpResult}, "00000002 00000004 00000002 7fffffff", ErrInvalidLength, 12},
		{"rows without columns", Header{Version: V4, Response: true, Opcode: OpResult}, "00000002 00000004 00000000 00000005", ErrInvalidValue, 12},
		{"unknown type id", Header{Version: V4, Response: true, Opcode: OpResult}, "00000002 00000001 00000001 0001 6b 0001 74 0001 63 000a", ErrInvalidValue, 21},
		{"batch type", Header{Version: V4, Opcode: OpBatch}, "07 0000 0001 00", ErrInvalidValue, 0},
		{"batch statement kind", Header{Version: V4, Opcode: OpBatch}, "00 0001 02 0000 0000 0001 00", ErrInvalidValue, 3},
		{"batch named values", Header{Version: V4, Opcode: OpBatch}, "00 0000 0001 40", ErrInvalidValue, 5},
		{"event type", Header{Version: V4, Response: true, Opcode: OpEvent}, "0003 464f4f", ErrInvalidValue, 0},
		{"inet size", Header{Version: V4, Response: true, Opcode: OpEvent}, "000d 5354415455535f4348414e4745 0002 5550 05 0102030405 00002352", ErrInvalidValue, 19},
		{"inet port", Header{Version: V4, Response: true, Opcode: OpEvent}, "000d 5354415455535f4348414e4745 0002 5550 04 01020304 00100000", ErrInvalidValue, 24},
		{"schema target", Header{Version: V4, Response: true, Opcode: OpResult}, "00000005 0007 43524541544544 0004 56494557 0000", ErrInvalidValue, 13},
		{"string list count", Header{Version: V4, Opcode: OpRegister}, "0005 0000", ErrInvalidLength, 0},
		{"string map count", Header{Version: V4, Opcode: OpStartup}, "ffff", ErrInvalidLength, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := unhex(t, c.body)
			h := c.h
			h.Length = len(body)
			_, err := DecodeEnvelope(&Frame{Header: h, Body: body})
			assert.ErrorIs(t, err, c.want)
			assert.ErrorIs(t, err, ErrProtocol)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, c.offset, de.Offset, "%v", err)
			assert.Equal(t, h.Opcode.String(), de.Op)
		})
	}
}

func TestTypeNestingLimit(t *testing.T) {
	// list<list<...<int>...>> nested 40 deep.
	body := unhex(t, "00000002 00000001 00000001 0001 6b 0001 74 0001 63")
	for range 40 {
		body = append(body, 0x00, 0x20)
	}
	body = append(body, 0x00, 0x09)
	_, err := DecodeEnvelope(&Frame{Header: Header{Version: V4, Response: true, Opcode: OpResult, Length: len(body)}, Body: body})
	assert.ErrorIs(t, err, ErrInvalidValue)
	assert.ErrorContains(t, err, "nested deeper")
}

func TestUnsupportedVersionMessage(t *testing.T) {
	assert.Equal(t, "Invalid or unsupported protocol version (66); supported versions are (4/v4, 5/v5)",
		UnsupportedVersionMessage(66, []Version{V4, V5}))
	assert.Contains(t, UnsupportedVersionMessage(1, []Version{V3, V4, V5}), "unsupported protocol version")
	assert.Equal(t, "transport: Invalid or unsupported protocol version (65)", (&VersionError{Version: 65}).Error())
}
