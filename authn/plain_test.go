package authn

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/roles"
)

// Every case of spec 2.2.
func TestDecodePlain(t *testing.T) {
	cases := []struct {
		name      string
		token     string
		user, pwd string
		msg       string // expected error message, "" for success
	}{
		{name: "empty authzid", token: "\x00user\x00pass", user: "user", pwd: "pass"},
		{name: "authzid ignored", token: "authz\x00user\x00pass", user: "user", pwd: "pass"},
		{name: "authzid differs from authcid", token: "admin\x00bob\x00pw", user: "bob", pwd: "pw"},
		{name: "one NUL", token: "user\x00pass", msg: MsgAuthIDNull},
		{name: "no NUL", token: "userpass", msg: MsgPasswordNull},
		{name: "empty token", token: "", msg: MsgPasswordNull},
		{name: "nil token", token: "\x00", msg: MsgPasswordNull},
		// Spec 2.2 lists this as "Password must not be null", but its own
		// algorithm (and Cassandra's code) meets a third NUL first.
		{name: "trailing NUL (javadoc form)", token: "\x00user\x00pass\x00", msg: MsgCredentialFormat},
		{name: "user and trailing NUL", token: "user\x00\x00", msg: MsgPasswordNull},
		{name: "empty password", token: "\x00user\x00", msg: MsgPasswordNull},
		{name: "empty username", token: "\x00\x00pass", msg: MsgAuthIDNull},
		{name: "only NULs two", token: "\x00\x00", msg: MsgPasswordNull},
		{name: "three NULs", token: "\x00\x00\x00", msg: MsgCredentialFormat},
		{name: "authzid with NUL", token: "a\x00z\x00user\x00pass", msg: MsgCredentialFormat},
		{name: "four fields", token: "\x00a\x00b\x00c", msg: MsgCredentialFormat},
		{name: "three NULs empty password checked after scan", token: "a\x00\x00\x00", msg: MsgCredentialFormat},
		{name: "unicode", token: "\x00j\u00f6rg\x00p\u00e4ss\u20ac", user: "j\u00f6rg", pwd: "p\u00e4ss\u20ac"},
		{name: "spaces kept", token: "\x00 user \x00 pass ", user: " user ", pwd: " pass "},
		{name: "invalid UTF-8 becomes U+FFFD as in Java", token: "\x00us\xffer\x00p\xe2\x82w", user: "us\uFFFDer", pwd: "p\uFFFDw"},
		{name: "surrogate encoding is one U+FFFD", token: "\x00u\x00\xed\xa0\x80", user: "u", pwd: "\uFFFD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			creds, err := DecodePlain([]byte(c.token))
			if c.msg != "" {
				require.Error(t, err)
				assert.Equal(t, c.msg, err.Error())
				assert.ErrorIs(t, err, ErrMalformedToken)
				assert.ErrorIs(t, err, roles.ErrBadCredentials)
				assert.Equal(t, roles.CodeBadCredentials, roles.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.user, creds.Username)
			assert.Equal(t, c.pwd, creds.Password.Reveal())
		})
	}
}

func TestCredentialFormatMessageHasLiteralBackslashZero(t *testing.T) {
	assert.Contains(t, MsgCredentialFormat, `NUL(\0)`)
	assert.NotContains(t, MsgCredentialFormat, "\x00")
}

func TestEncodePlainRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		noNUL := rapid.StringMatching(`[^\x00]+`)
		user := noNUL.Draw(t, "user")
		pw := noNUL.Draw(t, "password")
		creds, err := DecodePlain(EncodePlain(user, NewSecret(pw)))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if creds.Username != javaString([]byte(user)) || creds.Password.Reveal() != javaString([]byte(pw)) {
			t.Fatalf("round trip changed the credentials")
		}
		authz := rapid.StringMatching(`[^\x00]*`).Draw(t, "authzid")
		tok := append([]byte(authz), EncodePlain(user, NewSecret(pw))...)
		creds2, err := DecodePlain(tok)
		if err != nil || !sameCreds(creds2, creds) {
			t.Fatalf("authzid changed the result: %v", err)
		}
	})
}

func TestPlainNegotiator(t *testing.T) {
	ctx := context.Background()
	var calls []string
	check := func(_ context.Context, u string, pw Secret) (roles.User, error) {
		calls = append(calls, u+":"+pw.Reveal())
		if pw.Reveal() != "right" {
			return roles.User{}, incorrect(u)
		}
		return roles.NewUser(u), nil
	}
	n := newPlainNegotiator(check)

	_, err := n.AuthenticatedUser(ctx)
	require.ErrorIs(t, err, ErrNegotiationIncomplete)
	assert.Equal(t, MsgNegotiationIncomplete, err.Error())
	assert.False(t, n.IsComplete())

	// Decoding errors come from EvaluateResponse, before any check.
	ch, err := n.EvaluateResponse(ctx, []byte("bob\x00right"))
	assert.Nil(t, ch)
	require.ErrorIs(t, err, ErrMalformedToken)
	assert.False(t, n.IsComplete())
	assert.Empty(t, calls)

	// A wrong password, then the same negotiator decodes the next message anew.
	ch, err = n.EvaluateResponse(ctx, []byte("\x00bob\x00wrong"))
	require.NoError(t, err)
	assert.Nil(t, ch)
	require.True(t, n.IsComplete())
	_, err = n.AuthenticatedUser(ctx)
	require.ErrorIs(t, err, ErrIncorrectCredentials)

	_, err = n.EvaluateResponse(ctx, []byte("\x00bob\x00right"))
	require.NoError(t, err)
	u, err := n.AuthenticatedUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, "bob", u.Name())
	assert.Equal(t, []string{"bob:wrong", "bob:right"}, calls)

	// A bad message after a complete one drops the earlier credentials.
	_, err = n.EvaluateResponse(ctx, []byte("x"))
	require.Error(t, err)
	assert.False(t, n.IsComplete())
	_, err = n.AuthenticatedUser(ctx)
	require.ErrorIs(t, err, ErrNegotiationIncomplete)
	assert.Equal(t, ModePassword, NegotiatorMode(n))
	assert.True(t, SendAuthenticate(n))
}

