package authz_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// The model-based test: random sequences of role and grant operations run
// against memstore, the table-backed role manager and the table-backed
// authorizer, and after every step random checks must give what a naive
// reference model, recomputed from scratch, says, and the store must hold
// exactly what the model holds.

var (
	modelRoles = []string{"r0", "r1", "r2", "r3", "r4"}
	modelDCs   = []string{"dc1", "dc2"}
)

// modelResource is a resource of the model's pool with its parent's name,
// written out by hand so that the reference does not use Parent.
type modelResource struct {
	r      resource.Resource
	parent string
}

func modelPool() []modelResource {
	fn, err := resource.Function("ks", "f", "int")
	if err != nil {
		panic(err)
	}
	mb, err := resource.MBean("org.example:type=Thing")
	if err != nil {
		panic(err)
	}
	return []modelResource{
		{resource.AllKeyspaces, ""},
		{resource.Keyspace("ks"), "data"},
		{resource.AllTables("ks"), "data/ks"},
		{resource.Table("ks", "t"), "data/ks/*"},
		{resource.Table("ks", "u"), "data/ks/*"},
		{resource.Keyspace("ks2"), "data"},
		{resource.AllTables("ks2"), "data/ks2"},
		{resource.Table("ks2", "t"), "data/ks2/*"},
		{resource.AllRoles, ""},
		{resource.Role("r0"), "roles"},
		{resource.Role("r1"), "roles"},
		{resource.AllFunctions, ""},
		{resource.FunctionsIn("ks"), "functions"},
		{fn, "functions/ks"},
		{resource.AllMBeans, ""},
		{mb, "mbean"},
	}
}

// model is the reference: plain maps, no cleverness.
type model struct {
	pool     []modelResource
	byName   map[string]modelResource
	roles    map[string]*modelRole
	grants   map[string]map[string]resource.PermissionSet // role -> resource name -> perms
	dcs      map[string][]string                          // role -> restricted DCs (sorted); absent = no row
	networkN *authz.TableNetwork
}

type modelRole struct {
	super, login bool
	memberOf     map[string]bool
}

func newModel() *model {
	m := &model{pool: modelPool(), byName: map[string]modelResource{}, roles: map[string]*modelRole{},
		grants: map[string]map[string]resource.PermissionSet{}, dcs: map[string][]string{}}
	for _, mr := range m.pool {
		m.byName[mr.r.Name()] = mr
	}
	return m
}

// closure returns user and every role granted to it, transitively; empty
// for an unknown user.
func (m *model) closure(user string) []string {
	if m.roles[user] == nil {
		return nil
	}
	seen := map[string]bool{user: true}
	queue := []string{user}
	for i := 0; i < len(queue); i++ {
		for parent := range m.roles[queue[i]].memberOf {
			if !seen[parent] && m.roles[parent] != nil {
				seen[parent] = true
				queue = append(queue, parent)
			}
		}
	}
	return queue
}

func (m *model) super(user string) bool {
	for _, r := range m.closure(user) {
		if m.roles[r].super {
			return true
		}
	}
	return false
}

// held is what user holds on exactly the named resource.
func (m *model) held(user, name string) resource.PermissionSet {
	if m.super(user) {
		return m.byName[name].r.Applicable()
	}
	var ps resource.PermissionSet
	for _, r := range m.closure(user) {
		ps |= m.grants[r][name]
	}
	return ps
}

// allowed is the reference access check: walk the chain by hand.
func (m *model) allowed(user string, p resource.Permission, r resource.Resource) bool {
	for name := r.Name(); name != ""; name = m.byName[name].parent {
		if m.held(user, name).Has(p) {
			return true
		}
	}
	return false
}

func (m *model) dropRole(name string) {
	delete(m.roles, name)
	for _, r := range m.roles {
		delete(r.memberOf, name)
	}
	delete(m.grants, name)
	for _, g := range m.grants {
		delete(g, resource.Role(name).Name())
	}
	delete(m.dcs, name)
}

// machine runs the actions against the system and the model.
type machine struct {
	e   *env
	c   *authz.Checker
	nw  *authz.TableNetwork
	m   *model
	ctx context.Context
}

