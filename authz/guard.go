package authz

import (
	"context"
	"strings"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// EnsureData is Cassandra's data-resource check (ensureKeyspacePermission,
// ensureAllTablesPermission, ensureTablePermission and
// ensureAllKeyspacesPermission, spec 3.4 and 10.6). In order:
//
//  1. a keyspace, all-tables or table resource with an empty keyspace:
//     CodeInvalid "You have not set a keyspace for this session";
//  2. [roles.System] (an internal client state): allowed;
//  3. the zero User: "You have not logged in" (the datacenter and CIDR
//     checks of [Checker.ValidateLogin] need the session's datacenter and
//     address, so the session layer runs ValidateLogin first);
//  4. below the data root, for CREATE, ALTER and DROP: a local system
//     keyspace (system, system_schema, system_views,
//     system_virtual_schema, compared lower-cased) gives "<ks> keyspace is
//     not user-modifiable."; a replicated system keyspace (system_auth,
//     system_traces, system_distributed, system_cluster_metadata) allows
//     only ALTER of the keyspace itself, else "Cannot <PERM> <resource>";
//  5. SELECT on an always-readable system table (system.local,
//     system.peers, system.peers_v2, any table of system_schema or
//     system_virtual_schema): allowed;
//  6. CREATE, ALTER or DROP on a protected resource
//     ([CheckerConfig.Protected]): "<resource> schema is protected";
//  7. [Checker.Ensure].
//
// Steps 4 to 6 run even when the authorizer does not require
// authorization. Denials are CodeUnauthorized [*roles.Error] values
// wrapping [ErrDenied]. A resource that is not a data resource returns
// [ErrInvalidResource].
func (c *Checker) EnsureData(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) error {
	g := c.dataGuard(user, p, r)
	switch g.verdict {
	case guardAllow:
		return nil
	case guardDeny:
		return g.err
	}
	return c.Ensure(ctx, user, p, r)
}

type guardVerdict uint8

const (
	guardContinue guardVerdict = iota // no guard decided: run the access check
	guardAllow
	guardDeny
)

// guardResult is the outcome of the data guards: a verdict, the reason,
// and for a denial the error.
type guardResult struct {
	verdict guardVerdict
	reason  Reason
	err     error
}

// dataGuard runs steps 1 to 6 of EnsureData.
func (c *Checker) dataGuard(user roles.User, p resource.Permission, r resource.Resource) guardResult {
	switch r.Level() {
	case resource.DataRoot:
	case resource.KeyspaceLevel, resource.AllTablesLevel, resource.TableLevel:
		if r.Keyspace() == "" {
			return guardResult{guardDeny, ReasonNoKeyspace,
				roles.Wrap(roles.CodeInvalid, ErrDenied, "You have not set a keyspace for this session")}
		}
	default:
		return guardResult{guardDeny, "", roles.Wrap(roles.CodeServerError, ErrInvalidResource,
			"authz: a data resource is required, got "+r.String())}
	}
	if user.IsSystem() {
		return guardResult{verdict: guardAllow, reason: ReasonSystemUser}
	}
	if user.IsZero() {
		return guardResult{guardDeny, ReasonNotLoggedIn, denied("You have not logged in")}
	}
	if r.Level() == resource.DataRoot {
		return guardResult{}
	}
	ks := r.Keyspace()
	if p == resource.Create || p == resource.Alter || p == resource.Drop {
		if IsLocalSystemKeyspace(ks) {
			return guardResult{guardDeny, ReasonSystemKeyspace, denied("%s keyspace is not user-modifiable.", ks)}
		}
		if IsReplicatedSystemKeyspace(ks) && !(p == resource.Alter && r.Level() == resource.KeyspaceLevel) {
			return guardResult{guardDeny, ReasonSystemKeyspace, denied("Cannot %s %s", p, r)}
		}
	}
	if p == resource.Select && IsAlwaysReadable(r) {
		return guardResult{verdict: guardAllow, reason: ReasonAlwaysReadable}
	}
	if p == resource.Create || p == resource.Alter || p == resource.Drop {
		if _, ok := c.protected[r]; ok {
			return guardResult{guardDeny, ReasonProtected, denied("%s schema is protected", r)}
		}
	}
	return guardResult{}
}

// IsLocalSystemKeyspace reports whether ks is one of Cassandra's local
// system keyspaces, whose schema no one may change: system, system_schema
// and the virtual system_views and system_virtual_schema (compared
// lower-cased, as Cassandra does).
func IsLocalSystemKeyspace(ks string) bool {
	switch strings.ToLower(ks) {
	case "system", "system_schema", "system_views", "system_virtual_schema":
		return true
	}
	return false
}

// IsReplicatedSystemKeyspace reports whether ks is one of Cassandra's
// replicated system keyspaces, of which only the replication may be
// altered: system_auth, system_traces, system_distributed and
// system_cluster_metadata (compared lower-cased).
func IsReplicatedSystemKeyspace(ks string) bool {
	switch strings.ToLower(ks) {
	case "system_auth", "system_traces", "system_distributed", "system_cluster_metadata":
		return true
	}
	return false
}

// IsAlwaysReadable reports whether any logged-in user may SELECT from r
// without a grant (spec 10.6): the tables system.local, system.peers and
// system.peers_v2, and every table of system_schema and
// system_virtual_schema.
func IsAlwaysReadable(r resource.Resource) bool {
	if r.Level() != resource.TableLevel {
		return false
	}
	switch r.Keyspace() {
	case "system":
		switch r.Table() {
		case "local", "peers", "peers_v2":
			return true
		}
	case "system_schema", "system_virtual_schema":
		return true
	}
	return false
}
