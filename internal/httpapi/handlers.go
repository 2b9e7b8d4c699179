package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// handleAuthenticate is POST /v1/authenticate: a login that returns a
// bearer token.
func (s *Server) handleAuthenticate(w http.ResponseWriter, r *http.Request, _ *caller) *Error {
	var req AuthenticateRequest
	if err := readJSONBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if err := checkLen("Username", req.Username, s.cfg.MaxNameLength); err != nil {
		return err
	}
	u, apiErr := s.login(r, methodPassword, req.Username, req.Password)
	if apiErr != nil {
		return apiErr
	}
	if err := s.cfg.Auth.ValidateLogin(r.Context(), u, s.cfg.Datacenter, clientAddr(r)); err != nil {
		return toError(err)
	}
	tok, exp, err := s.tokens.issue(r.Context(), u.Name(), u.IsAnonymous())
	if errors.Is(err, errNoSuchRole) { // dropped between the login and now
		return &Error{Status: http.StatusUnauthorized, Code: roles.CodeBadCredentials,
			Msg: "Provided username " + req.Username + " and/or password are incorrect"}
	}
	if err != nil {
		return toError(err)
	}
	writeJSON(w, http.StatusOK, AuthenticateResponse{Role: u.Name(), Token: tok, ExpiresAt: exp.UTC(),
		ExpiresIn: int64(exp.Sub(s.cfg.Now()).Round(time.Second) / time.Second)})
	return nil
}