func newMachine(t *rapid.T, wrap func(authz.PermissionsFunc) authz.PermissionsFunc) *machine {
	e := newEnv(t)
	nw, err := authz.NewTableNetwork(authz.NetworkConfig{Store: e.st, Roles: e.roles})
	if err != nil {
		t.Fatalf("NewTableNetwork: %v", err)
	}
	e.hooks.Network = nw
	cfg := authz.CheckerConfig{Authorizer: e.authz, Roles: e.roles, TraverseFromRoot: rapid.Bool().Draw(t, "fromRoot")}
	switch {
	case wrap != nil:
		cfg.Permissions = wrap(e.authz.Authorize)
	case rapid.Bool().Draw(t, "perResource"):
		cfg.Permissions = e.authz.Authorize // else the checker uses AuthorizeChain
	}
	c, err := authz.NewChecker(cfg)
	if err != nil {
		t.Fatalf("NewChecker: %v", err)
	}
	s := &machine{e: e, c: c, nw: nw, m: newModel(), ctx: context.Background()}
	// Start from a few existing roles, so that short runs reach
	// interesting states.
	for _, name := range modelRoles {
		if rapid.IntRange(0, 9).Draw(t, "precreate "+name) < 7 {
			super := rapid.IntRange(0, 4).Draw(t, "presuper "+name) == 0
			login := rapid.Bool().Draw(t, "prelogin "+name)
			expectOK(t, e.roles.CreateRole(s.ctx, roles.System, name, roles.Options{Superuser: &super, Login: &login}), "precreate")
			s.m.roles[name] = &modelRole{super: super, login: login, memberOf: map[string]bool{}}
		}
	}
	return s
}

func (s *machine) actions() map[string]func(*rapid.T) {
	role := rapid.SampledFrom(modelRoles)
	perms := rapid.Custom(func(t *rapid.T) resource.PermissionSet {
		return resource.PermissionSet(rapid.Uint16Range(1, uint16(resource.AllPermissions)).Draw(t, "perms"))
	})
	res := rapid.SampledFrom(s.m.pool)
	return map[string]func(*rapid.T){
		"createRole": func(t *rapid.T) {
			name, super, login := role.Draw(t, "name"), rapid.Bool().Draw(t, "super"), rapid.Bool().Draw(t, "login")
			err := s.e.roles.CreateRole(s.ctx, roles.System, name, roles.Options{Superuser: &super, Login: &login})
			if s.m.roles[name] != nil {
				expectErr(t, err, "create existing "+name)
				return
			}
			expectOK(t, err, "create "+name)
			s.m.roles[name] = &modelRole{super: super, login: login, memberOf: map[string]bool{}}
		},
		"dropRole": func(t *rapid.T) {
			name := role.Draw(t, "name")
			err := s.e.roles.DropRole(s.ctx, roles.System, name)
			if s.m.roles[name] == nil {
				expectErr(t, err, "drop missing "+name)
				return
			}
			expectOK(t, err, "drop "+name)
			expectOK(t, s.e.hooks.OnDropRole(s.ctx, name), "OnDropRole "+name)
			s.m.dropRole(name)
		},
		"grantRole": func(t *rapid.T) {
			r, grantee := role.Draw(t, "role"), role.Draw(t, "grantee")
			err := s.e.roles.GrantRole(s.ctx, roles.System, r, grantee)
			switch {
			case s.m.roles[r] == nil, s.m.roles[grantee] == nil,
				slices.Contains(s.m.closure(grantee), r), slices.Contains(s.m.closure(r), grantee):
				expectErr(t, err, "grant role "+r+" to "+grantee)
			default:
				expectOK(t, err, "grant role "+r+" to "+grantee)
				s.m.roles[grantee].memberOf[r] = true
			}
		},
		"revokeRole": func(t *rapid.T) {
			r, revokee := role.Draw(t, "role"), role.Draw(t, "revokee")
			err := s.e.roles.RevokeRole(s.ctx, roles.System, r, revokee)
			if s.m.roles[revokee] == nil || (r != revokee && !s.m.roles[revokee].memberOf[r]) {
				expectErr(t, err, "revoke role "+r+" from "+revokee)
				return
			}
			expectOK(t, err, "revoke role "+r+" from "+revokee)
			delete(s.m.roles[revokee].memberOf, r)
		},
		"grantPerm": func(t *rapid.T) {
			grantee, ps, mr := role.Draw(t, "grantee"), perms.Draw(t, "perms"), res.Draw(t, "resource")
			got, err := s.e.authz.Grant(s.ctx, roles.NewUser("performer"), ps, mr.r, grantee)
			want := ps.Intersect(mr.r.Applicable())
			switch {
			case want.IsEmpty():
				expectOK(t, err, "empty grant")
				if got != 0 {
					t.Fatalf("empty grant granted %v", got)
				}
			case s.m.roles[grantee] == nil:
				if !errors.Is(err, authz.ErrNoSuchRole) {
					t.Fatalf("grant to missing %s: %v", grantee, err)
				}
			default:
				expectOK(t, err, "grant")
				if s.m.grants[grantee] == nil {
					s.m.grants[grantee] = map[string]resource.PermissionSet{}
				}
				old := s.m.grants[grantee][mr.r.Name()]
				if got != want.Minus(old) {
					t.Fatalf("grant %v on %s to %s returned %v, want %v", ps, mr.r, grantee, got, want.Minus(old))
				}
				s.m.grants[grantee][mr.r.Name()] = old | want
			}
		},
		"revokePerm": func(t *rapid.T) {
			revokee, ps, mr := role.Draw(t, "revokee"), perms.Draw(t, "perms"), res.Draw(t, "resource")
			got, err := s.e.authz.Revoke(s.ctx, roles.NewUser("performer"), ps, mr.r, revokee)
			expectOK(t, err, "revoke")
			old := s.m.grants[revokee][mr.r.Name()]
			if got != ps.Intersect(old) {
				t.Fatalf("revoke %v on %s from %s returned %v, want %v", ps, mr.r, revokee, got, ps.Intersect(old))
			}
			if left := old.Minus(ps); left.IsEmpty() {
				delete(s.m.grants[revokee], mr.r.Name())
			} else {
				s.m.grants[revokee][mr.r.Name()] = left
			}
		},
		"alterRole": func(t *rapid.T) {
			name := role.Draw(t, "name")
			var opts roles.Options
			if rapid.Bool().Draw(t, "setSuper") {
				v := rapid.Bool().Draw(t, "super")
				opts.Superuser = &v
			}
			if rapid.Bool().Draw(t, "setLogin") {
				v := rapid.Bool().Draw(t, "login")
				opts.Login = &v
			}
			err := s.e.roles.AlterRole(s.ctx, roles.System, name, opts)
			r := s.m.roles[name]
			if r == nil {
				if opts.Superuser != nil || opts.Login != nil {
					expectErr(t, err, "alter missing "+name)
				}
				return
			}
			expectOK(t, err, "alter "+name)
			if opts.Superuser != nil {
				r.super = *opts.Superuser
			}
			if opts.Login != nil {
				r.login = *opts.Login
			}
		},
		"setDatacenters": func(t *rapid.T) {
			name := role.Draw(t, "name")
			if s.m.roles[name] == nil {
				return // the statement checks existence first
			}
			dcs := rapid.SliceOfDistinct(rapid.SampledFrom(modelDCs), rapid.ID[string]).Draw(t, "dcs")
			expectOK(t, s.nw.SetRoleDatacenters(s.ctx, name, authz.DatacenterSubset(dcs...)), "set dcs")
			slices.Sort(dcs)
			s.m.dcs[name] = dcs
		},
		"": s.check,
	}
}

