package authn

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/passwd"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// fakeHashes is an in-memory Hashes source that counts lookups and records
// invalidations.
type fakeHashes struct {
	mu          sync.Mutex
	hashes      map[string]string
	err         error
	lookups     int
	invalidated []string
}

func (f *fakeHashes) SaltedHash(_ context.Context, role string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if f.err != nil {
		return "", false, f.err
	}
	h, ok := f.hashes[role]
	return h, ok && h != "", nil
}

func (f *fakeHashes) InvalidateHash(role string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalidated = append(f.invalidated, role)
}

func (f *fakeHashes) set(role, hash string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hashes[role] = hash
}

func mustHash(t testing.TB, pw string, cost int) string {
	t.Helper()
	h, err := passwd.Hash(pw, cost)
	require.NoError(t, err)
	return h
}

// newTestPassword returns a cost-4 Password over a fake source holding
// alice/secret, nopass (no password) and broken (a malformed hash).
func newTestPassword(t testing.TB, cfg PasswordConfig) (*Password, *fakeHashes) {
	t.Helper()
	src := &fakeHashes{hashes: map[string]string{
		"alice":  mustHash(t, "secret", 4),
		"nopass": "",
		"broken": "not-a-bcrypt-hash",
	}}
	if cfg.Hashes == nil {
		cfg.Hashes = src
	}
	if cfg.Cost == 0 && cfg.Hasher == nil {
		cfg.Cost = 4
	}
	p, err := NewPassword(cfg)
	require.NoError(t, err)
	require.NoError(t, p.Setup(context.Background()))
	return p, src
}

