package interop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/cassauth/cassauth/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawLogin opens a plain-text connection to addr and runs the protocol v4
// handshake a driver runs (STARTUP, AUTHENTICATE, AUTH_RESPONSE with a SASL
// PLAIN token), then closes the connection. It returns nil on
// AUTH_SUCCESS and the server's *transport.ErrorResponse on an ERROR. The
// benchmarks use it to count authenticated connections without a
// driver's own connection set-up.
func rawLogin(ctx context.Context, addr, user, password string) error {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	buf, err := transport.EncodeFrame(nil, transport.V4, 1, &transport.Startup{
		Options: map[string]string{"CQL_VERSION": "3.0.0", "DRIVER_NAME": "cassauth interop"}})
	if err != nil {
		return err
	}
	if _, err := nc.Write(buf); err != nil {
		return err
	}
	m, err := readMessage(nc)
	if err != nil {
		return err
	}
	if _, ok := m.(*transport.Authenticate); !ok {
		return fmt.Errorf("STARTUP answered with %T, want AUTHENTICATE", m)
	}
	token := append(append(append([]byte{0}, user...), 0), password...)
	if buf, err = transport.EncodeFrame(buf[:0], transport.V4, 2, &transport.AuthResponse{Token: token}); err != nil {
		return err
	}
	if _, err := nc.Write(buf); err != nil {
		return err
	}
	if m, err = readMessage(nc); err != nil {
		return err
	}
	if _, ok := m.(*transport.AuthSuccess); !ok {
		return fmt.Errorf("AUTH_RESPONSE answered with %T, want AUTH_SUCCESS", m)
	}
	return nil
}

// readMessage reads one response; an ERROR is returned as the error.
func readMessage(nc net.Conn) (transport.Message, error) {
	f, err := transport.ReadFrame(nc, 0)
	if err != nil {
		return nil, err
	}
	env, err := transport.DecodeEnvelope(f)
	if err != nil {
		return nil, err
	}
	if e, ok := env.Message.(*transport.ErrorResponse); ok {
		return nil, e
	}
	return env.Message, nil
}

// TestRawLogin checks the benchmarks' client against the server: the
// right password logs in, a wrong one gets Bad credentials with
// Cassandra's text, with and without the verified-credentials cache.
func TestRawLogin(t *testing.T) {
	for _, cached := range []bool{false, true} {
		t.Run(fmt.Sprintf("verified cache %v", cached), func(t *testing.T) {
			srv := startServer(t, serverConfig{verifiedCache: cached})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for i := 0; i < 3; i++ { // repeats hit the cache when it is on
				require.NoError(t, rawLogin(ctx, srv.addr(), "cassandra", "cassandra"))
				err := rawLogin(ctx, srv.addr(), "cassandra", "wrong")
				var er *transport.ErrorResponse
				require.True(t, errors.As(err, &er), "got %v", err)
				assert.Equal(t, transport.CodeBadCredentials, er.Code)
				assert.Equal(t, "Provided username cassandra and/or password are incorrect", er.Message)
			}
		})
	}
}
