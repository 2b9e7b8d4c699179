package authn

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

var (
	_ LoginChecker = roles.Manager(nil)
	_ Identities   = roles.Manager(nil)
)

func ptr[T any](v T) *T { return &v }

// The authenticators over the in-memory store and the table-backed role
// manager, which hashes with the authenticator's Hasher.
func TestIntegrationPasswordOverMemstore(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	pw, err := NewPassword(PasswordConfig{Store: st, Cost: 4, Verified: VerifiedCacheConfig{Enabled: true}})
	require.NoError(t, err)
	mgr, err := roles.NewTable(roles.Config{Store: st, PasswordAuthentication: UsesPasswords(pw), Hasher: pw.Hasher()})
	require.NoError(t, err)
	require.NoError(t, mgr.Setup(ctx))
	require.NoError(t, pw.Setup(ctx))

	login := func(user, password string) (roles.User, error) {
		n, err := pw.NewNegotiator(ctx, netipZero, nil)
		if err != nil {
			return roles.User{}, err
		}
		if _, err := n.EvaluateResponse(ctx, EncodePlain(user, NewSecret(password))); err != nil {
			return roles.User{}, err
		}
		u, err := n.AuthenticatedUser(ctx)
		if err != nil {
			return roles.User{}, err
		}
		return u, Login(ctx, mgr, u)
	}
	msg := func(_ roles.User, err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}

	// The default superuser, hashed by our Hasher at cost 4.
	u, err := login("cassandra", "cassandra")
	require.NoError(t, err)
	assert.Equal(t, "cassandra", u.Name())
	assert.Equal(t, uint64(1), pw.Hasher().Stats().Hashes, "the role manager hashed through the shared Hasher")

	su := roles.NewUser("cassandra")
	require.NoError(t, mgr.CreateRole(ctx, su, "alice", roles.Options{Password: ptr("pw1"), Login: ptr(true)}))
	require.NoError(t, mgr.CreateRole(ctx, su, "bob", roles.Options{Password: ptr("pw"), Login: ptr(false)}))
	require.NoError(t, mgr.CreateRole(ctx, su, "carol", roles.Options{Login: ptr(true)}))
	require.NoError(t, mgr.CreateRole(ctx, su, "imported", roles.Options{
		HashedPassword: ptr("$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"), Login: ptr(true)}))

	assert.Empty(t, msg(login("alice", "pw1")))
	assert.Empty(t, msg(login("alice", "pw1")), "repeat login (verified cache)")
	assert.Equal(t, "Provided username alice and/or password are incorrect", msg(login("alice", "pw2")))
	assert.Equal(t, "bob is not permitted to log in", msg(login("bob", "pw")))
	assert.Equal(t, "Provided username bob and/or password are incorrect", msg(login("bob", "nope")))
	assert.Equal(t, "Provided username carol and/or password are incorrect", msg(login("carol", "anything")), "no password")
	assert.Equal(t, "Provided username nobody and/or password are incorrect", msg(login("nobody", "x")))
	assert.Empty(t, msg(login("imported", "abc")), "a jBCrypt cost-10 hash imported with HASHED PASSWORD")

	// ALTER ROLE takes effect at once, verified cache or not.
	require.NoError(t, mgr.AlterRole(ctx, su, "alice", roles.Options{Password: ptr("pw2")}))
	assert.Equal(t, "Provided username alice and/or password are incorrect", msg(login("alice", "pw1")))
	assert.Empty(t, msg(login("alice", "pw2")))
	require.NoError(t, mgr.AlterRole(ctx, su, "alice", roles.Options{Login: ptr(false)}))
	assert.Equal(t, "alice is not permitted to log in", msg(login("alice", "pw2")))

	// DROP ROLE too.
	require.NoError(t, mgr.DropRole(ctx, su, "alice"))
	assert.Equal(t, "Provided username alice and/or password are incorrect", msg(login("alice", "pw2")))

	// The legacy (JMX) path reads the same table.
	_, err = pw.LegacyAuthenticate(ctx, map[string]string{"username": "imported", "password": "abc"})
	assert.NoError(t, err)
}

func TestIntegrationMutualTLSOverMemstore(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	mgr, err := roles.NewTable(roles.Config{Store: st, DisableDefaultSuperuser: true})
	require.NoError(t, err)
	su := roles.System
	require.NoError(t, mgr.CreateRole(ctx, su, "billing", roles.Options{Login: ptr(true)}))
	require.NoError(t, mgr.CreateRole(ctx, su, "nologin", roles.Options{Login: ptr(false)}))
	require.NoError(t, mgr.AddIdentity(ctx, spiffeID, "billing"))
	require.NoError(t, mgr.AddIdentity(ctx, "spiffe://example.org/nologin", "nologin"))

	m, err := NewMutualTLS(MutualTLSConfig{Validator: SpiffeValidator{}, Identities: mgr,
		ClientEncryption: ClientEncryption{Enabled: true, RequireClientAuth: ClientAuthRequired}})
	require.NoError(t, err)
	require.NoError(t, m.ValidateConfiguration())
	require.NoError(t, m.Setup(ctx))

	ca := newTestCA(t)
	auth := func(uri string) (roles.User, error) {
		certs, _ := ca.issue(t, leafOpts{uris: []string{uri}})
		n, err := m.NewNegotiator(ctx, netipZero, certs)
		require.NoError(t, err)
		if SendAuthenticate(n) {
			t.Fatal("mTLS negotiators authenticate early")
		}
		if _, err := n.EvaluateResponse(ctx, nil); err != nil {
			return roles.User{}, err
		}
		u, err := n.AuthenticatedUser(ctx)
		if err != nil {
			return u, err
		}
		return u, Login(ctx, mgr, u)
	}
	u, err := auth(spiffeID)
	require.NoError(t, err)
	assert.Equal(t, "billing", u.Name())
	_, err = auth("spiffe://example.org/nologin")
	assert.EqualError(t, err, "nologin is not permitted to log in")
	_, err = auth("spiffe://example.org/stranger")
	assert.EqualError(t, err, "Certificate identity 'spiffe://example.org/stranger' not authorized")

	require.NoError(t, mgr.DropIdentity(ctx, spiffeID))
	_, err = auth(spiffeID)
	assert.EqualError(t, err, "Certificate identity '"+spiffeID+"' not authorized")
}