// Every message of spec 2.3, through the SASL PLAIN negotiator.
func TestPasswordCredentialCheck(t *testing.T) {
	boom := errors.New("Cannot achieve consistency level QUORUM")
	cases := []struct {
		name        string
		token       string
		storeErr    error
		wantUser    string
		msg         string
		cause       error
		compares    uint64 // bcrypt runs expected
		invalidated []string
	}{
		{name: "right password", token: "\x00alice\x00secret", wantUser: "alice", compares: 1},
		{name: "authzid ignored", token: "bob\x00alice\x00secret", wantUser: "alice", compares: 1},
		{name: "wrong password", token: "\x00alice\x00Secret", msg: "Provided username alice and/or password are incorrect", cause: ErrIncorrectCredentials, compares: 1},
		{name: "role names are case-sensitive", token: "\x00Alice\x00secret", msg: "Provided username Alice and/or password are incorrect", cause: ErrIncorrectCredentials, compares: 1, invalidated: []string{"Alice"}},
		{name: "unknown role costs a bcrypt", token: "\x00nobody\x00secret", msg: "Provided username nobody and/or password are incorrect", cause: ErrIncorrectCredentials, compares: 1, invalidated: []string{"nobody"}},
		{name: "role without password", token: "\x00nopass\x00x", msg: "Provided username nopass and/or password are incorrect", cause: ErrIncorrectCredentials, compares: 1, invalidated: []string{"nopass"}},
		{name: "malformed stored hash", token: "\x00broken\x00x", msg: "Provided username broken and/or password are incorrect", cause: ErrIncorrectCredentials, compares: 1},
		{name: "lookup failure", token: "\x00alice\x00secret", storeErr: boom, msg: "Unable to perform authentication: Cannot achieve consistency level QUORUM", cause: boom},
		{name: "username echoed verbatim", token: "\x00o'brien %s\x00pw", msg: "Provided username o'brien %s and/or password are incorrect", cause: ErrIncorrectCredentials, compares: 1, invalidated: []string{"o'brien %s"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			p, src := newTestPassword(t, PasswordConfig{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			src.err = c.storeErr
			ctx := context.Background()
			n, err := p.NewNegotiator(ctx, netipZero, nil)
			require.NoError(t, err)
			ch, err := n.EvaluateResponse(ctx, []byte(c.token))
			require.NoError(t, err)
			assert.Nil(t, ch)
			require.True(t, n.IsComplete())
			before := p.Hasher().Stats().Compares
			u, err := n.AuthenticatedUser(ctx)
			assert.Equal(t, c.compares, p.Hasher().Stats().Compares-before, "bcrypt runs")
			assert.Equal(t, c.invalidated, src.invalidated)
			if c.msg == "" {
				require.NoError(t, err)
				assert.Equal(t, c.wantUser, u.Name())
				assert.False(t, u.IsAnonymous())
				return
			}
			require.Error(t, err)
			assert.True(t, u.IsZero())
			assert.Equal(t, c.msg, err.Error())
			assert.ErrorIs(t, err, c.cause)
			assert.ErrorIs(t, err, roles.ErrBadCredentials)
			assert.Equal(t, roles.CodeBadCredentials, roles.CodeOf(err))
			if c.storeErr != nil {
				assert.ErrorIs(t, err, ErrUnavailable)
			}
			if c.name == "malformed stored hash" {
				assert.Contains(t, logs.String(), "Error: invalid password hash encountered, rejecting user")
				assert.Contains(t, logs.String(), "role=broken")
			} else {
				assert.Empty(t, logs.String())
			}
		})
	}
}

// Every message of spec 2.4.
func TestPasswordLegacyAuthenticate(t *testing.T) {
	p, _ := newTestPassword(t, PasswordConfig{})
	cases := []struct {
		name  string
		creds map[string]string
		user  string
		msg   string
		cause error
	}{
		{name: "nil map", creds: nil, msg: "Required key 'username' is missing", cause: ErrMissingCredential},
		{name: "no username", creds: map[string]string{"password": "secret"}, msg: "Required key 'username' is missing", cause: ErrMissingCredential},
		{name: "no password", creds: map[string]string{"username": "alice"}, msg: "Required key 'password' is missing for provided username alice", cause: ErrMissingCredential},
		{name: "empty password is checked", creds: map[string]string{"username": "alice", "password": ""}, msg: "Provided username alice and/or password are incorrect", cause: ErrIncorrectCredentials},
		{name: "empty username is checked", creds: map[string]string{"username": "", "password": "x"}, msg: "Provided username  and/or password are incorrect", cause: ErrIncorrectCredentials},
		{name: "wrong password", creds: map[string]string{"username": "alice", "password": "nope"}, msg: "Provided username alice and/or password are incorrect", cause: ErrIncorrectCredentials},
		{name: "right password", creds: map[string]string{"username": "alice", "password": "secret", "other": "ignored"}, user: "alice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := p.LegacyAuthenticate(context.Background(), c.creds)
			if c.msg == "" {
				require.NoError(t, err)
				assert.Equal(t, c.user, u.Name())
				return
			}
			require.Error(t, err)
			assert.Equal(t, c.msg, err.Error())
			assert.ErrorIs(t, err, c.cause)
			assert.Equal(t, roles.CodeBadCredentials, roles.CodeOf(err))
		})
	}
}

// Hashes made by jBCrypt (cost 10, Cassandra's default) and by other
// jBCrypt-compatible code verify through the authenticator; wrong passwords
// do not.
func TestPasswordImportedHashes(t *testing.T) {
	long := "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored"
	src := &fakeHashes{hashes: map[string]string{
		"jbcrypt10": "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi", // "abc"
		"openwall":  "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", // long, 72 bytes count
		"b":         "$2b$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
		"y":         "$2y$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
		"bytes":     "$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", // raw bytes ff ff a3
	}}
	p, err := NewPassword(PasswordConfig{Hashes: src, Cost: 4})
	require.NoError(t, err)
	ctx := context.Background()
	cases := []struct {
		role, pw string
		ok       bool
	}{
		{"jbcrypt10", "abc", true},
		{"jbcrypt10", "abd", false},
		{"openwall", long, true},
		{"openwall", long[:72] + "!", true},
		{"openwall", long[:71], false},
		{"b", long, true},
		{"y", long, true},
		{"y", "x", false},
		// Java decodes these bytes to three U+FFFD before hashing, so the
		// hash of the raw bytes never matches, as in Cassandra.
		{"bytes", "\xff\xff\xa3", false},
	}
	for _, c := range cases {
		u, err := p.Authenticate(ctx, c.role, NewSecret(c.pw))
		if c.ok {
			require.NoError(t, err, c.role)
			assert.Equal(t, c.role, u.Name())
		} else {
			assert.ErrorIs(t, err, ErrIncorrectCredentials, c.role)
		}
	}
}

// A password with invalid UTF-8 checks as Java would: against the hash of
// its Java decoding.
func TestPasswordInvalidUTF8LikeJava(t *testing.T) {
	src := &fakeHashes{hashes: map[string]string{"r": mustHash(t, "p\uFFFDw", 4)}}
	p, err := NewPassword(PasswordConfig{Hashes: src, Cost: 4})
	require.NoError(t, err)
	ctx := context.Background()
	n, err := p.NewNegotiator(ctx, netipZero, nil)
	require.NoError(t, err)
	_, err = n.EvaluateResponse(ctx, []byte("\x00r\x00p\xe2\x82w"))
	require.NoError(t, err)
	u, err := n.AuthenticatedUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "r", u.Name())
	_, err = p.Authenticate(ctx, "r", NewSecret("p\xffw"))
	require.NoError(t, err)
}

