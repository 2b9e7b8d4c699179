package transport

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
)

// STARTUP option keys.
const (
	StartupCQLVersion  = "CQL_VERSION"
	StartupCompression = "COMPRESSION"
)

// supported returns the SUPPORTED answer to OPTIONS: the keys the Python
// driver requires (CQL_VERSION, COMPRESSION; no compression is offered)
// and the served versions. PRODUCT_TYPE is never sent (it turns on the
// Python driver's DataStax Astra mode).
func (c *conn) supported() *Supported {
	versions := make([]string, len(c.s.versions))
	for i, v := range c.s.versions {
		versions[i] = v.String()
	}
	return &Supported{Options: map[string][]string{
		StartupCQLVersion:   {CQLVersion},
		StartupCompression:  {},
		"PROTOCOL_VERSIONS": versions,
	}}
}

// ValidateStartup checks STARTUP options as Cassandra's StartupMessage
// does and returns its message for the first problem, or "" when they are
// acceptable: a missing CQL_VERSION, an unparsable one ("Invalid version
// value: %s"), one below 3.0.0, or a compression other than none (this
// server offers none).
func ValidateStartup(opts map[string]string) string {
	v, ok := opts[StartupCQLVersion]
	if !ok {
		return "Missing value CQL_VERSION in STARTUP message"
	}
	major, minor, ok := parseCQLVersion(v)
	if !ok {
		return "Invalid version value: " + v
	}
	if major < 2 || major == 2 && minor < 99 {
		return fmt.Sprintf("CQL version %s is not supported by the binary protocol (supported version are >= 3.0.0)", v)
	}
	if comp := opts[StartupCompression]; comp != "" {
		return "Unknown compression algorithm: " + comp
	}
	return ""
}

// parseCQLVersion parses "major.minor[.patch][-pre][+build]" as
// Cassandra's CassandraVersion does, returning major and minor.
func parseCQLVersion(v string) (major, minor int, ok bool) {
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, false
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return 0, 0, false
		}
		nums[i] = n
	}
	return nums[0], nums[1], true
}

// startup answers STARTUP: READY without authentication, AUTHENTICATE
// with the authenticator's class name, or, when the authenticator supports
// early authentication and its negotiator needs no AUTHENTICATE (mutual
// TLS), the outcome of evaluating an empty response at once. After READY
// or AUTHENTICATE a v5 connection switches to segments.
func (c *conn) startup(stream int16, m *Startup) {
	if msg := ValidateStartup(m.Options); msg != "" {
		c.send(stream, &ErrorResponse{Code: CodeProtocolError, Message: msg}, nil)
		return
	}
	c.sess.Options = cloneOptions(m.Options)
	a := c.s.cfg.Auth.Authenticator()
	if !a.RequireAuthentication() {
		c.sess.setUser(roles.Anonymous)
		c.setState(stateReady)
		c.send(stream, &Ready{}, nil)
		c.switchFraming()
		return
	}
	neg, err := a.NewNegotiator(c.ctx, c.sess.Remote.Addr(), c.sess.PeerCertificates())
	if err != nil {
		c.send(stream, ErrorResponseFor(err), nil)
		return
	}
	if authn.SupportsEarlyAuthentication(a) && !authn.SendAuthenticate(neg) {
		_, user, done, err := c.negotiate(c.ctx, neg, []byte{})
		switch {
		case err != nil:
			c.send(stream, ErrorResponseFor(err), nil)
		case !done:
			// A negotiator that wants no AUTHENTICATE must finish at once.
			c.send(stream, &ErrorResponse{Code: CodeBadCredentials, Message: "SASL negotiation not complete"}, nil)
		default:
			c.sess.setUser(user)
			c.setState(stateReady)
			c.send(stream, &Ready{}, nil)
			c.switchFraming()
		}
		return
	}
	c.authMu.Lock()
	c.neg = neg
	c.authMu.Unlock()
	c.setState(stateAuth)
	c.send(stream, &Authenticate{Authenticator: a.ClassName()}, nil)
	c.switchFraming()
}

// negotiate feeds token to neg and, once the exchange is complete, runs
// the login step (authn.Login: LOGIN on the primary role).
func (c *conn) negotiate(ctx context.Context, neg authn.Negotiator, token []byte) (challenge []byte, user roles.User, done bool, err error) {
	challenge, err = neg.EvaluateResponse(ctx, token)
	if err != nil {
		return nil, roles.User{}, false, err
	}
	if !neg.IsComplete() {
		return challenge, roles.User{}, false, nil
	}
	if user, err = neg.AuthenticatedUser(ctx); err != nil {
		return nil, roles.User{}, false, err
	}
	if err = authn.Login(ctx, c.s.cfg.Auth.Roles(), user); err != nil {
		return nil, roles.User{}, false, err
	}
	return challenge, user, true, nil
}

// authResponse answers AUTH_RESPONSE: AUTH_CHALLENGE only when the
// negotiator returns one before completing (never for PLAIN), AUTH_SUCCESS
// with the final token (null for PLAIN) once the user is logged in, or the
// ERROR of the failure (0x0100 with Cassandra's message), after which the
// connection stays open for another attempt with the same negotiator. On a
// READY connection it re-authenticates with a new negotiator, as Cassandra
// allows; a failure then keeps the current user.
func (c *conn) authResponse(ctx context.Context, token []byte) Message {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if c.neg == nil {
		neg, err := c.s.cfg.Auth.Authenticator().NewNegotiator(ctx, c.sess.Remote.Addr(), c.sess.PeerCertificates())
		if err != nil {
			return ErrorResponseFor(err)
		}
		c.neg = neg
	}
	challenge, user, done, err := c.negotiate(ctx, c.neg, token)
	if err != nil {
		return ErrorResponseFor(err)
	}
	if !done {
		return &AuthChallenge{Token: challenge}
	}
	c.sess.setUser(user)
	c.neg = nil
	c.setState(stateReady)
	return &AuthSuccess{Token: challenge}
}

// credentials answers a protocol-v1 CREDENTIALS: the authenticator's
// credentials map (username, password), then the login step; READY on
// success, ERROR otherwise (the connection stays open).
func (c *conn) credentials(ctx context.Context, creds map[string]string) Message {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	a := c.s.cfg.Auth.Authenticator()
	user, err := a.LegacyAuthenticate(ctx, creds)
	if err == nil {
		err = authn.Login(ctx, c.s.cfg.Auth.Roles(), user)
	}
	if err != nil {
		return ErrorResponseFor(err)
	}
	c.sess.setUser(user)
	c.neg = nil
	c.setState(stateReady)
	return &Ready{}
}
