package conformance

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// nsStore is one model case's view of the shared store: it maps the
// model's names into the case's namespace on the way in, maps them back on
// the way out, hides every other case's rows from the listings, and scrubs
// the namespace from error messages (keeping the error chain). The empty
// name stays empty, so invalid writes stay invalid.
type nsStore struct {
	inner  store.Store
	ns, ks string
}

func newNSStore(s store.Store, n int64) *nsStore {
	return &nsStore{inner: s, ns: fmt.Sprintf("m%d.", n), ks: fmt.Sprintf("ks_m%d", n)}
}

func (s *nsStore) role(x string) string {
	if x == "" {
		return ""
	}
	return s.ns + x
}

func (s *nsStore) roles(xs []string) []string {
	if xs == nil {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = s.role(x)
	}
	return out
}

func (s *nsStore) id(x string) string {
	if x == "" {
		return ""
	}
	return "spiffe://" + s.ns + x
}

func (s *nsStore) res(x string) string {
	if rest, ok := strings.CutPrefix(x, "data/ks"); ok {
		return "data/" + s.ks + rest
	}
	if rest, ok := strings.CutPrefix(x, "roles/"); ok {
		return "roles/" + s.role(rest)
	}
	return x
}

// unRole maps a store role name back; false outside the namespace.
func (s *nsStore) unRole(x string) (string, bool) { return strings.CutPrefix(x, s.ns) }

// unRoles maps names back, keeping foreign ones as they are, so that a row
// leaking across namespaces shows in a comparison.
func (s *nsStore) unRoles(xs []string) []string {
	if xs == nil {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		if m, ok := s.unRole(x); ok {
			x = m
		}
		out[i] = x
	}
	return out
}

func (s *nsStore) unRes(x string) string {
	for _, m := range modelResources() {
		if s.res(m) == x {
			return m
		}
	}
	return x
}

func (s *nsStore) unID(x string) (string, bool) { return strings.CutPrefix(x, "spiffe://"+s.ns) }

// unChanges maps the names in changes back to the model's.
func (s *nsStore) unChanges(changes []store.Change) []store.Change {
	out := make([]store.Change, len(changes))
	for i, ch := range changes {
		out[i] = store.Change{Kind: ch.Kind, Roles: s.unRoles(ch.Roles)}
		for _, x := range ch.Resources {
			out[i].Resources = append(out[i].Resources, s.unRes(x))
		}
		for _, x := range ch.Identities {
			if m, ok := s.unID(x); ok {
				x = m
			}
			out[i].Identities = append(out[i].Identities, x)
		}
	}
	return out
}

// scrubbedError hides the namespace in an error's message and keeps its
// chain for errors.Is and errors.As.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func (s *nsStore) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.ReplaceAll(err.Error(), "spiffe://"+s.ns, "")
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, s.ns, ""), s.ks, "ks")
	return &scrubbedError{msg: msg, err: err}
}

func (s *nsStore) unRecord(r store.RoleRecord) store.RoleRecord {
	r.Name, _ = s.unRole(r.Name)
	r.MemberOf = s.unRoles(r.MemberOf)
	return r
}

func (s *nsStore) GetRole(ctx context.Context, name string) (store.RoleRecord, error) {
	r, err := s.inner.GetRole(ctx, s.role(name))
	return s.unRecord(r), s.scrub(err)
}

func (s *nsStore) ListRoles(ctx context.Context) ([]store.RoleRecord, error) {
	all, err := s.inner.ListRoles(ctx)
	var out []store.RoleRecord
	for _, r := range all {
		if _, ok := s.unRole(r.Name); ok {
			out = append(out, s.unRecord(r))
		}
	}
	return out, s.scrub(err)
}

func (s *nsStore) CreateRole(ctx context.Context, r store.RoleRecord) error {
	r.Name, r.MemberOf = s.role(r.Name), s.roles(r.MemberOf)
	return s.scrub(s.inner.CreateRole(ctx, r))
}

func (s *nsStore) UpdateRole(ctx context.Context, name string, u store.RoleUpdate) error {
	return s.scrub(s.inner.UpdateRole(ctx, s.role(name), u))
}

func (s *nsStore) DropRole(ctx context.Context, name string) error {
	return s.scrub(s.inner.DropRole(ctx, s.role(name)))
}

func (s *nsStore) GrantRole(ctx context.Context, role, grantee string) error {
	return s.scrub(s.inner.GrantRole(ctx, s.role(role), s.role(grantee)))
}

func (s *nsStore) RevokeRole(ctx context.Context, role, revokee string) error {
	return s.scrub(s.inner.RevokeRole(ctx, s.role(role), s.role(revokee)))
}

func (s *nsStore) ListMembers(ctx context.Context, role string) ([]string, error) {
	m, err := s.inner.ListMembers(ctx, s.role(role))
	return s.unRoles(m), s.scrub(err)
}

func (s *nsStore) GetPermissions(ctx context.Context, role, res string) (resource.PermissionSet, error) {
	p, err := s.inner.GetPermissions(ctx, s.role(role), s.res(res))
	return p, s.scrub(err)
}

func (s *nsStore) AddPermissions(ctx context.Context, role, res string, p resource.PermissionSet) (resource.PermissionSet, error) {
	added, err := s.inner.AddPermissions(ctx, s.role(role), s.res(res), p)
	return added, s.scrub(err)
}

