package roles

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/passwd"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

func TestNewTableConfig(t *testing.T) {
	_, err := NewTable(Config{})
	require.Error(t, err)
	assert.Equal(t, CodeConfigError, CodeOf(err))

	tb, st := newTable(t, nil)
	assert.NoError(t, tb.ValidateConfiguration())
	assert.Equal(t, []resource.Resource{resource.Table("system_auth", "roles"), resource.Table("system_auth", "role_members")},
		tb.ProtectedResources())

	// Nil hasher, logger and clock get defaults.
	tb, err = NewTable(Config{Store: st})
	require.NoError(t, err)
	assert.Equal(t, BcryptHasher{}, tb.hasher)
	assert.NotNil(t, tb.log)
	assert.NotNil(t, tb.now)
}

func TestCreateRole(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name         string
		noPassword   bool // authenticator is not a password authenticator
		opts         Options
		super, login bool
		password     string // expected to verify; "" = no hash stored
		hash         string // expected verbatim hash
	}{
		{name: "defaults"},
		{name: "superuser login", opts: Options{Superuser: ptr(true), Login: ptr(true)}, super: true, login: true},
		{name: "explicit false", opts: Options{Superuser: ptr(false), Login: ptr(false)}},
		{name: "password", opts: Options{Login: ptr(true), Password: ptr("pw")}, login: true, password: "pw"},
		{name: "empty password", opts: Options{Password: ptr("")}, password: ""},
		{name: "hashed password verbatim", opts: Options{HashedPassword: ptr(goodHash)}, hash: goodHash},
		{name: "no password authenticator", noPassword: true, opts: Options{Login: ptr(true)}, login: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, st := newTable(t, func(c *Config) { c.PasswordAuthentication = !tt.noPassword })
			require.NoError(t, tb.CreateRole(ctx, NewUser("admin"), "r", tt.opts))
			rec, err := st.GetRole(ctx, "r")
			require.NoError(t, err)
			assert.Equal(t, tt.super, rec.IsSuperuser)
			assert.Equal(t, tt.login, rec.CanLogin)
			assert.Empty(t, rec.MemberOf)
			switch {
			case tt.hash != "":
				assert.Equal(t, tt.hash, rec.SaltedHash)
			case tt.opts.Password != nil:
				ok, err := passwd.Compare(rec.SaltedHash, tt.password)
				require.NoError(t, err)
				assert.True(t, ok)
				cost, err := passwd.Cost(rec.SaltedHash)
				require.NoError(t, err)
				assert.Equal(t, 4, cost, "the configured hasher is used")
			default:
				assert.Empty(t, rec.SaltedHash)
			}
			super, err := tb.IsSuper(ctx, "r")
			require.NoError(t, err)
			assert.Equal(t, tt.super, super)
			login, err := tb.CanLogin(ctx, "r")
			require.NoError(t, err)
			assert.Equal(t, tt.login, login)
		})
	}
}

func TestCreateRoleErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		noPassword bool
		setup      func(t *testing.T, tb *Table)
		role       string
		opts       Options
		code       Code
		msg        string
		is         error
	}{
		{name: "empty name", role: "", code: CodeInvalid, msg: "Role name can't be an empty string"},
		{
			name: "exists", role: "r", setup: func(t *testing.T, tb *Table) { mustCreate(t, tb, "r") },
			code: CodeInvalid, msg: "r already exists", is: store.ErrExists,
		},
		{
			name: "identities exist for the name", role: "r",
			setup: func(t *testing.T, tb *Table) {
				// Identities may name a role that does not exist (yet).
				require.NoError(t, tb.AddIdentity(ctx, "spiffe://y", "r"))
			},
			code: CodeServerError, msg: "Cannot create a role 'r' when identities already exists for it",
		},
		{
			name: "password unsupported", noPassword: true, role: "r", opts: Options{Password: ptr("pw")},
			code: CodeInvalid, msg: "org.apache.cassandra.auth.CassandraRoleManager doesn't support PASSWORD",
		},
		{
			name: "options unsupported", role: "r", opts: Options{Custom: map[string]string{"a": "b"}},
			code: CodeInvalid, msg: "org.apache.cassandra.auth.CassandraRoleManager doesn't support OPTIONS",
		},
		{
			name: "bad hashed password", role: "r", opts: Options{HashedPassword: ptr("$2a$10$short")},
			code: CodeInvalid, msg: "Invalid hashed password value. Please use jBcrypt.", is: passwd.ErrInvalidHashed,
		},
		{
			name: "password and hashed password", role: "r", opts: Options{Password: ptr("a"), HashedPassword: ptr(goodHash)},
			code: CodeInvalid, msg: "Properties 'PASSWORD' and 'HASHED_PASSWORD' are mutually exclusive",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, _ := newTable(t, func(c *Config) { c.PasswordAuthentication = !tt.noPassword })
			if tt.setup != nil {
				tt.setup(t, tb)
			}
			err := tb.CreateRole(ctx, NewUser("admin"), tt.role, tt.opts)
			require.Error(t, err)
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, tt.code, CodeOf(err))
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestCreateRoleHasherError(t *testing.T) {
	tb, st := newTable(t, func(c *Config) { c.Hasher = BcryptHasher{Cost: 3} })
	err := tb.CreateRole(context.Background(), System, "r", Options{Password: ptr("pw")})
	require.ErrorIs(t, err, passwd.ErrBadCost)
	assert.NotContains(t, err.Error(), "pw")
	_, err = st.GetRole(context.Background(), "r")
	assert.ErrorIs(t, err, store.ErrNotFound, "nothing written")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = BcryptHasher{}.Hash(ctx, "pw")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestAlterRole(t *testing.T) {
	ctx := context.Background()
	tb, st := newTable(t, nil)
	require.NoError(t, tb.CreateRole(ctx, System, "r", Options{Password: ptr("old"), Login: ptr(true)}))

	require.NoError(t, tb.AlterRole(ctx, System, "r", Options{Superuser: ptr(true), Login: ptr(false)}))
	rec, err := st.GetRole(ctx, "r")
	require.NoError(t, err)
	assert.True(t, rec.IsSuperuser)
	assert.False(t, rec.CanLogin)
	ok, _ := passwd.Compare(rec.SaltedHash, "old")
	assert.True(t, ok, "password untouched")

	require.NoError(t, tb.AlterRole(ctx, System, "r", Options{Password: ptr("new")}))
	rec, _ = st.GetRole(ctx, "r")
	ok, _ = passwd.Compare(rec.SaltedHash, "new")
	assert.True(t, ok)
	assert.True(t, rec.IsSuperuser, "superuser untouched")

	require.NoError(t, tb.AlterRole(ctx, System, "r", Options{HashedPassword: ptr(goodHash)}))
	rec, _ = st.GetRole(ctx, "r")
	assert.Equal(t, goodHash, rec.SaltedHash)

	// Nothing to change: no store call, so even a missing role passes.
	assert.NoError(t, tb.AlterRole(ctx, System, "missing", Options{}))
}

func TestAlterRoleErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		noPassword bool
		role       string
		opts       Options
		msg        string
		is         error
	}{
		{name: "missing role", role: "missing", opts: Options{Login: ptr(true)}, msg: "Role missing doesn't exist", is: store.ErrNotFound},
		{name: "bad hash", role: "r", opts: Options{HashedPassword: ptr("x")}, msg: "Invalid hashed password value. Please use jBcrypt."},
		{
			name: "password without password authenticator", noPassword: true, role: "r", opts: Options{Password: ptr("x")},
			msg: "org.apache.cassandra.auth.CassandraRoleManager doesn't support PASSWORD",
		},
		{
			name: "options", role: "r", opts: Options{Custom: map[string]string{}},
			msg: "org.apache.cassandra.auth.CassandraRoleManager doesn't support OPTIONS",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, _ := newTable(t, func(c *Config) { c.PasswordAuthentication = !tt.noPassword })
			mustCreate(t, tb, "r")
			err := tb.AlterRole(ctx, System, tt.role, tt.opts)
			require.Error(t, err)
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, CodeInvalid, CodeOf(err))
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestDropRole(t *testing.T) {
	ctx := context.Background()
	tb, st := newTable(t, nil)
	mustCreate(t, tb, "parent", "r", "child")
	mustGrant(t, tb, "parent", "r") // r is a member of parent
	mustGrant(t, tb, "r", "child")  // child is a member of r
	require.NoError(t, tb.AddIdentity(ctx, "id-r", "r"))
	require.NoError(t, tb.AddIdentity(ctx, "id-child", "child"))

	require.NoError(t, tb.DropRole(ctx, System, "r"))

	ok, err := tb.IsExistingRole(ctx, "r")
	require.NoError(t, err)
	assert.False(t, ok)
	members, err := st.ListMembers(ctx, "parent")
	require.NoError(t, err)
	assert.Empty(t, members, "r left parent's member list")
	child, err := tb.Roles(ctx, "child", true)
	require.NoError(t, err)
	assert.Equal(t, []string{"child"}, child, "child lost r and, through it, parent")
	ids, err := tb.AuthorizedIdentities(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"id-child": "child"}, ids)

	// The name can be reused and starts clean.
	mustCreate(t, tb, "r")
	got, err := tb.Roles(ctx, "r", true)
	require.NoError(t, err)
	assert.Equal(t, []string{"r"}, got)

	err = tb.DropRole(ctx, System, "missing")
	require.Error(t, err)
	assert.Equal(t, "missing doesn't exist", err.Error())
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.Equal(t, CodeInvalid, CodeOf(err))
}

func TestGrantRoleErrors(t *testing.T) {
	ctx := context.Background()
	// Graph: a <- b <- c (c is a member of b, b of a); d apart.
	build := func(t *testing.T) *Table {
		tb, _ := newTable(t, nil)
		mustCreate(t, tb, "a", "b", "c", "d")
		mustGrant(t, tb, "a", "b")
		mustGrant(t, tb, "b", "c")
		return tb
	}
	tests := []struct {
		name          string
		role, grantee string
		msg           string
		is            error
	}{
		{name: "self grant", role: "d", grantee: "d", msg: "d is a member of d"},
		{name: "repeated grant", role: "a", grantee: "b", msg: "b is a member of a"},
		{name: "already inherited", role: "a", grantee: "c", msg: "c is a member of a"},
		{name: "direct cycle", role: "b", grantee: "a", msg: "b is a member of a"},
		{name: "transitive cycle", role: "c", grantee: "a", msg: "c is a member of a"},
		{name: "missing role", role: "x", grantee: "a", msg: "x doesn't exist", is: store.ErrNotFound},
		{name: "missing grantee", role: "a", grantee: "y", msg: "y doesn't exist", is: store.ErrNotFound},
		{name: "both missing: role first", role: "x", grantee: "y", msg: "x doesn't exist", is: store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := build(t)
			err := tb.GrantRole(ctx, System, tt.role, tt.grantee)
			require.Error(t, err)
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, CodeInvalid, CodeOf(err))
			assert.ErrorIs(t, err, ErrInvalid)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			// Nothing changed.
			for role, want := range map[string][]string{"a": {"a"}, "b": {"b", "a"}, "c": {"c", "b", "a"}, "d": {"d"}} {
				got, err := tb.Roles(ctx, role, true)
				require.NoError(t, err)
				assert.Equal(t, want, got, role)
			}
		})
	}
}

