package cassauth

import (
	"context"
	"errors"
	"hash/maphash"
	"maps"
	"math/bits"
	"slices"
	"sync"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Cassandra's names of the seven auth caches (spec 7.1), as used by
// [Auth.CacheStats], [Auth.ReconfigureCache] and [Auth.InvalidateCache].
const (
	PermissionsCache        = "PermissionsCache"
	RolesCache              = "RolesCache"
	CredentialsCache        = "CredentialsCache"
	NetworkPermissionsCache = "NetworkPermissionsCache"
	JmxPermissionsCache     = "JmxPermissionsCache"
	CidrPermissionsCache    = "CidrPermissionsCache"
	IdentitiesCache         = "IdentitiesCache"
)

// canonicalCacheName maps the deprecated MBean names Cassandra 4.1+ still
// registers to the current ones.
func canonicalCacheName(name string) string {
	switch name {
	case "NetworkAuthCache":
		return NetworkPermissionsCache
	case "JMXPermissionsCache":
		return JmxPermissionsCache
	}
	return name
}

// cacheHandle is what the registry needs of a cache, whatever its types.
type cacheHandle interface {
	Name() string
	Stats() cache.Stats
	Settings() cache.Settings
	Reconfigure(cache.Settings) error
	InvalidateAll()
	Warm(ctx context.Context) error
	Close() error
}

// authCache is one registered cache: Cassandra's "enabled only if"
// predicate, evaluated once in New, and the settings configured for it
// (in force only while the predicate holds).
type authCache struct {
	h       cacheHandle
	enabled bool

	mu         sync.Mutex // guards configured
	configured cache.Settings
}

// effective returns the settings to apply for configured s.
func (c *authCache) effective(s cache.Settings) cache.Settings {
	if !c.enabled {
		return cache.Settings{}
	}
	return s
}

// deps records what a cached answer was derived from, so that a change to a
// role invalidates exactly the answers that may depend on it.
type deps struct {
	roles []string // the role closure read by the load (the key's role first)
	all   bool     // derived from unknown roles: any role change invalidates it
}

// Cached values hold *deps (nil: depends on no role), which keeps the
// PermissionsCache value small for the hit path.

// dependsOn reports whether an answer with d may change when one of changed
// changes.
func (d *deps) dependsOn(changed []string) bool {
	if d == nil {
		return false
	}
	if d.all {
		return len(changed) > 0
	}
	for _, r := range changed {
		if slices.Contains(d.roles, r) {
			return true
		}
	}
	return false
}

// depsOf returns the dependencies of an answer for role computed from its
// closure details (role first; role itself even when unknown).
func depsOf(role string, details []roles.Role) *deps {
	names := make([]string, 0, len(details)+1)
	names = append(names, role)
	for i := range details {
		if details[i].Name != role {
			names = append(names, details[i].Name)
		}
	}
	return &deps{roles: names}
}

// permKey is the PermissionsCache key: Cassandra's (AuthenticatedUser,
// IResource). Both parts are comparable values, so a lookup allocates
// nothing.
type permKey struct {
	user roles.User
	res  resource.Resource
}

// permEntry is a PermissionsCache value: what the user holds on exactly the
// resource (Cassandra's value), and the union over the resource and all its
// parents, which answers a whole access check in one lookup.
type permEntry struct {
	exact     resource.PermissionSet
	effective resource.PermissionSet
	deps      *deps
}

// rolesEntry is a RolesCache value: the closure, primary role first.
type rolesEntry struct {
	details []roles.Role
	deps    *deps
}

// credEntry is a CredentialsCache value: the salted hash, or ok false for
// Cassandra's "no such role / no password" sentinel.
type credEntry struct {
	hash string
	ok   bool
}

type netEntry struct {
	p    authz.DCPermissions
	deps *deps
}

type cidrEntry struct {
	p    authz.CIDRPermissions
	deps *deps
}

type jmxEntry struct {
	grants []authz.PermissionDetails
	deps   *deps
}

// caches holds the seven caches.
type caches struct {
	perms      *cache.Cache[permKey, permEntry]
	roles      *cache.Cache[string, rolesEntry]
	creds      *cache.Cache[string, credEntry]
	network    *cache.Cache[string, netEntry]
	jmx        *cache.Cache[string, jmxEntry]
	cidr       *cache.Cache[string, cidrEntry]
	identities *cache.Cache[string, string]

	all []*authCache // in Cassandra's registration order
}

// lookup returns the registered cache named name (or a deprecated alias).
func (cs *caches) lookup(name string) (*authCache, error) {
	name = canonicalCacheName(name)
	for _, c := range cs.all {
		if c.h.Name() == name {
			return c, nil
		}
	}
	return nil, roles.Wrap(roles.CodeInvalid, ErrUnknownCache, "Unknown auth cache: "+name)
}

// newCache builds one cache and registers it.
func newCache[K comparable, V any](a *Auth, name string, cc CacheConfig, enabled bool, o cache.Options[K, V]) (*cache.Cache[K, V], error) {
	ac := &authCache{enabled: enabled, configured: cc.Settings()}
	o.Name = name
	o.Settings = ac.effective(ac.configured)
	o.Clock = a.clock
	o.Logger = a.log
	o.MaxConcurrentLoads = a.opts.MaxConcurrentLoads
	c, err := cache.New(o)
	if err != nil {
		return nil, roles.Wrap(roles.CodeConfigError, err, "cassauth: "+name+": "+err.Error())
	}
	ac.h = c
	a.caches.all = append(a.caches.all, ac)
	return c, nil
}

// buildCaches creates the seven caches with Cassandra's settings groups and
// "enabled only if" predicates (spec 7.1): network and CIDR permissions
// use the roles settings, identities the credentials settings.
func (a *Auth) buildCaches(authnRequired bool) error {
	cfg := &a.cfg
	var err error
	seed := maphash.MakeSeed()
	if a.caches.perms, err = newCache(a, PermissionsCache, cfg.Permissions, a.authorizer.RequireAuthorization(),
		cache.Options[permKey, permEntry]{
			Load:    a.loadPerms,
			LoadAll: a.loadAllPerms,
			Hash:    func(k permKey) uint64 { return permHash(seed, k) },
		}); err != nil {
		return err
	}
	if a.caches.roles, err = newCache(a, RolesCache, cfg.Roles, authnRequired,
		cache.Options[string, rolesEntry]{Load: a.loadRoles, LoadAll: a.loadAllRoles}); err != nil {
		return err
	}
	if a.caches.creds, err = newCache(a, CredentialsCache, cfg.Credentials, true,
		cache.Options[string, credEntry]{
			Load:                  a.loadCreds,
			LoadAll:               a.loadAllCreds,
			InvalidationCondition: func(e credEntry) bool { return !e.ok },
		}); err != nil {
		return err
	}
	if a.caches.network, err = newCache(a, NetworkPermissionsCache, cfg.Roles, authnRequired,
		cache.Options[string, netEntry]{Load: a.loadNetwork}); err != nil {
		return err
	}
	if a.caches.jmx, err = newCache(a, JmxPermissionsCache, cfg.Permissions, true,
		cache.Options[string, jmxEntry]{Load: a.loadJMX}); err != nil {
		return err
	}
	if a.caches.cidr, err = newCache(a, CidrPermissionsCache, cfg.Roles, a.cidr.RequireAuthorization(),
		cache.Options[string, cidrEntry]{Load: a.loadCIDR}); err != nil {
		return err
	}
	if a.caches.identities, err = newCache(a, IdentitiesCache, cfg.Credentials, true,
		cache.Options[string, string]{
			Load:                  a.roleManager.RoleForIdentity,
			LoadAll:               a.roleManager.AuthorizedIdentities,
			InvalidationCondition: func(role string) bool { return role == "" },
		}); err != nil {
		return err
	}
	return nil
}

// permHash hashes a PermissionsCache key from the user's and the resource's
// names (a resource's other fields derive from its name; the user's kind
// is left out, so the system user and a role named "system" share a hash,
// which the cache resolves by comparing whole keys).
func permHash(seed maphash.Seed, k permKey) uint64 {
	return maphash.String(seed, k.user.Name()) ^ bits.RotateLeft64(maphash.String(seed, k.res.Name()), 29)
}

// permsUndecided wraps a failure to read permissions as Cassandra reports
// it (and as authz.Table does): "Unable to perform authorization of
// permissions: <cause>", wrapping authz.ErrUndecided and the cause.
func permsUndecided(cause error) error {
	return undecided(cause, "Unable to perform authorization of permissions: ")
}

// undecided wraps cause as a CodeUnauthorized error with prefix, reaching
// both authz.ErrUndecided and cause.
func undecided(cause error, prefix string) error {
	return roles.Wrap(roles.CodeUnauthorized, errors.Join(authz.ErrUndecided, cause), prefix+cause.Error())
}

// loadPerms is the PermissionsCache loader: Authorize on the resource and
// each of its parents through the uncached parts. With the table-backed
// authorizer the role closure is read once for the whole chain.
func (a *Auth) loadPerms(ctx context.Context, k permKey) (permEntry, error) {
	var e permEntry
	u, r := k.user, k.res
	t, isTable := a.authorizer.(*authz.Table)
	if !isTable || u.IsSystem() || u.IsAnonymous() || u.IsZero() {
		if !isTable {
			e.deps = &deps{all: true}
		}
		for cur, ok := r, !r.IsZero(); ok; cur, ok = cur.Parent() {
			ps, err := a.authorizer.Authorize(ctx, u, cur)
			if err != nil {
				return permEntry{}, err
			}
			if cur == r {
				e.exact = ps
			}
			e.effective |= ps
		}
		return e, nil
	}
	details, err := a.roleManager.RoleDetails(ctx, u.Name())
	if err != nil {
		return permEntry{}, permsUndecided(err)
	}
	e.deps = depsOf(u.Name(), details)
	super := false
	for i := range details {
		super = super || details[i].IsSuperuser
	}
	for cur, ok := r, !r.IsZero(); ok; cur, ok = cur.Parent() {
		var ps resource.PermissionSet
		if super {
			ps = cur.Applicable()
		} else {
			for i := range details {
				p, err := t.RolePermissions(ctx, details[i].Name, cur)
				if err != nil {
					return permEntry{}, err
				}
				ps |= p
			}
		}
		if cur == r {
			e.exact = ps
		}
		e.effective |= ps
	}
	return e, nil
}

// loadAllPerms warms the PermissionsCache from the authorizer's bulk
// loader. The warmed entries depend on any role (their closures are not
// known), so the first role change drops them.
func (a *Auth) loadAllPerms(ctx context.Context) (map[permKey]permEntry, error) {
	bl, ok := a.authorizer.(authz.BulkLoader)
	if !ok {
		return nil, nil
	}
	entries, err := bl.BulkLoad(ctx)
	if err != nil {
		return nil, err
	}
	exact := make(map[permKey]resource.PermissionSet, len(entries))
	for _, e := range entries {
		exact[permKey{e.User, e.Resource}] = e.Permissions
	}
	out := make(map[permKey]permEntry, len(exact))
	for k, ps := range exact {
		e := permEntry{exact: ps, deps: &deps{all: true}}
		for cur, ok := k.res, true; ok; cur, ok = cur.Parent() {
			e.effective |= exact[permKey{k.user, cur}]
		}
		out[k] = e
	}
	return out, nil
}

// loadRoles is the RolesCache loader.
func (a *Auth) loadRoles(ctx context.Context, role string) (rolesEntry, error) {
	details, err := a.roleManager.RoleDetails(ctx, role)
	if err != nil {
		return rolesEntry{}, err
	}
	return rolesEntry{details: details, deps: depsOf(role, details)}, nil
}

// loadAllRoles warms the RolesCache with every role's closure, computed
// from one read of the roles table (table-backed role manager only).
func (a *Auth) loadAllRoles(ctx context.Context) (map[string]rolesEntry, error) {
	if a.opts.RoleManager != nil {
		return nil, nil
	}
	recs, err := a.store.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]int, len(recs))
	for i := range recs {
		byName[recs[i].Name] = i
	}
	out := make(map[string]rolesEntry, len(recs))
	for i := range recs {
		var details []roles.Role
		seen := map[string]bool{recs[i].Name: true}
		queue := []int{i}
		for len(queue) > 0 {
			rec := recs[queue[0]]
			queue = queue[1:]
			details = append(details, roles.Role{Name: rec.Name, IsSuperuser: rec.IsSuperuser, CanLogin: rec.CanLogin,
				MemberOf: rec.MemberOf, Options: rec.Options}) // ListRoles returned copies
			for _, p := range rec.MemberOf {
				if j, ok := byName[p]; ok && !seen[p] {
					seen[p] = true
					queue = append(queue, j)
				}
			}
		}
		out[recs[i].Name] = rolesEntry{details: details, deps: depsOf(recs[i].Name, details)}
	}
	return out, nil
}

