package main

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cqlFrame sends one protocol-v4 request frame and reads the response's
// opcode and body.
func cqlFrame(t *testing.T, c net.Conn, opcode byte, body []byte) (byte, []byte) {
	t.Helper()
	hdr := []byte{0x04, 0, 0, 1, opcode, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hdr[5:], uint32(len(body)))
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err := c.Write(append(hdr, body...))
	require.NoError(t, err)
	resp := make([]byte, 9)
	_, err = io.ReadFull(c, resp)
	require.NoError(t, err)
	require.Equal(t, byte(0x84), resp[0], "a v4 response")
	out := make([]byte, binary.BigEndian.Uint32(resp[5:]))
	_, err = io.ReadFull(c, out)
	require.NoError(t, err)
	return resp[4], out
}

func cqlString(s string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(s)))
	return append(b, s...)
}

// TestServeCQL starts the server with --cql and logs in over the native
// protocol with the same roles as the HTTP API.
func TestServeCQL(t *testing.T) {
	s := startServer(t, "--data", t.TempDir(), "--cql", "127.0.0.1:0")
	require.NotEmpty(t, s.cqlAddr)
	su := s.login("cassandra", "cassandra")
	s.exec(su, "CREATE ROLE app WITH PASSWORD = 'app-pw' AND LOGIN = true")

	for _, tt := range []struct {
		name, user, pass string
		want             byte
	}{
		{"good password", "app", "app-pw", 0x10}, // AUTH_SUCCESS
		{"wrong password", "app", "nope", 0x00},  // ERROR
		{"default superuser", "cassandra", "cassandra", 0x10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", s.cqlAddr)
			require.NoError(t, err)
			defer c.Close()
			op, _ := cqlFrame(t, c, 0x05, nil) // OPTIONS
			assert.Equal(t, byte(0x06), op, "SUPPORTED")
			startup := append([]byte{0, 1}, append(cqlString("CQL_VERSION"), cqlString("3.0.0")...)...)
			op, body := cqlFrame(t, c, 0x01, startup) // STARTUP
			require.Equal(t, byte(0x03), op, "AUTHENTICATE")
			assert.Contains(t, string(body), "PasswordAuthenticator")
			token := []byte("\x00" + tt.user + "\x00" + tt.pass)
			op, body = cqlFrame(t, c, 0x0F, append(binary.BigEndian.AppendUint32(nil, uint32(len(token))), token...))
			assert.Equal(t, tt.want, op)
			if op == 0x00 {
				assert.Equal(t, uint32(0x0100), binary.BigEndian.Uint32(body[:4]))
				assert.Contains(t, string(body), "Provided username app and/or password are incorrect")
			}
		})
	}
}
