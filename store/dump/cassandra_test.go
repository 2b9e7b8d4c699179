package dump_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/dump"
)

const fixtureDir = "testdata/cassandra"

func TestImportCassandraDirFixture(t *testing.T) {
	ctx := context.Background()
	st := newMem(t)
	sum, err := dump.ImportCassandraDir(ctx, st, fixtureDir, dump.ImportOptions{})
	require.NoError(t, err)

	assert.Equal(t, 11, sum.Roles)
	assert.Equal(t, 7, sum.Memberships)
	assert.Equal(t, 9, sum.Grants)
	assert.Equal(t, 3, sum.Network)
	assert.Equal(t, 2, sum.CIDRPermissions)
	assert.Equal(t, 2, sum.CIDRGroups)
	assert.Equal(t, 2, sum.Identities)
	require.Len(t, sum.Warnings, 1)
	w := sum.Warnings[0]
	assert.Equal(t, filepath.Join(fixtureDir, "role_members.csv"), w.File)
	assert.Equal(t, 4, w.Line)
	assert.Contains(t, w.Msg, `member "ghost" of "reader" is not a role`)

	// The superuser and its real bcrypt hash, usable for a login.
	cass, err := st.GetRole(ctx, "cassandra")
	require.NoError(t, err)
	assert.True(t, cass.IsSuperuser)
	assert.True(t, cass.CanLogin)
	require.NoError(t, bcrypt.CompareHashAndPassword([]byte(cass.SaltedHash), []byte("cassandra")))

	// Names that need CSV quoting and escaping.
	for _, name := range []string{"o'brien", "ops, night", `dev "ninja"`} {
		_, err := st.GetRole(ctx, name)
		require.NoError(t, err, name)
	}
	bob, err := st.GetRole(ctx, "bob")
	require.NoError(t, err)
	assert.Equal(t, []string{`dev "ninja"`, "reader"}, bob.MemberOf)
	assert.Equal(t, "", mustRole(t, st, "reader").SaltedHash)
	assert.False(t, mustRole(t, st, "reader").CanLogin)

	alice := mustRole(t, st, "alice")
	assert.Equal(t, []string{"analyst", "app_rw"}, alice.MemberOf)
	members, err := st.ListMembers(ctx, "reader")
	require.NoError(t, err)
	assert.Equal(t, []string{"analyst", "bob", "o'brien"}, members)

	grants := []struct {
		role, res string
		want      resource.PermissionSet
	}{
		{"reader", "data/shop", perms(resource.Select)},
		{"app_rw", "data/shop/orders", perms(resource.Select, resource.Modify)},
		{"analyst", "data/shop/*", perms(resource.Select, resource.Unmask)},
		{"analyst", "functions/shop/avg_price[org.apache.cassandra.db.marshal.DecimalType]", perms(resource.Execute)},
		{"svc_etl", "functions/shop/parse_row[org.apache.cassandra.db.marshal.Int32Type^org.apache.cassandra.db.marshal.UTF8Type]", perms(resource.Execute)},
		{"admin", "roles", perms(resource.Create, resource.Alter, resource.Drop, resource.Authorize, resource.Describe)},
		{"bob", "roles/reader", perms(resource.Describe)},
		{"svc_etl", "mbean/org.apache.cassandra.db:keyspace=shop,table=orders,type=Tables", perms(resource.Select)},
		{"ops, night", "mbean", perms(resource.Describe, resource.Execute)},
	}
	for _, g := range grants {
		got, err := st.GetPermissions(ctx, g.role, g.res)
		require.NoError(t, err)
		assert.Equal(t, g.want, got, "%s on %s", g.role, g.res)
	}

	// network_permissions is keyed by "roles/<name>" in Cassandra, by the
	// bare name here.
	dcs, err := st.GetDatacenters(ctx, "svc_etl")
	require.NoError(t, err)
	assert.Equal(t, []string{"dc1", "dc2"}, dcs)
	dcs, err = st.GetDatacenters(ctx, "bob")
	require.NoError(t, err)
	assert.Empty(t, dcs, "{} means all datacenters")
	_, err = st.GetDatacenters(ctx, "roles/alice")
	assert.ErrorIs(t, err, store.ErrNotFound)

	cidr, err := st.GetCIDRPermissions(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, []string{"office", "vpn"}, cidr)
	groups, err := st.ListCIDRGroups(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.CIDRGroup{
		{Name: "office", CIDRs: prefixes("10.10.0.0/16", "192.168.1.0/24")},
		{Name: "vpn", CIDRs: prefixes("2001:db8::/32")},
	}, groups)

	role, err := st.GetIdentity(ctx, "CN=Alice Example,OU=Analytics,O=Example Corp")
	require.NoError(t, err)
	assert.Equal(t, "alice", role)
	role, err = st.GetIdentity(ctx, "spiffe://cluster.local/ns/etl/sa/loader")
	require.NoError(t, err)
	assert.Equal(t, "svc_etl", role)
}

