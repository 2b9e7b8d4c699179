package authz

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// NetworkAuthorizer is Cassandra's INetworkAuthorizer (spec 1.8): the
// datacenters a role may use. Enforcement is per request, in
// [Checker.ValidateLogin], not at login. Implementations are safe for
// concurrent use; an Authorize error means "could not decide" and callers
// fail closed.
type NetworkAuthorizer interface {
	// RequireAuthorization reports whether restrictions are enforced.
	RequireAuthorization() bool
	// Authorize returns the datacenters role may use.
	Authorize(ctx context.Context, role string) (DCPermissions, error)
	// SetRoleDatacenters stores role's restriction (ALL stores "no
	// restriction").
	SetRoleDatacenters(ctx context.Context, role string, p DCPermissions) error
	// Drop deletes role's restriction (DROP ROLE).
	Drop(ctx context.Context, role string) error
	// ValidateConfiguration checks the configuration.
	ValidateConfiguration() error
	// Setup runs once at startup.
	Setup(ctx context.Context) error
}

// DCPermissions is the set of datacenters a role may use (Cassandra's
// DCPermissions): all of them, none, or a subset. The zero value is NONE.
// It is immutable and safe to share.
type DCPermissions struct {
	all bool
	dcs []string // sorted, without duplicates; nil for ALL and NONE
}

// AllDatacenters returns the permission to use every datacenter.
func AllDatacenters() DCPermissions { return DCPermissions{all: true} }

// NoDatacenters returns the permission to use none (a role without LOGIN).
func NoDatacenters() DCPermissions { return DCPermissions{} }

// DatacenterSubset returns the permission to use the named datacenters.
// Like Cassandra's builder, an empty list means ALL.
func DatacenterSubset(dcs ...string) DCPermissions {
	if len(dcs) == 0 {
		return AllDatacenters()
	}
	return DCPermissions{dcs: sortedSet(dcs)}
}

// CanAccess reports whether dc may be used.
func (p DCPermissions) CanAccess(dc string) bool {
	if p.all {
		return true
	}
	_, ok := slices.BinarySearch(p.dcs, dc)
	return ok
}

// RestrictsAccess reports whether p is not ALL.
func (p DCPermissions) RestrictsAccess() bool { return !p.all }

// IsAll reports whether p allows every datacenter.
func (p DCPermissions) IsAll() bool { return p.all }

// IsNone reports whether p allows no datacenter.
func (p DCPermissions) IsNone() bool { return !p.all && len(p.dcs) == 0 }

// Datacenters returns the allowed datacenters, sorted, for a subset; nil
// for ALL and NONE. The caller may modify the result.
func (p DCPermissions) Datacenters() []string { return slices.Clone(p.dcs) }

// Equal reports whether p and q allow the same datacenters.
func (p DCPermissions) Equal(q DCPermissions) bool {
	return p.all == q.all && slices.Equal(p.dcs, q.dcs)
}

// String returns Cassandra's form: "ALL", "n/a" for NONE, or the names
// joined by ", " (sorted; Cassandra prints them in hash-set order).
func (p DCPermissions) String() string {
	switch {
	case p.all:
		return "ALL"
	case len(p.dcs) == 0:
		return "n/a"
	}
	return strings.Join(p.dcs, ", ")
}

// Validate checks a subset against the datacenters the cluster knows and
// returns a CodeInvalid [*roles.Error] "Invalid value(s) for DATACENTERS
// '[a, b]',All values must be valid datacenters" (the whole requested set,
// Cassandra's text with its missing space) if one is unknown. ALL and NONE
// are always valid.
func (p DCPermissions) Validate(known []string) error {
	for _, dc := range p.dcs {
		if !slices.Contains(known, dc) {
			return roles.Errorf(roles.CodeInvalid,
				"Invalid value(s) for DATACENTERS '%s',All values must be valid datacenters", javaSet(p.dcs))
		}
	}
	return nil
}

// DCPermissionsBuilder collects ACCESS TO DATACENTERS clauses as the
// statement parser reads them (Cassandra's DCPermissions.Builder). The zero
// value is empty; Build on an empty builder gives ALL. Not safe for
// concurrent use.
type DCPermissionsBuilder struct {
	all, modified bool
	dcs           []string
}

// Add adds one datacenter. After All it returns a CodeInvalid
// [*roles.Error] "All has been set".
func (b *DCPermissionsBuilder) Add(dc string) error {
	if b.all {
		return roles.Errorf(roles.CodeInvalid, "All has been set")
	}
	b.dcs = append(b.dcs, dc)
	b.modified = true
	return nil
}

// All asks for every datacenter. After Add it returns a CodeInvalid
// [*roles.Error] "DCs have already been set".
func (b *DCPermissionsBuilder) All() error {
	if len(b.dcs) > 0 {
		return roles.Errorf(roles.CodeInvalid, "DCs have already been set")
	}
	b.all, b.modified = true, true
	return nil
}

// Modified reports whether Add or All was called (a clause was given).
func (b *DCPermissionsBuilder) Modified() bool { return b.modified }

