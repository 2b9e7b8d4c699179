package cassauth

import (
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Invalidation on write, with fan-out.
//
// Every cached answer that depends on roles records the role closure its
// load read (deps). A change to role R therefore invalidates, in every cache
// derived from roles, the entries whose closure contains R: R's own, and
// those of every role that inherits from R, however indirectly, and however
// the closure has changed since. Grants narrow this further by resource: a
// grant on r can only change the answers for r and the resources below it.
//
// The cached parts ([Auth.Roles], [Auth.Authorizer], ...) call these after
// the underlying write returns (successfully or not: a failed write may
// have half happened), so the writer's next check sees its write; a store
// with a change feed calls them for every committed change, including
// those made by other processes. A change made through this process is
// thus invalidated twice when the store has a feed, which costs a second
// scan of the caches and nothing else.
//
// The cache package guarantees that a load running when an invalidation
// happens does not store its (possibly stale) result.

// roleChanged invalidates everything derived from the flags, memberships
// or existence of the named roles: role closures, permissions (superuser
// status), datacenter and CIDR permissions (LOGIN, superuser status) and JMX
// grants (the closure), for the roles and every role inheriting from them.
func (a *Auth) roleChanged(names ...string) {
	if len(names) == 0 {
		return
	}
	a.caches.roles.InvalidateIf(func(_ string, v rolesEntry) bool { return v.deps.dependsOn(names) })
	a.caches.perms.InvalidateIf(func(_ permKey, v permEntry) bool { return v.deps.dependsOn(names) })
	a.caches.network.InvalidateIf(func(_ string, v netEntry) bool { return v.deps.dependsOn(names) })
	a.caches.cidr.InvalidateIf(func(_ string, v cidrEntry) bool { return v.deps.dependsOn(names) })
	a.caches.jmx.InvalidateIf(func(_ string, v jmxEntry) bool { return v.deps.dependsOn(names) })
}

// credentialsChanged forgets the salted hashes (and verified logins) of the
// named roles: their row was created, altered or dropped.
func (a *Auth) credentialsChanged(names ...string) {
	for _, n := range names {
		a.caches.creds.Invalidate(n)
		if a.password != nil {
			a.password.Invalidate(n)
		}
	}
}

// roleDropped invalidates what a DROP ROLE of name changes: the role
// itself, its dependents, its hash, and the identities mapped to it.
func (a *Auth) roleDropped(name string) {
	a.roleChanged(name)
	a.credentialsChanged(name)
	a.caches.identities.InvalidateIf(func(_ string, role string) bool { return role == name })
}

// permissionsChanged invalidates the answers that grants to the named roles
// on rs (nil: on any resource) feed: permission entries of every role
// inheriting from them on rs or below, and their JMX grants when an MBean
// resource is concerned.
func (a *Auth) permissionsChanged(names []string, rs []resource.Resource) {
	if len(names) == 0 {
		return
	}
	a.caches.perms.InvalidateIf(func(k permKey, v permEntry) bool {
		return v.deps.dependsOn(names) && (rs == nil || chainContainsAny(k.res, rs))
	})
	if rs == nil || anyMBean(rs) {
		a.caches.jmx.InvalidateIf(func(_ string, v jmxEntry) bool { return v.deps.dependsOn(names) })
	}
}

// resourceRevoked invalidates the answers that grants on r fed, for every
// role (REVOKE ALL ON, a dropped resource).
func (a *Auth) resourceRevoked(r resource.Resource) {
	a.caches.perms.InvalidateIf(func(k permKey, _ permEntry) bool { return chainContains(k.res, r) })
	if isMBean(r) {
		a.caches.jmx.InvalidateIf(func(_ string, v jmxEntry) bool {
			for _, g := range v.grants {
				if g.Resource == r {
					return true
				}
			}
			return false
		})
	}
}

// networkChanged forgets the datacenter permissions of the named roles
// (the network_permissions row is read for the role itself only).
func (a *Auth) networkChanged(names ...string) {
	for _, n := range names {
		a.caches.network.Invalidate(n)
	}
}

// cidrChanged forgets the CIDR permissions of the named roles.
func (a *Auth) cidrChanged(names ...string) {
	for _, n := range names {
		a.caches.cidr.Invalidate(n)
	}
}

// identitiesChanged forgets the roles of the named identities.
func (a *Auth) identitiesChanged(ids ...string) {
	for _, id := range ids {
		a.caches.identities.Invalidate(id)
	}
}

// invalidateAll empties every cache (Cassandra's invalidate()) and the
// verified-credentials cache.
func (a *Auth) invalidateAll() {
	for _, c := range a.caches.all {
		c.h.InvalidateAll()
	}
	if a.password != nil {
		a.password.InvalidateAll()
	}
}

// onChange applies a change reported by the store's change feed. It reads
// nothing from the store and does not block, as the feed requires.
func (a *Auth) onChange(c store.Change) {
	switch c.Kind {
	case store.ChangeReset:
		a.invalidateAll()
		a.cidrGroupsStale.Store(true)
	case store.ChangeRole:
		a.roleChanged(c.Roles...)
		a.credentialsChanged(c.Roles...)
		for _, r := range c.Roles {
			a.caches.identities.InvalidateIf(func(_ string, role string) bool { return role == r })
		}
		a.identitiesChanged(c.Identities...)
	case store.ChangeMembership:
		// Roles holds the grantee first: its closure (and its dependents')
		// changed; the granted role's did not.
		if len(c.Roles) > 0 {
			a.roleChanged(c.Roles[0])
		}
	case store.ChangePermissions:
		var rs []resource.Resource
		for _, name := range c.Resources {
			r, err := resource.Parse(name)
			if err != nil {
				rs = nil // unknown: any resource may be concerned
				break
			}
			rs = append(rs, r)
		}
		if len(c.Resources) == 0 {
			rs = nil
		}
		a.permissionsChanged(c.Roles, rs)
	case store.ChangeNetwork:
		a.networkChanged(c.Roles...)
	case store.ChangeCIDR:
		if len(c.Roles) == 0 {
			a.cidrGroupsStale.Store(true)
		}
		a.cidrChanged(c.Roles...)
	case store.ChangeIdentity:
		a.identitiesChanged(c.Identities...)
	default:
		// A kind this version does not know: be safe.
		a.invalidateAll()
	}
}

// chainContains reports whether r is res or one of its parents.
func chainContains(res, r resource.Resource) bool {
	for cur, ok := res, !res.IsZero(); ok; cur, ok = cur.Parent() {
		if cur == r {
			return true
		}
	}
	return false
}

func chainContainsAny(res resource.Resource, rs []resource.Resource) bool {
	for _, r := range rs {
		if chainContains(res, r) {
			return true
		}
	}
	return false
}

func isMBean(r resource.Resource) bool {
	return r.Level() == resource.MBeanRoot || r.Level() == resource.MBeanLevel
}

func anyMBean(rs []resource.Resource) bool {
	for _, r := range rs {
		if isMBean(r) {
			return true
		}
	}
	return false
}