// handleLogout is POST /v1/logout: forget the bearer token used for the
// call. Calls authenticated otherwise have nothing to forget.
func (s *Server) handleLogout(w http.ResponseWriter, _ *http.Request, c *caller) *Error {
	if c.token == "" {
		return invalid("Only a bearer token can be logged out")
	}
	s.tokens.revoke(c.token)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleExecute is POST /v1/execute: one statement as the caller.
func (s *Server) handleExecute(w http.ResponseWriter, r *http.Request, c *caller) *Error {
	var req ExecuteRequest
	if err := readJSONBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if err := checkLen("Keyspace name", req.Keyspace, s.cfg.MaxNameLength); err != nil {
		return err
	}
	stmts, err := dcl.Parse(req.Statement)
	if err != nil {
		s.countStatement(err)
		return toError(err)
	}
	if len(stmts) != 1 {
		return invalid("Expected exactly one statement, got %d", len(stmts))
	}
	if err := checkStatementNames(stmts[0], s.cfg.MaxNameLength); err != nil {
		return err
	}
	sess := &dcl.Session{User: c.user, Keyspace: req.Keyspace, Datacenter: s.cfg.Datacenter, Remote: c.remote}
	res, err := dcl.ExecuteStatement(r.Context(), s.cfg.Env, sess, stmts[0])
	s.countStatement(err)
	if role := credentialsChanged(stmts[0]); role != "" {
		// Even a failed statement may have changed something before failing.
		if rerr := s.tokens.recheck(r.Context(), role); rerr != nil {
			s.log.Warn("could not recheck the tokens of a changed role", "role", role, "error", rerr)
		}
	}
	if err != nil {
		return toError(err)
	}
	writeJSON(w, http.StatusOK, ResponseOf(res, sess.Keyspace))
	return nil
}

func (s *Server) countStatement(err error) {
	outcome := "ok"
	if err != nil {
		outcome = codeName(roles.CodeOf(err))
	}
	s.metrics.statements.WithLabelValues(outcome).Inc()
}

// credentialsChanged returns the role whose password or LOGIN flag st may
// change (ALTER ROLE with PASSWORD, HASHED PASSWORD, GENERATED PASSWORD or
// LOGIN; DROP ROLE), or "".
func credentialsChanged(st dcl.Statement) string {
	switch s := st.(type) {
	case *dcl.AlterRole:
		o := s.Options
		if o.Password != nil || o.HashedPassword != nil || o.Login != nil || o.GeneratedPassword {
			return s.Name
		}
	case *dcl.DropRole:
		return s.Name
	}
	return ""
}

// ResponseOf converts a statement's result, and the session keyspace
// after it, to the JSON form of POST /v1/execute.
func ResponseOf(res dcl.Result, keyspace string) ExecuteResponse {
	out := ExecuteResponse{Kind: res.Kind.String(), Keyspace: keyspace, Table: res.Table,
		Columns: []string{}, Types: []string{}, Rows: [][]any{}, Warnings: res.Warnings}
	for _, col := range res.Columns {
		out.Columns = append(out.Columns, col.Name)
		out.Types = append(out.Types, col.Type)
	}
	out.Rows = append(out.Rows, res.Rows...)
	if res.Kind == dcl.ResultSchemaChange {
		sc := res.SchemaChange
		out.SchemaChange = &SchemaChange{Change: sc.Change, Target: sc.Target, Keyspace: sc.Keyspace, Name: sc.Name, ArgTypes: sc.ArgTypes}
	}
	return out
}

// handleCheck is POST /v1/check: may a role hold a permission on a
// resource, and why.
func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request, c *caller) *Error {
	var req CheckRequest
	if err := readJSONBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if req.Role == "" {
		req.Role = c.user.Name()
	}
	if err := checkLen("Role name", req.Role, s.cfg.MaxNameLength); err != nil {
		return err
	}
	if err := checkLen("Resource name", req.Resource, s.cfg.MaxNameLength); err != nil {
		return err
	}
	if err := checkLen("Permission", req.Permission, 64); err != nil {
		return err
	}
	if req.Permission == "" || req.Resource == "" {
		return invalid("Both permission and resource are required")
	}
	perm, err := resource.ParsePermission(req.Permission)
	if err != nil {
		return invalid("Unknown permission %q", req.Permission)
	}
	res, err := resource.Parse(req.Resource)
	if err != nil {
		return invalid("%s", err.Error())
	}
	ctx := r.Context()
	if err := s.cfg.Auth.ValidateLogin(ctx, c.user, s.cfg.Datacenter, c.remote); err != nil {
		return toError(err)
	}
	target := roles.NewUser(req.Role)
	if c.user.IsAnonymous() && req.Role == roles.AnonymousName {
		target = roles.Anonymous
	}
	if target != c.user {
		if err := s.cfg.Auth.Ensure(ctx, c.user, resource.Describe, resource.Role(req.Role)); err != nil {
			return toError(err)
		}
		ok, err := s.cfg.Env.Roles.IsExistingRole(ctx, req.Role)
		if err != nil {
			return toError(err)
		}
		if !ok {
			return invalid("%s doesn't exist", resource.Role(req.Role))
		}
	}
	start := time.Now()
	allowed, expl, err := s.decide(ctx, target, perm, res, req.Explain == nil || *req.Explain)
	s.metrics.decideTime.Observe(time.Since(start).Seconds())
	switch {
	case err != nil:
		s.metrics.decisions.WithLabelValues(resultError).Inc()
		return toError(err)
	case allowed:
		s.metrics.decisions.WithLabelValues(resultAllowed).Inc()
	default:
		s.metrics.decisions.WithLabelValues(resultDenied).Inc()
	}
	writeJSON(w, http.StatusOK, CheckResponse{Allowed: allowed, Explanation: expl})
	return nil
}

// decide runs the access check, with its explanation when explain is set.
// An error means the decision could not be made: never an allow.
func (s *Server) decide(ctx context.Context, u roles.User, p resource.Permission, r resource.Resource, explain bool) (bool, json.RawMessage, error) {
	if !explain {
		ok, err := s.cfg.Auth.Check(ctx, u, p, r)
		return ok, nil, err
	}
	e, err := s.cfg.Auth.Explain(ctx, u, p, r)
	if err != nil {
		return false, nil, err
	}
	b, err := marshal(e)
	if err != nil {
		return false, nil, err
	}
	return e.Allowed, bytes.TrimSpace(b), nil
}

// handleHealth is GET /healthz: 200 when the store answers within a
// second, 503 otherwise. It needs no authentication and says nothing about
// the data.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, _ *caller) *Error {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	_, err := s.cfg.Store.GetRole(ctx, roles.DefaultSuperuserName)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("health check failed", "error", err)
		writeJSON(w, http.StatusServiceUnavailable, HealthResponse{Status: "unavailable", Error: "the store does not answer"})
		return nil
	}
	writeJSON(w, http.StatusOK, HealthResponse{Status: "ok"})
	return nil
}

// Ensure the explanation type keeps its JSON form (the API documents it).
var _ json.Marshaler = authz.Explanation{}
