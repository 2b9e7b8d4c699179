package conformance

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Bounds of the concurrency checks: enough to expose races under -race and
// lost updates, small enough for a shared 2-core machine.
const (
	concWorkers    = 4
	concIterations = 100
)

// runParallel runs fn(i) for i in [0, n) on n goroutines and waits for them.
func runParallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}

func concurrencyChecks() []storeCheck {
	return []storeCheck{
		{name: "CreateSameRole", long: true, run: func(c *checker, s store.Store) {
			var ok, exists atomic.Int32
			for round := range concIterations / 4 {
				name := fmt.Sprintf("r%d", round)
				runParallel(concWorkers, func(int) {
					switch err := s.CreateRole(c.ctx, store.RoleRecord{Name: name}); {
					case err == nil:
						ok.Add(1)
					case errors.Is(err, store.ErrExists):
						exists.Add(1)
					default:
						c.Errorf("CreateRole(%q): %v", name, err)
					}
				})
			}
			wantEqual(c, ok.Load(), int32(concIterations/4), "successful concurrent creates of the same roles")
			wantEqual(c, exists.Load(), int32(concIterations/4*(concWorkers-1)), "concurrent creates that found the role")
		}},
		{name: "AddIdentitySame", long: true, run: func(c *checker, s store.Store) {
			var ok atomic.Int32
			for round := range concIterations / 4 {
				id := fmt.Sprintf("id%d", round)
				runParallel(concWorkers, func(w int) {
					switch err := s.AddIdentity(c.ctx, id, fmt.Sprintf("role%d", w)); {
					case err == nil:
						ok.Add(1)
					case !errors.Is(err, store.ErrExists):
						c.Errorf("AddIdentity(%q): %v", id, err)
					}
				})
			}
			wantEqual(c, ok.Load(), int32(concIterations/4), "successful concurrent AddIdentity of the same identities")
		}},
		{name: "NoLostGrants", long: true, run: func(c *checker, s store.Store) {
			// Each worker adds its own permissions to the same rows: the
			// read-modify-write of a set must not lose a concurrent one.
			perms := []resource.Permission{resource.Select, resource.Modify, resource.Alter, resource.Drop}
			var added [concWorkers]atomic.Uint32
			runParallel(concWorkers, func(w int) {
				for i := range concIterations {
					res := fmt.Sprintf("data/ks/t%d", i%10)
					got, err := s.AddPermissions(c.ctx, "r", res, permSet(perms[w]))
					if err != nil {
						c.Errorf("AddPermissions: %v", err)
						return
					}
					if !got.IsEmpty() {
						added[w].Add(1)
					}
				}
			})
			for i := range 10 {
				wantPerms(c, s, "r", fmt.Sprintf("data/ks/t%d", i), permSet(perms...))
			}
			for w := range concWorkers {
				wantEqual(c, added[w].Load(), uint32(10), "grants reported as added by worker %d", w)
			}
			checkIndex(c, s)
		}},
		{name: "NoLostMembers", long: true, run: func(c *checker, s store.Store) {
			createRoles(c, s, "group")
			var names []string
			for w := range concWorkers {
				for i := range concIterations / 4 {
					names = append(names, fmt.Sprintf("u%d-%d", w, i))
				}
			}
			createRoles(c, s, names...)
			runParallel(concWorkers, func(w int) {
				for i := range concIterations / 4 {
					if err := s.GrantRole(c.ctx, "group", fmt.Sprintf("u%d-%d", w, i)); err != nil {
						c.Errorf("GrantRole: %v", err)
						return
					}
				}
			})
			slices.Sort(names)
			wantMembers(c, s, "group", names...)
		}},
		{name: "DropRaces", long: true, run: func(c *checker, s store.Store) {
			// DropRole races GrantRole in both directions and AddIdentity
			// on the same role: whatever wins, no membership may dangle.
			for round := range concIterations / 4 {
				victim, member, parent := fmt.Sprintf("v%d", round), fmt.Sprintf("m%d", round), fmt.Sprintf("p%d", round)
				createRoles(c, s, victim, member, parent)
				runParallel(4, func(w int) {
					var err error
					switch w {
					case 0:
						err = s.DropRole(c.ctx, victim)
					case 1:
						err = s.GrantRole(c.ctx, victim, member)
					case 2:
						err = s.GrantRole(c.ctx, parent, victim)
					case 3:
						err = s.AddIdentity(c.ctx, "id-"+victim, victim)
					}
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						c.Errorf("worker %d: %v", w, err)
					}
				})
				wantMemberOf(c, s, member)
				wantMembers(c, s, parent)
				_, err := s.GetRole(c.ctx, victim)
				wantOnly(c, err, store.ErrNotFound, "GetRole of the dropped role")
				if c.Failed() {
					c.Fatalf("round %d left debris", round)
				}
			}
		}},
		{name: "ReadersAndWriters", long: true, run: func(c *checker, s store.Store) {
			createRoles(c, s, "a", "b", "c", "d")
			var stop atomic.Bool
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					for !stop.Load() {
						roles, err := s.ListRoles(c.ctx)
						if err != nil {
							c.Errorf("ListRoles: %v", err)
							return
						}
						for _, r := range roles {
							wantSorted(c, r.MemberOf, "MemberOf of %q during writes", r.Name)
						}
						grants, err := s.ListGrants(c.ctx, "")
						if err != nil {
							c.Errorf("ListGrants: %v", err)
							return
						}
						for _, g := range grants {
							if g.Permissions.IsEmpty() || !resource.AllPermissions.ContainsAll(g.Permissions) {
								c.Errorf("ListGrants during writes returned %v", show([]store.Grant{g}))
							}
						}
						if _, err := s.GetPermissions(c.ctx, "a", resT1); err != nil {
							c.Errorf("GetPermissions: %v", err)
						}
						if c.Failed() {
							return
						}
					}
				})
			}
			roles := []string{"a", "b", "c", "d"}
			runParallel(2, func(w int) {
				for i := range 5 * concIterations {
					r1, r2 := roles[(i+w)%4], roles[(i+w+1)%4]
					var err error
					switch i % 4 {
					case 0:
						err = s.GrantRole(c.ctx, r1, r2)
					case 1:
						err = s.RevokeRole(c.ctx, r2, r1)
					case 2:
						_, err = s.AddPermissions(c.ctx, r1, resT1, permSet(resource.Permission(i%10)))
					case 3:
						_, err = s.RemovePermissions(c.ctx, r2, resT1, permSet(resource.Permission(i%10)))
					}
					if err != nil {
						c.Errorf("writer %d step %d: %v", w, i, err)
						return
					}
				}
			})
			stop.Store(true)
			wg.Wait()
			checkIndex(c, s, resT1)
			for _, r := range roles {
				for _, p := range getRole(c, s, r).MemberOf {
					members, err := s.ListMembers(c.ctx, p)
					noErr(c, err, "ListMembers")
					if !slices.Contains(members, r) {
						c.Errorf("%q has %q in member_of but ListMembers(%q) = %q", r, p, p, members)
					}
				}
			}
		}},
	}
}