// loadCreds is the CredentialsCache loader (SELECT salted_hash).
func (a *Auth) loadCreds(ctx context.Context, role string) (credEntry, error) {
	h, ok, err := authn.StoreHashes{Roles: a.store}.SaltedHash(ctx, role)
	return credEntry{hash: h, ok: ok}, err
}

// loadAllCreds is the CredentialsCache bulk loader: every role with a hash.
func (a *Auth) loadAllCreds(ctx context.Context) (map[string]credEntry, error) {
	recs, err := a.store.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]credEntry, len(recs))
	for _, r := range recs {
		if r.SaltedHash != "" {
			out[r.Name] = credEntry{hash: r.SaltedHash, ok: true}
		}
	}
	return out, nil
}

// closureDeps reads role's closure through the uncached role manager, for
// the caches whose loaders do not return it; failures are wrapped with
// prefix like the loader's own.
func (a *Auth) closureDeps(ctx context.Context, role, prefix string) (*deps, error) {
	names, err := a.roleManager.Roles(ctx, role, true)
	if err != nil {
		return nil, undecided(err, prefix)
	}
	return depsOf(role, nil).with(names), nil
}

// with adds names to d.
func (d *deps) with(names []string) *deps {
	for _, n := range names {
		if !slices.Contains(d.roles, n) {
			d.roles = append(d.roles, n)
		}
	}
	return d
}

