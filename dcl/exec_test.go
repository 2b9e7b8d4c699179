package dcl_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

func TestExecuteEnvChecks(t *testing.T) {
	s := newStack(t, defaultConfig())
	ctx := context.Background()
	sess := &dcl.Session{User: roles.NewUser("cassandra")}
	full := *s.env
	tests := []struct {
		name string
		env  *dcl.Env
		sess *dcl.Session
	}{
		{"nil env", nil, sess},
		{"no roles", &dcl.Env{Authorizer: full.Authorizer, Checker: full.Checker}, sess},
		{"no authorizer", &dcl.Env{Roles: full.Roles, Checker: full.Checker}, sess},
		{"no checker", &dcl.Env{Roles: full.Roles, Authorizer: full.Authorizer}, sess},
		{"no session", &full, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := dcl.Execute(ctx, tt.env, tt.sess, "LIST ROLES")
			assert.Nil(t, res)
			assert.ErrorIs(t, err, dcl.ErrEnv)
			assert.Equal(t, roles.CodeServerError, roles.CodeOf(err))
		})
	}
	_, err := dcl.ExecuteStatement(ctx, &full, sess, nil)
	assert.ErrorIs(t, err, dcl.ErrEnv)
}

func TestExecuteContextDone(t *testing.T) {
	s := newStack(t, defaultConfig())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := dcl.Execute(ctx, s.env, &dcl.Session{User: roles.NewUser("cassandra")}, "CREATE ROLE r")
	assert.Empty(t, res)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestExecuteStatementPrepared runs one parsed statement in several
// sessions: a prepared statement is a plain value.
func TestExecuteStatementPrepared(t *testing.T) {
	s := newStack(t, defaultConfig())
	ctx := context.Background()
	s.exec(t, "cassandra", "CREATE KEYSPACE ks WITH replication = {'class': 'x'}; CREATE TABLE ks.t (id int PRIMARY KEY); CREATE ROLE r")
	sts, err := dcl.Parse("GRANT SELECT ON t TO r")
	require.NoError(t, err)
	_, err = dcl.ExecuteStatement(ctx, s.env, &dcl.Session{User: roles.NewUser("cassandra")}, sts[0])
	assert.EqualError(t, err, "No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename")
	res, err := dcl.ExecuteStatement(ctx, s.env, &dcl.Session{User: roles.NewUser("cassandra"), Keyspace: "ks"}, sts[0])
	require.NoError(t, err)
	assert.Equal(t, dcl.ResultVoid, res.Kind)
	assert.Empty(t, res.Warnings)
	res, err = dcl.ExecuteStatement(ctx, s.env, &dcl.Session{User: roles.NewUser("cassandra"), Keyspace: "ks"}, sts[0])
	require.NoError(t, err)
	assert.Equal(t, []string{"Role 'r' was already granted SELECT on <table ks.t>"}, res.Warnings)
}

func TestUseChangesSession(t *testing.T) {
	s := newStack(t, defaultConfig())
	s.exec(t, "cassandra", "CREATE KEYSPACE ks WITH replication = {'class': 'x'}")
	sess := &dcl.Session{User: roles.NewUser("cassandra"), Datacenter: "dc1"}
	res, err := dcl.Execute(context.Background(), s.env, sess, "USE ks")
	require.NoError(t, err)
	assert.Equal(t, dcl.Result{Kind: dcl.ResultSetKeyspace, Keyspace: "ks"}, res[0])
	assert.Equal(t, "ks", sess.Keyspace)
}

func TestResultValues(t *testing.T) {
	s := newStack(t, defaultConfig())
	res := s.exec(t, "cassandra", "CREATE ROLE r WITH LOGIN = true; LIST ROLES OF r; CREATE KEYSPACE ks WITH replication = {'class': 'x'}; DROP KEYSPACE ks")
	require.Len(t, res, 4)
	assert.Equal(t, dcl.Result{Kind: dcl.ResultVoid}, res[0])
	assert.Equal(t, dcl.Result{
		Kind: dcl.ResultRows, Keyspace: "system_auth", Table: "roles",
		Columns: []dcl.Column{{"role", dcl.TypeText}, {"super", dcl.TypeBoolean}, {"login", dcl.TypeBoolean}, {"options", dcl.TypeTextMap}, {"datacenters", dcl.TypeText}},
		Rows:    [][]any{{"r", false, true, map[string]string{}, "ALL"}},
	}, res[1])
	assert.Equal(t, dcl.SchemaChange{Change: "CREATED", Target: "KEYSPACE", Keyspace: "ks"}, res[2].SchemaChange)
	assert.Equal(t, dcl.SchemaChange{Change: "DROPPED", Target: "KEYSPACE", Keyspace: "ks"}, res[3].SchemaChange)
	assert.Equal(t, "Schema_change", dcl.ResultSchemaChange.String())
	assert.Equal(t, "{'a': 'b', 'c''': 'd'}", dcl.FormatValue(map[string]string{"c'": "d", "a": "b"}))
	assert.Equal(t, "false", dcl.FormatValue(false))
}

func TestErrorTypes(t *testing.T) {
	s := newStack(t, defaultConfig())
	ctx := context.Background()
	sess := &dcl.Session{User: roles.NewUser("cassandra")}
	s.exec(t, "cassandra", "CREATE KEYSPACE ks WITH replication = {'class': 'x'}; CREATE TABLE ks.t (id int PRIMARY KEY)")

	_, err := dcl.Execute(ctx, s.env, sess, "CREATE TABLE ks.t (id int PRIMARY KEY)")
	var ae *dcl.AlreadyExistsError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, dcl.AlreadyExistsError{Keyspace: "ks", Table: "t"}, *ae)
	assert.Equal(t, dcl.CodeAlreadyExists, roles.CodeOf(err))

	_, err = dcl.Execute(ctx, s.env, sess, "CREATE KEYSPACE ks WITH replication = {'class': 'x'}")
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, dcl.AlreadyExistsError{Keyspace: "ks"}, *ae)

	_, err = dcl.Execute(ctx, s.env, &dcl.Session{User: roles.NewUser("nobody")}, "CREATE ROLE x")
	assert.ErrorIs(t, err, authz.ErrDenied)
	assert.ErrorIs(t, err, roles.ErrUnauthorized)

	_, err = dcl.Execute(ctx, s.env, sess, "DROP TABLE ks.missing")
	assert.ErrorIs(t, err, roles.ErrInvalid)

	env := *s.env
	env.Schema = nil
	_, err = dcl.Execute(ctx, &env, sess, "DROP TABLE ks.t")
	assert.ErrorIs(t, err, dcl.ErrNoCatalog)
}

