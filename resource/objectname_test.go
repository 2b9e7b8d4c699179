package resource

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expectations in these tables were checked against OpenJDK 17's
// javax.management.ObjectName (getCanonicalName, isDomainPattern,
// isPropertyListPattern, isPropertyValuePattern, apply) unless a case says it
// is a deliberate deviation.

func TestParseObjectName(t *testing.T) {
	tests := []struct {
		name, in, canonical, domain string
		dp, lp, vp                  bool
	}{
		{"cassandra spec example", "org.apache.cassandra.db:type=Tables,keyspace=ks,table=t",
			"org.apache.cassandra.db:keyspace=ks,table=t,type=Tables", "org.apache.cassandra.db", false, false, false},
		{"already canonical", "d:a=1,b=2", "d:a=1,b=2", "d", false, false, false},
		{"quoted values keep quotes and escapes", `d:b="x\"y",a=1`, `d:a=1,b="x\"y"`, "d", false, false, false},
		{"quoted value with comma and equals", `d:k="a,b=c",a=1`, `d:a=1,k="a,b=c"`, "d", false, false, false},
		{"escaped newline", `d:k="a\nb"`, `d:k="a\nb"`, "d", false, false, false},
		{"escaped wildcard is not a pattern", `d:k="\*\?"`, `d:k="\*\?"`, "d", false, false, false},
		{"spaces are significant", " d : key1 = value1 , key2 = value2",
			" d : key1 = value1 , key2 = value2", " d ", false, false, false},
		{"empty unquoted value", "d:k=", "d:k=", "d", false, false, false},
		{"empty quoted value", `d:k=""`, `d:k=""`, "d", false, false, false},
		{"empty domain", ":k=v", ":k=v", "", false, false, false},
		{"equals in domain", "a=b:k=v", "a=b:k=v", "a=b", false, false, false},
		{"backslash in unquoted value is literal", `d:k=a\b`, `d:k=a\b`, "d", false, false, false},
		{"quote in key", `d:"k"=v`, `d:"k"=v`, "d", false, false, false},
		{"keys sort by UTF-16 units", "d:\uE000=1,\U0001F600=2,a=3", "d:a=3,\U0001F600=2,\uE000=1", "d", false, false, false},
		{"list pattern", "d:type=Foo,name=Bar,*", "d:name=Bar,type=Foo,*", "d", false, true, false},
		{"list pattern star first", "d:*,k=v", "d:k=v,*", "d", false, true, false},
		{"list pattern star between", "d:k=v,*,a=b", "d:a=b,k=v,*", "d", false, true, false},
		{"list pattern without keys", "d:*", "d:*", "d", false, true, false},
		{"wildcard", "*:*", "*:*", "*", true, true, false},
		{"empty string is the wildcard", "", "*:*", "*", true, true, false},
		{"domain pattern question mark", "?d:*", "?d:*", "?d", true, true, false},
		{"domain pattern only", "*:type=Foo,name=Bar", "*:name=Bar,type=Foo", "*", true, false, false},
		{"value pattern question", "d:type=F?o,name=Bar", "d:name=Bar,type=F?o", "d", false, false, true},
		{"value pattern star", "d:type=F*o", "d:type=F*o", "d", false, false, true},
		{"quoted value pattern", `d:type=Foo,name="B*"`, `d:name="B*",type=Foo`, "d", false, false, true},
		{"quoted value with escaped and plain wildcard", `d:k="a\*b?"`, `d:k="a\*b?"`, "d", false, false, true},
		{"value and list pattern", "d:k=*,*", "d:k=*,*", "d", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseObjectName(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.canonical, n.String())
			assert.Equal(t, tt.domain, n.Domain())
			assert.Equal(t, tt.dp, n.IsDomainPattern(), "IsDomainPattern")
			assert.Equal(t, tt.lp, n.IsPropertyListPattern(), "IsPropertyListPattern")
			assert.Equal(t, tt.vp, n.IsPropertyValuePattern(), "IsPropertyValuePattern")
			assert.Equal(t, tt.dp || tt.lp || tt.vp, n.IsPattern(), "IsPattern")

			again, err := ParseObjectName(n.String())
			require.NoError(t, err)
			assert.Equal(t, n, again, "canonical form parses back to an equal value")

			c, err := CanonicalObjectName(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.canonical, c)
		})
	}
}

