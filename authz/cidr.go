package authz

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// CIDRAuthorizer is Cassandra's ICIDRAuthorizer (spec 1.9): the CIDR
// groups a role may connect from. Enforcement is per request, in
// [Checker.ValidateLogin]. Implementations are safe for concurrent use; a
// HasAccessFromIP error means "could not decide" and callers fail closed.
type CIDRAuthorizer interface {
	// RequireAuthorization reports whether restrictions are enforced.
	RequireAuthorization() bool
	// HasAccessFromIP reports whether role may connect from ip.
	HasAccessFromIP(ctx context.Context, role string, ip netip.Addr) (bool, error)
	// SetCIDRGroupsForRole stores role's restriction (ALL stores "no
	// restriction").
	SetCIDRGroupsForRole(ctx context.Context, role string, p CIDRPermissions) error
	// DropCIDRPermissionsForRole deletes role's restriction (DROP ROLE).
	DropCIDRPermissionsForRole(ctx context.Context, role string) error
	// InvalidateCIDRPermissionsCache drops cached permissions of role
	// (of every role for "") and reports whether anything was dropped.
	InvalidateCIDRPermissionsCache(role string) (bool, error)
	// LoadCIDRGroupsCache reloads the CIDR group mapping from the store.
	LoadCIDRGroupsCache(ctx context.Context) error
	// LookupCIDRGroupsForIP returns the groups of the longest CIDR
	// matching ip, sorted; nil if none matches.
	LookupCIDRGroupsForIP(ctx context.Context, ip netip.Addr) ([]string, error)
	// ValidateConfiguration checks the configuration.
	ValidateConfiguration() error
	// Setup runs once at startup.
	Setup(ctx context.Context) error
}

// CIDRMode is Cassandra's CIDRAuthorizerMode.
type CIDRMode uint8

// The CIDR authorizer modes. The zero value is MONITOR, Cassandra's
// default.
const (
	// CIDRMonitor allows every connection and logs those a restriction
	// would refuse.
	CIDRMonitor CIDRMode = iota
	// CIDREnforce refuses connections from outside a role's CIDR groups.
	CIDREnforce
)

// String returns "MONITOR" or "ENFORCE".
func (m CIDRMode) String() string {
	if m == CIDREnforce {
		return "ENFORCE"
	}
	return "MONITOR"
}

// ParseCIDRMode parses cidr_authorizer_mode, case-insensitive as Cassandra
// upper-cases it. Anything else is a CodeConfigError [*roles.Error].
func ParseCIDRMode(s string) (CIDRMode, error) {
	switch strings.ToUpper(s) {
	case "MONITOR":
		return CIDRMonitor, nil
	case "ENFORCE":
		return CIDREnforce, nil
	}
	return 0, roles.Errorf(roles.CodeConfigError, "authz: invalid cidr_authorizer_mode %q (MONITOR or ENFORCE)", s)
}

// CIDRPermissions is the set of CIDR groups a role may connect from
// (Cassandra's CIDRPermissions): all, none, or a subset. The zero value is
// NONE. It is immutable and safe to share.
type CIDRPermissions struct {
	all    bool
	groups []string // sorted, distinct; nil for ALL and NONE
}

// AllCIDRGroups returns the permission to connect from anywhere.
func AllCIDRGroups() CIDRPermissions { return CIDRPermissions{all: true} }

// NoCIDRGroups returns the permission to connect from nowhere (a role
// without LOGIN).
func NoCIDRGroups() CIDRPermissions { return CIDRPermissions{} }

// CIDRGroupSubset returns the permission to connect from the named groups.
// Like Cassandra's builder, an empty list means ALL.
func CIDRGroupSubset(groups ...string) CIDRPermissions {
	if len(groups) == 0 {
		return AllCIDRGroups()
	}
	return CIDRPermissions{groups: sortedSet(groups)}
}

// CanAccessFrom reports whether a connection whose address belongs to
// groups is allowed: ALL always, NONE never, a subset if it shares a group
// with groups.
func (p CIDRPermissions) CanAccessFrom(groups []string) bool {
	if p.all {
		return true
	}
	for _, g := range groups {
		if _, ok := slices.BinarySearch(p.groups, g); ok {
			return true
		}
	}
	return false
}