// TestJavaStringMatchesJDK compares javaString with new String(bytes,
// UTF_8) of OpenJDK 17 on the vectors in testdata/java_utf8.txt.
func TestJavaStringMatchesJDK(t *testing.T) {
	f, err := os.Open("testdata/java_utf8.txt")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fields := strings.Fields(line)
		require.Len(t, fields, 2, line)
		in, want := unhex(t, fields[0]), unhex(t, fields[1])
		got := javaString(in)
		assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString([]byte(got)), "input %s", fields[0])
		assert.Equal(t, string(want), javaStringOf(string(in)))
		n++
	}
	require.NoError(t, sc.Err())
	assert.Greater(t, n, 1500)
}

func sameCreds(a, b PlainCredentials) bool {
	return a.Username == b.Username && a.Password.Reveal() == b.Password.Reveal()
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	if s == "-" {
		return nil
	}
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestJavaStringProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")
		checkJavaString(t, b)
	})
}

type fataler interface {
	Fatalf(format string, args ...any)
}

func checkJavaString(t fataler, b []byte) {
	s := javaString(b)
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8 out of %x", b)
	}
	if utf8.Valid(b) && s != string(b) {
		t.Fatalf("valid input changed: %x", b)
	}
	if javaString([]byte(s)) != s {
		t.Fatalf("not idempotent on %x", b)
	}
	// Each replacement stands for at least one input byte; nothing is
	// invented: removing the replacements leaves a subsequence of b.
	if strings.Count(s, "\uFFFD") > len(b) {
		t.Fatalf("more replacements than bytes in %x", b)
	}
	rest := b
	for _, part := range strings.Split(s, "\uFFFD") {
		i := bytes.Index(rest, []byte(part))
		if i < 0 {
			t.Fatalf("output part %q not in input %x", part, b)
		}
		rest = rest[i+len(part):]
	}
}

// referenceDecode is a second, independent reading of spec 2.2 (split on
// NUL, then the rules), for the fuzz target's differential check.
func referenceDecode(token []byte) (user, pass string, msg string) {
	parts := bytes.Split(token, []byte{0})
	nuls := len(parts) - 1
	switch {
	case nuls >= 3:
		return "", "", MsgCredentialFormat
	case nuls == 0 || len(parts[nuls]) == 0:
		return "", "", MsgPasswordNull
	case nuls == 1 || len(parts[1]) == 0:
		return "", "", MsgAuthIDNull
	}
	return javaString(parts[1]), javaString(parts[2]), ""
}

func FuzzDecodePlain(f *testing.F) {
	for _, s := range []string{"\x00user\x00pass", "authz\x00user\x00pass", "user\x00pass", "", "\x00\x00\x00", "\x00u\x00\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, token []byte) {
		creds, err := DecodePlain(token)
		user, pass, msg := referenceDecode(token)
		if msg != "" {
			if err == nil || err.Error() != msg || !errors.Is(err, ErrMalformedToken) {
				t.Fatalf("DecodePlain(%q) = %v, want %q", token, err, msg)
			}
			return
		}
		if err != nil {
			t.Fatalf("DecodePlain(%q) failed: %v", token, err)
		}
		if creds.Username != user || creds.Password.Reveal() != pass {
			t.Fatalf("DecodePlain(%q) = %q/%q, want %q/%q", token, creds.Username, creds.Password.Reveal(), user, pass)
		}
		if creds.Username == "" || creds.Password.IsEmpty() || strings.ContainsRune(creds.Username, 0) || strings.ContainsRune(creds.Password.Reveal(), 0) {
			t.Fatalf("DecodePlain(%q) gave an empty field or a NUL", token)
		}
		if !utf8.ValidString(creds.Username) || !utf8.ValidString(creds.Password.Reveal()) {
			t.Fatalf("DecodePlain(%q) gave invalid UTF-8", token)
		}
		// Re-encoding the decoded credentials decodes to the same.
		again, err := DecodePlain(EncodePlain(creds.Username, creds.Password))
		if err != nil || !sameCreds(again, creds) {
			t.Fatalf("re-encoding %q: %v", token, err)
		}
		checkJavaString(t, token)
	})
}

func FuzzJavaString(f *testing.F) {
	for _, s := range []string{"", "abc", "\xed\xa0\x80", "\xf0\x90\x80", "\xe0\x80\x80", "\xf4\x90\x80\x80\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkJavaString(t, b) })
}