func TestParseObjectNameErrors(t *testing.T) {
	tests := []struct {
		name, in, reason string
		offset           int
	}{
		{"no colon", "domain", "Key properties cannot be empty", 6},
		{"nothing after colon", "d:", "Key properties cannot be empty", 2},
		{"equals without colon", "d=x", "Domain part must be specified", 1},
		{"newline in domain", "d\n:k=v", `Invalid character '\n' in domain name`, 1},
		{"empty key", "d:=v", "Invalid key (empty)", 2},
		{"empty key later", "d:\U0001F600=1,=2", "Invalid key (empty)", 9},
		{"star in key", "d:k*=v", "Invalid character '*' in key part of property", 3},
		{"question mark in key", "d:k?=v", "Invalid character '?' in key part of property", 3},
		{"colon in key", "d:a:b=v", "Invalid character ':' in key part of property", 3},
		{"key without value", "a:b", "Unterminated key property part", 3},
		{"empty element", "d:k=v,,a=b", "Invalid character ',' in key part of property", 6},
		{"trailing comma", "d:k=v,", "Invalid ending comma", 5},
		{"trailing comma after quoted value", `d:k="v",`, "Invalid ending comma", 7},
		{"colon in value", "a:b=c:d", "Invalid character ':' in value part of property", 5},
		{"equals in value", "d:k=a=b", "Invalid character '=' in value part of property", 5},
		{"quote in unquoted value", `d:k=v"`, `Invalid character '"' in value part of property`, 5},
		{"newline in value", "d:k=a\nb", `Invalid character '\n' in value part of property`, 5},
		{"unterminated quote", `d:k="v`, "Unterminated quoted value", 6},
		{"unterminated after backslash", `d:k="v\`, "Unterminated quoted value", 7},
		{"escaped closing quote", `d:k="v\"`, "Unterminated quoted value", 8},
		{"bad escape", `d:k="\x"`, `Invalid escape sequence '\x' in quoted value`, 5},
		{"newline in quoted value", "d:k=\"a\nb\"", "Newline in quoted value", 6},
		{"duplicate key", "d:k=v,k=w", "key `k' already defined", 6},
		{"duplicate key out of order", "d:k=v,a=1,k=w", "key `k' already defined", 10},
		{"two stars", "d:*,*", "Cannot have several '*' characters in pattern property list", 4},
		{"junk after star", "d:*x", "Invalid character found after '*': end of name or ',' expected", 3},
		// Deliberate deviations: the JDK accepts these and loses information.
		{"junk after quoted value", `d:k="v"xa=b`, `Invalid character 'x' after quoted value: end of name or ',' expected`, 7},
		{"junk at end after quoted value", `d:k="v"x`, `Invalid character 'x' after quoted value: end of name or ',' expected`, 7},
		{"trailing comma after star", "d:*,", "Invalid ending comma", 3},
		{"trailing comma after list star", "d:a=b,*,", "Invalid ending comma", 7},
		{"invalid UTF-8", "d:k=\xff", "Invalid UTF-8", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseObjectName(tt.in)
			require.Error(t, err)
			assert.Equal(t, ObjectName{}, n)
			assert.ErrorIs(t, err, ErrInvalidObjectName)
			var oe *ObjectNameError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tt.in, oe.Input)
			assert.Equal(t, tt.reason, oe.Reason)
			assert.Equal(t, tt.offset, oe.Offset)
			assert.EqualError(t, err, tt.in+" is not a valid JMX object name")

			c, err := CanonicalObjectName(tt.in)
			assert.ErrorIs(t, err, ErrInvalidObjectName)
			assert.Empty(t, c)
		})
	}
}

