package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// CIDRGroupMap maps addresses to CIDR groups by longest-prefix match, with
// separate tables for IPv4 and IPv6 as Cassandra keeps them. It is
// immutable once built and safe for concurrent use.
type CIDRGroupMap struct {
	v4, v6 cidrTable
}

// cidrTable is one address family: the groups of each (masked) prefix,
// and the prefix lengths present, longest first.
type cidrTable struct {
	groups  map[netip.Prefix][]string
	lengths []int
}

// NewCIDRGroupMap builds the map of groups. Prefixes are masked
// ("10.1.2.3/8" is 10.0.0.0/8); IPv4-mapped IPv6 prefixes of at least 96
// bits count as IPv4 prefixes; invalid prefixes are skipped. Several groups
// may hold the same prefix.
func NewCIDRGroupMap(groups []store.CIDRGroup) *CIDRGroupMap {
	m := &CIDRGroupMap{
		v4: cidrTable{groups: make(map[netip.Prefix][]string)},
		v6: cidrTable{groups: make(map[netip.Prefix][]string)},
	}
	for _, g := range groups {
		for _, p := range g.CIDRs {
			if !p.IsValid() {
				continue
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			p = p.Masked()
			t := &m.v6
			if p.Addr().Is4() {
				t = &m.v4
			}
			if !slices.Contains(t.groups[p], g.Name) {
				t.groups[p] = append(t.groups[p], g.Name)
			}
		}
	}
	for _, t := range []*cidrTable{&m.v4, &m.v6} {
		seen := map[int]bool{}
		for p, names := range t.groups {
			slices.Sort(names)
			if !seen[p.Bits()] {
				seen[p.Bits()] = true
				t.lengths = append(t.lengths, p.Bits())
			}
		}
		slices.Sort(t.lengths)
		slices.Reverse(t.lengths)
	}
	return m
}

// Lookup returns the groups holding the longest prefix that contains ip,
// sorted, or nil if no prefix does. An IPv4-mapped IPv6 address is looked
// up as IPv4 (Java sees an Inet4Address). The result must not be modified.
func (m *CIDRGroupMap) Lookup(ip netip.Addr) []string {
	if m == nil || !ip.IsValid() {
		return nil
	}
	ip = ip.Unmap().WithZone("")
	t := &m.v6
	if ip.Is4() {
		t = &m.v4
	}
	for _, bits := range t.lengths {
		p, err := ip.Prefix(bits)
		if err != nil {
			continue
		}
		if g, ok := t.groups[p]; ok {
			return g
		}
	}
	return nil
}

// CIDRConfig configures [NewTableCIDR].
type CIDRConfig struct {
	// Store holds cidr_permissions and cidr_groups. Required; a
	// [store.Store] satisfies it.
	Store store.CIDR
	// Roles gives LOGIN and superuser status. Required.
	Roles roles.Manager
	// Mode is cidr_authorizer_mode; the zero value is MONITOR.
	Mode CIDRMode
	// ChecksForSuperusers is cidr_checks_for_superusers: when false (the
	// default) roles with superuser status may connect from anywhere.
	ChecksForSuperusers bool
	// GroupsRefreshInterval is cidr_groups_cache_refresh_interval: how old
	// the loaded group mapping may get before a lookup reloads it. Zero
	// means Cassandra's default, 5 minutes; negative means only Setup and
	// LoadCIDRGroupsCache load it.
	GroupsRefreshInterval time.Duration
	// Now is the clock for the refresh and for rate-limiting the MONITOR
	// log lines. Nil means time.Now.
	Now func() time.Time
	// Logger receives the MONITOR lines (at most one per minute for each
	// of the two messages, as Cassandra's NoSpamLogger) and reload
	// failures. Nil discards.
	Logger *slog.Logger
}

// DefaultCIDRGroupsRefreshInterval is Cassandra's default
// cidr_groups_cache_refresh_interval.
const DefaultCIDRGroupsRefreshInterval = 5 * time.Minute

// TableCIDR is Cassandra's CassandraCIDRAuthorizer over the cidr_permissions
// and cidr_groups tables of a [store.CIDR]. It keeps the group mapping in
// memory (reloaded after GroupsRefreshInterval by the lookup that notices,
// while other lookups keep using the old one, or on LoadCIDRGroupsCache),
// and reads role restrictions through on every check: cache them in front
// of it. It starts no goroutine and is safe for concurrent use.
type TableCIDR struct {
	st         store.CIDR
	roles      roles.Manager
	mode       CIDRMode
	superCheck bool
	refresh    time.Duration
	now        func() time.Time
	log        *slog.Logger

	groups     atomic.Pointer[CIDRGroupMap] // nil until first loaded
	nextReload atomic.Int64                 // UnixNano after which a lookup reloads
	reloadMu   sync.Mutex                   // held by the one lookup that reloads

	lastWarn, lastInfo atomic.Int64 // UnixNano of the last MONITOR lines
}

var _ CIDRAuthorizer = (*TableCIDR)(nil)

// NewTableCIDR returns the table-backed CIDR authorizer, or a
// CodeConfigError [*roles.Error] if cfg.Store or cfg.Roles is nil or
// cfg.Mode is unknown. It does not touch the store.
func NewTableCIDR(cfg CIDRConfig) (*TableCIDR, error) {
	if cfg.Store == nil || cfg.Roles == nil {
		return nil, roles.Errorf(roles.CodeConfigError, "authz: CIDRConfig.Store and Roles are required")
	}
	if cfg.Mode > CIDREnforce {
		return nil, roles.Errorf(roles.CodeConfigError, "authz: invalid CIDR mode %d", cfg.Mode)
	}
	t := &TableCIDR{st: cfg.Store, roles: cfg.Roles, mode: cfg.Mode, superCheck: cfg.ChecksForSuperusers,
		refresh: cfg.GroupsRefreshInterval, now: cfg.Now, log: cfg.Logger}
	if t.refresh == 0 {
		t.refresh = DefaultCIDRGroupsRefreshInterval
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	return t, nil
}

// RequireAuthorization returns true.
func (t *TableCIDR) RequireAuthorization() bool { return true }

// Mode returns the configured mode.
func (t *TableCIDR) Mode() CIDRMode { return t.mode }

// Permissions returns role's CIDR permissions: NONE without LOGIN (or for
// an unknown role), ALL for a role with superuser status unless
// ChecksForSuperusers, ALL with no row or an empty one, else the stored
// subset. Failures are CodeUnauthorized [*roles.Error] values wrapping
// [ErrUndecided] and the cause.
func (t *TableCIDR) Permissions(ctx context.Context, role string) (CIDRPermissions, error) {
	details, err := t.roles.RoleDetails(ctx, role)
	if err != nil {
		return CIDRPermissions{}, undecidedMsg(err, "Unable to perform authorization of CIDR access")
	}
	if len(details) == 0 || !details[0].CanLogin {
		return NoCIDRGroups(), nil
	}
	if !t.superCheck {
		for i := range details {
			if details[i].IsSuperuser {
				return AllCIDRGroups(), nil
			}
		}
	}
	groups, err := t.st.GetCIDRPermissions(ctx, role)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return AllCIDRGroups(), nil
	case err != nil:
		return CIDRPermissions{}, undecidedMsg(err, "Unable to perform authorization of CIDR access")
	}
	return CIDRGroupSubset(groups...), nil
}

// HasAccessFromIP decides as Cassandra's CassandraCIDRAuthorizer:
//
//   - a role whose permissions do not restrict access is allowed at once
//     in ENFORCE mode;
//   - the address's groups are those of the longest matching CIDR;
//   - MONITOR allows everything, logging at WARN "Role %s accessed from
//     unauthorized IP %s, CIDR group %s" when the address has groups none
//     of which is allowed, else at INFO "Role %s accessed from IP %s, CIDR
//     group %s" (each at most once a minute);
//   - ENFORCE allows only an address with a group the role may use.
//
// Errors: see Permissions, and a failed first load of the group mapping.
func (t *TableCIDR) HasAccessFromIP(ctx context.Context, role string, ip netip.Addr) (bool, error) {
	perms, err := t.Permissions(ctx, role)
	if err != nil {
		return false, err
	}
	return t.HasAccessWith(ctx, perms, role, ip)
}

// HasAccessWith is [TableCIDR.HasAccessFromIP] with role's permissions
// already known, for a caller that keeps them in a cache of its own (the
// root package's CidrPermissionsCache): the decision, the group lookup and
// the MONITOR logging stay here, in one place.
func (t *TableCIDR) HasAccessWith(ctx context.Context, perms CIDRPermissions, role string, ip netip.Addr) (bool, error) {
	if !perms.RestrictsAccess() && t.mode != CIDRMonitor {
		return true, nil
	}
	groups, err := t.LookupCIDRGroupsForIP(ctx, ip)
	if err != nil {
		return false, err
	}
	if t.mode == CIDRMonitor {
		if groups != nil && !perms.CanAccessFrom(groups) {
			t.noSpam(&t.lastWarn, slog.LevelWarn, "Role %s accessed from unauthorized IP %s, CIDR group %s", role, ip, groups)
		} else {
			t.noSpam(&t.lastInfo, slog.LevelInfo, "Role %s accessed from IP %s, CIDR group %s", role, ip, groups)
		}
		return true, nil
	}
	return len(groups) > 0 && perms.CanAccessFrom(groups), nil
}

// noSpam logs Cassandra's MONITOR line at most once a minute per message.
func (t *TableCIDR) noSpam(last *atomic.Int64, level slog.Level, format, role string, ip netip.Addr, groups []string) {
	now := t.now().UnixNano()
	prev := last.Load()
	if prev != 0 && now-prev < int64(time.Minute) || !last.CompareAndSwap(prev, now) {
		return
	}
	g := "null"
	if groups != nil {
		g = javaSet(groups)
	}
	t.log.Log(context.Background(), level, fmt.Sprintf(format, role, JavaHostString(ip), g))
}

// LookupCIDRGroupsForIP returns the groups of the longest CIDR that
// contains ip, sorted, or nil. It loads the mapping on first use, and
// reloads it once it is older than the refresh interval (a failed reload
// keeps the old mapping, logs a warning and is retried after another
// interval). Errors: the store's on the first load.
func (t *TableCIDR) LookupCIDRGroupsForIP(ctx context.Context, ip netip.Addr) ([]string, error) {
	m := t.groups.Load()
	if m == nil {
		if err := t.LoadCIDRGroupsCache(ctx); err != nil {
			return nil, err
		}
		m = t.groups.Load()
	} else if t.refresh > 0 && t.now().UnixNano() >= t.nextReload.Load() && t.reloadMu.TryLock() {
		err := t.load(ctx)
		t.reloadMu.Unlock()
		if err != nil {
			t.log.Warn("authz: reloading CIDR groups failed; using the previous mapping", slog.Any("error", err))
		}
		m = t.groups.Load()
	}
	return slices.Clone(m.Lookup(ip)), nil
}

// LoadCIDRGroupsCache reads every CIDR group from the store and replaces the
// mapping. Errors: the store's, wrapped as a server error; the previous
// mapping stays.
func (t *TableCIDR) LoadCIDRGroupsCache(ctx context.Context) error {
	t.reloadMu.Lock()
	defer t.reloadMu.Unlock()
	return t.load(ctx)
}

// load replaces the mapping; reloadMu is held.
func (t *TableCIDR) load(ctx context.Context) error {
	if t.refresh > 0 {
		t.nextReload.Store(t.now().Add(t.refresh).UnixNano())
	}
	gs, err := t.st.ListCIDRGroups(ctx)
	if err != nil {
		return failure("load CIDR groups", err)
	}
	t.groups.Store(NewCIDRGroupMap(gs))
	return nil
}

// AvailableCIDRGroups returns the names of every CIDR group in the store,
// sorted: what [CIDRPermissions.Validate] checks against. Errors: the
// store's, wrapped as a server error.
func (t *TableCIDR) AvailableCIDRGroups(ctx context.Context) ([]string, error) {
	gs, err := t.st.ListCIDRGroups(ctx)
	if err != nil {
		return nil, failure("list CIDR groups", err)
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	slices.Sort(names)
	return names, nil
}

// UpdateCIDRGroup creates or replaces the CIDR group name (nodetool
// updatecidrgroup) and then reloads the mapping, so that the next check
// sees it (Cassandra waits for reloadcidrgroupscache or the refresh).
// Errors: the store's, wrapped as a server error; a failed reload after a
// successful write is returned too (the write stays).
func (t *TableCIDR) UpdateCIDRGroup(ctx context.Context, name string, cidrs []netip.Prefix) error {
	if err := t.st.SetCIDRGroup(ctx, name, cidrs); err != nil {
		return failure("update CIDR group "+name, err)
	}
	return t.LoadCIDRGroupsCache(ctx)
}

// DropCIDRGroup deletes the CIDR group name (nodetool dropcidrgroup) and
// reloads the mapping. A missing group is a CodeServerError [*roles.Error]
// "CIDR group '<name>' doesn't exists" (Cassandra's text) wrapping
// [store.ErrNotFound]. Other errors as UpdateCIDRGroup.
func (t *TableCIDR) DropCIDRGroup(ctx context.Context, name string) error {
	if err := t.st.DropCIDRGroup(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return roles.Wrap(roles.CodeServerError, err, "CIDR group '"+name+"' doesn't exists")
		}
		return failure("drop CIDR group "+name, err)
	}
	return t.LoadCIDRGroupsCache(ctx)
}

// SetCIDRGroupsForRole stores p for role: ALL as an empty row, a subset as
// its group names. NONE cannot be stored (a CodeInvalid [*roles.Error]).
func (t *TableCIDR) SetCIDRGroupsForRole(ctx context.Context, role string, p CIDRPermissions) error {
	return setCIDRGroups(ctx, t.st, role, p)
}

// DropCIDRPermissionsForRole deletes role's row; no row is a no-op.
func (t *TableCIDR) DropCIDRPermissionsForRole(ctx context.Context, role string) error {
	return dropCIDRGroups(ctx, t.st, role)
}

// InvalidateCIDRPermissionsCache returns (role == "", nil): TableCIDR keeps
// no per-role cache (it reads through), so only the "everything" form
// reports success, as Cassandra's does.
func (t *TableCIDR) InvalidateCIDRPermissionsCache(role string) (bool, error) {
	return role == "", nil
}

// ValidateConfiguration returns nil: NewTableCIDR has checked it.
func (t *TableCIDR) ValidateConfiguration() error { return nil }

// Setup loads the CIDR group mapping, as Cassandra does at startup so that
// the first check does not pay for it. Errors: the store's.
func (t *TableCIDR) Setup(ctx context.Context) error { return t.LoadCIDRGroupsCache(ctx) }
