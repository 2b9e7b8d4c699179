package httpapi

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecodeJSON feeds arbitrary bodies to the request decoder: it must
// never panic, must refuse what encoding/json calls invalid, and what it
// accepts must survive a round trip through json.Marshal unchanged.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"role":"alice","permission":"SELECT","resource":"data/ks/t"}`,
		`{"permission":"select","resource":"data","explain":false}`,
		`{"statement":"LIST ROLES","keyspace":"ks"}`,
		`{"role":"a","role":"b"}`,
		`{"a":{"b":[1,2,{"c":null}]}}`,
		`{} {}`,
		`[]`,
		`{"explain":"yes"}`,
		"{\"role\":\"\xff\"}",
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newV := range []func() any{
			func() any { return new(CheckRequest) },
			func() any { return new(ExecuteRequest) },
			func() any { return new(AuthenticateRequest) },
		} {
			v := newV()
			err := decodeJSON(body, v)
			if err == nil && !json.Valid(body) {
				t.Fatalf("accepted invalid JSON %q", body)
			}
			if err != nil {
				if err.Status != 400 {
					t.Fatalf("status %d for %q", err.Status, body)
				}
				continue
			}
			again, merr := json.Marshal(v)
			if merr != nil {
				t.Fatal(merr)
			}
			w := newV()
			if err := decodeJSON(again, w); err != nil {
				t.Fatalf("re-encoded %q refused: %v", again, err)
			}
			if !reflect.DeepEqual(v, w) {
				t.Fatalf("round trip changed %#v into %#v", v, w)
			}
		}
	})
}
