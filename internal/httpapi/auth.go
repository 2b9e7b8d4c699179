package httpapi

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
)

// caller is the authenticated user of a request.
type caller struct {
	user   roles.User
	remote netip.Addr
	token  string // the bearer token used, if any
}

// authenticate identifies the caller of r: a bearer token issued by
// /v1/authenticate, or HTTP Basic credentials (checked like a login, so they
// count as one in the metrics and go through the verified-credentials cache
// when it is configured). Without credentials, the caller is the anonymous
// user when the authenticator does not require authentication, and a 401
// otherwise.
func (s *Server) authenticate(r *http.Request) (*caller, *Error) {
	c := &caller{remote: clientAddr(r)}
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case h == "":
		if s.cfg.Auth.Authenticator().RequireAuthentication() {
			return nil, &Error{Status: http.StatusUnauthorized, Code: roles.CodeBadCredentials, Msg: MsgAuthRequired}
		}
		c.user = roles.Anonymous
	case strings.EqualFold(scheme, "Bearer"):
		role, anon, err := s.tokens.verify(r.Context(), cred)
		if err != nil {
			if errors.Is(err, errTokenUnknown) || errors.Is(err, errTokenExpired) || errors.Is(err, errTokenRevoked) {
				s.metrics.logins.WithLabelValues(methodToken, outcomeInvalidToken).Inc()
				return nil, &Error{Status: http.StatusUnauthorized, Code: roles.CodeBadCredentials, Msg: MsgInvalidToken}
			}
			s.metrics.logins.WithLabelValues(methodToken, outcomeUnavailable).Inc()
			return nil, &Error{Status: http.StatusServiceUnavailable, Code: roles.CodeBadCredentials,
				Msg: authn.MsgUnablePrefix + err.Error()}
		}
		s.metrics.logins.WithLabelValues(methodToken, outcomeSuccess).Inc()
		c.token = cred
		if anon {
			c.user = roles.Anonymous
		} else {
			c.user = roles.NewUser(role)
		}
	case strings.EqualFold(scheme, "Basic"):
		user, pass, ok := r.BasicAuth()
		if !ok {
			return nil, &Error{Status: http.StatusUnauthorized, Code: roles.CodeBadCredentials, Msg: MsgBadAuthorization}
		}
		if err := checkLen("Username", user, s.cfg.MaxNameLength); err != nil {
			return nil, err
		}
		u, err := s.login(r, methodBasic, user, pass)
		if err != nil {
			return nil, err
		}
		c.user = u
	default:
		return nil, &Error{Status: http.StatusUnauthorized, Code: roles.CodeBadCredentials, Msg: MsgBadAuthorization}
	}
	return c, nil
}

// login checks a username and password (Auth.Authenticate: the
// authenticator, then the LOGIN flag) and records the outcome.
func (s *Server) login(r *http.Request, method, username, password string) (roles.User, *Error) {
	u, err := s.cfg.Auth.Authenticate(r.Context(), username, authn.NewSecret(password))
	outcome := outcomeSuccess
	switch {
	case err == nil:
	case errors.Is(err, authn.ErrIncorrectCredentials):
		outcome = outcomeBadCreds
	case errors.Is(err, authn.ErrNotPermittedToLogin):
		outcome = outcomeNotPermitted
	case errors.Is(err, authn.ErrUnavailable):
		outcome = outcomeUnavailable
	default:
		outcome = resultError
	}
	s.metrics.logins.WithLabelValues(method, outcome).Inc()
	if err != nil {
		return roles.User{}, toError(err)
	}
	return u, nil
}
