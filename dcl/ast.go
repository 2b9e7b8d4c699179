package dcl

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Statement is one parsed statement. The concrete types are this package's
// exported statement structs (*CreateRole, *GrantPermissions, ...);
// [Execute] and [ExecuteStatement] run them. String
// renders the statement as CQL that parses back to an equal statement,
// except that passwords are replaced by '*******' (as Cassandra's
// PasswordObfuscator does), so String is safe to log.
//
// Statements are plain values: safe to share between goroutines once
// parsed.
type Statement interface {
	String() string
	// run authorizes, validates and executes the statement, in that
	// order (Cassandra's QueryProcessor).
	run(ctx context.Context, r *runner) (Result, error)
}

// RoleOptions are the options of CREATE/ALTER ROLE and USER.
type RoleOptions struct {
	// Options are the role manager's options. CREATE ROLE fills LOGIN and
	// SUPERUSER with false when absent, CREATE USER sets LOGIN to true and
	// SUPERUSER from SUPERUSER/NOSUPERUSER, as Cassandra's parser does.
	roles.Options
	// GeneratedPassword is the GENERATED PASSWORD option (Cassandra
	// trunk): the password comes from [Env].GeneratePassword.
	GeneratedPassword bool
	// Datacenters is the ACCESS TO [ALL] DATACENTERS clause, nil if absent.
	Datacenters *authz.DCPermissions
	// CIDRs is the ACCESS FROM [ALL] CIDRS clause, nil if absent.
	CIDRs *authz.CIDRPermissions
}

// empty reports whether no option and no clause was given.
func (o RoleOptions) empty() bool {
	return o.Given() == 0 && !o.GeneratedPassword && o.Datacenters == nil && o.CIDRs == nil
}