func TestGrantRoleCanceled(t *testing.T) {
	tb, _ := newTable(t, nil)
	mustCreate(t, tb, "a", "b")
	tb.grantSem <- struct{}{} // another grant is running
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := tb.GrantRole(ctx, System, "a", "b")
	assert.ErrorIs(t, err, context.Canceled)
	<-tb.grantSem
	require.NoError(t, tb.GrantRole(context.Background(), System, "a", "b"))
}

// cycleAfterGrantStore simulates another process granting role to grantee's
// descendant between GrantRole's check and its write: on the first
// GrantRole it first writes the reverse membership.
type cycleAfterGrantStore struct {
	store.Store
	reverse [2]string // role, grantee of the other process's grant
	done    bool
}

func (c *cycleAfterGrantStore) GrantRole(ctx context.Context, role, grantee string) error {
	if !c.done {
		c.done = true
		if err := c.Store.GrantRole(ctx, c.reverse[0], c.reverse[1]); err != nil {
			return err
		}
	}
	return c.Store.GrantRole(ctx, role, grantee)
}

func TestGrantRoleUndoesRacingCycle(t *testing.T) {
	ctx := context.Background()
	base, st := newTable(t, nil)
	mustCreate(t, base, "a", "b")
	racy := &cycleAfterGrantStore{Store: st, reverse: [2]string{"b", "a"}}
	tb, err := NewTable(Config{Store: racy, Hasher: fastHasher})
	require.NoError(t, err)

	// We grant a to b; "another process" grants b to a first.
	err = tb.GrantRole(ctx, System, "a", "b")
	require.Error(t, err)
	assert.Equal(t, "a is a member of b", err.Error())
	got, err := tb.Roles(ctx, "b", true)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, got, "our grant was undone")
	got, err = tb.Roles(ctx, "a", true)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got, "theirs stays")
}

