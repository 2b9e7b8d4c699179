package conformance

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// wantAcyclic reports a cycle among names: two roles each in the other's
// closure.
func wantAcyclic(c *checker, m roles.Manager, names ...string) {
	c.Helper()
	closure := map[string][]string{}
	for _, n := range names {
		got, err := m.Roles(c.ctx, n, true)
		noErr(c, err, "Roles(%q, true)", n)
		closure[n] = got
	}
	for _, a := range names {
		for _, b := range names {
			if a < b && slices.Contains(closure[a], b) && slices.Contains(closure[b], a) {
				c.Errorf("concurrent grants closed a cycle: %q in the closure of %q and the other way round", a, b)
			}
		}
	}
}

// managerConcurrencyChecks run writers against each other and readers
// against writers. Run them under -race.
func managerConcurrencyChecks() []roleManagerCheck {
	return []roleManagerCheck{
		{name: "CreateSameRole", long: true, run: func(c *checker, m roles.Manager) {
			for round := range concIterations / 10 {
				name := fmt.Sprintf("r%d", round)
				var ok, exists atomic.Int32
				runParallel(concWorkers, func(int) {
					switch err := m.CreateRole(c.ctx, roles.System, name, roles.Options{}); {
					case err == nil:
						ok.Add(1)
					case errors.Is(err, store.ErrExists):
						exists.Add(1)
					default:
						c.Errorf("concurrent CreateRole(%q): %v, want nil or an error matching store.ErrExists", name, err)
					}
				})
				if ok.Load() != 1 || exists.Load() != concWorkers-1 {
					c.Errorf("%d concurrent CreateRole(%q): %d succeeded and %d saw ErrExists, want 1 and %d",
						concWorkers, name, ok.Load(), exists.Load(), concWorkers-1)
				}
			}
		}},
		{name: "GrantsRaceToCycle", long: true, run: func(c *checker, m roles.Manager) {
			for round := range concIterations / 4 {
				ring := []string{fmt.Sprintf("a%d", round), fmt.Sprintf("b%d", round), fmt.Sprintf("c%d", round)}
				n := 2 + round%2 // a two-role or a three-role ring
				ring = ring[:n]
				mkRoles(c, m, ring...)
				var granted atomic.Int32
				runParallel(n, func(i int) {
					role, grantee := ring[i], ring[(i+1)%n]
					err := m.GrantRole(c.ctx, roles.System, role, grantee)
					if err == nil {
						granted.Add(1)
						return
					}
					wantCode(c, err, roles.CodeInvalid, "GrantRole(%q, %q) racing to close a cycle", role, grantee)
				})
				if int(granted.Load()) == n {
					c.Errorf("all %d grants of the ring %q succeeded", n, ring)
				}
				wantAcyclic(c, m, ring...)
			}
		}},
		{name: "DropDuringGrant", long: true, run: func(c *checker, m roles.Manager) {
			for round := range concIterations / 4 {
				role, grantee := fmt.Sprintf("a%d", round), fmt.Sprintf("b%d", round)
				mkRoles(c, m, role, grantee)
				runParallel(2, func(i int) {
					if i == 0 {
						if err := m.DropRole(c.ctx, roles.System, role); err != nil {
							c.Errorf("DropRole(%q) during a grant: %v", role, err)
						}
						return
					}
					if err := m.GrantRole(c.ctx, roles.System, role, grantee); err != nil && !errors.Is(err, store.ErrNotFound) {
						c.Errorf("GrantRole(%q, %q) during its drop: %v, want nil or an error matching store.ErrNotFound", role, grantee, err)
					}
				})
				// No membership outlives its role.
				wantRolesOf(c, c.ctx, m, grantee, false, grantee)
				wantRolesOf(c, c.ctx, m, grantee, true, grantee)
			}
		}},
		{name: "ReadsDuringWrites", long: true, run: func(c *checker, m roles.Manager) {
			parents := []string{"p0", "p1", "p2"}
			mkRoles(c, m, append([]string{"u"}, parents...)...)
			runParallel(concWorkers, func(w int) {
				for i := range concIterations {
					if w == 0 {
						p := parents[i%len(parents)]
						if i/len(parents)%2 == 0 {
							_ = m.GrantRole(c.ctx, roles.System, p, "u")
						} else {
							_ = m.RevokeRole(c.ctx, roles.System, p, "u")
						}
						continue
					}
					details, err := m.RoleDetails(c.ctx, "u")
					if err != nil {
						c.Errorf("RoleDetails during writes: %v", err)
						return
					}
					names := make([]string, len(details))
					for j, d := range details {
						names[j] = d.Name
					}
					if len(names) == 0 || names[0] != "u" || len(setOf(names)) != len(names) ||
						slices.ContainsFunc(names[1:], func(n string) bool { return !slices.Contains(parents, n) }) {
						c.Errorf("RoleDetails(u) during writes = %q, want u first, then each of some of %q once", names, parents)
						return
					}
				}
			})
		}},
	}
}