func mustRole(t *testing.T, st store.Store, name string) store.RoleRecord {
	t.Helper()
	r, err := st.GetRole(context.Background(), name)
	require.NoError(t, err)
	return r
}

// csvFiles reads the fixture directory into memory, so tests can replace
// single files.
func fixtureFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(fixtureDir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(fixtureDir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(b)
	}
	return out
}

func toCSVFiles(files map[string]string) dump.CSVFiles {
	r := func(name string) *strings.Reader {
		if s, ok := files[name]; ok {
			return strings.NewReader(s)
		}
		return nil
	}
	var f dump.CSVFiles
	// Assign only present files: a nil *strings.Reader in an io.Reader
	// field would not be nil.
	if x := r("roles.csv"); x != nil {
		f.Roles = x
	}
	if x := r("role_members.csv"); x != nil {
		f.RoleMembers = x
	}
	if x := r("role_permissions.csv"); x != nil {
		f.RolePermissions = x
	}
	if x := r("network_permissions.csv"); x != nil {
		f.NetworkPermissions = x
	}
	if x := r("cidr_permissions.csv"); x != nil {
		f.CIDRPermissions = x
	}
	if x := r("cidr_groups.csv"); x != nil {
		f.CIDRGroups = x
	}
	if x := r("identity_to_role.csv"); x != nil {
		f.IdentityToRole = x
	}
	return f
}

func TestImportCassandraCSVMatchesDir(t *testing.T) {
	ctx := context.Background()
	a, b := newMem(t), newMem(t)
	_, err := dump.ImportCassandraDir(ctx, a, fixtureDir, dump.ImportOptions{})
	require.NoError(t, err)
	sum, err := dump.ImportCassandraCSV(ctx, b, toCSVFiles(fixtureFiles(t)), dump.ImportOptions{})
	require.NoError(t, err)
	assert.Equal(t, readTables(t, a), readTables(t, b))
	require.Len(t, sum.Warnings, 1)
	assert.Equal(t, "role_members.csv", sum.Warnings[0].File, "readers are named after their table")
}

func TestImportCassandraCSVOnlyRoles(t *testing.T) {
	ctx := context.Background()
	st := newMem(t)
	files := fixtureFiles(t)
	sum, err := dump.ImportCassandraCSV(ctx, st, toCSVFiles(map[string]string{"roles.csv": files["roles.csv"]}), dump.ImportOptions{})
	require.NoError(t, err)
	assert.Equal(t, 11, sum.Roles)
	assert.Equal(t, 7, sum.Memberships, "memberships come from member_of; role_members is optional")
	assert.Empty(t, sum.Warnings)
}

func TestImportCassandraCSVRequiresRoles(t *testing.T) {
	st := newMem(t)
	_, err := dump.ImportCassandraCSV(context.Background(), st, dump.CSVFiles{}, dump.ImportOptions{})
	require.ErrorIs(t, err, dump.ErrMalformed)
	dir := t.TempDir()
	_, err = dump.ImportCassandraDir(context.Background(), st, dir, dump.ImportOptions{})
	require.ErrorIs(t, err, dump.ErrMalformed)
	var ie *dump.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, filepath.Join(dir, "roles.csv"), ie.File)
	requireEmpty(t, st)
}

