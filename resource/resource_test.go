package resource

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustFunction(t *testing.T, ks, fn string, args ...string) Resource {
	t.Helper()
	r, err := Function(ks, fn, args...)
	require.NoError(t, err)
	return r
}

func mustMBean(t *testing.T, name string) Resource {
	t.Helper()
	r, err := MBean(name)
	require.NoError(t, err)
	return r
}

const (
	i32   = "org.apache.cassandra.db.marshal.Int32Type"
	utf8T = "org.apache.cassandra.db.marshal.UTF8Type"
)

func TestLevels(t *testing.T) {
	allData := SetOf(Create, Alter, Drop, Select, Modify, Authorize, Unmask, SelectMasked)
	cases := []struct {
		name     string
		r        Resource
		internal string
		display  string
		chain    []string
		perms    PermissionSet
		level    Level
	}{
		{"data root", AllKeyspaces, "data", "<all keyspaces>", []string{"data"}, allData, DataRoot},
		{"keyspace", Keyspace("ks"), "data/ks", "<keyspace ks>", []string{"data/ks", "data"}, allData, KeyspaceLevel},
		{"all tables", AllTables("ks"), "data/ks/*", "<all tables in ks>", []string{"data/ks/*", "data/ks", "data"}, allData, AllTablesLevel},
		{"table", Table("ks", "t"), "data/ks/t", "<table ks.t>", []string{"data/ks/t", "data/ks/*", "data/ks", "data"}, allData.Without(Create), TableLevel},
		{"roles root", AllRoles, "roles", "<all roles>", []string{"roles"}, SetOf(Create, Alter, Drop, Authorize, Describe), RolesRoot},
		{"role", Role("bob"), "roles/bob", "<role bob>", []string{"roles/bob", "roles"}, SetOf(Alter, Drop, Authorize, Describe), RoleLevel},
		{"role with slash", Role("a/b"), "roles/a/b", "<role a/b>", []string{"roles/a/b", "roles"}, SetOf(Alter, Drop, Authorize, Describe), RoleLevel},
		{"functions root", AllFunctions, "functions", "<all functions>", []string{"functions"}, SetOf(Create, Alter, Drop, Authorize, Execute), FunctionsRoot},
		{"functions in ks", FunctionsIn("ks"), "functions/ks", "<all functions in ks>", []string{"functions/ks", "functions"}, SetOf(Create, Alter, Drop, Authorize, Execute), FunctionsInLevel},
		{"function", mustFunction(t, "ks", "f", "int", "text"), "functions/ks/f[" + i32 + "^" + utf8T + "]", "<function ks.f(int, text)>",
			[]string{"functions/ks/f[" + i32 + "^" + utf8T + "]", "functions/ks", "functions"}, SetOf(Alter, Drop, Authorize, Execute), FunctionLevel},
		{"function no args", mustFunction(t, "ks", "g"), "functions/ks/g[]", "<function ks.g()>", []string{"functions/ks/g[]", "functions/ks", "functions"}, SetOf(Alter, Drop, Authorize, Execute), FunctionLevel},
		{"function collection", mustFunction(t, "ks", "h", "list<int>"), "functions/ks/h[org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.ListType(" + i32 + "))]",
			"<function ks.h(frozen<list<int>>)>", []string{"functions/ks/h[org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.ListType(" + i32 + "))]", "functions/ks", "functions"}, SetOf(Alter, Drop, Authorize, Execute), FunctionLevel},
		{"mbean root", AllMBeans, "mbean", "<all mbeans>", []string{"mbean"}, SetOf(Authorize, Describe, Execute, Modify, Select), MBeanRoot},
		{"mbean", mustMBean(t, "org.apache.cassandra.db:type=Tables,keyspace=ks,table=t"), "mbean/org.apache.cassandra.db:keyspace=ks,table=t,type=Tables",
			"<mbean org.apache.cassandra.db:keyspace=ks,table=t,type=Tables>", []string{"mbean/org.apache.cassandra.db:keyspace=ks,table=t,type=Tables", "mbean"}, SetOf(Authorize, Describe, Execute, Modify, Select), MBeanLevel},
		{"mbean pattern", mustMBean(t, "org.apache.cassandra.db:type=Tables,*"), "mbean/org.apache.cassandra.db:type=Tables,*",
			"<mbean org.apache.cassandra.db:type=Tables,*>", []string{"mbean/org.apache.cassandra.db:type=Tables,*", "mbean"}, SetOf(Authorize, Describe, Execute, Modify, Select), MBeanLevel},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.internal, c.r.Name())
			assert.Equal(t, c.display, c.r.String())
			assert.Equal(t, c.level, c.r.Level())
			assert.Equal(t, c.perms, c.r.Applicable())
			var chain []string
			for _, p := range c.r.Chain() {
				chain = append(chain, p.Name())
			}
			assert.Equal(t, c.chain, chain)
			assert.Equal(t, len(c.chain) > 1, c.r.HasParent())
			assert.Equal(t, len(c.chain) == 1, c.r.IsRoot())
			parsed, err := Parse(c.internal)
			require.NoError(t, err)
			assert.Equal(t, c.r, parsed, "Parse(Name()) must equal the resource")
			assert.Equal(t, c.r.Root(), c.r.Chain()[len(c.r.Chain())-1])
		})
	}
}

