package transport_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"

	"github.com/cassauth/cassauth/transport"
)

// A server reads a request frame, decodes it and replies on its stream.
func Example() {
	// What a gocql client sends first: OPTIONS on stream 1, protocol v4.
	var conn bytes.Buffer
	req, _ := transport.EncodeFrame(nil, transport.V4, 1, &transport.Options{})
	conn.Write(req)

	f, err := transport.ReadFrame(&conn, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	env, err := transport.DecodeEnvelope(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch env.Message.(type) {
	case *transport.Options:
		reply, _ := transport.EncodeFrame(nil, f.Header.Version, f.Header.Stream, &transport.Supported{Options: map[string][]string{
			"CQL_VERSION":       {"3.4.7"},
			"COMPRESSION":       {},
			"PROTOCOL_VERSIONS": {"4/v4", "5/v5"},
		}})
		fmt.Printf("reply header % x\n", reply[:9])
	}
	// Output:
	// reply header 84 00 00 01 06 00 00 00 48
}

// Version negotiation: the Python driver's first probe uses version 0x42.
func ExampleReadFrame_unsupportedVersion() {
	_, err := transport.ReadFrame(bytes.NewReader([]byte{0x42, 0, 0, 0, 5, 0, 0, 0, 0}), 0)
	var ve *transport.VersionError
	if errors.As(err, &ve) {
		supported := []transport.Version{transport.V4, transport.V5}
		reply, _ := transport.EncodeFrame(nil, transport.V4, 0, &transport.ErrorResponse{
			Code:    transport.CodeProtocolError,
			Message: transport.UnsupportedVersionMessage(ve.Version, supported),
		})
		fmt.Printf("% x ...\n", reply[:9])
		fmt.Println(transport.UnsupportedVersionMessage(ve.Version, supported))
	}
	// Output:
	// 84 00 00 00 00 00 00 00 57 ...
	// Invalid or unsupported protocol version (66); supported versions are (4/v4, 5/v5)
}

// After the STARTUP response of a v5 connection, both directions use
// segments; swapping the writer keeps the reply code unchanged.
func ExampleSegmentWriter() {
	var wire bytes.Buffer
	w := transport.NewSegmentWriter(&wire)
	reply, _ := transport.EncodeFrame(nil, transport.V5, 2, &transport.AuthSuccess{})
	if _, err := w.Write(reply); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("segment % x\n", wire.Bytes())

	f, err := transport.NewSegmentReader(&wire, 0).ReadFrame()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Header.Opcode, f.Header.Stream)
	// Output:
	// segment 0d 00 02 cf 07 f7 85 00 00 02 10 00 00 00 04 ff ff ff ff 01 08 26 a8
	// AUTH_SUCCESS 2
}

// Building a Rows result for a system table with typed cells.
func ExampleMarshal() {
	cols := []transport.ColumnSpec{
		{Keyspace: "system", Table: "local", Name: "key", Type: transport.Type{ID: transport.TypeVarchar}},
		{Keyspace: "system", Table: "local", Name: "rpc_address", Type: transport.Type{ID: transport.TypeInet}},
		{Keyspace: "system", Table: "local", Name: "tokens", Type: transport.SetOf(transport.Type{ID: transport.TypeVarchar})},
	}
	values := []any{"local", netip.MustParseAddr("127.0.0.1"), []string{"0"}}
	row := make([][]byte, len(cols))
	for i, c := range cols {
		row[i], _ = transport.Marshal(c.Type, values[i])
	}
	rows := &transport.RowsResult{Metadata: transport.RowsMetadata{Columns: cols}, Rows: [][][]byte{row}}
	body, _ := rows.Encode(nil, transport.V4)

	var back transport.RowsResult
	if err := back.Decode(transport.V4, body); err != nil {
		fmt.Println(err)
		return
	}
	for i, c := range back.Metadata.Columns {
		v, _ := transport.Unmarshal(c.Type, back.Rows[0][i])
		fmt.Printf("%s %s = %v\n", c.Name, c.Type, v)
	}
	// Output:
	// key text = local
	// rpc_address inet = 127.0.0.1
	// tokens set<text> = [0]
}

func ExampleParseType() {
	t, err := transport.ParseType("map<uuid, frozen<list<varchar>>>")
	fmt.Println(t, err)
	// Output:
	// map<uuid, list<text>> <nil>
}
