package dcl

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Env is what statements run against: the library's parts, as plain
// interfaces so that an embedding layer can hand in cached ones (every
// change goes through them, so caches that invalidate on writes see it at
// once). Roles, Authorizer and Checker are required; the zero value of
// every other field means something documented. An Env is read-only to
// [Execute], so one Env may serve any number of concurrent sessions.
type Env struct {
	// Roles is the role manager. Required.
	Roles roles.Manager
	// Authorizer stores grants and answers LIST PERMISSIONS. Required.
	Authorizer authz.Authorizer
	// Checker is the access check, configured over the same Authorizer
	// and Roles (and, for per-request datacenter and CIDR checks, Network
	// and CIDR). Required.
	Checker *authz.Checker
	// Network stores ACCESS TO DATACENTERS. Nil means
	// authz.AllowAllNetwork.
	Network authz.NetworkAuthorizer
	// CIDR stores ACCESS FROM CIDRS. Nil means authz.AllowAllCIDR without
	// a store (restrictions are accepted and dropped).
	CIDR authz.CIDRAuthorizer
	// Hooks run the creator auto-grants and the drop cascades. Nil (or
	// hooks without an Authorizer) means hooks over Authorizer, Network and
	// CIDR.
	Hooks *authz.SchemaHooks
	// Schema says which keyspaces, tables and functions exist. Nil means
	// every one does, and schema statements fail with ErrNoCatalog; a
	// [Catalog] also accepts CREATE/DROP KEYSPACE, TABLE and FUNCTION.
	Schema Schema
	// Datacenters returns the cluster's datacenters, against which ACCESS
	// TO DATACENTERS is validated. Nil means names are not validated.
	Datacenters func() []string
	// CIDRGroups returns the CIDR groups against which ACCESS FROM CIDRS
	// is validated. Nil means the CIDR authorizer's AvailableCIDRGroups
	// method if it has one (authz.TableCIDR does), else no validation.
	CIDRGroups func(ctx context.Context) ([]string, error)
	// MBeanExists reports whether an MBean name or pattern matches a
	// registered MBean, for GRANT on MBEAN 'name'. Nil means every one
	// exists.
	MBeanExists func(ctx context.Context, name string) (bool, error)
	// GeneratePassword generates the password of GENERATED PASSWORD
	// (Cassandra's password_validator generator). Nil means the option
	// fails with Cassandra's "You have to enable password_validator ..."
	// message.
	GeneratePassword func(ctx context.Context) (string, error)
	// RoleManagerClass is the role manager's name in "%s doesn't support
	// %s". Empty means roles.CassandraRoleManagerClass.
	RoleManagerClass string
	// Logger receives a debug line per statement (passwords redacted).
	// Nil discards.
	Logger *slog.Logger
}

// Session is the state of one client connection. It is not safe for
// concurrent use: a connection runs one statement at a time.
type Session struct {
	// User is the authenticated user; the zero User has not logged in.
	User roles.User
	// Keyspace is the session keyspace (USE), "" if none.
	Keyspace string
	// Datacenter is the datacenter of this node, which the user's ACCESS
	// TO DATACENTERS restriction must allow.
	Datacenter string
	// Remote is the client's address, which the user's ACCESS FROM CIDRS
	// restriction must allow; the zero Addr skips the check.
	Remote netip.Addr
}

// Execute parses and runs text, one or more statements separated by
// semicolons, as sess.User, in order. It stops at the first statement that
// fails and returns the results of those before it along with the error;
// statements after a syntax error are not run, nor are those after it.
// USE changes sess.Keyspace.
//
// Each statement runs Cassandra's steps in Cassandra's order: authorize,
// validate, execute (spec section 0), so when several errors apply the
// client sees the one Cassandra would. Errors are [*roles.Error] values
// carrying the native-protocol code and Cassandra's message (see [Parse]
// for syntax errors); failures of the store or of an authorizer are
// returned as those parts report them.
func Execute(ctx context.Context, env *Env, sess *Session, text string) ([]Result, error) {
	if err := env.check(sess); err != nil {
		return nil, err
	}
	toks := lex(text)
	var results []Result
	for i, g := range split(toks) {
		st, err := parseStatement(text, toks, g, i)
		if err != nil {
			return results, err
		}
		res, err := ExecuteStatement(ctx, env, sess, st)
		if err != nil {
			return results, err
		}
		results = append(results, res)
	}
	return results, nil
}