// RestrictsAccess reports whether p is not ALL.
func (p CIDRPermissions) RestrictsAccess() bool { return !p.all }

// IsAll reports whether p allows every address.
func (p CIDRPermissions) IsAll() bool { return p.all }

// IsNone reports whether p allows no address.
func (p CIDRPermissions) IsNone() bool { return !p.all && len(p.groups) == 0 }

// Groups returns the allowed groups, sorted, for a subset; nil for ALL and
// NONE. The caller may modify the result.
func (p CIDRPermissions) Groups() []string { return slices.Clone(p.groups) }

// Equal reports whether p and q allow the same groups.
func (p CIDRPermissions) Equal(q CIDRPermissions) bool {
	return p.all == q.all && slices.Equal(p.groups, q.groups)
}

// String returns Cassandra's form: "ALL", "n/a" for NONE, or the group
// names joined by ", " (sorted).
func (p CIDRPermissions) String() string {
	switch {
	case p.all:
		return "ALL"
	case len(p.groups) == 0:
		return "n/a"
	}
	return strings.Join(p.groups, ", ")
}

// Validate checks a subset against the groups that exist and returns a
// CodeInvalid [*roles.Error] "Invalid CIDR group(s): [a, b]. Available
// CIDR Groups are: [c, d]" (both sets sorted) if one is unknown. ALL is
// always valid; NONE is not a value a statement can ask for and is
// refused.
func (p CIDRPermissions) Validate(available []string) error {
	if p.IsNone() {
		return roles.Errorf(roles.CodeInvalid, "authz: NONE is not a valid CIDR restriction")
	}
	for _, g := range p.groups {
		if !slices.Contains(available, g) {
			return roles.Errorf(roles.CodeInvalid, "Invalid CIDR group(s): %s. Available CIDR Groups are: %s",
				javaSet(p.groups), javaSet(sortedSet(available)))
		}
	}
	return nil
}

// CIDRPermissionsBuilder collects ACCESS FROM CIDRS clauses as the parser
// reads them (Cassandra's CIDRPermissions.Builder). The zero value is
// empty; Build on an empty builder gives ALL. Not safe for concurrent use.
type CIDRPermissionsBuilder struct {
	all, modified bool
	groups        []string
}

// Add adds one group. After All it returns a CodeInvalid [*roles.Error]
// "All has been set".
func (b *CIDRPermissionsBuilder) Add(group string) error {
	if b.all {
		return roles.Errorf(roles.CodeInvalid, "All has been set")
	}
	b.groups = append(b.groups, group)
	b.modified = true
	return nil
}

// All asks for every group. After Add it returns a CodeInvalid
// [*roles.Error] "CIDR Groups have already been set".
func (b *CIDRPermissionsBuilder) All() error {
	if len(b.groups) > 0 {
		return roles.Errorf(roles.CodeInvalid, "CIDR Groups have already been set")
	}
	b.all, b.modified = true, true
	return nil
}

// Modified reports whether Add or All was called (a clause was given).
func (b *CIDRPermissionsBuilder) Modified() bool { return b.modified }

// Build returns the permissions collected.
func (b *CIDRPermissionsBuilder) Build() CIDRPermissions {
	if b.all || len(b.groups) == 0 {
		return AllCIDRGroups()
	}
	return CIDRGroupSubset(b.groups...)
}

// AllowAllCIDR is Cassandra's AllowAllCIDRAuthorizer: every address may
// connect. Like Cassandra's, it still writes and deletes cidr_permissions
// rows when Store is set, so that restrictions given while CIDR
// authorization is off take effect once it is turned on; with a nil Store
// those calls do nothing. Safe for concurrent use.
type AllowAllCIDR struct {
	// Store receives cidr_permissions writes; nil discards them.
	Store store.CIDR
}

var _ CIDRAuthorizer = AllowAllCIDR{}

