package workload_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/bench/workload"
	"github.com/cassauth/cassauth/resource"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		p    workload.Params
		ok   bool
	}{
		{"defaults", workload.Params{Roles: 10}, true},
		{"no roles", workload.Params{}, false},
		{"deeper than roles", workload.Params{Roles: 3, Depth: 4}, false},
		{"too many grants", workload.Params{Roles: 2, Keyspaces: 1, Tables: 1, GrantsPerRole: 3}, false},
		{"too many superusers", workload.Params{Roles: 10, Depth: 5, SuperRoles: 3}, false},
		{"extra parent above 1", workload.Params{Roles: 10, ExtraParent: 1.5}, false},
		{"no superusers", workload.Params{Roles: 10, SuperRoles: -1}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate()
			if c.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, workload.ErrInvalidParams)
			_, err = workload.Generate(c.p)
			require.ErrorIs(t, err, workload.ErrInvalidParams)
		})
	}
}

func TestGenerateShape(t *testing.T) {
	p := workload.Params{Roles: 1_000, Depth: 7, Keyspaces: 10, Tables: 5, GrantsPerRole: 3, SuperRoles: 4, Seed: 9}
	pol, err := workload.Generate(p)
	require.NoError(t, err)
	assert.Len(t, pol.Roles, 1_000)
	assert.Len(t, pol.Grants, 3_000)
	assert.Equal(t, "R=1k D=7 G=3k", pol.Params.String())

	supers := 0
	for i, r := range pol.Roles {
		assert.Equal(t, workload.RoleName(i), r.Name)
		assert.Equal(t, i%7, r.Layer)
		if r.Super {
			supers++
			assert.Equal(t, 6, r.Layer, "superusers sit in the top layer")
		}
		if r.Layer == 6 {
			assert.Empty(t, r.Parents)
			continue
		}
		require.NotEmpty(t, r.Parents)
		assert.LessOrEqual(t, len(r.Parents), 2)
		for _, parent := range r.Parents {
			pr, ok := pol.Role(parent)
			require.True(t, ok)
			assert.Equal(t, r.Layer+1, pr.Layer)
		}
	}
	assert.Equal(t, 4, supers)

	// A user's closure reaches every layer.
	layers := map[int]bool{}
	for _, name := range pol.Closure(workload.RoleName(0)) {
		r, _ := pol.Role(name)
		layers[r.Layer] = true
	}
	assert.Len(t, layers, 7)

	seen := map[[2]string]bool{}
	for _, g := range pol.Grants {
		k := [2]string{g.Role, g.Resource.Name()}
		assert.False(t, seen[k], "grant rows are distinct")
		seen[k] = true
		assert.False(t, g.Perms.IsEmpty())
		assert.True(t, g.Resource.Applicable().ContainsAll(g.Perms), "GRANT keeps only applicable permissions")
		assert.True(t, workload.PermissionSet.ContainsAll(g.Perms))
		assert.Equal(t, resource.AllKeyspaces, g.Resource.Root())
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	p := workload.Params{Roles: 500, Seed: 42}
	a, err := workload.Generate(p)
	require.NoError(t, err)
	b, err := workload.Generate(p)
	require.NoError(t, err)
	assert.Equal(t, a.Roles, b.Roles)
	assert.Equal(t, a.Grants, b.Grants)
	assert.Equal(t, a.Queries(100, 1), b.Queries(100, 1))
	assert.NotEqual(t, a.Queries(100, 1), a.Queries(100, 2))
}

// TestModel pins the decision rule on a hand-checked policy.
func TestModel(t *testing.T) {
	pol, err := workload.Generate(workload.Params{Roles: 40, Depth: 4, Keyspaces: 3, Tables: 3, SuperRoles: 1, Seed: 7})
	require.NoError(t, err)
	m := workload.NewModel(pol)
	var super, plain string
	for _, r := range pol.Roles {
		if r.Super {
			super = r.Name
		}
	}
	for _, r := range pol.Roles {
		if r.Layer == 3 && !r.Super && len(pol.GrantsOf(r.Name)) > 0 {
			plain = r.Name
			break
		}
	}
	require.NotEmpty(t, super)
	require.NotEmpty(t, plain, "a top-layer role with grants")

	table := resource.Table(pol.Keyspaces[0], pol.Tables[0])
	for _, p := range workload.Permissions {
		// Superusers hold every data permission everywhere, CREATE on a
		// table included: the table's parents carry it (spec 3.4).
		assert.True(t, m.Decide(workload.Query{Role: super, Perm: p, Resource: table}), p)
		assert.False(t, m.Decide(workload.Query{Role: "nobody", Perm: p, Resource: table}), p)
	}
	g := pol.GrantsOf(plain)[0]
	for _, p := range workload.Permissions {
		assert.Equal(t, g.Perms.Has(p) || heldAbove(pol, plain, p, g.Resource),
			m.Decide(workload.Query{Role: plain, Perm: p, Resource: g.Resource}), p)
	}
}

// heldAbove reports whether role (a top-layer role: its closure is itself)
// holds p on a resource strictly above r.
func heldAbove(pol *workload.Policy, role string, p resource.Permission, r resource.Resource) bool {
	for cur, ok := r.Parent(); ok; cur, ok = cur.Parent() {
		for _, g := range pol.GrantsOf(role) {
			if g.Resource == cur && g.Perms.Has(p) {
				return true
			}
		}
	}
	return false
}

// TestModelProperties: a role decides at least what any role it inherits
// decides, and a permission held on a resource is held below it.
func TestModelProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pol, err := workload.Generate(workload.Params{
			Roles:         rapid.IntRange(20, 200).Draw(t, "roles"),
			Depth:         rapid.IntRange(1, 6).Draw(t, "depth"),
			Keyspaces:     3,
			Tables:        3,
			GrantsPerRole: float64(rapid.IntRange(1, 4).Draw(t, "grants")),
			SuperRoles:    -1,
			Seed:          rapid.Uint64().Draw(t, "seed"),
		})
		if err != nil {
			t.Fatal(err)
		}
		m := workload.NewModel(pol)
		for _, q := range pol.Queries(50, rapid.Uint64().Draw(t, "qseed")) {
			r, _ := pol.Role(q.Role)
			for _, parent := range r.Parents {
				if m.Decide(workload.Query{Role: parent, Perm: q.Perm, Resource: q.Resource}) && !m.Decide(q) {
					t.Fatalf("%s inherits %s but is denied %s", q.Role, parent, q)
				}
			}
			if parent, ok := q.Resource.Parent(); ok &&
				m.Decide(workload.Query{Role: q.Role, Perm: q.Perm, Resource: parent}) && !m.Decide(q) {
				t.Fatalf("%s allowed on the parent %s but denied below it", q, parent)
			}
		}
	})
}

func TestQueriesMix(t *testing.T) {
	pol, err := workload.Generate(workload.Params{Roles: 10_000, Seed: 1})
	require.NoError(t, err)
	m := workload.NewModel(pol)
	qs := pol.Queries(2_000, 5)
	allowed, users := 0, 0
	for _, q := range qs {
		if m.Decide(q) {
			allowed++
		}
		if r, _ := pol.Role(q.Role); r.Layer == 0 {
			users++
		}
		assert.Equal(t, resource.AllKeyspaces, q.Resource.Root())
	}
	assert.InDelta(t, 0.3, float64(allowed)/2_000, 0.2, "both decisions are common")
	assert.InDelta(t, 0.9, float64(users)/2_000, 0.05, "most queries come from users")
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{999: "999", 1_000: "1k", 1_500: "1.5k", 1_000_000: "1M", 2_500_000: "2.5M"} {
		assert.Equal(t, want, workload.Count(n))
	}
}
