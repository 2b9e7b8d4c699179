package resource

import "testing"

var sinkRes Resource
var sinkStr string
var sinkSet PermissionSet

func BenchmarkResourceName(b *testing.B) {
	r := Table("ks", "t")
	b.ReportAllocs()
	for b.Loop() {
		sinkStr = r.Name()
	}
}

func BenchmarkResourceParentChain(b *testing.B) {
	r := Table("keyspace1", "standard1")
	b.ReportAllocs()
	for b.Loop() {
		for cur, ok := r, true; ok; cur, ok = cur.Parent() {
			sinkRes = cur
		}
	}
}

func BenchmarkResourceApplicable(b *testing.B) {
	r := Table("ks", "t")
	b.ReportAllocs()
	for b.Loop() {
		sinkSet = r.Applicable()
	}
}

func BenchmarkResourceMapLookup(b *testing.B) {
	m := map[Resource]PermissionSet{}
	for i := range 1000 {
		m[Table("ks", string(rune('a'+i%26))+string(rune('a'+i/26)))] = SetOf(Select)
	}
	r := Table("ks", "ab")
	m[r] = SetOf(Modify)
	b.ReportAllocs()
	for b.Loop() {
		sinkSet = m[r]
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r, err := Parse("data/keyspace1/standard1")
		if err != nil {
			b.Fatal(err)
		}
		sinkRes = r
	}
}