// TestImportCassandraCSVBadInput runs every kind of bad input against the
// fixture with one file replaced, and checks the reported location and
// that nothing was written.
func TestImportCassandraCSVBadInput(t *testing.T) {
	rolesHeader := "role,can_login,is_superuser,member_of,salted_hash"
	cases := []struct {
		name    string
		file    string
		content string
		line    int
		field   string
		is      error
		msg     string
	}{
		{
			name: "missing column in header", file: "roles.csv",
			content: lines("role,can_login,is_superuser,member_of", "reader,False,False,"),
			line:    1, is: dump.ErrMalformed, msg: `missing column "salted_hash"`,
		},
		{
			name: "wrong field count without header", file: "roles.csv",
			content: lines("reader,False,False,", "x,True,True,,"),
			line:    1, is: dump.ErrMalformed, msg: "found 4 fields, expected 5",
		},
		{
			name: "wrong field count in a row", file: "role_permissions.csv",
			content: lines("role,resource,permissions", "reader,data/shop,{'SELECT'}", "reader,data/other"),
			line:    3, is: dump.ErrMalformed, msg: "found 2 fields, expected 3",
		},
		{
			name: "unknown permission", file: "role_permissions.csv",
			content: lines("role,resource,permissions", "reader,data/shop,{'SELECT'}", `reader,data/ks,"{'SELECT', 'SELEKT'}"`),
			line:    3, field: "permissions", is: resource.ErrUnknownPermission, msg: `unknown permission "SELEKT"`,
		},
		{
			name: "malformed resource name", file: "role_permissions.csv",
			content: lines("role,resource,permissions", "reader,data/a/b/c,{'SELECT'}"),
			line:    2, field: "resource", is: resource.ErrInvalidName, msg: "data/a/b/c is not a valid data resource name",
		},
		{
			name: "resource of no type", file: "role_permissions.csv",
			content: lines("reader,tables/x,{'SELECT'}"),
			line:    1, field: "resource", is: resource.ErrInvalidName, msg: "Name tables/x is not valid for any resource type",
		},
		{
			name: "function without brackets", file: "role_permissions.csv",
			content: lines("role,resource,permissions", "", "reader,functions/ks/f,{'EXECUTE'}"),
			line:    3, field: "resource", is: resource.ErrInvalidName, msg: `It must end with "[]"`,
		},
		{
			name: "broken quoting", file: "roles.csv",
			content: lines(rolesHeader, "reader,False,False,,", `"app_rw,False,False,,`, "x,False,False,,"),
			line:    3, is: dump.ErrMalformed, msg: "unterminated quoted field",
		},
		{
			name: "text after closing quote", file: "roles.csv",
			content: lines(rolesHeader, `"reader"x,False,False,,`),
			line:    2, is: dump.ErrMalformed, msg: `unexpected 'x' after the closing quote`,
		},
		{
			name: "bare quote", file: "identity_to_role.csv",
			content: lines("identity,role", `CN="x",alice`),
			line:    2, is: dump.ErrMalformed, msg: `bare " in an unquoted field`,
		},
		{
			name: "bad boolean", file: "roles.csv",
			content: lines(rolesHeader, "reader,False,False,,", "app_rw,yes,False,,"),
			line:    3, field: "can_login", is: dump.ErrMalformed, msg: `bad boolean "yes"`,
		},
		{
			name: "null boolean", file: "roles.csv",
			content: lines(rolesHeader, "reader,False,,,"),
			line:    2, field: "is_superuser", is: dump.ErrMalformed, msg: "Invalid metadata has been detected for role reader",
		},
		{
			name: "empty role name", file: "roles.csv",
			content: lines(rolesHeader, ",False,False,,"),
			line:    2, field: "role", is: dump.ErrMalformed, msg: "role name is empty",
		},
		{
			name: "malformed set", file: "roles.csv",
			content: lines(rolesHeader, "reader,False,False,,", `x,False,False,"{'reader',,}",`),
			line:    3, field: "member_of", is: dump.ErrMalformed, msg: "malformed set",
		},
		{
			name: "set without braces", file: "roles.csv",
			content: lines(rolesHeader, "reader,False,False,,", "x,False,False,'reader',"),
			line:    3, field: "member_of", is: dump.ErrMalformed, msg: "expected a set",
		},
		{
			name: "dangling membership", file: "roles.csv",
			content: lines(rolesHeader, "reader,False,False,,", "x,True,False,\"{'reader', 'nobody'}\","),
			line:    3, field: "member_of", is: dump.ErrInconsistent, msg: `dangling membership: role "x" is a member of "nobody"`,
		},
		{
			name: "membership cycle", file: "roles.csv",
			content: lines(rolesHeader, "a,False,False,{'b'},", "b,False,False,{'c'},", "c,False,False,{'a'},"),
			line:    4, field: "member_of", is: dump.ErrInconsistent, msg: `membership cycle: "a" is a member of "b" is a member of "c" is a member of "a"`,
		},
		{
			name: "duplicate role", file: "roles.csv",
			content: lines(rolesHeader, "reader,False,False,,", "reader,True,False,,"),
			line:    3, is: dump.ErrDuplicate, msg: `duplicate role "reader" (first at roles.csv:2)`,
		},
		{
			name: "role_members disagrees with member_of", file: "role_members.csv",
			content: lines("reader,analyst", "reader,alice"),
			line:    2, is: dump.ErrInconsistent, msg: `role_members says "alice" is a member of "reader", but member_of of "alice" (roles.csv line 4) does not list it`,
		},
		{
			name: "member_of missing from role_members", file: "role_members.csv",
			content: lines("role,member", "reader,analyst"),
			line:    2, field: "member_of", is: dump.ErrInconsistent, msg: `member_of of "svc_etl" lists "app_rw", but role_members.csv has no row ("app_rw", "svc_etl")`,
		},
		{
			name: "network key is not a role resource", file: "network_permissions.csv",
			content: lines("role,dcs", "alice,{'dc1'}"),
			line:    2, field: "role", is: dump.ErrMalformed, msg: `must be a role resource name "roles/<name>"`,
		},
		{
			name: "bad CIDR length", file: "cidr_groups.csv",
			content: lines("cidr_group,cidrs", `office,"{('10.0.0.0', 33)}"`),
			line:    2, field: "cidrs", is: dump.ErrMalformed, msg: `invalid prefix length "33"`,
		},
		{
			name: "bad CIDR address", file: "cidr_groups.csv",
			content: lines(`office,"{('10.0.0.300', 8)}"`),
			line:    1, field: "cidrs", is: dump.ErrMalformed, msg: "invalid address",
		},
		{
			name: "duplicate identity", file: "identity_to_role.csv",
			content: lines("identity,role", "a,alice", "b,bob", "a,bob"),
			line:    4, is: dump.ErrDuplicate, msg: `duplicate identity "a"`,
		},
		{
			name: "not UTF-8", file: "identity_to_role.csv",
			content: lines("identity,role", "a,alice", "CN=M\xfcller,bob"),
			line:    3, field: "identity", is: dump.ErrMalformed, msg: "invalid UTF-8",
		},
		{
			name: "escape at end of input", file: "identity_to_role.csv",
			content: "identity,role\nabc,alice\\",
			line:    2, is: dump.ErrMalformed, msg: "escape character",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := fixtureFiles(t)
			files[tc.file] = tc.content
			if tc.file == "roles.csv" {
				// role_members.csv would disagree with any other roles.
				delete(files, "role_members.csv")
			}
			st := newMem(t)
			_, err := dump.ImportCassandraCSV(context.Background(), st, toCSVFiles(files), dump.ImportOptions{})
			require.Error(t, err)
			var ie *dump.InputError
			require.ErrorAs(t, err, &ie)
			file := tc.file
			if tc.name == "member_of missing from role_members" {
				file = "roles.csv" // the row that has no counterpart
			}
			assert.Equal(t, file, ie.File)
			if tc.name != "member_of missing from role_members" {
				assert.Equal(t, tc.line, ie.Line)
			}
			assert.Equal(t, tc.field, ie.Field)
			assert.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.msg)
			requireEmpty(t, st)
		})
	}
}