func (s *nsStore) RemovePermissions(ctx context.Context, role, res string, p resource.PermissionSet) (resource.PermissionSet, error) {
	removed, err := s.inner.RemovePermissions(ctx, s.role(role), s.res(res), p)
	return removed, s.scrub(err)
}

// ListGrants lists the case's roles' grants ("" = every role of the case).
func (s *nsStore) ListGrants(ctx context.Context, role string) ([]store.Grant, error) {
	all, err := s.inner.ListGrants(ctx, s.role(role))
	var out []store.Grant
	for _, g := range all {
		if name, ok := s.unRole(g.Role); ok {
			out = append(out, store.Grant{Role: name, Resource: s.unRes(g.Resource), Permissions: g.Permissions})
		}
	}
	return out, s.scrub(err)
}

func (s *nsStore) ListGrantees(ctx context.Context, res string) ([]string, error) {
	g, err := s.inner.ListGrantees(ctx, s.res(res))
	return s.unRoles(g), s.scrub(err)
}

func (s *nsStore) RevokeAllFrom(ctx context.Context, role string) error {
	return s.scrub(s.inner.RevokeAllFrom(ctx, s.role(role)))
}

func (s *nsStore) RevokeAllOn(ctx context.Context, res string) error {
	return s.scrub(s.inner.RevokeAllOn(ctx, s.res(res)))
}

func (s *nsStore) GetDatacenters(ctx context.Context, role string) ([]string, error) {
	dcs, err := s.inner.GetDatacenters(ctx, s.role(role))
	return dcs, s.scrub(err)
}

func (s *nsStore) SetDatacenters(ctx context.Context, role string, dcs []string) error {
	return s.scrub(s.inner.SetDatacenters(ctx, s.role(role), dcs))
}

func (s *nsStore) DropDatacenters(ctx context.Context, role string) error {
	return s.scrub(s.inner.DropDatacenters(ctx, s.role(role)))
}

func (s *nsStore) GetCIDRPermissions(ctx context.Context, role string) ([]string, error) {
	groups, err := s.inner.GetCIDRPermissions(ctx, s.role(role))
	return s.unRoles(groups), s.scrub(err) // groups share the roles' prefix
}

func (s *nsStore) SetCIDRPermissions(ctx context.Context, role string, groups []string) error {
	return s.scrub(s.inner.SetCIDRPermissions(ctx, s.role(role), s.roles(groups)))
}

func (s *nsStore) DropCIDRPermissions(ctx context.Context, role string) error {
	return s.scrub(s.inner.DropCIDRPermissions(ctx, s.role(role)))
}

func (s *nsStore) ListCIDRGroups(ctx context.Context) ([]store.CIDRGroup, error) {
	all, err := s.inner.ListCIDRGroups(ctx)
	var out []store.CIDRGroup
	for _, g := range all {
		if name, ok := s.unRole(g.Name); ok {
			out = append(out, store.CIDRGroup{Name: name, CIDRs: g.CIDRs})
		}
	}
	return out, s.scrub(err)
}

func (s *nsStore) SetCIDRGroup(ctx context.Context, name string, cidrs []netip.Prefix) error {
	return s.scrub(s.inner.SetCIDRGroup(ctx, s.role(name), cidrs))
}

func (s *nsStore) DropCIDRGroup(ctx context.Context, name string) error {
	return s.scrub(s.inner.DropCIDRGroup(ctx, s.role(name)))
}

func (s *nsStore) GetIdentity(ctx context.Context, identity string) (string, error) {
	role, err := s.inner.GetIdentity(ctx, s.id(identity))
	if m, ok := s.unRole(role); ok {
		role = m
	}
	return role, s.scrub(err)
}

func (s *nsStore) ListIdentities(ctx context.Context) (map[string]string, error) {
	all, err := s.inner.ListIdentities(ctx)
	out := map[string]string{}
	for id, role := range all {
		if m, ok := s.unID(id); ok {
			if r, ok := s.unRole(role); ok {
				role = r
			}
			out[m] = role
		}
	}
	return out, s.scrub(err)
}

func (s *nsStore) AddIdentity(ctx context.Context, identity, role string) error {
	return s.scrub(s.inner.AddIdentity(ctx, s.id(identity), s.role(role)))
}

func (s *nsStore) DropIdentity(ctx context.Context, identity string) error {
	return s.scrub(s.inner.DropIdentity(ctx, s.id(identity)))
}

var _ store.Store = (*nsStore)(nil)

// clear deletes every row the case may have written, so that the shared
// store does not grow with the number of cases. Errors are ignored: a broken
// store has failed the case already, and the namespace keeps the next case
// apart from whatever is left.
func (s *nsStore) clear(ctx context.Context) {
	for _, r := range modelRoles() {
		_ = s.DropRole(ctx, r)
		_ = s.RevokeAllFrom(ctx, r)
		_ = s.DropDatacenters(ctx, r)
		_ = s.DropCIDRPermissions(ctx, r)
	}
	for _, g := range modelGroups() {
		_ = s.DropCIDRGroup(ctx, g)
	}
	for _, id := range modelIDs() {
		_ = s.DropIdentity(ctx, id)
	}
}