// Build returns the permissions collected.
func (b *DCPermissionsBuilder) Build() DCPermissions {
	if b.all || len(b.dcs) == 0 {
		return AllDatacenters()
	}
	return DatacenterSubset(b.dcs...)
}

// AllowAllNetwork is Cassandra's AllowAllNetworkAuthorizer: no datacenter
// restriction. The zero value is ready to use and safe for concurrent use.
type AllowAllNetwork struct{}

var _ NetworkAuthorizer = AllowAllNetwork{}

// RequireAuthorization returns false.
func (AllowAllNetwork) RequireAuthorization() bool { return false }

// Authorize returns ALL.
func (AllowAllNetwork) Authorize(context.Context, string) (DCPermissions, error) {
	return AllDatacenters(), nil
}

// SetRoleDatacenters fails with a CodeInvalid [*roles.Error] "ACCESS TO
// DATACENTERS operations not supported by AllowAllNetworkAuthorizer"
// wrapping [ErrUnsupported].
func (AllowAllNetwork) SetRoleDatacenters(context.Context, string, DCPermissions) error {
	return unsupportedInvalid("ACCESS TO DATACENTERS operations not supported by AllowAllNetworkAuthorizer")
}

// Drop does nothing.
func (AllowAllNetwork) Drop(context.Context, string) error { return nil }

// ValidateConfiguration returns nil.
func (AllowAllNetwork) ValidateConfiguration() error { return nil }

// Setup does nothing.
func (AllowAllNetwork) Setup(context.Context) error { return nil }

// NetworkConfig configures [NewTableNetwork].
type NetworkConfig struct {
	// Store holds network_permissions. Required; a [store.Store]
	// satisfies it.
	Store store.Network
	// Roles gives LOGIN and superuser status. Required.
	Roles roles.Manager
}

// TableNetwork is Cassandra's CassandraNetworkAuthorizer over the
// network_permissions table of a [store.Network]. It caches nothing and is
// safe for concurrent use.
type TableNetwork struct {
	st    store.Network
	roles roles.Manager
}

var _ NetworkAuthorizer = (*TableNetwork)(nil)

// NewTableNetwork returns the table-backed network authorizer, or a
// CodeConfigError [*roles.Error] if cfg.Store or cfg.Roles is nil.
func NewTableNetwork(cfg NetworkConfig) (*TableNetwork, error) {
	if cfg.Store == nil || cfg.Roles == nil {
		return nil, roles.Errorf(roles.CodeConfigError, "authz: NetworkConfig.Store and Roles are required")
	}
	return &TableNetwork{st: cfg.Store, roles: cfg.Roles}, nil
}

// RequireAuthorization returns true.
func (t *TableNetwork) RequireAuthorization() bool { return true }

// Authorize returns NONE for a role without LOGIN (or that does not
// exist), ALL for a role with superuser status (inherited counts), ALL when
// the role has no row or an empty one, else the stored subset. A failure
// of the role manager or store is a CodeUnauthorized [*roles.Error]
// wrapping [ErrUndecided] and the cause.
func (t *TableNetwork) Authorize(ctx context.Context, role string) (DCPermissions, error) {
	details, err := t.roles.RoleDetails(ctx, role)
	if err != nil {
		return DCPermissions{}, undecidedMsg(err, "Unable to perform authorization of datacenter access")
	}
	if len(details) == 0 || !details[0].CanLogin {
		return NoDatacenters(), nil
	}
	for i := range details {
		if details[i].IsSuperuser {
			return AllDatacenters(), nil
		}
	}
	dcs, err := t.st.GetDatacenters(ctx, role)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return AllDatacenters(), nil
	case err != nil:
		return DCPermissions{}, undecidedMsg(err, "Unable to perform authorization of datacenter access")
	}
	return DatacenterSubset(dcs...), nil
}

// SetRoleDatacenters stores p for role: ALL as an empty row, a subset as
// its names. NONE cannot be stored (it is derived from LOGIN): a CodeInvalid
// [*roles.Error]. Store failures are returned wrapped as server errors.
func (t *TableNetwork) SetRoleDatacenters(ctx context.Context, role string, p DCPermissions) error {
	if p.IsNone() {
		return roles.Errorf(roles.CodeInvalid, "authz: NONE cannot be stored as datacenter permissions")
	}
	if err := t.st.SetDatacenters(ctx, role, p.Datacenters()); err != nil {
		return failure("set datacenters of "+role, err)
	}
	return nil
}

// Drop deletes role's row; no row is a no-op.
func (t *TableNetwork) Drop(ctx context.Context, role string) error {
	if err := t.st.DropDatacenters(ctx, role); err != nil {
		return failure("drop datacenters of "+role, err)
	}
	return nil
}

// ValidateConfiguration returns nil: NewTableNetwork has checked it.
func (t *TableNetwork) ValidateConfiguration() error { return nil }

// Setup does nothing.
func (t *TableNetwork) Setup(context.Context) error { return nil }

// sortedSet returns the distinct strings of s, sorted.
func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// javaSet prints names as Java prints a set: "[a, b]".
func javaSet(names []string) string { return "[" + strings.Join(names, ", ") + "]" }
