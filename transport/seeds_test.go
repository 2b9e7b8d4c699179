package transport

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the seed corpora under testdata/fuzz")

func headerSeeds() [][]byte {
	return [][]byte{
		{0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00},
		{0x85, 0x08, 0xff, 0xff, 0x0c, 0x00, 0x00, 0x00, 0x2a},
		{0x01, 0x00, 0x05, 0x04, 0x00, 0x00, 0x00, 0x10},
		{0x42, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00},
		{0x04, 0x00, 0x00, 0x00, 0x07, 0xff, 0xff, 0xff, 0xff},
		{0x05, 0x00, 0x00, 0x01, 0x07, 0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c'},
	}
}

func segmentSeeds() [][]byte {
	var seeds [][]byte
	hello, _ := AppendSegment(nil, Segment{Payload: []byte("hello"), SelfContained: true})
	seeds = append(seeds, hello)
	opts, _ := EncodeFrame(nil, V5, 0, &Options{})
	ready, _ := EncodeFrame(nil, V5, 1, &Ready{})
	two, _ := AppendSegment(nil, Segment{Payload: append(opts, ready...), SelfContained: true})
	seeds = append(seeds, two)
	q, _ := EncodeFrame(nil, V5, 2, &Query{Query: strings.Repeat("x", 150), Params: QueryParams{Consistency: One}})
	var split []byte
	split, _ = AppendSegment(split, Segment{Payload: q[:4]})
	split, _ = AppendSegment(split, Segment{Payload: q[4:100]})
	split, _ = AppendSegment(split, Segment{Payload: q[100:]})
	split, _ = AppendSegment(split, Segment{Payload: ready, SelfContained: true})
	seeds = append(seeds, split)
	bad := append([]byte{}, two...)
	bad[7] ^= 0xff
	seeds = append(seeds, append(bad, hello...))
	return seeds
}

func envelopeSeeds() [][]byte {
	var seeds [][]byte
	for _, v := range allVersions {
		cases := messageCases(v)
		names := make([]string, 0, len(cases))
		for n := range cases {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			b, err := EncodeFrame(nil, v, 1, cases[n])
			if err != nil {
				panic(fmt.Sprintf("%s %s: %v", v, n, err))
			}
			seeds = append(seeds, b)
		}
	}
	for _, fx := range frameFixtures {
		b, err := hex.DecodeString(strings.ReplaceAll(fx.hex, " ", ""))
		if err != nil {
			panic(err)
		}
		seeds = append(seeds, b)
	}
	id := UUID{1}
	withPrefix, err := (&Envelope{Version: V4, Stream: -1, TracingID: &id, Warnings: []string{"w"},
		CustomPayload: map[string][]byte{"k": {1}}, Message: &VoidResult{}}).AppendBinary(nil)
	if err != nil {
		panic(err)
	}
	return append(seeds, withPrefix)
}

// segmentStreamSeeds are inputs of FuzzSegmentStream: control byte, payload.
func segmentStreamSeeds() [][]byte {
	opts, _ := EncodeFrame(nil, V5, 0, &Options{})
	ready, _ := EncodeFrame(nil, V5, 1, &Ready{})
	q, _ := EncodeFrame(nil, V5, 2, &Query{Query: strings.Repeat("y", 60), Params: QueryParams{Consistency: One}})
	chunk := func(sc bool, p []byte) []byte {
		ctl := byte(len(p))
		if sc {
			ctl |= 0x80
		}
		return append([]byte{ctl}, p...)
	}
	both := append(bytes.Clone(opts), ready...)
	split := append(append(append(chunk(false, q[:5]), chunk(false, q[5:40])...), chunk(false, q[40:])...), chunk(true, ready)...)
	return [][]byte{chunk(true, opts), chunk(true, both), split, chunk(true, q[:20])}
}

func unmarshalSeeds() [][2][]byte {
	return [][2][]byte{
		{{0x00, 0x0d}, []byte("text")},
		{{0x00, 0x22, 0x00, 0x0d}, {0, 0, 0, 1, 0, 0, 0, 1, '0'}},
		{{0x00, 0x21, 0x00, 0x0d, 0x00, 0x0d}, {0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'b'}},
		{{0x00, 0x31, 0x00, 0x02, 0x00, 0x09, 0x00, 0x10}, {0, 0, 0, 4, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff}},
		{{0x00, 0x0b}, {0x00, 0x00, 0x01, 0xa2, 0x12, 0x41, 0x50, 0xbb}},
	}
}

func typeSeeds() []string {
	return []string{"text", "map<text, frozen<list<int>>>", "tuple<int,blob>", "'a''b'", "set<", "list<list<list<int>>>"}
}

// corpusFile renders fuzz arguments in the format of go test's corpus
// files.
func corpusFile(args ...any) string {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch a := a.(type) {
		case []byte:
			b.WriteString("[]byte(" + strconv.Quote(string(a)) + ")\n")
		case string:
			b.WriteString("string(" + strconv.Quote(a) + ")\n")
		}
	}
	return b.String()
}

// TestFuzzSeedCorpora keeps testdata/fuzz in step with the seed functions:
// every seed is checked in (run with -update-seeds to rewrite them).
func TestFuzzSeedCorpora(t *testing.T) {
	corpora := map[string][]string{}
	for _, s := range headerSeeds() {
		corpora["FuzzParseHeader"] = append(corpora["FuzzParseHeader"], corpusFile(s))
	}
	for _, s := range segmentSeeds() {
		corpora["FuzzParseSegment"] = append(corpora["FuzzParseSegment"], corpusFile(s))
		corpora["FuzzSegmentReader"] = append(corpora["FuzzSegmentReader"], corpusFile(s))
	}
	for _, s := range segmentStreamSeeds() {
		corpora["FuzzSegmentStream"] = append(corpora["FuzzSegmentStream"], corpusFile(s))
	}
	for _, s := range envelopeSeeds() {
		corpora["FuzzDecodeEnvelope"] = append(corpora["FuzzDecodeEnvelope"], corpusFile(s))
	}
	for _, s := range typeSeeds() {
		corpora["FuzzParseType"] = append(corpora["FuzzParseType"], corpusFile(s))
	}
	for _, s := range unmarshalSeeds() {
		corpora["FuzzUnmarshal"] = append(corpora["FuzzUnmarshal"], corpusFile(s[0], s[1]))
	}
	for name, files := range corpora {
		dir := filepath.Join("testdata", "fuzz", name)
		if *updateSeeds {
			require.NoError(t, os.MkdirAll(dir, 0o755))
		}
		for _, content := range files {
			sum := sha256.Sum256([]byte(content))
			path := filepath.Join(dir, "seed-"+hex.EncodeToString(sum[:8]))
			if *updateSeeds {
				require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
				continue
			}
			got, err := os.ReadFile(path)
			if assert.NoError(t, err, "seed missing; run go test -run TestFuzzSeedCorpora -update-seeds") {
				assert.Equal(t, content, string(got))
			}
		}
	}
}