// roleClauses renders WITH options for ROLE statements.
func (o RoleOptions) roleClauses() string {
	var parts []string
	if o.Password != nil {
		parts = append(parts, "PASSWORD = '"+redacted+"'")
	}
	if o.HashedPassword != nil {
		parts = append(parts, "HASHED PASSWORD = '"+redacted+"'")
	}
	if o.GeneratedPassword {
		parts = append(parts, "GENERATED PASSWORD")
	}
	if o.Login != nil {
		parts = append(parts, "LOGIN = "+strconv.FormatBool(*o.Login))
	}
	if o.Superuser != nil {
		parts = append(parts, "SUPERUSER = "+strconv.FormatBool(*o.Superuser))
	}
	if o.Custom != nil {
		parts = append(parts, "OPTIONS = "+mapLiteral(o.Custom))
	}
	if o.Datacenters != nil {
		if o.Datacenters.IsAll() {
			parts = append(parts, "ACCESS TO ALL DATACENTERS")
		} else {
			parts = append(parts, "ACCESS TO DATACENTERS "+setLiteral(o.Datacenters.Datacenters()))
		}
	}
	if o.CIDRs != nil {
		if o.CIDRs.IsAll() {
			parts = append(parts, "ACCESS FROM ALL CIDRS")
		} else {
			parts = append(parts, "ACCESS FROM CIDRS "+setLiteral(o.CIDRs.Groups()))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " WITH " + strings.Join(parts, " AND ")
}

// userClauses renders the options of USER statements.
func (o RoleOptions) userClauses() string {
	var b strings.Builder
	switch {
	case o.Password != nil:
		b.WriteString(" WITH PASSWORD '" + redacted + "'")
	case o.HashedPassword != nil:
		b.WriteString(" WITH HASHED PASSWORD '" + redacted + "'")
	case o.GeneratedPassword:
		b.WriteString(" WITH GENERATED PASSWORD")
	}
	if o.Superuser != nil {
		if *o.Superuser {
			b.WriteString(" SUPERUSER")
		} else {
			b.WriteString(" NOSUPERUSER")
		}
	}
	return b.String()
}

func mapLiteral(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = quoteString(k) + ": " + quoteString(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func setLiteral(xs []string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = quoteString(x)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func ifNotExists(b bool) string {
	if b {
		return " IF NOT EXISTS"
	}
	return ""
}

func ifExists(b bool) string {
	if b {
		return " IF EXISTS"
	}
	return ""
}

// CreateRole is CREATE ROLE, or CREATE USER when User is set.
type CreateRole struct {
	Name        string
	User        bool
	IfNotExists bool
	Options     RoleOptions
}

// String renders the statement as CQL, passwords redacted.
func (s *CreateRole) String() string {
	if s.User {
		return "CREATE USER" + ifNotExists(s.IfNotExists) + " " + quoteVerbatim(s.Name) + s.Options.userClauses()
	}
	return "CREATE ROLE" + ifNotExists(s.IfNotExists) + " " + quoteRole(s.Name) + s.Options.roleClauses()
}

// AlterRole is ALTER ROLE, or ALTER USER when User is set.
type AlterRole struct {
	Name     string
	User     bool
	IfExists bool
	Options  RoleOptions
}

// String renders the statement as CQL, passwords redacted.
func (s *AlterRole) String() string {
	if s.User {
		return "ALTER USER" + ifExists(s.IfExists) + " " + quoteVerbatim(s.Name) + s.Options.userClauses()
	}
	return "ALTER ROLE" + ifExists(s.IfExists) + " " + quoteRole(s.Name) + s.Options.roleClauses()
}

// DropRole is DROP ROLE, or DROP USER when User is set.
type DropRole struct {
	Name     string
	User     bool
	IfExists bool
}

// String renders the statement as CQL, passwords redacted.
func (s *DropRole) String() string {
	if s.User {
		return "DROP USER" + ifExists(s.IfExists) + " " + quoteVerbatim(s.Name)
	}
	return "DROP ROLE" + ifExists(s.IfExists) + " " + quoteRole(s.Name)
}

// GrantRole is GRANT role TO grantee.
type GrantRole struct {
	Role, Grantee string
}

// String renders the statement as CQL, passwords redacted.
func (s *GrantRole) String() string {
	return "GRANT " + quoteRole(s.Role) + " TO " + quoteRole(s.Grantee)
}

// RevokeRole is REVOKE role FROM revokee.
type RevokeRole struct {
	Role, Revokee string
}

// String renders the statement as CQL, passwords redacted.
func (s *RevokeRole) String() string {
	return "REVOKE " + quoteRole(s.Role) + " FROM " + quoteRole(s.Revokee)
}

// Target is the resource named by GRANT, REVOKE or LIST PERMISSIONS.
type Target struct {
	// Resource is the resource; the zero Resource when a table was
	// named without keyspace (then the session's keyspace completes it,
	// as Cassandra's maybeCorrectResource does).
	Resource resource.Resource
	// Keyspace is the keyspace as written for the keyspace, table and
	// function levels ("" for a table named without keyspace).
	Keyspace string
	// Name is the table or function name as written.
	Name string
	// ArgTypes are a function's argument types as written in CQL
	// (normalised: "frozen<list<int>>", "map<text, int>").
	ArgTypes []string
}

// resolve returns the resource, completing an unqualified table with the
// session keyspace ks.
func (t Target) resolve(ks string) (resource.Resource, error) {
	if !t.Resource.IsZero() {
		return t.Resource, nil
	}
	if ks == "" {
		return resource.Resource{}, invalid("No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename")
	}
	return resource.Table(ks, t.Name), nil
}

// String renders the resource in CQL syntax ("TABLE ks.t", "ALL ROLES").
func (t Target) String() string {
	r := t.Resource
	switch r.Level() {
	case resource.DataRoot:
		return "ALL KEYSPACES"
	case resource.KeyspaceLevel:
		return "KEYSPACE " + quoteIdent(t.Keyspace)
	case resource.AllTablesLevel:
		return "ALL TABLES IN KEYSPACE " + quoteIdent(t.Keyspace)
	case resource.RolesRoot:
		return "ALL ROLES"
	case resource.RoleLevel:
		return "ROLE " + quoteRole(r.RoleName())
	case resource.FunctionsRoot:
		return "ALL FUNCTIONS"
	case resource.FunctionsInLevel:
		return "ALL FUNCTIONS IN KEYSPACE " + quoteIdent(t.Keyspace)
	case resource.FunctionLevel:
		return "FUNCTION " + qualified(t.Keyspace, t.Name) + "(" + strings.Join(t.ArgTypes, ", ") + ")"
	case resource.MBeanRoot:
		return "ALL MBEANS"
	case resource.MBeanLevel:
		if on, err := resource.ParseObjectName(r.ObjectName()); err == nil && on.IsPattern() {
			return "MBEANS " + quoteString(r.ObjectName())
		}
		return "MBEAN " + quoteString(r.ObjectName())
	}
	return "TABLE " + qualified(t.Keyspace, t.Name)
}

// GrantPermissions is GRANT permissions ON resource TO grantee. Permissions
// holds the requested permissions narrowed to those the resource supports
// (spec 3.3); All records GRANT ALL [PERMISSIONS].
type GrantPermissions struct {
	Permissions resource.PermissionSet
	All         bool
	On          Target
	Grantee     string
}

// String renders the statement as CQL, passwords redacted.
func (s *GrantPermissions) String() string {
	return "GRANT " + permissionList(s.All, s.Permissions) + " ON " + s.On.String() + " TO " + quoteRole(s.Grantee)
}

// RevokePermissions is REVOKE permissions ON resource FROM revokee, with
// the permissions narrowed like GrantPermissions.
type RevokePermissions struct {
	Permissions resource.PermissionSet
	All         bool
	On          Target
	Revokee     string
}

// String renders the statement as CQL, passwords redacted.
func (s *RevokePermissions) String() string {
	return "REVOKE " + permissionList(s.All, s.Permissions) + " ON " + s.On.String() + " FROM " + quoteRole(s.Revokee)
}

// ListPermissions is LIST permissions [ON resource] [OF role]
// [NORECURSIVE]. Permissions are not narrowed: ALL is every permission.
type ListPermissions struct {
	Permissions resource.PermissionSet
	All         bool
	On          *Target // nil: every resource
	Of          string
	HasOf       bool
	NoRecursive bool
}

// String renders the statement as CQL, passwords redacted.
func (s *ListPermissions) String() string {
	var b strings.Builder
	b.WriteString("LIST " + permissionList(s.All, s.Permissions))
	if s.On != nil {
		b.WriteString(" ON " + s.On.String())
	}
	if s.HasOf {
		b.WriteString(" OF " + quoteRole(s.Of))
	}
	if s.NoRecursive {
		b.WriteString(" NORECURSIVE")
	}
	return b.String()
}

// ListRoles is LIST ROLES [OF role] [NORECURSIVE].
type ListRoles struct {
	Of          string
	HasOf       bool
	NoRecursive bool
}

// String renders the statement as CQL, passwords redacted.
func (s *ListRoles) String() string {
	out := "LIST ROLES"
	if s.HasOf {
		out += " OF " + quoteRole(s.Of)
	}
	if s.NoRecursive {
		out += " NORECURSIVE"
	}
	return out
}

// ListUsers is LIST USERS.
type ListUsers struct{}

// String renders the statement as CQL, passwords redacted.
func (*ListUsers) String() string { return "LIST USERS" }

// ListSuperusers is LIST SUPERUSERS (Cassandra trunk).
type ListSuperusers struct{}

// String renders the statement as CQL, passwords redacted.
func (*ListSuperusers) String() string { return "LIST SUPERUSERS" }

// AddIdentity is ADD IDENTITY [IF NOT EXISTS] identity TO ROLE role.
// Identity and role are taken verbatim (no case folding), as in Cassandra.
type AddIdentity struct {
	Identity    string
	Role        string
	IfNotExists bool
}

// String renders the statement as CQL, passwords redacted.
func (s *AddIdentity) String() string {
	return "ADD IDENTITY" + ifNotExists(s.IfNotExists) + " " + quoteVerbatim(s.Identity) + " TO ROLE " + quoteVerbatim(s.Role)
}

// DropIdentity is DROP IDENTITY [IF EXISTS] identity.
type DropIdentity struct {
	Identity string
	IfExists bool
}

// String renders the statement as CQL, passwords redacted.
func (s *DropIdentity) String() string {
	return "DROP IDENTITY" + ifExists(s.IfExists) + " " + quoteVerbatim(s.Identity)
}
