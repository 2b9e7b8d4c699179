package conformance

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// recordSuite runs the checks of groups that match (group, check), each on
// a fresh part from newPart, without a *testing.T, and returns the results
// by "Group/Check".
func recordSuite[T any](groups []partGroup[T], newPart func() T, match func(group, check string) bool) map[string]result {
	out := map[string]result{}
	for _, g := range groups {
		for _, k := range g.checks {
			name := g.name + "/" + k.name
			if !match(g.name, k.name) {
				continue
			}
			x := newPart()
			if reason := k.skip(x); reason != "" {
				out[name] = result{name: name, skipped: true}
				continue
			}
			out[name] = runCheck(name, time.Minute, func(c *checker) { k.run(c, x) })
		}
	}
	return out
}

// brokenCase is a deliberately broken implementation of a part and the
// checks of its suite it must fail.
type brokenCase[T any] struct {
	name     string
	make     func() T
	wantFail []string
}

// testBroken runs, for each case, the checks of groups that match on fresh
// broken parts, and checks that the named ones fail. The model checks are
// left to the TestPlanted*Model tests, which run them in a child process.
func testBroken[T any](t *testing.T, groups []partGroup[T], cases []brokenCase[T], match func(c brokenCase[T]) func(group, check string) bool) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			wantFailures(t, recordSuite(groups, tt.make, match(tt)), tt.wantFail)
		})
	}
}

// notModelOf matches every check but the model's, for any case.
func notModelOf[T any](brokenCase[T]) func(group, check string) bool { return notModel }

// wantFailures checks that every check named in want failed, and logs all
// that did.
func wantFailures(t *testing.T, results map[string]result, want []string) {
	t.Helper()
	for _, name := range want {
		switch r, ok := results[name]; {
		case !ok:
			t.Errorf("no check named %s", name)
		case !r.failed:
			t.Errorf("%s passed on a broken implementation", name)
		}
	}
	var failed []string
	for name, r := range results {
		if r.failed {
			failed = append(failed, name)
		}
	}
	slices.Sort(failed)
	t.Logf("failing checks: %q", failed)
}

// wantAllPass checks that no result failed or was skipped, except the
// checks named in skips, which must have been skipped.
func wantAllPass(t *testing.T, results map[string]result, skips ...string) {
	t.Helper()
	for name, r := range results {
		switch {
		case r.failed:
			t.Errorf("%s failed:\n%s", name, r.log())
		case r.skipped != slices.Contains(skips, name):
			t.Errorf("%s: skipped=%v, want %v:\n%s", name, r.skipped, !r.skipped, r.log())
		}
	}
}

// Deliberately broken role managers: each wraps the table-backed manager
// over memstore and plants one bug that a real implementation could have.

func newMemTable() (*roles.Table, store.Store) {
	st := memstore.New()
	m, err := roles.NewTable(roles.Config{Store: st, PasswordAuthentication: true, Hasher: roles.BcryptHasher{Cost: 4}, DisableDefaultSuperuser: true})
	if err != nil {
		panic(err)
	}
	return m, st
}

// forgetsInherited answers Roles(g, true) with the direct grants only.
type forgetsInherited struct{ *roles.Table }

func (m forgetsInherited) Roles(ctx context.Context, grantee string, _ bool) ([]string, error) {
	return m.Table.Roles(ctx, grantee, false)
}

// cycleBlind grants without Cassandra's checks: repeats, self-grants and
// cycles go to the store.
type cycleBlind struct {
	*roles.Table
	st store.Store
}

func (m cycleBlind) GrantRole(ctx context.Context, _ roles.User, role, grantee string) error {
	return m.st.GrantRole(ctx, role, grantee)
}

// flatGrantErrors returns the refusals of GrantRole and RevokeRole with
// Cassandra's text but without a *roles.Error.
type flatGrantErrors struct{ *roles.Table }

func (m flatGrantErrors) GrantRole(ctx context.Context, p roles.User, role, grantee string) error {
	return flatten(m.Table.GrantRole(ctx, p, role, grantee))
}

func (m flatGrantErrors) RevokeRole(ctx context.Context, p roles.User, role, revokee string) error {
	return flatten(m.Table.RevokeRole(ctx, p, role, revokee))
}

// inheritedSuper reads IsSuper as "directly or transitively", as the
// javadoc of IRoleManager says and CassandraRoleManager does not.
type inheritedSuper struct{ *roles.Table }