// RequireAuthorization returns false.
func (AllowAllCIDR) RequireAuthorization() bool { return false }

// HasAccessFromIP returns true.
func (AllowAllCIDR) HasAccessFromIP(context.Context, string, netip.Addr) (bool, error) {
	return true, nil
}

// SetCIDRGroupsForRole stores p as [TableCIDR.SetCIDRGroupsForRole] does,
// if Store is set.
func (a AllowAllCIDR) SetCIDRGroupsForRole(ctx context.Context, role string, p CIDRPermissions) error {
	if a.Store == nil {
		return nil
	}
	return setCIDRGroups(ctx, a.Store, role, p)
}

// DropCIDRPermissionsForRole deletes role's row, if Store is set.
func (a AllowAllCIDR) DropCIDRPermissionsForRole(ctx context.Context, role string) error {
	if a.Store == nil {
		return nil
	}
	return dropCIDRGroups(ctx, a.Store, role)
}

// InvalidateCIDRPermissionsCache fails with a CodeInvalid [*roles.Error]
// "Invalidate CIDR permissions cache operation not supported by
// AllowAllCIDRAuthorizer" wrapping [ErrUnsupported].
func (AllowAllCIDR) InvalidateCIDRPermissionsCache(string) (bool, error) {
	return false, unsupportedInvalid("Invalidate CIDR permissions cache operation not supported by AllowAllCIDRAuthorizer")
}

// LoadCIDRGroupsCache fails with "Load CIDR groups cache operation not
// supported by AllowAllCIDRAuthorizer", like InvalidateCIDRPermissionsCache.
func (AllowAllCIDR) LoadCIDRGroupsCache(context.Context) error {
	return unsupportedInvalid("Load CIDR groups cache operation not supported by AllowAllCIDRAuthorizer")
}

// LookupCIDRGroupsForIP fails with "'Get CIDR groups for IP' operation not
// supported by AllowAllCIDRAuthorizer", like InvalidateCIDRPermissionsCache.
func (AllowAllCIDR) LookupCIDRGroupsForIP(context.Context, netip.Addr) ([]string, error) {
	return nil, unsupportedInvalid("'Get CIDR groups for IP' operation not supported by AllowAllCIDRAuthorizer")
}

// ValidateConfiguration returns nil.
func (AllowAllCIDR) ValidateConfiguration() error { return nil }

// Setup does nothing.
func (AllowAllCIDR) Setup(context.Context) error { return nil }

// setCIDRGroups writes a role's row: ALL as an empty set, a subset as its
// names; NONE cannot be written (Cassandra throws).
func setCIDRGroups(ctx context.Context, st store.CIDR, role string, p CIDRPermissions) error {
	if p.IsNone() {
		return roles.Errorf(roles.CodeInvalid, "authz: NONE cannot be stored as CIDR permissions")
	}
	if err := st.SetCIDRPermissions(ctx, role, p.Groups()); err != nil {
		return failure("set CIDR permissions of "+role, err)
	}
	return nil
}

func dropCIDRGroups(ctx context.Context, st store.CIDR, role string) error {
	if err := st.DropCIDRPermissions(ctx, role); err != nil {
		return failure("drop CIDR permissions of "+role, err)
	}
	return nil
}

// JavaHostString formats an address as Java's InetAddress.getHostAddress
// does, which Cassandra puts in "You do not have access from this IP %s":
// IPv4 (and IPv4-mapped IPv6) dotted, other IPv6 addresses as eight
// lower-case hex groups without zero compression ("0:0:0:0:0:0:0:1"),
// followed by "%zone" if there is one. An invalid address gives
// "invalid IP".
func JavaHostString(a netip.Addr) string {
	switch {
	case a.Is4() || a.Is4In6():
		return a.Unmap().String()
	case !a.Is6():
		return a.String()
	}
	b := a.As16()
	var sb strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(strconv.FormatUint(uint64(b[i])<<8|uint64(b[i+1]), 16))
	}
	if z := a.Zone(); z != "" {
		sb.WriteString("%" + z)
	}
	return sb.String()
}