func TestRevokeRole(t *testing.T) {
	ctx := context.Background()
	build := func(t *testing.T) *Table {
		tb, _ := newTable(t, nil)
		mustCreate(t, tb, "a", "b", "c")
		mustGrant(t, tb, "a", "b")
		mustGrant(t, tb, "b", "c")
		return tb
	}
	tests := []struct {
		name           string
		role, revokee  string
		msg            string              // "" = success
		want           map[string][]string // Roles(x, true) afterwards
		wantUnmodified bool
	}{
		{name: "direct", role: "a", revokee: "b", want: map[string][]string{"b": {"b"}, "c": {"c", "b"}}},
		{name: "inherited only", role: "a", revokee: "c", msg: "c is not a member of a", wantUnmodified: true},
		{name: "reverse", role: "b", revokee: "a", msg: "a is not a member of b", wantUnmodified: true},
		{name: "unrelated", role: "c", revokee: "a", msg: "a is not a member of c", wantUnmodified: true},
		{name: "missing revokee", role: "a", revokee: "x", msg: "x is not a member of a", wantUnmodified: true},
		{name: "missing role", role: "x", revokee: "a", msg: "a is not a member of x", wantUnmodified: true},
		{name: "self is a silent no-op", role: "b", revokee: "b", wantUnmodified: true},
		{name: "missing self", role: "x", revokee: "x", msg: "x is not a member of x", wantUnmodified: true},
	}
	unmodified := map[string][]string{"a": {"a"}, "b": {"b", "a"}, "c": {"c", "b", "a"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := build(t)
			err := tb.RevokeRole(ctx, System, tt.role, tt.revokee)
			if tt.msg != "" {
				require.Error(t, err)
				assert.Equal(t, tt.msg, err.Error())
				assert.Equal(t, CodeInvalid, CodeOf(err))
			} else {
				require.NoError(t, err)
			}
			want := tt.want
			if tt.wantUnmodified {
				want = unmodified
			}
			for role, w := range want {
				got, err := tb.Roles(ctx, role, true)
				require.NoError(t, err)
				assert.Equal(t, w, got, role)
			}
		})
	}
}

func TestStoreFailuresFailClosed(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	_, st := newTable(t, nil)
	f := &faultyStore{Store: st, err: boom, getRole: true}
	tb, err := NewTable(Config{Store: f})
	require.NoError(t, err)

	super, err := tb.IsSuper(ctx, "r")
	assert.False(t, super)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, "Unable to perform authorization of super-user permission: boom", err.Error())
	assert.Equal(t, CodeUnauthorized, CodeOf(err))

	login, err := tb.CanLogin(ctx, "r")
	assert.False(t, login)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, "Unable to perform authorization of login permission: boom", err.Error())
	assert.Equal(t, CodeUnauthorized, CodeOf(err))

	status, err := HasSuperuserStatus(ctx, tb, "r")
	assert.False(t, status)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, "Unable to perform authorization of super-user permission: boom", err.Error())
	assert.Equal(t, CodeUnauthorized, CodeOf(err))

	for name, call := range map[string]func() error{
		"Roles":          func() error { _, err := tb.Roles(ctx, "r", true); return err },
		"Roles direct":   func() error { _, err := tb.Roles(ctx, "r", false); return err },
		"RoleDetails":    func() error { _, err := tb.RoleDetails(ctx, "r"); return err },
		"IsExistingRole": func() error { _, err := tb.IsExistingRole(ctx, "r"); return err },
		"CustomOptions":  func() error { _, err := tb.CustomOptions(ctx, "r"); return err },
		"GrantRole":      func() error { return tb.GrantRole(ctx, System, "a", "b") },
		"RevokeRole":     func() error { return tb.RevokeRole(ctx, System, "a", "b") },
	} {
		assert.ErrorIs(t, call(), boom, name)
	}

	f.getRole, f.listRoles, f.listIdentities = false, true, true
	_, err = tb.AllRoles(ctx)
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, tb.CreateRole(ctx, System, "r", Options{}), boom)
}

func TestCustomOptions(t *testing.T) {
	ctx := context.Background()
	tb, st := newTable(t, nil)
	mustCreate(t, tb, "r")
	got, err := tb.CustomOptions(ctx, "r")
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
	got, err = tb.CustomOptions(ctx, "missing")
	require.NoError(t, err)
	assert.NotNil(t, got)
	// Options written by another role manager are reported.
	require.NoError(t, st.UpdateRole(ctx, "r", store.RoleUpdate{Options: map[string]string{"k": "v"}}))
	got, err = tb.CustomOptions(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k": "v"}, got)
}

// dropBeforeGrantStore drops a role just before the grant is written, as a
// concurrent DROP ROLE could.
type dropBeforeGrantStore struct {
	store.Store
	drop string
}

func (d *dropBeforeGrantStore) GrantRole(ctx context.Context, role, grantee string) error {
	if err := d.Store.DropRole(ctx, d.drop); err != nil {
		return err
	}
	return d.Store.GrantRole(ctx, role, grantee)
}

func TestGrantRoleRacingDrop(t *testing.T) {
	ctx := context.Background()
	for _, dropped := range []string{"a", "b"} {
		t.Run(dropped, func(t *testing.T) {
			base, st := newTable(t, nil)
			mustCreate(t, base, "a", "b")
			tb, err := NewTable(Config{Store: &dropBeforeGrantStore{Store: st, drop: dropped}})
			require.NoError(t, err)
			err = tb.GrantRole(ctx, System, "a", "b")
			require.Error(t, err)
			assert.Equal(t, dropped+" doesn't exist", err.Error())
			assert.ErrorIs(t, err, store.ErrNotFound)
			assert.Equal(t, CodeInvalid, CodeOf(err))
		})
	}
}
