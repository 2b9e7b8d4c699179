package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/cassauth/cassauth/roles"
)

// handleReloadSSL is POST /v1/admin/reloadssl (superusers only): reload
// the CQL front end's client TLS certificates, as nodetool reloadssl
// does. It answers 200 {"reloaded": true}; 409 CONFIG_ERROR when the
// server has no client TLS; 500 SERVER_ERROR with the loading error when
// the files are bad, the previous certificates staying in use.
func (s *Server) handleReloadSSL(w http.ResponseWriter, r *http.Request, c *caller) *Error {
	if err := s.requireSuperuser(r, c, "reload the TLS certificates"); err != nil {
		return err
	}
	if err := readEmptyBody(w, r, s.cfg.MaxBodyBytes); err != nil {
		return err
	}
	err := ErrTLSNotConfigured
	if s.cfg.ReloadTLS != nil {
		err = s.cfg.ReloadTLS(r.Context())
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrTLSNotConfigured):
		return &Error{Status: http.StatusConflict, Code: roles.CodeConfigError, Msg: MsgReloadSSLPrefix + err.Error()}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Code: roles.CodeServerError, Msg: MsgReloadSSLPrefix + err.Error()}
	default:
		return &Error{Status: http.StatusInternalServerError, Code: roles.CodeServerError, Msg: MsgReloadSSLFailedPrefix + err.Error()}
	}
	s.log.Info("TLS certificates reloaded", slog.String("api", "POST /v1/admin/reloadssl"), slog.String("role", c.user.Name()))
	writeJSON(w, http.StatusOK, ReloadSSLResponse{Reloaded: true})
	return nil
}
