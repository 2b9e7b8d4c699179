package authz_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// TestConcurrentUse runs checks, explanations, grants, revokes, role
// grants and CIDR lookups (with the group mapping reloading all the time)
// from several goroutines; under -race it proves the shared state safe.
// Decisions are not compared (they race with the writes by design); a
// permission nobody ever grants must stay denied throughout.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for i := range 4 {
		e.role(t, fmt.Sprintf("u%d", i), false)
	}
	e.role(t, "shared", false)
	require.NoError(t, e.mem.SetCIDRGroup(ctx, "corp", pfx("10.0.0.0/8")))
	cidr, err := authz.NewTableCIDR(authz.CIDRConfig{Store: e.st, Roles: e.roles, Mode: authz.CIDREnforce,
		GroupsRefreshInterval: time.Nanosecond})
	require.NoError(t, err)
	require.NoError(t, cidr.SetCIDRGroupsForRole(ctx, "u0", authz.CIDRGroupSubset("corp")))

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 4 {
		user := roles.NewUser(fmt.Sprintf("u%d", g))
		wg.Go(func() {
			for i := range 200 {
				switch i % 4 {
				case 0:
					if _, err := e.authz.Grant(ctx, roles.System, resource.SetOf(resource.Select), tblKsT, "shared"); err != nil {
						errs <- err
						return
					}
				case 1:
					if _, err := e.authz.Revoke(ctx, roles.System, resource.SetOf(resource.Select), tblKsT, "shared"); err != nil {
						errs <- err
						return
					}
				case 2:
					if err := e.roles.GrantRole(ctx, roles.System, "shared", user.Name()); err != nil && roles.CodeOf(err) != roles.CodeInvalid {
						errs <- err
						return
					}
				case 3:
					if err := e.roles.RevokeRole(ctx, roles.System, "shared", user.Name()); err != nil && roles.CodeOf(err) != roles.CodeInvalid {
						errs <- err
						return
					}
				}
				if _, err := e.checker.Check(ctx, user, resource.Select, tblKsT); err != nil {
					errs <- err
					return
				}
				if ok, err := e.checker.Check(ctx, user, resource.Drop, tblKsT); err != nil || ok {
					errs <- fmt.Errorf("DROP was never granted: %v, %v", ok, err)
					return
				}
				if _, err := e.checker.Explain(ctx, user, resource.Select, tblKsT); err != nil {
					errs <- err
					return
				}
				if _, err := cidr.HasAccessFromIP(ctx, user.Name(), netip.MustParseAddr("10.0.0.1")); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
