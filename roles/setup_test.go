package roles

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/passwd"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

const (
	infoLine = `level=INFO msg="Created default superuser role 'cassandra'"`
	warnLine = `level=WARN msg="Default superuser role 'cassandra' has the well-known default password: ` +
		`create another superuser, then drop this role or change its password"`
)

func TestSetupDefaultSuperuser(t *testing.T) {
	ctx := context.Background()
	logger, buf := newLogger()
	tb, st := newTable(t, func(c *Config) { c.Logger = logger })

	require.NoError(t, tb.Setup(ctx))
	rec, err := st.GetRole(ctx, "cassandra")
	require.NoError(t, err)
	assert.True(t, rec.IsSuperuser)
	assert.True(t, rec.CanLogin)
	assert.Empty(t, rec.MemberOf)
	ok, err := passwd.Compare(rec.SaltedHash, "cassandra")
	require.NoError(t, err)
	assert.True(t, ok)
	cost, _ := passwd.Cost(rec.SaltedHash)
	assert.Equal(t, 4, cost, "hashed with the configured hasher")

	out := buf.String()
	assert.Contains(t, out, infoLine)
	assert.Contains(t, out, warnLine)
	assert.NotContains(t, out, rec.SaltedHash)

	// Idempotent: nothing more is created or logged.
	require.NoError(t, tb.Setup(ctx))
	assert.Equal(t, 1, strings.Count(buf.String(), "Created default superuser"))
	names, _ := tb.AllRoles(ctx)
	assert.Equal(t, []string{"cassandra"}, names)

	// Dropped by the operator after other roles exist: not recreated.
	mustCreate(t, tb, "admin")
	require.NoError(t, tb.DropRole(ctx, System, "cassandra"))
	require.NoError(t, tb.Setup(ctx))
	names, _ = tb.AllRoles(ctx)
	assert.Equal(t, []string{"admin"}, names)
}

func TestSetupOnlyWhenNoRoleExists(t *testing.T) {
	ctx := context.Background()
	logger, buf := newLogger()
	tb, _ := newTable(t, func(c *Config) { c.Logger = logger })
	mustCreate(t, tb, "someone")

	require.NoError(t, tb.Setup(ctx))
	names, err := tb.AllRoles(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"someone"}, names)
	assert.Empty(t, buf.String())
}

func TestSetupDisabled(t *testing.T) {
	ctx := context.Background()
	logger, buf := newLogger()
	tb, _ := newTable(t, func(c *Config) {
		c.Logger = logger
		c.DisableDefaultSuperuser = true
		c.DefaultRole = &DefaultRole{} // ignored, even though invalid
	})
	require.NoError(t, tb.Setup(ctx))
	names, err := tb.AllRoles(ctx)
	require.NoError(t, err)
	assert.Empty(t, names)
	assert.Empty(t, buf.String())
}

func TestSetupCustomDefaultRole(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		role     DefaultRole
		password string // verifies against the stored hash
	}{
		{name: "password", role: DefaultRole{Name: "root", Password: "first"}, password: "first"},
		{name: "hashed password", role: DefaultRole{Name: "root", HashedPassword: goodHash}, password: "hashed-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, buf := newLogger()
			tb, st := newTable(t, func(c *Config) { c.Logger = logger; c.DefaultRole = &tt.role })
			require.NoError(t, tb.Setup(ctx))
			rec, err := st.GetRole(ctx, "root")
			require.NoError(t, err)
			assert.True(t, rec.IsSuperuser)
			assert.True(t, rec.CanLogin)
			ok, err := passwd.Compare(rec.SaltedHash, tt.password)
			require.NoError(t, err)
			assert.True(t, ok)
			ok, _ = tb.IsExistingRole(ctx, "cassandra")
			assert.False(t, ok)

			out := buf.String()
			assert.Contains(t, out, `level=INFO msg="Created default superuser role 'root'"`)
			assert.NotContains(t, out, "WARN", "no warning for an operator-supplied role")
			assert.NotContains(t, out, "first")
		})
	}
}

func TestDefaultRoleValidation(t *testing.T) {
	tests := []struct {
		name string
		role DefaultRole
		msg  string
	}{
		{"no name", DefaultRole{Password: "x"}, "roles: DefaultRole.Name must not be empty"},
		{"no password", DefaultRole{Name: "r"}, "roles: DefaultRole needs one of Password, HashedPassword"},
		{"both", DefaultRole{Name: "r", Password: "x", HashedPassword: goodHash}, "roles: DefaultRole takes only one of Password, HashedPassword"},
		{"bad hash", DefaultRole{Name: "r", HashedPassword: "nope"}, "roles: DefaultRole.HashedPassword: Invalid hashed password value. Please use jBcrypt."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTable(Config{Store: memstore.New(), DefaultRole: &tt.role})
			require.Error(t, err)
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, CodeConfigError, CodeOf(err))
			assert.NotContains(t, err.Error(), "x\"")
		})
	}
}

func TestSetupRace(t *testing.T) {
	// Several "processes" share one store and run Setup at once.
	ctx := context.Background()
	st := memstore.New()
	logger, buf := newLogger()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		tb, err := NewTable(Config{Store: st, Hasher: fastHasher, Logger: logger})
		require.NoError(t, err)
		wg.Go(func() { errs[i] = tb.Setup(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	recs, err := st.ListRoles(ctx)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, "cassandra", recs[0].Name)
	assert.Equal(t, 1, strings.Count(buf.String(), "Created default superuser"), "only the winner logs")
}

func TestSetupLosesInsertRace(t *testing.T) {
	// Another process inserts the role between our check and our insert.
	ctx := context.Background()
	st := memstore.New()
	logger, buf := newLogger()
	f := &faultyStore{Store: st, beforeCreate: func(ctx context.Context) {
		_ = st.CreateRole(ctx, store.RoleRecord{Name: "cassandra", IsSuperuser: true, CanLogin: true})
	}}
	tb, err := NewTable(Config{Store: f, Hasher: fastHasher, Logger: logger})
	require.NoError(t, err)
	require.NoError(t, tb.Setup(ctx))
	assert.Empty(t, buf.String())
}

func TestSetupFailures(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	tests := []struct {
		name  string
		fault func(f *faultyStore)
		cfg   func(c *Config)
		is    error
	}{
		{name: "reading the default role", fault: func(f *faultyStore) { f.getRole = true }, is: boom},
		{name: "listing roles", fault: func(f *faultyStore) { f.listRoles = true }, is: boom},
		{name: "inserting", fault: func(f *faultyStore) { f.createRole = true }, is: boom},
		{name: "hashing", cfg: func(c *Config) { c.Hasher = BcryptHasher{Cost: 99} }, is: passwd.ErrBadCost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			f := &faultyStore{Store: st, err: boom}
			if tt.fault != nil {
				tt.fault(f)
			}
			logger, buf := newLogger()
			cfg := Config{Store: f, Hasher: fastHasher, Logger: logger}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			tb, err := NewTable(cfg)
			require.NoError(t, err)
			err = tb.Setup(ctx)
			require.ErrorIs(t, err, tt.is)
			assert.True(t, strings.HasPrefix(err.Error(), "roles: default role setup: "), err.Error())
			assert.Contains(t, buf.String(), `level=WARN msg="CassandraRoleManager skipped default role setup"`)
			recs, err := st.ListRoles(ctx)
			require.NoError(t, err)
			assert.Empty(t, recs, "nothing created")
		})
	}
}