// check is the invariant run after every step.
func (s *machine) check(t *rapid.T) {
	s.checkDecisions(t)
	s.checkStore(t)
}

func (s *machine) checkDecisions(t *rapid.T) {
	users := rapid.SampledFrom(append(slices.Clone(modelRoles), "ghost"))
	for i := range 8 {
		name := users.Draw(t, fmt.Sprintf("user%d", i))
		p := resource.Permission(rapid.IntRange(0, int(resource.SelectMasked)).Draw(t, fmt.Sprintf("perm%d", i)))
		mr := rapid.SampledFrom(s.m.pool).Draw(t, fmt.Sprintf("resource%d", i))
		user := roles.NewUser(name)
		want := s.m.allowed(name, p, mr.r)
		got, err := s.c.Check(s.ctx, user, p, mr.r)
		expectOK(t, err, "check")
		if got != want {
			t.Fatalf("Check(%s, %s, %s) = %v, model says %v", name, p, mr.r, got, want)
		}
		held, err := s.e.authz.Authorize(s.ctx, user, mr.r)
		expectOK(t, err, "authorize")
		if held != s.m.held(name, mr.r.Name()) {
			t.Fatalf("Authorize(%s, %s) = %v, model says %v", name, mr.r, held, s.m.held(name, mr.r.Name()))
		}
		ex, err := s.c.Explain(s.ctx, user, p, mr.r)
		expectOK(t, err, "explain")
		if ex.Allowed != got {
			t.Fatalf("Explain(%s, %s, %s).Allowed = %v, Check = %v", name, p, mr.r, ex.Allowed, got)
		}
		s.checkExplanation(t, name, ex)
	}
	// Network permissions follow LOGIN, superuser status and the rows.
	name := users.Draw(t, "networkRole")
	dcs, err := s.nw.Authorize(s.ctx, name)
	expectOK(t, err, "network authorize")
	want := "ALL"
	switch r := s.m.roles[name]; {
	case r == nil || !r.login:
		want = "n/a"
	case s.m.super(name):
	case len(s.m.dcs[name]) > 0:
		want = authz.DatacenterSubset(s.m.dcs[name]...).String()
	}
	if dcs.String() != want {
		t.Fatalf("network Authorize(%s) = %s, model says %s", name, dcs, want)
	}
}

