package pgstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/store"
)

// sameChange compares changes, nil and empty slices being equal (the
// payload omits empty lists).
func sameChange(a, b store.Change) bool {
	return a.Kind == b.Kind && slices.Equal(a.Roles, b.Roles) &&
		slices.Equal(a.Resources, b.Resources) && slices.Equal(a.Identities, b.Identities)
}

func TestPayloadRoundTrip(t *testing.T) {
	for _, k := range []struct {
		name string
		ch   store.Change
	}{
		{"reset", store.Change{Kind: store.ChangeReset}},
		{"membership", store.Change{Kind: store.ChangeMembership, Roles: []string{"grantee", "role"}}},
		{"drop role", store.Change{Kind: store.ChangeRole, Roles: []string{"r", "m"}, Identities: []string{"spiffe://x/\"q\""}}},
		{"unicode and quotes", store.Change{Kind: store.ChangePermissions, Roles: []string{"it's"}, Resources: []string{"roles/ünïcödé", `data/k"s`}}},
		{"kind from a newer build", store.Change{Kind: 200, Roles: []string{"r"}}},
	} {
		t.Run(k.name, func(t *testing.T) {
			p := encodePayload("origin1", "schema1", k.ch)
			origin, schema, got, err := decodePayload(p)
			require.NoError(t, err)
			assert.Equal(t, "origin1", origin)
			assert.Equal(t, "schema1", schema)
			assert.True(t, sameChange(k.ch, got), "got %+v from %s", got, p)
		})
	}
}

func TestPayloadFormat(t *testing.T) {
	p := encodePayload("o", "s", store.Change{Kind: store.ChangeMembership, Roles: []string{"g", "r"}})
	assert.Equal(t, `{"v":1,"o":"o","s":"s","k":2,"r":["g","r"]}`, p, "the wire format is a contract between processes")
}

func TestPayloadTooLarge(t *testing.T) {
	roles := make([]string, 1000)
	for i := range roles {
		roles[i] = strings.Repeat("r", 10)
	}
	p := encodePayload("o", "s", store.Change{Kind: store.ChangeRole, Roles: roles})
	assert.LessOrEqual(t, len(p), maxPayload)
	origin, _, ch, err := decodePayload(p)
	require.NoError(t, err)
	assert.Equal(t, "o", origin)
	assert.Equal(t, store.ChangeReset, ch.Kind)
	assert.Empty(t, ch.Roles)
}

func TestPayloadBad(t *testing.T) {
	for _, p := range []string{``, `{`, `[]`, `{"v":0,"o":"x"}`, `{"v":1}`, `{"v":1,"o":"x","k":300}`, `{"v":"1"}`} {
		_, _, _, err := decodePayload(p)
		assert.ErrorIs(t, err, errPayload, "%q", p)
	}
	_, schema, ch, err := decodePayload(`{"v":2,"o":"x","s":"s","k":3,"new":[1]}`)
	require.NoError(t, err, "a newer format version is not an error")
	assert.Equal(t, store.ChangeReset, ch.Kind, "but a reset")
	assert.Equal(t, "s", schema)
}

// TestPayloadProperties: every Change encodes within the notification
// limit, and decodes to itself unless it had to become a reset.
func TestPayloadProperties(t *testing.T) {
	names := rapid.SliceOfN(rapid.StringN(0, 40, -1), 0, 60)
	rapid.Check(t, func(t *rapid.T) {
		ch := store.Change{
			Kind:       store.ChangeKind(rapid.IntRange(0, 255).Draw(t, "kind")),
			Roles:      names.Draw(t, "roles"),
			Resources:  names.Draw(t, "resources"),
			Identities: names.Draw(t, "identities"),
		}
		origin := rapid.StringMatching(`[0-9a-f]{16}`).Draw(t, "origin")
		schema := rapid.StringN(1, 63, 63).Draw(t, "schema")
		p := encodePayload(origin, schema, ch)
		if len(p) > maxPayload {
			t.Fatalf("payload of %d bytes", len(p))
		}
		gotOrigin, gotSchema, got, err := decodePayload(p)
		if err != nil {
			t.Fatalf("decode %q: %v", p, err)
		}
		if gotOrigin != origin || gotSchema != schema {
			t.Fatalf("origin/schema %q/%q, want %q/%q", gotOrigin, gotSchema, origin, schema)
		}
		if !sameChange(got, ch) && got.Kind != store.ChangeReset {
			t.Fatalf("decoded %+v, want %+v or a reset", got, ch)
		}
		if got.Kind == store.ChangeReset && ch.Kind != store.ChangeReset && len(p) < maxPayload/2 {
			t.Fatalf("a small change (%d bytes) became a reset", len(p))
		}
	})
}

// FuzzDecodePayload feeds arbitrary payloads to the decoder: it must not
// panic, and what it accepts must survive a round trip.
func FuzzDecodePayload(f *testing.F) {
	f.Add(`{"v":1,"o":"o","s":"s","k":2,"r":["g","r"]}`)
	f.Add(`{"v":1,"o":"o","s":"s","k":0}`)
	f.Add(`{"v":2,"o":"o","s":"s","k":9,"x":{}}`)
	f.Add(`garbage`)
	f.Fuzz(func(t *testing.T, payload string) {
		origin, schema, ch, err := decodePayload(payload)
		if err != nil {
			return
		}
		if origin == "" {
			if ch.Kind != store.ChangeReset {
				t.Fatalf("a payload without origin decoded as %+v", ch)
			}
			return
		}
		again := encodePayload(origin, schema, ch)
		o2, s2, ch2, err := decodePayload(again)
		if err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", again, err)
		}
		if o2 != origin || s2 != schema || (!sameChange(ch, ch2) && ch2.Kind != store.ChangeReset) {
			t.Fatalf("round trip of %q: %q %q %+v", payload, o2, s2, ch2)
		}
	})
}