// loadNetwork is the NetworkPermissionsCache loader.
func (a *Auth) loadNetwork(ctx context.Context, role string) (netEntry, error) {
	var e netEntry
	if _, allowAll := a.network.(authz.AllowAllNetwork); !allowAll {
		var err error
		if e.deps, err = a.closureDeps(ctx, role, "Unable to perform authorization of datacenter access: "); err != nil {
			return netEntry{}, err
		}
	}
	p, err := a.network.Authorize(ctx, role)
	if err != nil {
		return netEntry{}, err
	}
	e.p = p
	return e, nil
}

// loadCIDR is the CidrPermissionsCache loader (CIDRPermissionsManager).
func (a *Auth) loadCIDR(ctx context.Context, role string) (cidrEntry, error) {
	t, ok := a.cidr.(*authz.TableCIDR)
	if !ok {
		return cidrEntry{p: authz.AllCIDRGroups()}, nil
	}
	d, err := a.closureDeps(ctx, role, "Unable to perform authorization of CIDR access: ")
	if err != nil {
		return cidrEntry{}, err
	}
	p, err := t.Permissions(ctx, role)
	if err != nil {
		return cidrEntry{}, err
	}
	return cidrEntry{p: p, deps: d}, nil
}

// loadJMX is the JmxPermissionsCache loader: the grants to role and the
// roles it inherits, kept for MBean resources only, as Cassandra's
// AuthorizationProxy loads them (as the system user).
func (a *Auth) loadJMX(ctx context.Context, role string) (jmxEntry, error) {
	d, err := a.closureDeps(ctx, role, "Unable to perform authorization of permissions: ")
	if err != nil {
		return jmxEntry{}, err
	}
	all, err := a.authorizer.List(ctx, roles.System, resource.AllPermissions, resource.Resource{}, role)
	if err != nil {
		return jmxEntry{}, err
	}
	grants := make([]authz.PermissionDetails, 0, len(all))
	for _, g := range all {
		if l := g.Resource.Level(); l == resource.MBeanRoot || l == resource.MBeanLevel {
			grants = append(grants, g)
		}
	}
	return jmxEntry{grants: grants, deps: d}, nil
}

// cloneOptions copies a role's custom options (nil stays nil).
func cloneOptions(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}