// checkExplanation verifies that the grants an explanation names exist in
// the model and that each role path follows memberships.
func (s *machine) checkExplanation(t *rapid.T, user string, ex authz.Explanation) {
	if !ex.Allowed {
		return
	}
	var holders []string
	for _, g := range ex.Grants {
		if len(g.Via) == 0 || g.Via[0] != user {
			t.Fatalf("path %v does not start at %s", g.Via, user)
		}
		for i := 1; i < len(g.Via); i++ {
			if r := s.m.roles[g.Via[i-1]]; r == nil || !r.memberOf[g.Via[i]] {
				t.Fatalf("path %v: %s is not a member of %s", g.Via, g.Via[i-1], g.Via[i])
			}
		}
		switch ex.Reason {
		case authz.ReasonSuperuser:
			if !s.m.roles[g.Role()].super {
				t.Fatalf("superuser path %v ends at a non-superuser", g.Via)
			}
		case authz.ReasonGranted:
			if !s.m.grants[g.Role()][g.Resource.Name()].Has(ex.Permission) {
				t.Fatalf("explained grant %v on %s does not exist", g.Via, g.Resource)
			}
			holders = append(holders, g.Role())
		}
	}
	if ex.Reason == authz.ReasonGranted {
		hit := ex.Consulted[len(ex.Consulted)-1].Resource.Name()
		var want []string
		for _, r := range s.m.closure(user) {
			if s.m.grants[r][hit].Has(ex.Permission) {
				want = append(want, r)
			}
		}
		slices.Sort(want)
		slices.Sort(holders)
		if !slices.Equal(want, holders) {
			t.Fatalf("explained holders %v, model says %v", holders, want)
		}
	}
}

// checkStore compares the store's tables with the model: roles and both
// sides of every membership, grants, the resource index and the network
// rows. Nothing of a dropped role may remain.
func (s *machine) checkStore(t *rapid.T) {
	recs, err := s.e.mem.ListRoles(s.ctx)
	expectOK(t, err, "ListRoles")
	var names []string
	for _, rec := range recs {
		names = append(names, rec.Name)
		mr := s.m.roles[rec.Name]
		if mr == nil {
			t.Fatalf("store has dropped role %s", rec.Name)
		}
		want := slices.Sorted(maps.Keys(mr.memberOf))
		if !slices.Equal(rec.MemberOf, want) && (len(want) > 0 || len(rec.MemberOf) > 0) {
			t.Fatalf("%s member_of %v, model %v", rec.Name, rec.MemberOf, want)
		}
		if rec.IsSuperuser != mr.super || rec.CanLogin != mr.login {
			t.Fatalf("%s flags differ", rec.Name)
		}
		members, err := s.e.mem.ListMembers(s.ctx, rec.Name)
		expectOK(t, err, "ListMembers")
		var wantMembers []string
		for other, r := range s.m.roles {
			if r.memberOf[rec.Name] {
				wantMembers = append(wantMembers, other)
			}
		}
		slices.Sort(wantMembers)
		if len(members) > 0 || len(wantMembers) > 0 {
			if !slices.Equal(members, wantMembers) {
				t.Fatalf("role_members of %s: %v, model %v", rec.Name, members, wantMembers)
			}
		}
	}
	if len(names) != len(s.m.roles) {
		t.Fatalf("store roles %v, model has %d", names, len(s.m.roles))
	}

	grants, err := s.e.mem.ListGrants(s.ctx, "")
	expectOK(t, err, "ListGrants")
	var want []store.Grant
	for _, r := range slices.Sorted(maps.Keys(s.m.grants)) {
		for _, name := range slices.Sorted(maps.Keys(s.m.grants[r])) {
			want = append(want, store.Grant{Role: r, Resource: name, Permissions: s.m.grants[r][name]})
		}
	}
	if !slices.Equal(grants, want) {
		t.Fatalf("grants %v, model %v", grants, want)
	}
	for _, mr := range s.m.pool {
		grantees, err := s.e.mem.ListGrantees(s.ctx, mr.r.Name())
		expectOK(t, err, "ListGrantees")
		var wantG []string
		for _, r := range slices.Sorted(maps.Keys(s.m.grants)) {
			if !s.m.grants[r][mr.r.Name()].IsEmpty() {
				wantG = append(wantG, r)
			}
		}
		if len(grantees) > 0 || len(wantG) > 0 {
			if !slices.Equal(grantees, wantG) {
				t.Fatalf("index of %s: %v, model %v", mr.r.Name(), grantees, wantG)
			}
		}
	}
	for _, name := range modelRoles {
		dcs, err := s.e.mem.GetDatacenters(s.ctx, name)
		wantDCs, ok := s.m.dcs[name]
		switch {
		case !ok && !errors.Is(err, store.ErrNotFound):
			t.Fatalf("network row of %s: %v, %v; model has none", name, dcs, err)
		case ok && (err != nil || !slices.Equal(dcs, wantDCs) && len(dcs)+len(wantDCs) > 0):
			t.Fatalf("network row of %s: %v, %v; model %v", name, dcs, err, wantDCs)
		}
	}
}

