package cassauth

import (
	"errors"

	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// CacheNames returns the names of the seven caches in Cassandra's
// registration order.
func (a *Auth) CacheNames() []string {
	names := make([]string, len(a.caches.all))
	for i, c := range a.caches.all {
		names[i] = c.h.Name()
	}
	return names
}

// CacheStats returns a snapshot of every cache's counters (hits, misses,
// loads, load failures, evictions, size), by Cassandra's cache name. It is
// safe to call at any time, after Close too.
func (a *Auth) CacheStats() map[string]cache.Stats {
	out := make(map[string]cache.Stats, len(a.caches.all))
	for _, c := range a.caches.all {
		out[c.h.Name()] = c.h.Stats()
	}
	return out
}

// CacheSettings returns the settings configured for the named cache (or its
// deprecated alias, "NetworkAuthCache" or "JMXPermissionsCache"), and
// whether they are in force: a cache whose "enabled only if" predicate
// failed (the PermissionsCache with AllowAllAuthorizer, ...) keeps its
// settings but caches nothing, as in Cassandra. Errors: a CodeInvalid
// [*roles.Error] wrapping [ErrUnknownCache].
func (a *Auth) CacheSettings(name string) (s cache.Settings, active bool, err error) {
	c, err := a.caches.lookup(name)
	if err != nil {
		return cache.Settings{}, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.configured, c.enabled && c.configured.Enabled(), nil
}

// ReconfigureCache changes the settings of one live cache, like `nodetool
// setauthcacheconfig --cache-name <name>` (Cassandra's JMX setters):
// validity and update interval apply at once to cached entries, a validity
// of 0 drops the cache (caching off) and a positive one after that starts
// from an empty cache, and the active-update timer restarts. Only the named
// cache changes, not the others of its settings group. A cache disabled by
// its predicate records s and stays off.
//
// Errors: [ErrUnknownCache] (CodeInvalid); for unusable settings (negative
// MaxEntries, active update below 1ms) a CodeInvalid [*roles.Error]
// wrapping [cache.ErrInvalidOptions]; [cache.ErrClosed] after Close.
func (a *Auth) ReconfigureCache(name string, s cache.Settings) error {
	c, err := a.caches.lookup(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.ActiveUpdate && s.Enabled() && s.EffectiveUpdateInterval() < cache.MinActiveUpdateInterval {
		return roles.Wrap(roles.CodeInvalid, cache.ErrInvalidOptions, "cassauth: active update needs an update interval of at least 1ms")
	}
	if err := c.h.Reconfigure(c.effective(s)); err != nil {
		if errors.Is(err, cache.ErrClosed) {
			return err
		}
		return roles.Wrap(roles.CodeInvalid, err, err.Error())
	}
	c.configured = s
	return nil
}

// InvalidateCache empties the named cache, like Cassandra's invalidate()
// on its MBean. Errors: [ErrUnknownCache].
func (a *Auth) InvalidateCache(name string) error {
	c, err := a.caches.lookup(name)
	if err != nil {
		return err
	}
	c.h.InvalidateAll()
	if c.h.Name() == CredentialsCache && a.password != nil {
		a.password.InvalidateAll()
	}
	return nil
}

// InvalidateCredentialsCache drops the cached salted hashes (and verified
// logins) of the named roles, of all roles if none is named (`nodetool
// invalidatecredentialscache [role...]`).
func (a *Auth) InvalidateCredentialsCache(roleNames ...string) {
	if len(roleNames) == 0 {
		a.caches.creds.InvalidateAll()
		if a.password != nil {
			a.password.InvalidateAll()
		}
		return
	}
	a.credentialsChanged(roleNames...)
}

// InvalidatePermissionsCache drops cached permissions (`nodetool
// invalidatepermissionscache`): of every user if role is "", else of the
// user role; and only on r and the resources below it (whose answers
// include r's grants) unless r is the zero Resource.
func (a *Auth) InvalidatePermissionsCache(role string, r resource.Resource) {
	if role == "" && r.IsZero() {
		a.caches.perms.InvalidateAll()
		return
	}
	a.caches.perms.InvalidateIf(func(k permKey, _ permEntry) bool {
		return (role == "" || k.user.Name() == role) && (r.IsZero() || chainContains(k.res, r))
	})
}

// InvalidateRolesCache drops the cached closures of the named roles, of all
// roles if none is named (`nodetool invalidaterolescache`). Like Cassandra's
// it drops only those keys; [Auth.InvalidateRole] drops everything derived.
func (a *Auth) InvalidateRolesCache(roleNames ...string) {
	invalidateKeys(a.caches.roles, roleNames)
}

// InvalidateNetworkPermissionsCache drops the cached datacenter permissions
// of the named roles, of all if none is named (`nodetool
// invalidatenetworkpermissionscache`).
func (a *Auth) InvalidateNetworkPermissionsCache(roleNames ...string) {
	invalidateKeys(a.caches.network, roleNames)
}

// InvalidateJmxPermissionsCache drops the cached JMX grants of the named
// roles, of all if none is named (`nodetool invalidatejmxpermissionscache`).
func (a *Auth) InvalidateJmxPermissionsCache(roleNames ...string) {
	invalidateKeys(a.caches.jmx, roleNames)
}

// InvalidateCidrPermissionsCache drops the cached CIDR permissions of the
// named roles, of all if none is named (`nodetool
// invalidatecidrpermissionscache`).
func (a *Auth) InvalidateCidrPermissionsCache(roleNames ...string) {
	invalidateKeys(a.caches.cidr, roleNames)
}

// InvalidateRole drops everything any cache derived from role: the role's
// own entries and those of every role inheriting from it, in every cache,
// exactly as a write through this library does. An operator uses it after
// changing a role behind the library's back in a store without a change
// feed.
func (a *Auth) InvalidateRole(role string) {
	a.roleChanged(role)
	a.credentialsChanged(role)
	a.networkChanged(role)
	a.cidrChanged(role)
	a.caches.identities.InvalidateIf(func(_ string, r string) bool { return r == role })
}

// InvalidateAll empties every cache.
func (a *Auth) InvalidateAll() { a.invalidateAll() }

func invalidateKeys[V any](c *cache.Cache[string, V], keys []string) {
	if len(keys) == 0 {
		c.InvalidateAll()
		return
	}
	for _, k := range keys {
		c.Invalidate(k)
	}
}