// ExecuteStatement runs one parsed statement as sess.User, like [Execute].
// A server that prepares statements parses once with [Parse] and runs the
// statement many times.
func ExecuteStatement(ctx context.Context, env *Env, sess *Session, st Statement) (Result, error) {
	if err := env.check(sess); err != nil {
		return Result{}, err
	}
	if st == nil {
		return Result{}, roles.Wrap(roles.CodeServerError, ErrEnv, "dcl: nil statement")
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	r := newRunner(env, sess)
	if sess.User.IsZero() {
		return Result{}, roles.Wrap(roles.CodeUnauthorized, authz.ErrDenied, "You have not logged in")
	}
	res, err := st.run(ctx, r)
	if env.Logger != nil {
		if err != nil {
			env.Logger.DebugContext(ctx, "dcl statement failed", "user", sess.User.Name(), "statement", st.String(), "code", roles.CodeOf(err).String(), "error", err.Error())
		} else {
			env.Logger.DebugContext(ctx, "dcl statement", "user", sess.User.Name(), "statement", st.String())
		}
	}
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// check verifies the required parts.
func (e *Env) check(sess *Session) error {
	switch {
	case e == nil:
		return roles.Wrap(roles.CodeServerError, ErrEnv, "dcl: nil Env")
	case e.Roles == nil:
		return roles.Wrap(roles.CodeServerError, ErrEnv, "dcl: Env.Roles is nil")
	case e.Authorizer == nil:
		return roles.Wrap(roles.CodeServerError, ErrEnv, "dcl: Env.Authorizer is nil")
	case e.Checker == nil:
		return roles.Wrap(roles.CodeServerError, ErrEnv, "dcl: Env.Checker is nil")
	case sess == nil:
		return roles.Wrap(roles.CodeServerError, ErrEnv, "dcl: nil Session")
	}
	return nil
}

// runner holds what one statement runs with.
type runner struct {
	env     *Env
	sess    *Session
	user    roles.User
	network authz.NetworkAuthorizer
	cidr    authz.CIDRAuthorizer
	hooks   authz.SchemaHooks
	class   string
}

func newRunner(env *Env, sess *Session) *runner {
	r := &runner{env: env, sess: sess, user: sess.User, network: env.Network, cidr: env.CIDR, class: env.RoleManagerClass}
	if r.network == nil {
		r.network = authz.AllowAllNetwork{}
	}
	if r.cidr == nil {
		r.cidr = authz.AllowAllCIDR{}
	}
	if env.Hooks != nil && env.Hooks.Authorizer != nil {
		r.hooks = *env.Hooks
	} else {
		r.hooks = authz.SchemaHooks{Authorizer: env.Authorizer, Network: r.network, CIDR: r.cidr}
	}
	if r.class == "" {
		r.class = roles.CassandraRoleManagerClass
	}
	return r
}

// isSuper reports whether the performer has superuser status.
func (r *runner) isSuper(ctx context.Context) (bool, error) {
	return r.env.Checker.IsSuperuser(ctx, r.user)
}

// ensureNotAnonymous is Cassandra's ClientState.ensureNotAnonymous.
func (r *runner) ensureNotAnonymous(ctx context.Context) error {
	return r.env.Checker.EnsureNotAnonymous(ctx, r.user, r.sess.Datacenter, r.sess.Remote)
}

// validateLogin is Cassandra's ClientState.validateLogin.
func (r *runner) validateLogin(ctx context.Context) error {
	return r.env.Checker.ValidateLogin(ctx, r.user, r.sess.Datacenter, r.sess.Remote)
}

// roleExists reports whether role exists.
func (r *runner) roleExists(ctx context.Context, role string) (bool, error) {
	return r.env.Roles.IsExistingRole(ctx, role)
}

// hasRootDescribe reports whether the performer holds DESCRIBE on ALL
// ROLES, asking the authorizer directly as Cassandra's LIST ROLES does.
func (r *runner) hasRootDescribe(ctx context.Context) (bool, error) {
	perms, err := r.env.Authorizer.Authorize(ctx, r.user, resource.AllRoles)
	if err != nil {
		return false, err
	}
	return perms.Has(resource.Describe), nil
}

// cidrGroups returns the groups ACCESS FROM CIDRS is validated against,
// and whether to validate at all.
func (r *runner) cidrGroups(ctx context.Context) ([]string, bool, error) {
	if r.env.CIDRGroups != nil {
		g, err := r.env.CIDRGroups(ctx)
		return g, true, err
	}
	if a, ok := r.cidr.(interface {
		AvailableCIDRGroups(context.Context) ([]string, error)
	}); ok {
		g, err := a.AvailableCIDRGroups(ctx)
		return g, true, err
	}
	return nil, false, nil
}

// isUnsupported reports whether err says an authorizer does not support an
// operation.
func isUnsupported(err error) bool { return errors.Is(err, authz.ErrUnsupported) }
