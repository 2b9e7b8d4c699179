package authn

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/roles"
)

type loginFlags struct {
	flags   map[string]bool
	err     error
	lookups []string
}

func (l *loginFlags) CanLogin(_ context.Context, role string) (bool, error) {
	l.lookups = append(l.lookups, role)
	return l.flags[role], l.err
}

func TestLogin(t *testing.T) {
	boom := errors.New("Cannot achieve consistency level LOCAL_QUORUM")
	cases := []struct {
		name    string
		user    roles.User
		err     error
		msg     string
		cause   error
		lookups []string
	}{
		{name: "anonymous always", user: roles.Anonymous},
		{name: "anonymous even when lookups fail", user: roles.Anonymous, err: boom},
		{name: "role with LOGIN", user: roles.NewUser("alice"), lookups: []string{"alice"}},
		{name: "role without LOGIN", user: roles.NewUser("bob"), msg: "bob is not permitted to log in", cause: ErrNotPermittedToLogin, lookups: []string{"bob"}},
		{name: "unknown role", user: roles.NewUser("ghost"), msg: "ghost is not permitted to log in", cause: ErrNotPermittedToLogin, lookups: []string{"ghost"}},
		{name: "system user is checked like a role", user: roles.System, msg: "system is not permitted to log in", cause: ErrNotPermittedToLogin, lookups: []string{"system"}},
		{name: "zero user refused without lookup", user: roles.User{}, msg: " is not permitted to log in", cause: ErrNotPermittedToLogin},
		{name: "lookup failure", user: roles.NewUser("alice"), err: boom, msg: "Unable to perform authentication: Cannot achieve consistency level LOCAL_QUORUM", cause: boom, lookups: []string{"alice"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &loginFlags{flags: map[string]bool{"alice": true, "bob": false}, err: c.err}
			err := Login(context.Background(), m, c.user)
			assert.Equal(t, c.lookups, m.lookups)
			if c.msg == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, c.msg, err.Error())
			assert.ErrorIs(t, err, c.cause)
			assert.Equal(t, roles.CodeBadCredentials, roles.CodeOf(err))
		})
	}
}

// A correct password for a role without LOGIN passes the credential check
// and fails at Login, while a wrong one fails the check (spec 2.3).
func TestPasswordThenLogin(t *testing.T) {
	p, src := newTestPassword(t, PasswordConfig{})
	src.set("nologin", mustHash(t, "pw", 4))
	m := &loginFlags{flags: map[string]bool{"alice": true}}
	ctx := context.Background()

	u, err := p.Authenticate(ctx, "nologin", NewSecret("pw"))
	require.NoError(t, err)
	err = Login(ctx, m, u)
	require.Error(t, err)
	assert.Equal(t, "nologin is not permitted to log in", err.Error())

	_, err = p.Authenticate(ctx, "nologin", NewSecret("wrong"))
	assert.Equal(t, "Provided username nologin and/or password are incorrect", err.Error())

	u, err = p.Authenticate(ctx, "alice", NewSecret("secret"))
	require.NoError(t, err)
	require.NoError(t, Login(ctx, m, u))
}

func TestAllowAll(t *testing.T) {
	var a Authenticator = AllowAll{}
	ctx := context.Background()
	assert.False(t, a.RequireAuthentication())
	assert.Empty(t, a.ProtectedResources())
	assert.NoError(t, a.ValidateConfiguration())
	assert.NoError(t, a.Setup(ctx))
	assert.Equal(t, "org.apache.cassandra.auth.AllowAllAuthenticator", a.ClassName())
	assert.Equal(t, []Mode{ModeUnauthenticated}, SupportedModes(a))
	assert.False(t, UsesPasswords(a))
	assert.False(t, UsesCredentialsSettings(a))
	assert.False(t, SupportsEarlyAuthentication(a))

	n, err := a.NewNegotiator(ctx, netipZero, nil)
	require.NoError(t, err)
	assert.True(t, n.IsComplete(), "complete from the start")
	ch, err := n.EvaluateResponse(ctx, []byte("anything"))
	require.NoError(t, err)
	assert.Nil(t, ch)
	u, err := n.AuthenticatedUser(ctx)
	require.NoError(t, err)
	assert.True(t, u.IsAnonymous())
	assert.Equal(t, ModeUnauthenticated, NegotiatorMode(n))
	assert.Nil(t, NegotiatorMetadata(n))

	u, err = a.LegacyAuthenticate(ctx, map[string]string{"username": "x"})
	require.NoError(t, err)
	assert.Equal(t, roles.Anonymous, u)
	require.NoError(t, Login(ctx, &loginFlags{}, u))
}
