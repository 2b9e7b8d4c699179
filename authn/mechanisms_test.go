package authn

import (
	"context"
	"crypto/x509"
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/roles"
)

// echoNegotiator is a two-round test mechanism: it answers "again?" to the
// first response and completes on the second, authenticating the role it
// was sent.
type echoNegotiator struct {
	client netip.Addr
	rounds int
	role   string
}

func (n *echoNegotiator) EvaluateResponse(_ context.Context, token []byte) ([]byte, error) {
	n.rounds++
	if n.rounds == 1 {
		return []byte("again?"), nil
	}
	n.role = string(token)
	return nil, nil
}
func (n *echoNegotiator) IsComplete() bool { return n.rounds >= 2 }
func (n *echoNegotiator) AuthenticatedUser(context.Context) (roles.User, error) {
	return roles.NewUser(n.role), nil
}

func echoFactory(_ context.Context, client netip.Addr, _ []*x509.Certificate) (Negotiator, error) {
	return &echoNegotiator{client: client}, nil
}

func TestMechanismsRegister(t *testing.T) {
	var m Mechanisms
	require.NoError(t, m.Register("SCRAM-SHA-256", echoFactory))
	require.NoError(t, m.Register("GSSAPI", echoFactory))
	require.NoError(t, m.Register("X_1", echoFactory))
	assert.Equal(t, []string{"SCRAM-SHA-256", "GSSAPI", "X_1"}, m.Names())
	_, ok := m.Lookup("GSSAPI")
	assert.True(t, ok)
	_, ok = m.Lookup("gssapi")
	assert.False(t, ok)

	for _, bad := range []string{"", "plain", "A B", "TOO-LONG-MECHANISM-NAME", "NUL\x00", "É"} {
		err := m.Register(bad, echoFactory)
		assert.ErrorIs(t, err, ErrInvalidMechanism, "%q", bad)
	}
	assert.ErrorIs(t, m.Register("GSSAPI", echoFactory), ErrInvalidMechanism, "duplicate")
	assert.ErrorIs(t, m.Register("OTHER", nil), ErrInvalidMechanism, "nil factory")
}

func TestPasswordWithMechanisms(t *testing.T) {
	mechs := &Mechanisms{}
	require.NoError(t, mechs.Register("ECHO", echoFactory))
	p, _ := newTestPassword(t, PasswordConfig{Mechanisms: mechs})
	assert.Equal(t, []string{"PLAIN", "ECHO"}, p.Mechanisms())
	ctx := context.Background()
	client := netip.MustParseAddr("192.0.2.7")

	t.Run("client picks a mechanism by name", func(t *testing.T) {
		n, err := p.NewNegotiator(ctx, client, nil)
		require.NoError(t, err)
		assert.True(t, SendAuthenticate(n))
		_, err = n.AuthenticatedUser(ctx)
		require.ErrorIs(t, err, ErrNegotiationIncomplete)
		assert.Equal(t, ModeUnauthenticated, NegotiatorMode(n))

		ch, err := n.EvaluateResponse(ctx, []byte("ECHO"))
		require.NoError(t, err)
		assert.Equal(t, "ECHO-START", string(ch))
		assert.False(t, n.IsComplete())
		ch, err = n.EvaluateResponse(ctx, []byte("first"))
		require.NoError(t, err)
		assert.Equal(t, "again?", string(ch))
		assert.False(t, n.IsComplete())
		_, err = n.EvaluateResponse(ctx, []byte("carol"))
		require.NoError(t, err)
		require.True(t, n.IsComplete())
		u, err := n.AuthenticatedUser(ctx)
		require.NoError(t, err)
		assert.Equal(t, "carol", u.Name())
		assert.Equal(t, client, n.(*selectingNegotiator).inner.(*echoNegotiator).client)
	})
	t.Run("a PLAIN token goes to PLAIN unchanged", func(t *testing.T) {
		n, err := p.NewNegotiator(ctx, client, nil)
		require.NoError(t, err)
		ch, err := n.EvaluateResponse(ctx, []byte("\x00alice\x00secret"))
		require.NoError(t, err)
		assert.Nil(t, ch)
		require.True(t, n.IsComplete())
		u, err := n.AuthenticatedUser(ctx)
		require.NoError(t, err)
		assert.Equal(t, "alice", u.Name())
		assert.Equal(t, ModePassword, NegotiatorMode(n))
	})
	t.Run("a bad PLAIN token gives PLAIN's error", func(t *testing.T) {
		n, err := p.NewNegotiator(ctx, client, nil)
		require.NoError(t, err)
		_, err = n.EvaluateResponse(ctx, []byte("echo"))
		require.Error(t, err)
		assert.Equal(t, MsgPasswordNull, err.Error())
	})
	t.Run("DSE style PLAIN", func(t *testing.T) {
		n, err := p.NewNegotiator(ctx, client, nil)
		require.NoError(t, err)
		ch, err := n.EvaluateResponse(ctx, []byte("PLAIN"))
		require.NoError(t, err)
		assert.Equal(t, "PLAIN-START", string(ch))
		_, err = n.EvaluateResponse(ctx, []byte("\x00alice\x00secret"))
		require.NoError(t, err)
		u, err := n.AuthenticatedUser(ctx)
		require.NoError(t, err)
		assert.Equal(t, "alice", u.Name())
	})
}

func TestMechanismFactoryErrors(t *testing.T) {
	boom := errors.New("kdc unreachable")
	mechs := &Mechanisms{}
	require.NoError(t, mechs.Register("FAILS", func(context.Context, netip.Addr, []*x509.Certificate) (Negotiator, error) {
		return nil, boom
	}))
	require.NoError(t, mechs.Register("NOTHING", func(context.Context, netip.Addr, []*x509.Certificate) (Negotiator, error) {
		return nil, nil
	}))
	require.NoError(t, mechs.Register("REFUSES", func(context.Context, netip.Addr, []*x509.Certificate) (Negotiator, error) {
		return nil, roles.Errorf(roles.CodeBadCredentials, "mechanism disabled")
	}))
	p, _ := newTestPassword(t, PasswordConfig{Mechanisms: mechs})
	ctx := context.Background()
	for name, msg := range map[string]string{
		"FAILS":   "Unable to perform authentication: kdc unreachable",
		"NOTHING": "Unable to perform authentication: SASL mechanism returned no negotiator",
		"REFUSES": "mechanism disabled",
	} {
		n, err := p.NewNegotiator(ctx, netipZero, nil)
		require.NoError(t, err)
		_, err = n.EvaluateResponse(ctx, []byte(name))
		require.Error(t, err, name)
		assert.Equal(t, msg, err.Error())
		assert.Equal(t, roles.CodeBadCredentials, roles.CodeOf(err))
	}
}

// Registering PLAIN replaces the built-in one; alone, it is used directly.
func TestMechanismsReplacePlain(t *testing.T) {
	mechs := &Mechanisms{}
	require.NoError(t, mechs.Register("PLAIN", echoFactory))
	p, _ := newTestPassword(t, PasswordConfig{Mechanisms: mechs})
	assert.Equal(t, []string{"PLAIN"}, p.Mechanisms())
	n, err := p.NewNegotiator(context.Background(), netipZero, nil)
	require.NoError(t, err)
	assert.IsType(t, &echoNegotiator{}, n)
}