func TestImportCassandraCSVEscapes(t *testing.T) {
	// A role name with a backslash and a tab, as cqlsh on Python 3.10+
	// writes it: the formatter doubles the backslash and writes the tab as
	// \t, then the csv module escapes each backslash once more.
	roles := "role,can_login,is_superuser,member_of,salted_hash\r\n" +
		`dom\\\\user\\tx,True,False,,` + "\r\n" +
		`b,False,False,"{'dom\\\\user\\tx', 'it''s'}",` + "\r\n" +
		`it's,False,False,,` + "\r\n"
	st := newMem(t)
	_, err := dump.ImportCassandraCSV(context.Background(), st, dump.CSVFiles{Roles: strings.NewReader(roles)}, dump.ImportOptions{})
	require.NoError(t, err)
	r := mustRole(t, st, "b")
	assert.Equal(t, []string{"dom\\user\tx", "it's"}, r.MemberOf)
}

func TestImportCassandraCSVMerge(t *testing.T) {
	ctx := context.Background()
	st := newMem(t)
	require.NoError(t, st.CreateRole(ctx, store.RoleRecord{Name: "reader", CanLogin: true, SaltedHash: "old"}))
	require.NoError(t, st.CreateRole(ctx, store.RoleRecord{Name: "legacy"}))
	_, err := st.AddPermissions(ctx, "reader", "data/shop", perms(resource.Modify))
	require.NoError(t, err)

	_, err = dump.ImportCassandraDir(ctx, st, fixtureDir, dump.ImportOptions{})
	require.ErrorIs(t, err, dump.ErrNotEmpty)
	assert.Contains(t, err.Error(), "2 roles, 1 grants")

	sum, err := dump.ImportCassandraDir(ctx, st, fixtureDir, dump.ImportOptions{Merge: true})
	require.NoError(t, err)
	assert.Equal(t, 11, sum.Roles)
	reader := mustRole(t, st, "reader")
	assert.False(t, reader.CanLogin, "the file's row replaces the role's flags")
	assert.Equal(t, "", reader.SaltedHash, "and its hash")
	got, err := st.GetPermissions(ctx, "reader", "data/shop")
	require.NoError(t, err)
	assert.Equal(t, perms(resource.Select, resource.Modify), got, "permissions are merged")
	mustRole(t, st, "legacy")
}

func TestImportCassandraDirUnreadable(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "roles.csv"), 0o700))
	_, err := dump.ImportCassandraDir(context.Background(), newMem(t), dir, dump.ImportOptions{})
	require.Error(t, err)
	var ie *dump.InputError
	assert.False(t, errors.As(err, &ie), "an I/O error is not an input error: %v", err)
}