func TestPasswordCancelledContext(t *testing.T) {
	p, _ := newTestPassword(t, PasswordConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Authenticate(ctx, "alice", NewSecret("secret"))
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.Equal(t, "Unable to perform authentication: context canceled", err.Error())
}

func TestPasswordIdentity(t *testing.T) {
	p, _ := newTestPassword(t, PasswordConfig{})
	assert.True(t, p.RequireAuthentication())
	assert.Equal(t, PasswordClassName, p.ClassName())
	require.Len(t, p.ProtectedResources(), 1)
	assert.Equal(t, "data/system_auth/roles", p.ProtectedResources()[0].Name())
	assert.NoError(t, p.ValidateConfiguration())
	assert.Equal(t, []Mode{ModePassword}, SupportedModes(p))
	assert.True(t, UsesPasswords(p))
	assert.True(t, UsesCredentialsSettings(p))
	assert.False(t, SupportsEarlyAuthentication(p))
	assert.Equal(t, []string{"PLAIN"}, p.Mechanisms())
	assert.Nil(t, p.VerifiedCache())
	p.Invalidate("alice") // no-op when the cache is off
	p.InvalidateAll()

	p2, _ := newTestPassword(t, PasswordConfig{ClassName: "com.datastax.bdp.cassandra.auth.DseAuthenticator"})
	assert.Equal(t, "com.datastax.bdp.cassandra.auth.DseAuthenticator", p2.ClassName())
}

func TestNewPasswordConfigErrors(t *testing.T) {
	src := &fakeHashes{hashes: map[string]string{}}
	h, err := NewHasher(HasherConfig{Cost: 4})
	require.NoError(t, err)
	cases := []struct {
		name string
		cfg  PasswordConfig
		msg  string
	}{
		{"no source", PasswordConfig{}, "authn: PasswordConfig needs Store or Hashes"},
		{"cost 3", PasswordConfig{Hashes: src, Cost: 3}, "Bad value for system property cassandra.auth_bcrypt_gensalt_log2_rounds.Please use a value between 4 and 30 inclusively"},
		{"cost 31", PasswordConfig{Hashes: src, Cost: 31}, "Bad value for system property cassandra.auth_bcrypt_gensalt_log2_rounds.Please use a value between 4 and 30 inclusively"},
		{"negative slots", PasswordConfig{Hashes: src, MaxConcurrentHashes: -1}, "authn: HasherConfig.MaxConcurrent must not be negative"},
		{"negative queue", PasswordConfig{Hashes: src, MaxQueuedHashes: -1}, "authn: HasherConfig.MaxQueued must not be negative"},
		{"hasher and cost", PasswordConfig{Hashes: src, Hasher: h, Cost: 5}, "authn: PasswordConfig.Hasher excludes Cost, MaxConcurrentHashes, QueueTimeout and MaxQueuedHashes"},
		{"negative verified TTL", PasswordConfig{Hashes: src, Cost: 4, Verified: VerifiedCacheConfig{Enabled: true, TTL: -1}}, "authn: VerifiedCacheConfig.TTL must not be negative"},
		{"negative verified max", PasswordConfig{Hashes: src, Cost: 4, Verified: VerifiedCacheConfig{Enabled: true, MaxEntries: -1}}, "authn: VerifiedCacheConfig.MaxEntries must not be negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewPassword(c.cfg)
			require.Error(t, err)
			assert.Equal(t, c.msg, err.Error())
			assert.Equal(t, roles.CodeConfigError, roles.CodeOf(err))
			if strings.HasPrefix(c.name, "cost") {
				assert.ErrorIs(t, err, ErrBadCost)
			}
		})
	}
	// Defaults: cost 10, at least one slot.
	p, err := NewPassword(PasswordConfig{Hashes: src})
	require.NoError(t, err)
	assert.Equal(t, 10, p.Hasher().Cost())
	assert.GreaterOrEqual(t, p.Hasher().Slots(), 1)
	// A shared hasher is used as is.
	p, err = NewPassword(PasswordConfig{Hashes: src, Hasher: h})
	require.NoError(t, err)
	assert.Same(t, h, p.Hasher())
}

