package transport

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/roles"
)

// TestPipeliningProperty: any batch of requests pipelined on one
// connection, with any distinct stream ids, gets exactly one response per
// stream, and each is the response the request gets when sent alone.
func TestPipeliningProperty(t *testing.T) {
	_, addr := startServer(t, Config{})
	pool := []string{
		"SELECT key, tokens FROM system.local WHERE key = 'local'",
		"SELECT * FROM system.peers_v2",
		"LIST ROLES",
		"LIST ALL PERMISSIONS",
		"SELECT nope FROM system.local",
		"CREATE ROLE",
		"SELECT * FROM system_auth.roles",
	}
	for _, v := range []Version{V4, V5} {
		cl := dialClient(t, addr, v)
		cl.mustLogin("cassandra", "cassandra")
		want := map[string]Message{}
		for _, q := range pool {
			want[q] = cl.query(1, q)
		}
		rapid.Check(t, func(rt *rapid.T) {
			n := rapid.IntRange(1, 40).Draw(rt, "n")
			streams := rapid.SliceOfNDistinct(rapid.Int16Range(1, 32767), n, n, rapid.ID[int16]).Draw(rt, "streams")
			sent := map[int16]string{}
			for _, s := range streams {
				q := rapid.SampledFrom(pool).Draw(rt, "query")
				sent[s] = q
				b, err := EncodeFrame(nil, v, s, &Query{Query: q, Params: QueryParams{Consistency: One}})
				if err != nil {
					rt.Fatalf("encode: %v", err)
				}
				cl.wmu.Lock()
				_, err = cl.w.Write(b)
				cl.wmu.Unlock()
				if err != nil {
					rt.Fatalf("write: %v", err)
				}
			}
			for range n {
				env, err := cl.read()
				if err != nil {
					rt.Fatalf("read: %v", err)
				}
				q, ok := sent[env.Stream]
				if !ok {
					rt.Fatalf("response on stream %d, which is not pending", env.Stream)
				}
				delete(sent, env.Stream)
				a, _ := want[q].Encode(nil, v)
				b, _ := env.Message.Encode(nil, v)
				if string(a) != string(b) {
					rt.Fatalf("%q on stream %d answered %v, alone %v", q, env.Stream, env.Message, want[q])
				}
			}
		})
	}
}

// FuzzParseSelect: the SELECT parser never panics, fails only with
// Syntax_error or Invalid, and what it accepts compiles or fails cleanly.
func FuzzParseSelect(f *testing.F) {
	a := newTestAuth(f, authOptions{})
	h, err := NewHandler(HandlerConfig{Auth: a})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, text string) {
		st, err := parseSelect(text)
		if err != nil {
			var re *roles.Error
			if !errors.As(err, &re) || re.Code != roles.CodeSyntaxError && re.Code != roles.CodeInvalid {
				t.Fatalf("parse error %v is neither Syntax_error nor Invalid", err)
			}
			return
		}
		if _, err := h.compile(st, "system"); err != nil {
			var re *roles.Error
			if !errors.As(err, &re) {
				t.Fatalf("compile error %v carries no code", err)
			}
		}
	})
}

func selectSeeds() []string {
	return []string{
		"SELECT * FROM system.local WHERE key='local'",
		"SELECT host_id, peer, peer_port FROM system.peers_v2",
		"select key as k from local where key = ? limit 1 allow filtering;",
		"SELECT * FROM system_schema.tables WHERE keyspace_name = 'ks' AND table_name = 't'",
		"SELECT * FROM system.local WHERE host_id = 01020300-0000-0000-0000-000000000000 ALLOW FILTERING",
		"SELECT \"key\" FROM system.\"local\" /* c */ -- x",
		"SELECT * FROM system.local WHERE key = :k LIMIT ?",
		"SELECT count(*) FROM t",
		"SELECT * FROM t WHERE a IN (1, 2)",
		"SELECT * FROM system.local WHERE rpc_port = -9042.5e1 AND x = 0xCAFE",
	}
}
