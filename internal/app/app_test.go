package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/internal/pgtest"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
	"github.com/cassauth/cassauth/store/pgstore"
)

func TestParseSpec(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "existing")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	tests := []struct {
		spec string
		want Spec
		err  bool
	}{
		{"", Spec{Kind: KindBolt, Path: filepath.Join("data", DataFile)}, false},
		{"/srv/auth", Spec{Kind: KindBolt, Path: "/srv/auth/" + DataFile}, false},
		{"/srv/auth.db", Spec{Kind: KindBolt, Path: "/srv/auth.db"}, false},
		{file, Spec{Kind: KindBolt, Path: file}, false},
		{"bolt:///srv/auth", Spec{Kind: KindBolt, Path: "/srv/auth/" + DataFile}, false},
		{"bolt://localhost/srv/x.db", Spec{Kind: KindBolt, Path: "/srv/x.db"}, false},
		{"postgres://u:pw@h/db", Spec{Kind: KindPostgres, DSN: "postgres://u:pw@h/db"}, false},
		{"postgresql://h/db?sslmode=disable", Spec{Kind: KindPostgres, DSN: "postgresql://h/db?sslmode=disable"}, false},
		{"host=h dbname=d", Spec{Kind: KindPostgres, DSN: "host=h dbname=d"}, false},
		{"memory:", Spec{Kind: KindMemory}, false},
		{"bolt://otherhost/x", Spec{}, true},
		{"bolt://", Spec{}, true},
		{"mysql://h/db", Spec{}, true},
		{"redis:", Spec{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseSpec(tt.spec, "data")
			if tt.err {
				assert.ErrorIs(t, err, ErrBadStoreURL)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSpecStringHidesPasswords(t *testing.T) {
	assert.Equal(t, "postgres://u:xxxxx@h/db", Spec{Kind: KindPostgres, DSN: "postgres://u:secret@h/db"}.String())
	assert.Equal(t, "postgres (DSN)", Spec{Kind: KindPostgres, DSN: "host=h password=secret"}.String())
	assert.Equal(t, "bolt:///x/cassauth.db", Spec{Kind: KindBolt, Path: "/x/cassauth.db"}.String())
	assert.Equal(t, "memory:", Spec{Kind: KindMemory}.String())
}

func TestOpenStoreBolt(t *testing.T) {
	ctx := context.Background()
	spec, err := ParseSpec(filepath.Join(t.TempDir(), "new", "dir"), "")
	require.NoError(t, err)
	st, closer, err := OpenStore(ctx, spec, StoreOptions{})
	require.NoError(t, err)
	fi, err := os.Stat(filepath.Dir(spec.Path))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())

	// A second open of the same directory is refused quickly with ErrInUse.
	start := time.Now()
	_, _, err = OpenStore(ctx, spec, StoreOptions{LockTimeout: 50 * time.Millisecond})
	assert.ErrorIs(t, err, ErrInUse)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.NoError(t, closer.Close())
	_ = st

	st, closer, err = OpenStore(ctx, spec, StoreOptions{})
	require.NoError(t, err, "the lock is released by Close")
	require.NoError(t, closer.Close())

	m, closer, err := OpenStore(ctx, Spec{Kind: KindMemory}, StoreOptions{})
	require.NoError(t, err)
	assert.IsType(t, &memstore.Store{}, m)
	assert.NoError(t, closer.Close())
	_, _, err = OpenStore(ctx, Spec{Kind: "tape"}, StoreOptions{})
	assert.True(t, errors.Is(err, ErrBadStoreURL))
}

// TestOpenStorePostgresFeed: a PostgreSQL store listens for other
// processes' changes unless StoreOptions.DisableFeed.
func TestOpenStorePostgresFeed(t *testing.T) {
	ctx := context.Background()
	spec, err := ParseSpec(pgtest.Start(t), "")
	require.NoError(t, err)
	for _, disable := range []bool{false, true} {
		st, closer, err := OpenStore(ctx, spec, StoreOptions{DisableFeed: disable})
		require.NoError(t, err)
		require.IsType(t, &pgstore.Store{}, st)
		assert.Equal(t, !disable, st.(*pgstore.Store).FeedConnected(), "DisableFeed: %v", disable)
		require.NoError(t, closer.Close())
	}
}

func TestBuild(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		disable   bool
		superuser bool
	}{
		{"creates the default superuser", false, true},
		{"without it", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			a, err := Build(ctx, st, Options{Config: ServerConfig(cassauth.Config{BcryptRounds: 4}), DisableDefaultSuperuser: tt.disable,
				Datacenters: []string{"dc1"}})
			require.NoError(t, err)
			defer a.Close()
			_, err = a.Auth.Authenticate(ctx, "cassandra", authn.NewSecret("cassandra"))
			assert.Equal(t, tt.superuser, err == nil, "%v", err)
			// The Env runs statements, validates datacenters and keeps a catalog.
			sess := &dcl.Session{User: roles.System}
			_, err = dcl.Execute(ctx, a.Env, sess, "CREATE ROLE x WITH LOGIN = true AND ACCESS TO DATACENTERS {'dc9'}")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "dc9")
			_, err = dcl.Execute(ctx, a.Env, sess, "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
			require.NoError(t, err)
		})
	}
}

func TestServerConfig(t *testing.T) {
	c := ServerConfig(cassauth.Config{})
	assert.Equal(t, cassauth.PasswordAuthenticator, c.Authenticator)
	assert.Equal(t, cassauth.CassandraAuthorizer, c.Authorizer)
	c = ServerConfig(cassauth.Config{Authenticator: "AllowAllAuthenticator", Authorizer: "AllowAllAuthorizer"})
	assert.Equal(t, "AllowAllAuthenticator", c.Authenticator, "explicit values are kept")
	assert.Equal(t, "AllowAllAuthorizer", c.Authorizer)
}

func TestBuildConfigError(t *testing.T) {
	_, err := Build(context.Background(), memstore.New(), Options{Config: cassauth.Config{Authenticator: "Nope"}})
	require.Error(t, err)
	assert.ErrorIs(t, err, cassauth.ErrUnknownClass)
}
