package dcl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

func TestParseRendering(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"only comments", "-- nothing\n/* here */ ;; // at all", nil},
		{"create role defaults", "CREATE ROLE Bob", []string{"CREATE ROLE bob WITH LOGIN = false AND SUPERUSER = false"}},
		{"create role options", "create role if not exists 'B o b' with password = 'secret' and login = true and options = {'b': 2, 'a': 'x'}",
			[]string{"CREATE ROLE IF NOT EXISTS 'B o b' WITH PASSWORD = '*******' AND LOGIN = true AND SUPERUSER = false AND OPTIONS = {'a': 'x', 'b': '2'}"}},
		{"create user", "CREATE USER IF NOT EXISTS Bob WITH PASSWORD 'x' SUPERUSER", []string{"CREATE USER IF NOT EXISTS Bob WITH PASSWORD '*******' SUPERUSER"}},
		{"create user keyword-like name", "CREATE USER 'login'", []string{"CREATE USER 'login' NOSUPERUSER"}},
		{"alter role access", "ALTER ROLE r WITH ACCESS TO DATACENTERS {'b', 'a'} AND ACCESS FROM ALL CIDRS",
			[]string{"ALTER ROLE r WITH ACCESS TO DATACENTERS {'a', 'b'} AND ACCESS FROM ALL CIDRS"}},
		{"alter user", "ALTER USER IF EXISTS Bob WITH HASHED PASSWORD 'h' NOSUPERUSER", []string{"ALTER USER IF EXISTS Bob WITH HASHED PASSWORD '*******' NOSUPERUSER"}},
		{"drop", "DROP ROLE IF EXISTS \"Bob\"; DROP USER bob", []string{"DROP ROLE IF EXISTS 'Bob'", "DROP USER bob"}},
		{"grant role", "GRANT \"all\" TO 'x y'", []string{"GRANT 'all' TO 'x y'"}},
		{"revoke role", "REVOKE r1 FROM r2", []string{"REVOKE r1 FROM r2"}},
		{"grant narrowed", "GRANT SELECT PERMISSION, EXECUTE ON COLUMNFAMILY ks.t TO r", []string{"GRANT SELECT ON TABLE ks.t TO r"}},
		{"grant all", "GRANT ALL ON SCHEMA ks TO r", []string{"GRANT ALL PERMISSIONS ON KEYSPACE ks TO r"}},
		{"unqualified table", "REVOKE MODIFY ON t FROM r", []string{"REVOKE MODIFY ON TABLE t FROM r"}},
		{"quoted names", `GRANT SELECT ON "Ks"."T t" TO r`, []string{`GRANT SELECT ON TABLE "Ks"."T t" TO r`}},
		{"keyword table", "GRANT SELECT ON all TO r", []string{"GRANT SELECT ON TABLE \"all\" TO r"}},
		{"function", "GRANT EXECUTE ON FUNCTION Ks.F(int, map<text,frozen<list<int>>>, tuple<int, text>, vector<float, 3>) TO r",
			[]string{"GRANT EXECUTE ON FUNCTION ks.f(int, map<text, frozen<list<int>>>, tuple<int, text>, vector<float, 3>) TO r"}},
		{"function keyword name", "GRANT EXECUTE ON FUNCTION ks.Login() TO r", []string{`GRANT EXECUTE ON FUNCTION ks."Login"() TO r`}},
		{"mbeans", "GRANT SELECT ON MBEAN 'd:b=1,a=2' TO r; GRANT SELECT ON MBEANS 'd:*' TO r",
			[]string{"GRANT SELECT ON MBEAN 'd:a=2,b=1' TO r", "GRANT SELECT ON MBEANS 'd:*' TO r"}},
		{"roots", "LIST ALL ON ALL KEYSPACES; LIST ALL ON ALL ROLES; LIST ALL ON ALL FUNCTIONS; LIST ALL ON ALL MBEANS",
			[]string{"LIST ALL PERMISSIONS ON ALL KEYSPACES", "LIST ALL PERMISSIONS ON ALL ROLES", "LIST ALL PERMISSIONS ON ALL FUNCTIONS", "LIST ALL PERMISSIONS ON ALL MBEANS"}},
		{"list permissions", "LIST SELECT, MODIFY ON ALL TABLES IN KEYSPACE ks OF Bob NORECURSIVE",
			[]string{"LIST SELECT, MODIFY ON ALL TABLES IN KEYSPACE ks OF bob NORECURSIVE"}},
		{"list roles", "list roles of r norecursive; list users; list superusers", []string{"LIST ROLES OF r NORECURSIVE", "LIST USERS", "LIST SUPERUSERS"}},
		{"identity", "ADD IDENTITY IF NOT EXISTS Spiffe TO ROLE 'r x'; DROP IDENTITY IF EXISTS 'a''b'",
			[]string{"ADD IDENTITY IF NOT EXISTS Spiffe TO ROLE 'r x'", "DROP IDENTITY IF EXISTS 'a''b'"}},
		{"use", "USE \"Ks\"", []string{`USE "Ks"`}},
		{"ddl", "CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class' : 'x'} AND durable_writes = false; DROP KEYSPACE ks",
			[]string{"CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class' : 'x'} AND durable_writes = false", "DROP KEYSPACE ks"}},
		{"drop function", "DROP FUNCTION IF EXISTS ks.f(int); DROP FUNCTION f", []string{"DROP FUNCTION IF EXISTS ks.f(int)", "DROP FUNCTION f"}},
		{"dollar strings", "CREATE ROLE $$it's$$", []string{"CREATE ROLE 'it''s' WITH LOGIN = false AND SUPERUSER = false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sts, err := dcl.Parse(tt.in)
			require.NoError(t, err)
			var got []string
			for _, s := range sts {
				got = append(got, s.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseStatements(t *testing.T) {
	sts, err := dcl.Parse(`CREATE ROLE r WITH LOGIN = true AND ACCESS TO DATACENTERS {'dc1'};
		CREATE USER Alice WITH PASSWORD 'pw';
		GRANT SELECT ON ks.t TO r;
		REVOKE ALL ON t FROM r;
		LIST ALL OF r`)
	require.NoError(t, err)
	require.Len(t, sts, 5)

	cr := sts[0].(*dcl.CreateRole)
	assert.Equal(t, "r", cr.Name)
	assert.False(t, cr.User)
	require.NotNil(t, cr.Options.Login)
	assert.True(t, *cr.Options.Login)
	require.NotNil(t, cr.Options.Datacenters)
	assert.True(t, cr.Options.Datacenters.Equal(authz.DatacenterSubset("dc1")))
	assert.Nil(t, cr.Options.CIDRs)

	cu := sts[1].(*dcl.CreateRole)
	assert.Equal(t, "Alice", cu.Name)
	assert.True(t, cu.User)
	require.NotNil(t, cu.Options.Password)
	assert.Equal(t, "pw", *cu.Options.Password)
	assert.NotContains(t, cu.String(), "pw'")

	g := sts[2].(*dcl.GrantPermissions)
	assert.Equal(t, resource.Table("ks", "t"), g.On.Resource)
	assert.Equal(t, resource.SetOf(resource.Select), g.Permissions)

	rv := sts[3].(*dcl.RevokePermissions)
	assert.True(t, rv.On.Resource.IsZero())
	assert.Equal(t, "t", rv.On.Name)
	assert.True(t, rv.All)
	assert.Equal(t, resource.Table("ks", "t").Applicable(), rv.Permissions)

	lp := sts[4].(*dcl.ListPermissions)
	assert.Equal(t, resource.AllPermissions, lp.Permissions)
	assert.True(t, lp.HasOf)
	assert.Nil(t, lp.On)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		code     roles.Code
		msg      string
		stmt     int
		line     int
		col      int
	}{
		{"no viable", "CREATE ROLE select", roles.CodeSyntaxError, "line 1:12 no viable alternative at input 'select'", 0, 1, 12},
		{"second statement", "LIST USERS;\n  GRANT r1 bob", roles.CodeSyntaxError, "line 2:11 mismatched input 'bob' expecting K_TO", 1, 2, 11},
		{"snippet", "GRANT SELECT ON ks.t TO r1 WITH GRANT OPTION", roles.CodeSyntaxError,
			"line 1:27 mismatched input 'WITH' expecting EOF (...ON ks.t TO r1 [WITH] GRANT...)", 0, 1, 27},
		{"lexer", "CREATE ROLE 'x", roles.CodeSyntaxError, "line 1:14 mismatched character '<EOF>' expecting '''", 0, 1, 14},
		{"bad character", "LIST\tROLES £", roles.CodeSyntaxError, "line 1:11 no viable alternative at character '£'", 0, 1, 11},
		{"filter", "GRANT DESCRIBE ON KEYSPACE ks TO r", roles.CodeSyntaxError, "Resource type DataResource does not support any of the requested permissions", 0, 1, 33},
		{"quoted user", `DROP USER "x"`, roles.CodeSyntaxError, "Quoted strings are are not supported for user names and USER is deprecated, please use ROLE", 0, 1, 10},
		{"jmx", "GRANT SELECT ON MBEAN 'd:' TO r", roles.CodeSyntaxError, "d: is not a valid JMX object name", 0, 1, 22},
		{"builtin", "GRANT EXECUTE ON FUNCTION system.now() TO r", roles.CodeInvalid, "Altering permissions on builtin functions is not supported", 0, 0, 0},
		{"unqualified", "GRANT EXECUTE ON FUNCTION f() TO r", roles.CodeInvalid, "In this context function name must be explictly qualified by a keyspace", 0, 0, 0},
		{"unsupported", "UPDATE t SET a = 1", roles.CodeInvalid, "Unsupported statement: UPDATE", 0, 0, 0},
		{"deep type", "GRANT EXECUTE ON FUNCTION ks.f(" + strings.Repeat("list<", 40) + "int" + strings.Repeat(">", 40) + ") TO r",
			roles.CodeSyntaxError, "", 0, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sts, err := dcl.Parse(tt.in)
			require.Error(t, err)
			assert.Nil(t, sts)
			assert.Equal(t, tt.code, roles.CodeOf(err))
			if tt.msg != "" {
				assert.Equal(t, tt.msg, err.Error())
			}
			if tt.code == roles.CodeInvalid && tt.name == "unsupported" {
				assert.ErrorIs(t, err, dcl.ErrUnsupportedStatement)
			}
			var se *dcl.SyntaxError
			if tt.code != roles.CodeSyntaxError {
				assert.False(t, errors.As(err, &se))
				return
			}
			require.ErrorAs(t, err, &se)
			assert.ErrorIs(t, err, dcl.ErrSyntax)
			assert.ErrorIs(t, err, roles.ErrSyntax)
			assert.Equal(t, tt.stmt, se.Statement)
			assert.Equal(t, tt.line, se.Line)
			if tt.msg != "" {
				assert.Equal(t, tt.col, se.Column)
			}
			assert.Equal(t, err.Error(), se.Error())
		})
	}
}

// TestRenderingRoundTrip checks with random names that what String
// renders parses back to the same names (quoting and case rules, 10.1).
func TestRenderingRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		role := rapid.String().Draw(t, "role")
		ks := rapid.StringN(1, 20, -1).Draw(t, "ks")
		table := rapid.StringN(1, 20, -1).Draw(t, "table")
		ident := rapid.StringMatching(`[A-Za-z][A-Za-z0-9_]{0,10}`).Draw(t, "ident")

		for _, st := range []dcl.Statement{
			&dcl.DropRole{Name: role},
			&dcl.DropRole{Name: role, User: true},
			&dcl.DropRole{Name: ident, User: true},
			&dcl.GrantPermissions{Permissions: resource.SetOf(resource.Select), On: dcl.Target{Resource: resource.Table(ks, table), Keyspace: ks, Name: table}, Grantee: role},
			&dcl.ListRoles{Of: role, HasOf: true},
			&dcl.AddIdentity{Identity: role, Role: ident},
			&dcl.Use{Keyspace: ks},
		} {
			rendered := st.String()
			sts, err := dcl.Parse(rendered)
			if err != nil {
				t.Fatalf("%#v renders as %q: %v", st, rendered, err)
			}
			if len(sts) != 1 {
				t.Fatalf("%q parses to %d statements", rendered, len(sts))
			}
			assert.Equal(t, st, sts[0], rendered)
		}
	})
}