func TestAccessors(t *testing.T) {
	tb := Table("ks", "t")
	assert.Equal(t, "ks", tb.Keyspace())
	assert.Equal(t, "t", tb.Table())
	assert.Equal(t, "", tb.RoleName())
	assert.Equal(t, "ks", AllTables("ks").Keyspace())
	assert.Equal(t, "", AllTables("ks").Table())
	assert.Equal(t, "", AllKeyspaces.Keyspace())
	assert.Equal(t, "a/b", Role("a/b").RoleName())
	f := mustFunction(t, "ks", "f", "int", "text")
	assert.Equal(t, "ks", f.Keyspace())
	assert.Equal(t, "f", f.FunctionName())
	assert.Equal(t, []string{i32, utf8T}, f.FunctionArgs())
	assert.Nil(t, mustFunction(t, "ks", "g").FunctionArgs())
	m := mustMBean(t, "d:b=2,a=1")
	assert.Equal(t, "d:a=1,b=2", m.ObjectName())
	assert.Equal(t, "", AllMBeans.ObjectName())
	assert.True(t, Resource{}.IsZero())
	assert.Nil(t, Resource{}.Chain())
	_, ok := Resource{}.Parent()
	assert.False(t, ok)
	assert.Equal(t, NoPermissions, Resource{}.Applicable())
	assert.Equal(t, "<invalid resource>", Resource{}.String())
	assert.Equal(t, "DataResource", TableLevel.Kind())
	assert.Equal(t, "RoleResource", RoleLevel.Kind())
	assert.Equal(t, "FunctionResource", FunctionLevel.Kind())
	assert.Equal(t, "JMXResource", MBeanRoot.Kind())
	assert.Equal(t, "TABLE", TableLevel.String())
}

func TestResourcesAreMapKeys(t *testing.T) {
	m := map[Resource]int{Table("ks", "t"): 1, Keyspace("ks"): 2}
	p, _ := Table("ks", "t").Parent()
	pp, _ := p.Parent()
	assert.Equal(t, 2, m[pp])
	assert.Equal(t, 1, m[Table("ks", "t")])
	r, err := Parse("data/ks/t")
	require.NoError(t, err)
	assert.Equal(t, 1, m[r])
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ in, msg string }{
		{"", "Name  is not valid for any resource type"},
		{"tables/x", "Name tables/x is not valid for any resource type"},
		{"datax", "datax is not a valid data resource name"},
		{"data/a/b/c", "data/a/b/c is not a valid data resource name"},
		{"rolesx/r", "rolesx/r is not a valid role resource name"},
		{"functionsx", "functionsx is not a valid function resource name"},
		{"functions/ks/f", `functions/ks/f is not a valid function resource name. It must end with "[]"`},
		{"functions/ks/[]", `functions/ks/[] is not a valid function resource name. It must end with "[]"`},
		{"functions/ks/f[bad type(]", "functions/ks/f[bad type(] is not a valid function resource name"},
		{"mbeanx", "mbeanx is not a valid JMX resource name"},
		{"mbean/a/b", "mbean/a/b is not a valid JMX resource name"},
		{"mbean/nocolon", "mbean/nocolon is not a valid JMX resource name"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := Parse(c.in)
			require.Error(t, err)
			assert.Equal(t, c.msg, err.Error())
			assert.ErrorIs(t, err, ErrInvalidName)
			var ne *NameError
			require.True(t, errors.As(err, &ne))
			assert.Equal(t, c.in, ne.Name)
		})
	}
}