func TestObjectNameApply(t *testing.T) {
	tests := []struct {
		name, pattern, target string
		want                  bool
	}{
		// The javadoc's examples.
		{"any domain, exact keys", "*:type=Foo,name=Bar", "d:name=Bar,type=Foo", true},
		{"any domain, extra key", "*:type=Foo,name=Bar", "d:name=Bar,type=Foo,x=1", false},
		{"any domain, missing key", "*:type=Foo,name=Bar", "d:type=Foo", false},
		{"list pattern, extra key", "d:type=Foo,name=Bar,*", "d:type=Foo,name=Bar,x=1", true},
		{"list pattern, exact keys", "d:type=Foo,name=Bar,*", "d:type=Foo,name=Bar", true},
		{"list pattern, other domain", "d:type=Foo,name=Bar,*", "e:type=Foo,name=Bar,x=1", false},
		{"list pattern, wrong value", "d:type=Foo,name=Bar,*", "d:type=Foo,name=Baz,x=1", false},
		{"list pattern, missing key", "d:type=Foo,name=Bar,*", "d:type=Foo,x=1", false},
		{"any domain list pattern", "*:type=Foo,name=Bar,*", "e:a=0,name=Bar,type=Foo,z=9", true},
		{"value ? matches one", "d:type=F?o,name=Bar", "d:type=Fro,name=Bar", true},
		{"value ? needs one", "d:type=F?o,name=Bar", "d:type=Fo,name=Bar", false},
		{"value * matches none", "d:type=F*o,name=Bar", "d:type=Fo,name=Bar", true},
		{"value * matches many", "d:type=F*o,name=Bar", "d:type=Frodo,name=Bar", true},
		{"value pattern needs same keys", "d:type=F*o", "d:type=Frodo,name=Bar", false},
		{"value pattern, extra key sorting last", "d:k=v*", "d:k=v1,z=1", false},
		{"value pattern, missing key sorting last", "d:k=v*,z=1", "d:k=v1", false},
		{"quoted value pattern", `d:type=Foo,name="B*"`, `d:type=Foo,name="Bling"`, true},
		{"quoted pattern, unquoted value", `d:type=Foo,name="B*"`, "d:type=Foo,name=Bling", false},
		{"domain ?", "?d:*", "xd:a=b", true},
		{"domain ? needs one", "?d:*", "d:a=b", false},
		{"wildcard matches all", "*:*", ":a=b", true},
		{"domain list pattern", "d:*", "d:k=v", true},
		{"domain list pattern other domain", "d:*", "dd:k=v", false},
		{"quoted star matches empty", `d:k="*"`, `d:k=""`, true},
		// Non-patterns compare canonical names.
		{"equal names", "d:k=v,a=b", "d:a=b,k=v", true},
		{"different values", "d:k=v", "d:k=w", false},
		{"quoted is not unquoted", `d:k="v"`, "d:k=v", false},
		// A pattern never matches a pattern, not even itself.
		{"target is value pattern", "d:k=*", "d:k=*", false},
		{"target is list pattern", "*:*", "d:k=v,*", false},
		{"target is domain pattern", "*:*", "d*:k=v", false},
		// '?' is one UTF-16 code unit, as in Java.
		{"? is not a supplementary character", "d:k=?", "d:k=\U0001F600", false},
		{"?? is a supplementary character", "d:k=??", "d:k=\U0001F600", true},
		{"? is a BMP character", "d:k=?", "d:k=é", true},
		{"domain ? halves", "??:*", "\U0001F600:k=v", true},
		{"star then literal supplementary", "*\U0001F600:*", "a\U0001F600:k=v", true},
		// Deliberate deviation: the JDK treats the escaped star as a wildcard
		// too once the value has an unescaped one; we keep it literal.
		{"escaped star is literal", `d:k="\*?"`, `d:k="\*x"`, true},
		{"escaped star is not a wildcard", `d:k="\*?"`, `d:k="\\abcx"`, false}, // the JDK says true
		{"escaped quote", `d:k="\"*"`, `d:k="\"abc"`, true},
		{"star covers escapes in target", `d:k="a*"`, `d:k="a\"\\\n"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseObjectName(tt.pattern)
			require.NoError(t, err)
			n, err := ParseObjectName(tt.target)
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Apply(n))
			assert.Equal(t, tt.want, objNameRefApply(p, n), "reference model disagrees")
		})
	}
}

func TestObjectNameKeyProperty(t *testing.T) {
	n, err := ParseObjectName(`d:type=Foo,name="a,b=c",empty=,q="x\"y"`)
	require.NoError(t, err)
	for _, tt := range []struct{ key, want string }{
		{"type", "Foo"}, {"name", `"a,b=c"`}, {"empty", ""}, {"q", `"x\"y"`},
	} {
		v, ok := n.KeyProperty(tt.key)
		assert.True(t, ok, tt.key)
		assert.Equal(t, tt.want, v, tt.key)
	}
	_, ok := n.KeyProperty("missing")
	assert.False(t, ok)
	_, ok = n.KeyProperty("nam")
	assert.False(t, ok)

	w, err := ParseObjectName("*:*")
	require.NoError(t, err)
	_, ok = w.KeyProperty("")
	assert.False(t, ok)
}

func TestObjectNameZeroValue(t *testing.T) {
	var z ObjectName
	n, err := ParseObjectName("d:k=v")
	require.NoError(t, err)
	all, err := ParseObjectName("*:*")
	require.NoError(t, err)
	assert.Empty(t, z.String())
	assert.False(t, z.IsPattern())
	assert.False(t, z.Apply(z))
	assert.False(t, z.Apply(n))
	assert.False(t, all.Apply(z))
	_, ok := z.KeyProperty("k")
	assert.False(t, ok)
}

// A backtracking matcher that recurses on every '*' takes exponential time on
// these; the iterative one is O(n*m).
func TestObjectNameHostilePatterns(t *testing.T) {
	long := strings.Repeat("a", 3000)
	stars := strings.Repeat("*a", 1500) + "b"
	assert.False(t, objNameWildmatch(long, stars, false))
	assert.True(t, objNameWildmatch(long, strings.Repeat("*a", 1500), false))
	assert.False(t, objNameWildmatch(long, `"`+strings.Repeat(`*\*`, 1000)+`"`, true))

	p, err := ParseObjectName(stars + ":k=" + strings.Repeat("*?", 500) + "b,*")
	require.NoError(t, err)
	n, err := ParseObjectName(long + ":k=" + long + ",x=1")
	require.NoError(t, err)
	assert.False(t, p.Apply(n))
}

func TestObjectNameConcurrentUse(t *testing.T) {
	p, err := ParseObjectName("org.apache.*:type=Tables,*")
	require.NoError(t, err)
	n, err := ParseObjectName("org.apache.cassandra.db:type=Tables,keyspace=ks,table=t")
	require.NoError(t, err)
	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for range 1000 {
				ok = ok && p.Apply(n)
			}
			done <- ok
		}()
	}
	for range 4 {
		assert.True(t, <-done)
	}
}

// --- examples and benchmarks ------------------------------------------------

func ExampleParseObjectName() {
	n, err := ParseObjectName("org.apache.cassandra.db:type=Tables,keyspace=ks,table=t")
	if err != nil {
		panic(err)
	}
	fmt.Println(n)
	fmt.Println(n.Domain(), n.IsPattern())
	v, _ := n.KeyProperty("table")
	fmt.Println(v)

	_, err = ParseObjectName("org.apache.cassandra.db:type=Tables,")
	var oe *ObjectNameError
	fmt.Println(errors.As(err, &oe), oe.Reason)
	// Output:
	// org.apache.cassandra.db:keyspace=ks,table=t,type=Tables
	// org.apache.cassandra.db false
	// t
	// true Invalid ending comma
}

func ExampleObjectName_Apply() {
	pattern, _ := ParseObjectName("org.apache.cassandra.*:type=Tables,keyspace=ks,*")
	table, _ := ParseObjectName("org.apache.cassandra.db:type=Tables,keyspace=ks,table=t")
	other, _ := ParseObjectName("org.apache.cassandra.db:type=Tables,keyspace=other,table=t")
	fmt.Println(pattern)
	fmt.Println(pattern.Apply(table), pattern.Apply(other))
	// Output:
	// org.apache.cassandra.*:keyspace=ks,type=Tables,*
	// true false
}

func BenchmarkObjectNameApply(b *testing.B) {
	const target = "org.apache.cassandra.metrics:type=Table,keyspace=system_auth,scope=roles,name=ReadLatency"
	long := strings.Repeat("a", 256)
	cases := []struct{ name, pattern, target string }{
		{"exact", target, target},
		{"exact-miss", "org.apache.cassandra.metrics:type=Table,keyspace=system_auth,scope=roles,name=WriteLatency", target},
		{"domain-pattern", "org.apache.*:type=Table,keyspace=system_auth,scope=roles,name=ReadLatency", target},
		{"list-pattern", "org.apache.cassandra.metrics:type=Table,keyspace=system_auth,*", target},
		{"list-pattern-miss", "org.apache.cassandra.metrics:type=Table,keyspace=system_views,*", target},
		{"value-pattern", "org.apache.cassandra.metrics:type=Table,keyspace=system_*,scope=*,name=Read*", target},
		{"all", "*:*", target},
		{"hostile-256", "d:k=" + strings.Repeat("*a", 128) + "b", "d:k=" + long},
	}
	for _, c := range cases {
		p, err := ParseObjectName(c.pattern)
		require.NoError(b, err)
		n, err := ParseObjectName(c.target)
		require.NoError(b, err)
		want := objNameRefApply(p, n)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if p.Apply(n) != want {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}

func BenchmarkParseObjectName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseObjectName("org.apache.cassandra.metrics:type=Table,keyspace=system_auth,scope=roles,name=ReadLatency"); err != nil {
			b.Fatal(err)
		}
	}
}
