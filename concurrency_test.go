package cassauth_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// TestConcurrentWritesAndChecks: writers grant, revoke and change
// memberships through the library while readers check; once they are done
// (and with caches that never expire) every cached answer equals the
// store's, so no invalidation was lost to a load racing with it. Run under
// -race.
func TestConcurrentWritesAndChecks(t *testing.T) {
	for _, feed := range []bool{false, true} {
		t.Run(fmt.Sprintf("feed=%v", feed), func(t *testing.T) {
			mem := newMem(t)
			var st store.Store = noFeed{mem}
			if feed {
				st = mem
			}
			a := newAuth(t, passwordConfig(hour), st, cache.NewFakeClock(start))
			f := fixture{t, a}
			for _, r := range propRoles {
				f.role(r, true)
			}
			const writers, readers, ops = 2, 4, 150
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 1))
					pick := func() string { return propRoles[rng.IntN(len(propRoles))] }
					for range ops {
						res := propResources[rng.IntN(len(propResources))]
						perms := resource.SetOf(propPerms[rng.IntN(len(propPerms))])
						switch rng.IntN(4) {
						case 0:
							_, _ = a.Authorizer().Grant(ctx, roles.System, perms, res, pick())
						case 1:
							_, _ = a.Authorizer().Revoke(ctx, roles.System, perms, res, pick())
						case 2:
							_ = a.Roles().GrantRole(ctx, roles.System, pick(), pick())
						case 3:
							_ = a.Roles().RevokeRole(ctx, roles.System, pick(), pick())
						}
					}
				}()
			}
			for r := range readers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(r), 2))
					for range ops * 4 {
						u := roles.NewUser(propRoles[rng.IntN(len(propRoles))])
						res := propResources[rng.IntN(len(propResources))]
						if _, err := a.Check(ctx, u, propPerms[rng.IntN(len(propPerms))], res); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			require.NoError(t, consistent(t, a, newOracle(t, mem)))
		})
	}
}