func TestParseSplitting(t *testing.T) {
	cases := map[string]string{
		"data/":               "data",
		"data//ks":            "data/ks",
		"/data/ks/t/":         "", // leading slash: no prefix match
		"data/ks//t":          "data/ks/t",
		"roles//r":            "roles/r",
		"roles/r/x/y":         "roles/r/x/y",
		"functions/ks/f/[]":   "functions/ks/f/[]",
		"functions/ks/a[b][]": "functions/ks/a[b][]",
		"functions/ks/f[ " + i32 + " ^ ^" + utf8T + "]": "functions/ks/f[" + i32 + "^" + utf8T + "]",
	}
	for in, want := range cases {
		r, err := Parse(in)
		if want == "" {
			assert.Error(t, err, in)
			continue
		}
		require.NoError(t, err, in)
		assert.Equal(t, want, r.Name(), in)
	}
	r, err := Parse("functions/ks/a[b][]")
	require.NoError(t, err)
	assert.Equal(t, "a[b]", r.FunctionName())
}

func TestOrdering(t *testing.T) {
	assert.Negative(t, Compare(Keyspace("a"), Keyspace("b")))
	assert.Negative(t, Compare(AllKeyspaces, Keyspace("a")))
	assert.Zero(t, Compare(Table("a", "b"), Table("a", "b")))
	// Java orders by UTF-16 code units: U+FF5E (one unit 0xFF5E) sorts
	// after U+1F600 (surrogates 0xD83D 0xDE00), the reverse of UTF-8 byte order.
	assert.Positive(t, CompareJava("\uFF5E", "\U0001F600"))
	assert.Negative(t, CompareJava("a", "ab"))
	assert.Positive(t, CompareJava("ab", "a"))
	assert.Negative(t, CompareJava("\U0001F600", "\U0001F601"))
}

func TestCQLTypes(t *testing.T) {
	cases := []struct{ cql, java, display string }{
		{"int", i32, "int"},
		{"TEXT", utf8T, "text"},
		{"varchar", utf8T, "text"},
		{"map<text, int>", "org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.MapType(" + utf8T + "," + i32 + "))", "frozen<map<text, int>>"},
		{"frozen<set<uuid>>", "org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.SetType(org.apache.cassandra.db.marshal.UUIDType))", "frozen<set<uuid>>"},
		{"tuple<int, text>", "org.apache.cassandra.db.marshal.TupleType(" + i32 + "," + utf8T + ")", "tuple<int, text>"},
		{"vector<float, 3>", "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)", "vector<float, 3>"},
	}
	for _, c := range cases {
		j, err := JavaType(c.cql)
		require.NoError(t, err, c.cql)
		assert.Equal(t, c.java, j)
		assert.Equal(t, c.display, CQLType(j))
	}
	for _, bad := range []string{"", "mytype", "list<>", "list<int", "map<int>", "int<int>", "vector<int, x>", "list<int>>"} {
		_, err := JavaType(bad)
		assert.ErrorIs(t, err, ErrInvalidType, bad)
	}
	_, err := Function("ks", "f", "udt_thing")
	assert.ErrorIs(t, err, ErrInvalidType)
	assert.Equal(t, "'com.example.Custom'", CQLType("com.example.Custom"))
}
