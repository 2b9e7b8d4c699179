package authn

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/cassauth/cassauth/roles"
)

// MechanismPlain is the name of the SASL PLAIN mechanism (RFC 4616).
const MechanismPlain = "PLAIN"

// PlainCredentials are the credentials of a SASL PLAIN token. The authzid
// is not kept: Cassandra ignores it. PlainCredentials redacts its password
// in fmt (every verb), slog and encoding/json output.
type PlainCredentials struct {
	// Username is the authcid, decoded as Java decodes UTF-8 (see
	// [DecodePlain]); never empty.
	Username string
	// Password is the password, decoded the same way; never empty.
	Password Secret
}

// String formats c with its password redacted.
func (c PlainCredentials) String() string {
	return fmt.Sprintf("{Username:%q Password:%s}", c.Username, redacted)
}

// GoString formats c for %#v with its password redacted.
func (c PlainCredentials) GoString() string { return "authn.PlainCredentials" + c.String() }

// Format prints c with its password redacted, for every verb.
func (c PlainCredentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(c.GoString()))
		return
	}
	_, _ = f.Write([]byte(c.String()))
}

// LogValue makes slog print c without its password.
func (c PlainCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", c.Username), slog.String("password", redacted))
}

// DecodePlain decodes a SASL PLAIN token exactly as Cassandra's
// PlainTextSaslAuthenticator.decodeCredentials (spec 2.2):
//
//  1. The bytes are scanned from the end towards the start. The first NUL
//     seen ends the password (the bytes after it), the second ends the
//     username (the bytes between the two); a third NUL is an error with
//     [MsgCredentialFormat].
//  2. Then a missing or empty password is an error with [MsgPasswordNull],
//     and a missing or empty username one with [MsgAuthIDNull].
//  3. The authzid (whatever precedes the second NUL) is ignored; it need not
//     equal the username.
//
// So "\x00user\x00pass" and "authz\x00user\x00pass" decode, "user\x00pass"
// has no username, "\x00user\x00" has an empty password, and
// "\x00user\x00pass\x00" (the javadoc's form, with a trailing NUL) meets a
// third NUL: a format error. Both fields are decoded as Java decodes UTF-8 (new String(bytes,
// UTF_8)): valid UTF-8 is kept as is, malformed sequences become U+FFFD at
// the same places as in Java, so a password with invalid UTF-8 checks
// against an imported hash as it does in Cassandra.
//
// Errors are [*roles.Error] values with code BAD_CREDENTIALS and cause
// [ErrMalformedToken]. DecodePlain never panics and never includes token
// bytes in an error.
func DecodePlain(token []byte) (PlainCredentials, error) {
	var user, pass []byte
	userSeen, passSeen := false, false
	end := len(token)
	for i := len(token) - 1; i >= 0; i-- {
		if token[i] != 0 {
			continue
		}
		switch {
		case !passSeen:
			pass, passSeen = token[i+1:end], true
		case !userSeen:
			user, userSeen = token[i+1:end], true
		default:
			return PlainCredentials{}, authError(ErrMalformedToken, MsgCredentialFormat)
		}
		end = i
	}
	if len(pass) == 0 {
		return PlainCredentials{}, authError(ErrMalformedToken, MsgPasswordNull)
	}
	if len(user) == 0 {
		return PlainCredentials{}, authError(ErrMalformedToken, MsgAuthIDNull)
	}
	return PlainCredentials{Username: javaString(user), Password: NewSecret(javaString(pass))}, nil
}

// EncodePlain returns the SASL PLAIN token a client sends for username and
// password, with an empty authzid: "\x00username\x00password". It is the
// client side of [DecodePlain], for tests and for clients built on this
// package. Neither argument may contain NUL for the token to decode back.
func EncodePlain(username string, password Secret) []byte {
	pw := password.Reveal()
	b := make([]byte, 0, 2+len(username)+len(pw))
	b = append(b, 0)
	b = append(b, username...)
	b = append(b, 0)
	return append(b, pw...)
}

// checkFunc verifies a username and password (the credential check of spec
// 2.3) and returns the authenticated user.
type checkFunc func(ctx context.Context, username string, password Secret) (roles.User, error)

// plainNegotiator is the SASL PLAIN negotiator (Cassandra's
// PlainTextSaslAuthenticator): every response is decoded anew; a decoded
// response completes the negotiation; the credential check runs in
// AuthenticatedUser. It is used by one connection at a time.
type plainNegotiator struct {
	check    checkFunc
	creds    PlainCredentials
	complete bool
}

var _ ModeNegotiator = (*plainNegotiator)(nil)

func newPlainNegotiator(check checkFunc) *plainNegotiator {
	return &plainNegotiator{check: check}
}

// EvaluateResponse decodes token (see [DecodePlain]) and completes the
// negotiation; it returns no challenge. A token that does not decode returns
// the decoding error and leaves the negotiator incomplete, without the
// credentials of any earlier response (Cassandra keeps the earlier ones, but
// never uses them after an error; dropping them fails closed).
func (n *plainNegotiator) EvaluateResponse(ctx context.Context, token []byte) ([]byte, error) {
	creds, err := DecodePlain(token)
	if err != nil {
		n.creds, n.complete = PlainCredentials{}, false
		return nil, err
	}
	n.creds, n.complete = creds, true
	return nil, nil
}

func (n *plainNegotiator) IsComplete() bool { return n.complete }

func (n *plainNegotiator) AuthenticatedUser(ctx context.Context) (roles.User, error) {
	if !n.complete {
		return roles.User{}, authError(ErrNegotiationIncomplete, MsgNegotiationIncomplete)
	}
	return n.check(ctx, n.creds.Username, n.creds.Password)
}

func (n *plainNegotiator) Mode() Mode { return ModePassword }

// String describes the negotiator without its password.
func (n *plainNegotiator) String() string {
	return fmt.Sprintf("PLAIN negotiator{complete:%t username:%q}", n.complete, n.creds.Username)
}

// Format prints the negotiator without its password, for every verb.
func (n *plainNegotiator) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(n.String())) }
