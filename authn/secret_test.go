package authn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const leak = "hunter2-Sup3rS3cret"

// formats renders v with every verb and flag combination worth trying, plus
// slog's text and JSON handlers and encoding/json.
func formats(t *testing.T, v any) []string {
	t.Helper()
	var out []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		out = append(out, fmt.Sprintf(f, v))
	}
	out = append(out, fmt.Sprint(v), fmt.Sprintln(v))
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("m", "v", v, slog.Any("any", v), slog.Group("g", "v", v))
		out = append(out, buf.String())
	}
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b))
	}
	return out
}

func assertNoLeak(t *testing.T, name string, v any) {
	t.Helper()
	for _, s := range formats(t, v) {
		assert.NotContains(t, s, leak, "%s leaked: %s", name, s)
		assert.NotContains(t, s, fmt.Sprintf("%x", leak), "%s leaked in hex: %s", name, s)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	s := NewSecret(leak)
	assert.Equal(t, leak, s.Reveal())
	assert.True(t, s.Equal(leak))
	assert.False(t, s.Equal(leak+"x"))
	assert.False(t, s.IsEmpty())
	assert.True(t, NewSecret("").IsEmpty())
	assert.True(t, Secret{}.IsEmpty())
	assert.Equal(t, "<redacted>", fmt.Sprintf("%v", s))

	creds := PlainCredentials{Username: "alice", Password: s}
	assert.Equal(t, `{Username:"alice" Password:<redacted>}`, fmt.Sprint(creds))

	type wrapper struct {
		exported   Secret
		Creds      PlainCredentials
		unexported PlainCredentials
		Ptr        *PlainCredentials
	}
	w := wrapper{exported: s, Creds: creds, unexported: creds, Ptr: &creds}

	neg := newPlainNegotiator(nil)
	_, err := neg.EvaluateResponse(context.Background(), EncodePlain("alice", s))
	require.NoError(t, err)

	p, _ := newTestPassword(t, PasswordConfig{Verified: VerifiedCacheConfig{Enabled: true}})
	p.Hasher() // nothing secret, but printed through Password below
	_, _ = p.Authenticate(context.Background(), "alice", NewSecret("secret"))

	for name, v := range map[string]any{
		"Secret":            s,
		"*Secret":           &s,
		"PlainCredentials":  creds,
		"*PlainCredentials": &creds,
		"struct":            w,
		"*struct":           &w,
		"slice":             []Secret{s},
		"map":               map[string]Secret{"k": s},
		"negotiator":        neg,
		"Negotiator":        Negotiator(neg),
	} {
		assertNoLeak(t, name, v)
	}
	// The verified cache and the authenticator never print the HMAC key or
	// entries.
	for _, v := range []any{p, p.VerifiedCache()} {
		for _, out := range formats(t, v) {
			assert.NotContains(t, out, "key")
			assert.NotContains(t, out, "mac")
		}
	}
}

// No error of the package carries the password.
func TestErrorsNeverCarryPasswords(t *testing.T) {
	p, src := newTestPassword(t, PasswordConfig{})
	src.set("broken", "$2a$04$"+leak)
	ctx := context.Background()
	for _, tok := range []string{"\x00alice\x00" + leak, "\x00nobody\x00" + leak, "\x00broken\x00" + leak, leak, leak + "\x00", "a\x00b\x00" + leak + "\x00"} {
		n, err := p.NewNegotiator(ctx, netipZero, nil)
		require.NoError(t, err)
		if _, err := n.EvaluateResponse(ctx, []byte(tok)); err != nil {
			assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), leak)
			continue
		}
		_, err = n.AuthenticatedUser(ctx)
		require.Error(t, err)
		assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), leak)
	}
	_, err := p.LegacyAuthenticate(ctx, map[string]string{"password": leak})
	assert.NotContains(t, err.Error(), leak)
}
