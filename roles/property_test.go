package roles

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/store/memstore"
)

// model is the reference: which roles exist, their superuser flag, and the
// direct memberships (grantee -> roles granted to it).
type model struct {
	super    map[string]bool
	memberOf map[string]map[string]bool
}

func (m *model) exists(r string) bool { _, ok := m.super[r]; return ok }

// reach returns r and every role reachable from it through memberships.
func (m *model) reach(r string) map[string]bool {
	out := map[string]bool{}
	if !m.exists(r) {
		return out
	}
	stack := []string{r}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if out[x] {
			continue
		}
		out[x] = true
		for p := range m.memberOf[x] {
			stack = append(stack, p)
		}
	}
	return out
}

func sortedKeys(s map[string]bool) []string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// errText returns err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestRoleGraphModel runs random create/drop/grant/revoke sequences against
// the Table and the model. After every step, Roles(x, true) is exactly the
// model's reachability of x (x included), Roles(x, false) is x and its
// direct grants, superuser status is inherited, and the stored graph has no
// cycle.
func TestRoleGraphModel(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e", "f"}
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		tb, err := NewTable(Config{Store: memstore.New(), Hasher: fastHasher})
		if err != nil {
			rt.Fatal(err)
		}
		m := &model{super: map[string]bool{}, memberOf: map[string]map[string]bool{}}
		name := rapid.SampledFrom(names)

		rt.Repeat(map[string]func(*rapid.T){
			"create": func(rt *rapid.T) {
				r := name.Draw(rt, "role")
				su := rapid.Bool().Draw(rt, "superuser")
				err := tb.CreateRole(ctx, System, r, Options{Superuser: &su})
				want := ""
				if m.exists(r) {
					want = r + " already exists"
				} else {
					m.super[r] = su
					m.memberOf[r] = map[string]bool{}
				}
				if got := errText(err); got != want {
					rt.Fatalf("CREATE ROLE %s: got %q, want %q", r, got, want)
				}
			},
			"drop": func(rt *rapid.T) {
				r := name.Draw(rt, "role")
				err := tb.DropRole(ctx, System, r)
				want := ""
				if !m.exists(r) {
					want = r + " doesn't exist"
				} else {
					delete(m.super, r)
					delete(m.memberOf, r)
					for _, parents := range m.memberOf {
						delete(parents, r)
					}
				}
				if got := errText(err); got != want {
					rt.Fatalf("DROP ROLE %s: got %q, want %q", r, got, want)
				}
			},
			"grant": func(rt *rapid.T) {
				role, grantee := name.Draw(rt, "role"), name.Draw(rt, "grantee")
				err := tb.GrantRole(ctx, System, role, grantee)
				want := ""
				switch {
				case !m.exists(role):
					want = role + " doesn't exist"
				case !m.exists(grantee):
					want = grantee + " doesn't exist"
				case m.reach(grantee)[role]:
					want = fmt.Sprintf("%s is a member of %s", grantee, role)
				case m.reach(role)[grantee]:
					want = fmt.Sprintf("%s is a member of %s", role, grantee)
				default:
					m.memberOf[grantee][role] = true
				}
				if got := errText(err); got != want {
					rt.Fatalf("GRANT %s TO %s: got %q, want %q", role, grantee, got, want)
				}
			},
			"revoke": func(rt *rapid.T) {
				role, revokee := name.Draw(rt, "role"), name.Draw(rt, "revokee")
				err := tb.RevokeRole(ctx, System, role, revokee)
				want := ""
				direct := m.exists(revokee) && (role == revokee || m.memberOf[revokee][role])
				if !direct {
					want = fmt.Sprintf("%s is not a member of %s", revokee, role)
				} else {
					delete(m.memberOf[revokee], role)
				}
				if got := errText(err); got != want {
					rt.Fatalf("REVOKE %s FROM %s: got %q, want %q", role, revokee, got, want)
				}
			},
			"": func(rt *rapid.T) { checkModel(rt, tb, m, names) },
		})
	})
}

func checkModel(rt *rapid.T, tb *Table, m *model, names []string) {
	ctx := context.Background()
	for _, x := range names {
		got, err := tb.Roles(ctx, x, true)
		if err != nil {
			rt.Fatal(err)
		}
		want := sortedKeys(m.reach(x))
		if len(got) > 0 && got[0] != x {
			rt.Fatalf("Roles(%s, true) = %v: grantee not first", x, got)
		}
		sorted := slices.Clone(got)
		sort.Strings(sorted)
		if !slices.Equal(sorted, want) {
			rt.Fatalf("Roles(%s, true) = %v, model %v", x, got, want)
		}

		direct, err := tb.Roles(ctx, x, false)
		if err != nil {
			rt.Fatal(err)
		}
		var wantDirect []string
		if m.exists(x) {
			wantDirect = append([]string{x}, sortedKeys(m.memberOf[x])...)
		}
		if !slices.Equal(direct, wantDirect) {
			rt.Fatalf("Roles(%s, false) = %v, model %v", x, direct, wantDirect)
		}

		wantSuper := false
		for r := range m.reach(x) {
			wantSuper = wantSuper || m.super[r]
		}
		gotSuper, err := HasSuperuserStatus(ctx, tb, x)
		if err != nil {
			rt.Fatal(err)
		}
		if gotSuper != wantSuper {
			rt.Fatalf("HasSuperuserStatus(%s) = %t, model %t", x, gotSuper, wantSuper)
		}

		// No cycle: no role reaches itself through one of its parents.
		details, err := tb.RoleDetails(ctx, x)
		if err != nil {
			rt.Fatal(err)
		}
		for _, d := range details {
			for _, p := range d.MemberOf {
				up, err := tb.Roles(ctx, p, true)
				if err != nil {
					rt.Fatal(err)
				}
				if slices.Contains(up, d.Name) {
					rt.Fatalf("cycle: %s is a member of %s, which reaches %s", d.Name, p, d.Name)
				}
			}
		}
	}
}