func (m inheritedSuper) IsSuper(ctx context.Context, role string) (bool, error) {
	return roles.HasSuperuserStatus(ctx, m.Table, role)
}

// inheritedLogin lets a role log in when any role of its closure may.
type inheritedLogin struct{ *roles.Table }

func (m inheritedLogin) CanLogin(ctx context.Context, role string) (bool, error) {
	details, err := m.RoleDetails(ctx, role)
	return slices.ContainsFunc(details, func(r roles.Role) bool { return r.CanLogin }), err
}

// keepsIdentities drops a role but maps its identities to the name again.
type keepsIdentities struct{ *roles.Table }

func (m keepsIdentities) DropRole(ctx context.Context, p roles.User, role string) error {
	ids, err := m.AuthorizedIdentities(ctx)
	if err != nil {
		return err
	}
	if err := m.Table.DropRole(ctx, p, role); err != nil {
		return err
	}
	for id, r := range ids {
		if r == role {
			if err := m.AddIdentity(ctx, id, role); err != nil {
				return err
			}
		}
	}
	return nil
}

// reversedRoles lists roles in reverse order.
type reversedRoles struct{ *roles.Table }

func (m reversedRoles) AllRoles(ctx context.Context) ([]string, error) {
	names, err := m.Table.AllRoles(ctx)
	slices.Reverse(names)
	return names, err
}

// racyGrants checks a grant as Cassandra does, then writes it a moment
// later without holding anything: concurrent grants can close a cycle.
type racyGrants struct {
	*roles.Table
	st store.Store
}

func (m racyGrants) GrantRole(ctx context.Context, _ roles.User, role, grantee string) error {
	up, err := m.Roles(ctx, role, true)
	if err != nil {
		return err
	}
	down, err := m.Roles(ctx, grantee, true)
	if err != nil {
		return err
	}
	switch {
	case slices.Contains(down, role):
		return roles.Errorf(roles.CodeInvalid, "%s is a member of %s", grantee, role)
	case slices.Contains(up, grantee):
		return roles.Errorf(roles.CodeInvalid, "%s is a member of %s", role, grantee)
	}
	time.Sleep(2 * time.Millisecond)
	return m.st.GrantRole(ctx, role, grantee)
}

// brokenManagers are the planted bugs and the checks each must fail.
func brokenManagers() []brokenCase[roles.Manager] {
	return []brokenCase[roles.Manager]{
		{"Roles forgets inherited roles", func() roles.Manager { m, _ := newMemTable(); return forgetsInherited{m} },
			[]string{"Memberships/Closure", "Memberships/CycleRefused", "Memberships/RevokeNotMember"}},
		{"grants unchecked", func() roles.Manager { m, st := newMemTable(); return cycleBlind{m, st} },
			[]string{"Memberships/RepeatRefused", "Memberships/SelfRefused", "Memberships/CycleRefused", "Concurrency/GrantsRaceToCycle"}},
		{"refusals are not *roles.Error", func() roles.Manager { m, _ := newMemTable(); return flatGrantErrors{m} },
			[]string{"Memberships/RepeatRefused", "Memberships/SelfRefused", "Memberships/CycleRefused", "Memberships/RevokeNotMember"}},
		{"IsSuper inherited", func() roles.Manager { m, _ := newMemTable(); return inheritedSuper{m} },
			[]string{"Superuser/Inherited"}},
		{"LOGIN inherited", func() roles.Manager { m, _ := newMemTable(); return inheritedLogin{m} },
			[]string{"Login/NotInherited"}},
		{"DropRole keeps identities", func() roles.Manager { m, _ := newMemTable(); return keepsIdentities{m} },
			[]string{"Identities/DropRoleDropsIdentities"}},
		{"AllRoles unsorted", func() roles.Manager { m, _ := newMemTable(); return reversedRoles{m} },
			[]string{"CreateDrop/AllRolesSorted"}},
		{"grants race", func() roles.Manager { m, st := newMemTable(); return racyGrants{m, st} },
			[]string{"Concurrency/GrantsRaceToCycle"}},
	}
}

func TestRoleManagerSuiteFailsOnBrokenManagers(t *testing.T) {
	testBroken(t, roleManagerGroups(), brokenManagers(), notModelOf)
}

func TestRoleManagerSuiteCheckNames(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range roleManagerGroups() {
		for _, k := range g.checks {
			name := fmt.Sprintf("%s/%s", g.name, k.name)
			if seen[name] {
				t.Errorf("two checks named %s", name)
			}
			seen[name] = true
		}
	}
}