// flaky is a memstore whose writes of permissions and reads of roles fail
// while broken is set.
type flaky struct {
	*memstore.Store
	broken atomic.Bool
}

var errBroken = errors.New("store unavailable")

func (f *flaky) AddPermissions(ctx context.Context, role, res string, perms resource.PermissionSet) (resource.PermissionSet, error) {
	if f.broken.Load() {
		return 0, store.Errorf("AddPermissions", role, errBroken)
	}
	return f.Store.AddPermissions(ctx, role, res, perms)
}

func (f *flaky) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	if f.broken.Load() && name != "cassandra" {
		return store.RoleRecord{}, store.Errorf("GetRole", name, errBroken)
	}
	return f.Store.GetRole(ctx, name)
}

// TestStoreFailure checks that a store failure is an error, never a
// success, and leaves nothing half done that the statement reports.
func TestStoreFailure(t *testing.T) {
	ctx := context.Background()
	st := &flaky{Store: memstore.New()}
	rm, err := roles.NewTable(roles.Config{Store: st, Hasher: roles.BcryptHasher{Cost: 4}})
	require.NoError(t, err)
	require.NoError(t, rm.Setup(ctx))
	a, err := authz.NewTable(authz.Config{Store: st, Roles: rm})
	require.NoError(t, err)
	c, err := authz.NewChecker(authz.CheckerConfig{Authorizer: a, Roles: rm})
	require.NoError(t, err)
	env := &dcl.Env{Roles: rm, Authorizer: a, Checker: c}
	sess := &dcl.Session{User: roles.NewUser("cassandra")}
	_, err = dcl.Execute(ctx, env, sess, "CREATE ROLE r")
	require.NoError(t, err)

	st.broken.Store(true)
	for _, q := range []string{"GRANT SELECT ON ks.t TO r", "DROP ROLE r", "GRANT r TO cassandra", "LIST ROLES OF r"} {
		res, err := dcl.Execute(ctx, env, sess, q)
		assert.Empty(t, res, q)
		require.Error(t, err, q)
		assert.ErrorIs(t, err, errBroken, q)
	}
	st.broken.Store(false)
	res, err := dcl.Execute(ctx, env, sess, "LIST ALL OF r")
	require.NoError(t, err)
	assert.Equal(t, dcl.ResultVoid, res[0].Kind)
}

// TestLoggerRedactsPasswords checks that statements are logged without
// their passwords.
func TestLoggerRedactsPasswords(t *testing.T) {
	s := newStack(t, defaultConfig())
	var buf bytes.Buffer
	s.env.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sess := &dcl.Session{User: roles.NewUser("cassandra"), Datacenter: "dc1"}
	_, err := dcl.Execute(context.Background(), s.env, sess, "CREATE ROLE r WITH PASSWORD = 'hunter2'; ALTER ROLE r WITH PASSWORD = 'hunter3' AND OPTIONS = {}")
	require.Error(t, err)
	out := buf.String()
	assert.NotContains(t, out, "hunter")
	assert.Contains(t, out, "CREATE ROLE r WITH PASSWORD = '*******'")
	assert.Contains(t, out, "doesn't support OPTIONS")
}

// TestConcurrentSessions runs sessions in parallel against one Env (run
// with -race).
func TestConcurrentSessions(t *testing.T) {
	s := newStack(t, defaultConfig())
	ctx := context.Background()
	s.exec(t, "cassandra", "CREATE KEYSPACE ks WITH replication = {'class': 'x'}; CREATE TABLE ks.t (id int PRIMARY KEY); CREATE ROLE shared")
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess := &dcl.Session{User: roles.NewUser("cassandra"), Datacenter: "dc1"}
			role := fmt.Sprintf("r%d", i)
			q := fmt.Sprintf(`CREATE ROLE %[1]s WITH LOGIN = true;
				GRANT SELECT ON ks.t TO %[1]s;
				GRANT shared TO %[1]s;
				USE ks;
				GRANT MODIFY ON t TO shared;
				LIST ALL OF %[1]s;
				REVOKE shared FROM %[1]s;
				DROP ROLE %[1]s`, role)
			if _, err := dcl.Execute(ctx, s.env, sess, q); err != nil {
				errs <- fmt.Errorf("%s: %w", role, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	res := s.exec(t, "cassandra", "LIST ROLES; LIST ALL OF shared")
	assert.Len(t, res[0].Rows, 2)
	assert.Equal(t, [][]any{{"shared", "shared", "<table ks.t>", "MODIFY"}}, res[1].Rows)
}
