package conformance

import (
	"context"
	"sync/atomic"

	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// The authenticator's model test runs short random sequences of role
// changes (create with or without a password and LOGIN, change the
// password or LOGIN, drop) and logins (SASL PLAIN with the login step, and
// the legacy credentials map), and compares each login's outcome with a
// plain model. Sequences are short because every login costs a bcrypt;
// passwords are stored as precomputed hashes when the role manager takes
// HASHED PASSWORD. The cases share one part, each in its own namespace.

// authnModelSteps bounds the steps of one case.
const authnModelSteps = 6

// authnStep is one step of a case, drawn whole so that rapid shrinks a
// case by deleting steps. Each action uses the fields it needs; pw picks
// from the action's pool of passwords.
type authnStep struct {
	Action, Role string
	PW           int
	Login        bool
}

// authnActions are the model's actions.
func authnActions() []string {
	return []string{"AlterLogin", "AlterPassword", "CreateRole", "DropRole", "LegacyAuthenticate", "Login"}
}

// drawAuthnStep draws one step.
func drawAuthnStep(t *rapid.T) authnStep {
	return authnStep{
		Action: rapid.SampledFrom(authnActions()).Draw(t, "action"),
		Role:   rapid.SampledFrom([]string{"u0", "u1", "u2"}).Draw(t, "role"),
		PW:     rapid.IntRange(0, 2).Draw(t, "pw"),
		Login:  rapid.Bool().Draw(t, "login"),
	}
}

// loginModel is a role of the model: its password ("" for none) and LOGIN.
type loginModel struct {
	password string
	login    bool
}

// authnModelRun is one rapid case.
type authnModelRun struct {
	ctx   context.Context
	p     authnPart
	ns    caseNS
	roles map[string]loginModel
}

func authnModelChecks() []authenticatorCheck {
	return []authenticatorCheck{{name: "Logins", long: true, needs: needsPasswords, run: func(c *checker, p authnPart) {
		var cases atomic.Int64
		rapid.Check(c, func(t *rapid.T) {
			r := &authnModelRun{ctx: c.ctx, p: p, ns: newCaseNS(cases.Add(1)), roles: map[string]loginModel{}}
			t.Cleanup(r.clear)
			for _, s := range rapid.SliceOfN(rapid.Custom(drawAuthnStep), 1, authnModelSteps).Draw(t, "steps") {
				r.step(caseT{t, r.ns}, s)
			}
		})
	}}}
}

// clear drops the case's roles, as far as the manager lets it.
func (r *authnModelRun) clear() {
	for _, name := range []string{"u0", "u1", "u2"} {
		_ = r.p.fx.Roles.DropRole(r.ctx, roles.System, r.ns.role(name))
	}
}

// wantLogin checks the outcome of a login of name with password: checkLogin
// says whether the attempt includes the login step.
func (r *authnModelRun) wantLogin(t caseT, u roles.User, err error, name, password string, checkLogin bool, what string) {
	t.Helper()
	m, ok := r.roles[name]
	switch {
	case !ok || m.password == "" || m.password != password:
		wantIncorrect(t, err, r.ns.role(name), "%s(%q, %q)", what, name, password)
	case checkLogin && !m.login:
		wantRefused(t, err, authn.ErrNotPermittedToLogin, "%s(%q) without LOGIN", what, name)
	default:
		wantUser(t, u, err, r.ns.role(name), "%s(%q)", what, name)
	}
}

// step runs one step and checks it against the model, which it updates.
func (r *authnModelRun) step(t caseT, s authnStep) {
	t.Helper()
	m, name, pname := r.p.fx.Roles, s.Role, r.ns.role(s.Role)
	old, exists := r.roles[name]
	// missing checks a write to a role the model does not have.
	missing := func(err error, what string) bool {
		if exists {
			return false
		}
		wantErr(t, err, store.ErrNotFound, "%s(%q) of a missing role", what, name)
		return true
	}
	switch s.Action {
	case "CreateRole":
		pw := [...]string{"", "secret-0", "secret-1"}[s.PW]
		err := m.CreateRole(r.ctx, roles.System, pname, passwordOptions(m, pw, s.Login, true))
		if exists {
			wantErr(t, err, store.ErrExists, "CreateRole(%q) of an existing role", name)
			return
		}
		noErr(t, err, "CreateRole(%q)", name)
		r.roles[name] = loginModel{password: pw, login: s.Login}
	case "AlterPassword":
		pw := [...]string{"secret-0", "secret-1", "secret-1"}[s.PW]
		opts := passwordOptions(m, pw, false, true)
		opts.Login = nil
		if err := m.AlterRole(r.ctx, roles.System, pname, opts); !missing(err, "AlterRole PASSWORD") {
			noErr(t, err, "AlterRole(%q, PASSWORD)", name)
			r.roles[name] = loginModel{password: pw, login: old.login}
		}
	case "AlterLogin":
		if err := m.AlterRole(r.ctx, roles.System, pname, roles.Options{Login: &s.Login}); !missing(err, "AlterRole LOGIN") {
			noErr(t, err, "AlterRole(%q, LOGIN)", name)
			r.roles[name] = loginModel{password: old.password, login: s.Login}
		}
	case "DropRole":
		if err := m.DropRole(r.ctx, roles.System, pname); !missing(err, "DropRole") {
			noErr(t, err, "DropRole(%q)", name)
			delete(r.roles, name)
		}
	case "Login":
		pw := [...]string{"secret-0", "secret-1", "wrong"}[s.PW]
		u, err := plainLogin(r.ctx, r.p, pname, pw)
		r.wantLogin(t, u, err, name, pw, true, "Login")
	case "LegacyAuthenticate":
		pw := [...]string{"secret-0", "secret-1", "wrong"}[s.PW]
		u, err := r.p.a.LegacyAuthenticate(r.ctx, map[string]string{authn.UsernameKey: pname, authn.PasswordKey: pw})
		r.wantLogin(t, u, err, name, pw, false, "LegacyAuthenticate")
	}
}