func expectOK(t *rapid.T, err error, what string) {
	if err != nil {
		t.Fatalf("%s: unexpected error %v", what, err)
	}
}

func expectErr(t *rapid.T, err error, what string) {
	if err == nil {
		t.Fatalf("%s: expected an error", what)
	}
}

func TestModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := newMachine(t, nil)
		t.Repeat(s.actions())
	})
}

// staleCache is a planted bug: a permissions cache that nothing ever
// invalidates, the classic "revoke forgets the cache".
func staleCache(next authz.PermissionsFunc) authz.PermissionsFunc {
	type key struct {
		user roles.User
		r    resource.Resource
	}
	var mu sync.Mutex
	memo := map[key]resource.PermissionSet{}
	return func(ctx context.Context, u roles.User, r resource.Resource) (resource.PermissionSet, error) {
		mu.Lock()
		defer mu.Unlock()
		k := key{u, r}
		if ps, ok := memo[k]; ok {
			return ps, nil
		}
		ps, err := next(ctx, u, r)
		if err == nil {
			memo[k] = ps
		}
		return ps, err
	}
}

// recordingTB collects what rapid reports, so that a test can assert that
// a property fails.
type recordingTB struct {
	mu     sync.Mutex
	failed bool
	logs   []string
}

func (r *recordingTB) Helper()                    {}
func (r *recordingTB) Name() string               { return "TestModelCatchesStaleCache" }
func (r *recordingTB) Logf(f string, args ...any) { r.log(fmt.Sprintf(f, args...)) }
func (r *recordingTB) Log(args ...any)            { r.log(fmt.Sprint(args...)) }
func (r *recordingTB) Skipf(string, ...any)       {}
func (r *recordingTB) Skip(...any)                {}
func (r *recordingTB) SkipNow()                   {}
func (r *recordingTB) Errorf(f string, args ...any) {
	r.Logf(f, args...)
	r.Fail()
}
func (r *recordingTB) Error(args ...any) { r.Log(args...); r.Fail() }
func (r *recordingTB) Fatalf(f string, args ...any) {
	r.Errorf(f, args...)
}
func (r *recordingTB) Fatal(args ...any) { r.Error(args...) }
func (r *recordingTB) FailNow()          { r.Fail() }
func (r *recordingTB) Fail()             { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recordingTB) Failed() bool      { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }
func (r *recordingTB) log(s string)      { r.mu.Lock(); r.logs = append(r.logs, s); r.mu.Unlock() }

// TestModelCatchesStaleCache plants a bug (a cache nobody invalidates) and
// requires the model test to catch it, so that the model test is known to
// be able to fail.
func TestModelCatchesStaleCache(t *testing.T) {
	if f := flag.Lookup("rapid.nofailfile"); f != nil {
		old := f.Value.String()
		require.NoError(t, f.Value.Set("true")) // the failure is expected: keep testdata clean
		defer func() { _ = f.Value.Set(old) }()
	}
	rec := &recordingTB{}
	rapid.Check(rec, func(t *rapid.T) {
		s := newMachine(t, staleCache)
		t.Repeat(s.actions())
	})
	require.True(t, rec.Failed(), "the model test must catch a cache that is never invalidated")
	assert.NotEmpty(t, rec.logs)
	if testing.Verbose() {
		for _, l := range rec.logs {
			t.Log(l)
		}
	}
}
