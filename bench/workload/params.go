package workload

import (
	"errors"
	"fmt"

	"github.com/cassauth/cassauth/resource"
)

// Permissions are the permissions the workload grants and asks about, in
// Cassandra's declaration order.
var Permissions = [...]resource.Permission{
	resource.Create, resource.Alter, resource.Drop,
	resource.Select, resource.Modify, resource.Authorize,
}

// PermissionSet is Permissions as a set.
const PermissionSet = resource.PermissionSet(1<<resource.Create | 1<<resource.Alter | 1<<resource.Drop |
	1<<resource.Select | 1<<resource.Modify | 1<<resource.Authorize)

// ErrInvalidParams is wrapped by the error Params.Validate returns.
var ErrInvalidParams = errors.New("workload: invalid parameters")

// Params describes a generated policy. The zero value of every field but
// Roles means the default documented on it.
type Params struct {
	// Roles is R, the number of roles. Required, at least Depth.
	Roles int
	// Depth is D, the number of layers of the role hierarchy: a user (a
	// role of layer 0) inherits, transitively, one or more roles of each
	// of the D-1 layers above. 1 is a flat policy. Zero means 5.
	Depth int
	// ExtraParent is the probability that a role below the top layer
	// inherits a second role of the next layer, which makes the hierarchy
	// a DAG and closures wider than Depth. Zero means 0.2; negative means
	// none.
	ExtraParent float64
	// Keyspaces is K; zero means 100.
	Keyspaces int
	// Tables is T, the tables per keyspace; zero means 20.
	Tables int
	// GrantsPerRole sets the number of grants (distinct (role, resource)
	// rows, each holding one or more permissions) to GrantsPerRole*Roles.
	// Zero means 2.
	GrantsPerRole float64
	// SuperRoles is the number of superuser roles, taken from the top
	// layer. Zero means one per thousand roles, at least one; negative
	// means none.
	SuperRoles int
	// Seed makes generation deterministic.
	Seed uint64
}

// WithDefaults returns p with its zero fields replaced by their defaults.
func (p Params) WithDefaults() Params {
	if p.Depth == 0 {
		p.Depth = 5
	}
	if p.ExtraParent == 0 {
		p.ExtraParent = 0.2
	} else if p.ExtraParent < 0 {
		p.ExtraParent = 0
	}
	if p.Keyspaces == 0 {
		p.Keyspaces = 100
	}
	if p.Tables == 0 {
		p.Tables = 20
	}
	if p.GrantsPerRole == 0 {
		p.GrantsPerRole = 2
	}
	if p.SuperRoles == 0 {
		p.SuperRoles = max(1, p.Roles/1000)
	} else if p.SuperRoles < 0 {
		p.SuperRoles = 0
	}
	return p
}

// Validate checks p after defaults are applied; errors wrap
// ErrInvalidParams.
func (p Params) Validate() error {
	p = p.WithDefaults()
	switch {
	case p.Roles < 1:
		return fmt.Errorf("%w: Roles %d < 1", ErrInvalidParams, p.Roles)
	case p.Depth < 1 || p.Depth > p.Roles:
		return fmt.Errorf("%w: Depth %d not in [1, Roles]", ErrInvalidParams, p.Depth)
	case p.ExtraParent > 1:
		return fmt.Errorf("%w: ExtraParent %g > 1", ErrInvalidParams, p.ExtraParent)
	case p.Keyspaces < 1 || p.Tables < 1:
		return fmt.Errorf("%w: Keyspaces and Tables must be positive", ErrInvalidParams)
	case p.GrantsPerRole < 0:
		return fmt.Errorf("%w: GrantsPerRole %g < 0", ErrInvalidParams, p.GrantsPerRole)
	case float64(p.Grants()) > float64(p.Roles)*float64(p.resources())/2:
		return fmt.Errorf("%w: %d grants do not fit %d roles x %d resources", ErrInvalidParams,
			p.Grants(), p.Roles, p.resources())
	case p.SuperRoles > p.layerSize(p.Depth-1):
		return fmt.Errorf("%w: %d superusers, the top layer has %d roles", ErrInvalidParams,
			p.SuperRoles, p.layerSize(p.Depth-1))
	}
	return nil
}

// Grants returns the number of grant rows the policy holds.
func (p Params) Grants() int {
	p = p.WithDefaults()
	return int(p.GrantsPerRole * float64(p.Roles))
}

// String names the shape for reports: "R=10k D=5 G=20k".
func (p Params) String() string {
	p = p.WithDefaults()
	return fmt.Sprintf("R=%s D=%d G=%s", Count(p.Roles), p.Depth, Count(p.Grants()))
}

// resources is the number of data resources: the root, and per keyspace
// the keyspace, its all-tables resource and its tables.
func (p Params) resources() int { return 1 + p.Keyspaces*(p.Tables+2) }

// layerSize is the number of roles i < Roles with i % Depth == l.
func (p Params) layerSize(l int) int { return (p.Roles - l + p.Depth - 1) / p.Depth }

// Count formats n compactly: 999, 1k, 10k, 1.5M.
func Count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1_000 && n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	case n >= 1_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