// StoreHashes reads the roles table: not found and empty hash are "no
// hash"; other errors pass through.
func TestStoreHashes(t *testing.T) {
	boom := errors.New("boom")
	rs := fakeRoles{
		"alice":  {Name: "alice", SaltedHash: "$2a$04$x"},
		"nopass": {Name: "nopass"},
	}
	s := StoreHashes{Roles: rs}
	ctx := context.Background()
	h, ok, err := s.SaltedHash(ctx, "alice")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "$2a$04$x", h)
	_, ok, err = s.SaltedHash(ctx, "nopass")
	require.NoError(t, err)
	assert.False(t, ok)
	_, ok, err = s.SaltedHash(ctx, "nobody")
	require.NoError(t, err)
	assert.False(t, ok)
	_, _, err = StoreHashes{Roles: errRoles{boom}}.SaltedHash(ctx, "alice")
	assert.ErrorIs(t, err, boom)

	p, err := NewPassword(PasswordConfig{Store: rs, Cost: 4})
	require.NoError(t, err)
	_, err = p.Authenticate(ctx, "nobody", NewSecret("x"))
	assert.ErrorIs(t, err, ErrIncorrectCredentials)
}

// fakeRoles implements store.Roles' GetRole over a map; the other methods
// are not used by the authenticator.
type fakeRoles map[string]store.RoleRecord

func (f fakeRoles) GetRole(_ context.Context, name string) (store.RoleRecord, error) {
	r, ok := f[name]
	if !ok {
		return store.RoleRecord{}, store.Errorf("GetRole", name, store.ErrNotFound)
	}
	return r, nil
}
func (f fakeRoles) ListRoles(context.Context) ([]store.RoleRecord, error) { return nil, errUnused }
func (f fakeRoles) CreateRole(context.Context, store.RoleRecord) error    { return errUnused }
func (f fakeRoles) UpdateRole(context.Context, string, store.RoleUpdate) error {
	return errUnused
}
func (f fakeRoles) DropRole(context.Context, string) error { return errUnused }

type errRoles struct{ err error }

func (e errRoles) GetRole(context.Context, string) (store.RoleRecord, error) {
	return store.RoleRecord{}, e.err
}
func (e errRoles) ListRoles(context.Context) ([]store.RoleRecord, error)      { return nil, e.err }
func (e errRoles) CreateRole(context.Context, store.RoleRecord) error         { return e.err }
func (e errRoles) UpdateRole(context.Context, string, store.RoleUpdate) error { return e.err }
func (e errRoles) DropRole(context.Context, string) error                     { return e.err }

var netipZero netip.Addr

var errUnused = errors.New("not used by these tests")
