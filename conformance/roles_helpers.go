package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/cassauth/cassauth/roles"
)

// Helpers of the role manager suite, shared by its checks, its model and
// the authorizer and authenticator suites, which create their roles through
// a roles.Manager too.

// wantCode reports unless errors.As finds a [*roles.Error] with code in
// err's chain, and returns it (nil after a report).
func wantCode(r reporter, err error, code roles.Code, what string, args ...any) *roles.Error {
	r.Helper()
	var e *roles.Error
	switch {
	case err == nil:
		r.Errorf("%s: got no error, want a *roles.Error with code %v", fmt.Sprintf(what, args...), code)
	case !errors.As(err, &e):
		r.Errorf("%s: got %v (%T), want a *roles.Error with code %v in its chain (errors.As)", fmt.Sprintf(what, args...), err, err, code)
	case e.Code != code:
		r.Errorf("%s: got code %v (%v), want %v", fmt.Sprintf(what, args...), e.Code, err, code)
	default:
		return e
	}
	return nil
}

// wantText reports unless err holds a [*roles.Error] with code and
// Cassandra's message msg, for the errors whose text is the contract.
func wantText(r reporter, err error, code roles.Code, msg, what string, args ...any) {
	r.Helper()
	if e := wantCode(r, err, code, what, args...); e != nil && e.Msg != msg {
		r.Errorf("%s: message %q, want Cassandra's %q", fmt.Sprintf(what, args...), e.Msg, msg)
	}
}

// isMemberText and notMemberText are Cassandra's messages of GrantRole and
// RevokeRole.
func isMemberText(member, role string) string  { return member + " is a member of " + role }
func notMemberText(member, role string) string { return member + " is not a member of " + role }

// mkRole creates a role with opts, or ends the check.
func mkRole(r reporter, ctx context.Context, m roles.Manager, name string, opts roles.Options) {
	r.Helper()
	noErr(r, m.CreateRole(ctx, roles.System, name, opts), "CreateRole(%q, %v)", name, opts)
}

// mkRoles creates roles without options, or ends the check.
func mkRoles(c *checker, m roles.Manager, names ...string) {
	c.Helper()
	for _, n := range names {
		mkRole(c, c.ctx, m, n, roles.Options{})
	}
}

// grantRoles grants each pair {role, grantee} in order, or ends the check.
func grantRoles(c *checker, m roles.Manager, pairs ...[2]string) {
	c.Helper()
	for _, p := range pairs {
		noErr(c, m.GrantRole(c.ctx, roles.System, p[0], p[1]), "GrantRole(%q, %q)", p[0], p[1])
	}
}

// wantRolesOf reports unless Roles(role, inherited) holds exactly want (in
// any order, without duplicates).
func wantRolesOf(r reporter, ctx context.Context, m roles.Manager, role string, inherited bool, want ...string) {
	r.Helper()
	got, err := m.Roles(ctx, role, inherited)
	noErr(r, err, "Roles(%q, %t)", role, inherited)
	if len(setOf(got)) != len(got) {
		r.Errorf("Roles(%q, %t) = %q: names repeat", role, inherited, got)
	}
	wantSet(r, got, want, "Roles(%q, %t)", role, inherited)
}

// wantFlags reports unless IsSuper and CanLogin give the role's own flags.
func wantFlags(r reporter, ctx context.Context, m roles.Manager, role string, super, login bool) {
	r.Helper()
	got, err := m.IsSuper(ctx, role)
	noErr(r, err, "IsSuper(%q)", role)
	wantEqual(r, got, super, "IsSuper(%q) (the role's own flag)", role)
	got, err = m.CanLogin(ctx, role)
	noErr(r, err, "CanLogin(%q)", role)
	wantEqual(r, got, login, "CanLogin(%q) (the role's own flag)", role)
}

// wantSuperStatus reports unless roles.HasSuperuserStatus gives want.
func wantSuperStatus(r reporter, ctx context.Context, m roles.Manager, role string, want bool) {
	r.Helper()
	got, err := roles.HasSuperuserStatus(ctx, m, role)
	noErr(r, err, "HasSuperuserStatus(%q)", role)
	wantEqual(r, got, want, "HasSuperuserStatus(%q)", role)
}

// roleFacts is what RoleDetails must say of one role of a closure.
type roleFacts struct {
	super, login bool
	memberOf     []string // sorted
}

// wantDetails reports unless RoleDetails(grantee) is the closure want:
// grantee first, each role once, each with its own flags and its direct
// memberships, sorted. An empty want is an unknown grantee.
func wantDetails(r reporter, ctx context.Context, m roles.Manager, grantee string, want map[string]roleFacts) {
	r.Helper()
	got, err := m.RoleDetails(ctx, grantee)
	noErr(r, err, "RoleDetails(%q)", grantee)
	names := make([]string, len(got))
	for i, d := range got {
		names[i] = d.Name
	}
	if len(want) > 0 && (len(got) == 0 || got[0].Name != grantee) {
		r.Errorf("RoleDetails(%q) = %q: want the grantee first", grantee, names)
	}
	if len(setOf(names)) != len(names) {
		r.Errorf("RoleDetails(%q) = %q: roles repeat", grantee, names)
	}
	if !wantSet(r, names, slices.Collect(maps.Keys(want)), "RoleDetails(%q) names", grantee) {
		return
	}
	for _, d := range got {
		w := want[d.Name]
		wantEqual(r, [2]bool{d.IsSuperuser, d.CanLogin}, [2]bool{w.super, w.login},
			"RoleDetails(%q): [IsSuperuser CanLogin] of %q", grantee, d.Name)
		wantStrings(r, d.MemberOf, w.memberOf, "RoleDetails(%q): MemberOf of %q (sorted)", grantee, d.Name)
	}
}
