package authn

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
)

// redacted is what every secret prints as.
const redacted = "<redacted>"

// Secret holds a password (or another secret) so that it never prints: %v,
// %+v, %#v, %s, %q, %x and every other verb, slog (text and JSON handlers)
// and encoding/json all show "<redacted>". Even when a Secret sits in an
// unexported field of a struct that fmt prints by reflection (where its own
// methods are not called), only a pointer address is shown, never the text.
//
// Call [Secret.Reveal] to get the text, only where the text is needed (a
// bcrypt compare). Compare secrets with [Secret.Equal], not ==, which
// compares identity. The zero Secret is empty. Secrets are immutable values,
// safe for concurrent use.
type Secret struct {
	p *string // nil for the empty secret
}

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{p: &s}
}

// Reveal returns the secret text.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsEmpty reports whether the secret is the empty string.
func (s Secret) IsEmpty() bool { return s.p == nil || *s.p == "" }

// Equal compares the secret with other in constant time (for the length of
// other).
func (s Secret) Equal(other string) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(other)) == 1
}

// String returns "<redacted>".
func (s Secret) String() string { return redacted }

// GoString returns "<redacted>" (for %#v).
func (s Secret) GoString() string { return redacted }

// Format prints "<redacted>" for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue makes slog print "<redacted>".
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON encodes the secret as the JSON string "<redacted>".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText encodes the secret as "<redacted>".
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
