package resource

import (
	"strings"
)

// Level is the kind of a resource: which level of which tree it sits on.
type Level uint8

// The resource levels of Cassandra's four resource trees (spec 4.1). The zero
// Level is invalid, so the zero [Resource] is not a resource.
const (
	Invalid          Level = iota
	DataRoot               // data: all keyspaces
	KeyspaceLevel          // data/ks
	AllTablesLevel         // data/ks/*: all tables in a keyspace (4.1+)
	TableLevel             // data/ks/t
	RolesRoot              // roles: all roles
	RoleLevel              // roles/r
	FunctionsRoot          // functions: all functions
	FunctionsInLevel       // functions/ks: all functions in a keyspace
	FunctionLevel          // functions/ks/f[types]
	MBeanRoot              // mbean: all MBeans
	MBeanLevel             // mbean/<canonical ObjectName>, a name or a pattern
)

var levelNames = [...]string{
	Invalid: "INVALID", DataRoot: "ROOT", KeyspaceLevel: "KEYSPACE", AllTablesLevel: "ALL_TABLES",
	TableLevel: "TABLE", RolesRoot: "ROOT", RoleLevel: "ROLE", FunctionsRoot: "ROOT",
	FunctionsInLevel: "KEYSPACE", FunctionLevel: "FUNCTION", MBeanRoot: "ROOT", MBeanLevel: "MBEAN",
}

// String returns Cassandra's name of the level within its tree ("ROOT",
// "KEYSPACE", "TABLE", ...), as used in its error messages.
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "INVALID"
}

// Kind names the tree a level belongs to, as Cassandra's Java class name
// ("DataResource", "RoleResource", "FunctionResource", "JMXResource"), which
// appears in the message of a GRANT that no permission applies to.
func (l Level) Kind() string {
	switch l {
	case DataRoot, KeyspaceLevel, AllTablesLevel, TableLevel:
		return "DataResource"
	case RolesRoot, RoleLevel:
		return "RoleResource"
	case FunctionsRoot, FunctionsInLevel, FunctionLevel:
		return "FunctionResource"
	case MBeanRoot, MBeanLevel:
		return "JMXResource"
	}
	return "InvalidResource"
}

// Resource is a node of one of Cassandra's resource trees: data, roles,
// functions or mbean. It is an immutable, comparable value: use it directly as
// a map key. [Resource.Name], [Resource.Parent] and [Resource.Applicable] do
// not allocate. The zero Resource is invalid ([Resource.IsZero]).
//
// Build resources with the constructors ([Keyspace], [Table], [Role], ...) or
// with [Parse] from a canonical name.
type Resource struct {
	level Level
	name  string // canonical internal name, e.g. "data/ks/t"
	// aux holds precomputed data the level needs without allocating:
	// for a table, the name of its all-tables parent ("data/ks/*").
	aux string
}

// Roots of the four trees.
var (
	// AllKeyspaces is the data root, "data", displayed "<all keyspaces>".
	AllKeyspaces = Resource{level: DataRoot, name: "data"}
	// AllRoles is the roles root, "roles", displayed "<all roles>".
	AllRoles = Resource{level: RolesRoot, name: "roles"}
	// AllFunctions is the functions root, "functions", displayed "<all functions>".
	AllFunctions = Resource{level: FunctionsRoot, name: "functions"}
	// AllMBeans is the mbean root, "mbean", displayed "<all mbeans>".
	AllMBeans = Resource{level: MBeanRoot, name: "mbean"}
)

// Keyspace returns the data resource of keyspace ks ("data/ks"). ks is used
// verbatim (the schema name); it must be non-empty and must not contain '/'
// for the name to parse back.
func Keyspace(ks string) Resource {
	return Resource{level: KeyspaceLevel, name: "data/" + ks}
}

// AllTables returns the resource of all tables in keyspace ks ("data/ks/*").
func AllTables(ks string) Resource {
	return Resource{level: AllTablesLevel, name: "data/" + ks + "/*"}
}

// Table returns the data resource of table ks.t ("data/ks/t").
func Table(ks, t string) Resource {
	all := "data/" + ks + "/*"
	return Resource{level: TableLevel, name: all[:len(all)-1] + t, aux: all}
}

// Role returns the resource of role r ("roles/r"). Role names may contain '/'.
func Role(r string) Resource {
	return Resource{level: RoleLevel, name: "roles/" + r}
}

// FunctionsIn returns the resource of all functions in keyspace ks
// ("functions/ks").
func FunctionsIn(ks string) Resource {
	return Resource{level: FunctionsInLevel, name: "functions/" + ks}
}

// Function returns the resource of function ks.fn with the given CQL argument
// types ("int", "frozen<list<text>>", ...). The internal name holds the
// argument types as Cassandra's Java type names joined by '^', e.g.
// "functions/ks/f[org.apache.cassandra.db.marshal.Int32Type]". An unknown or
// malformed type returns an error wrapping [ErrInvalidType].
func Function(ks, fn string, cqlArgs ...string) (Resource, error) {
	javaArgs := make([]string, len(cqlArgs))
	for i, a := range cqlArgs {
		j, err := JavaType(a)
		if err != nil {
			return Resource{}, err
		}
		javaArgs[i] = j
	}
	return functionFromJava(ks, fn, javaArgs), nil
}

func functionFromJava(ks, fn string, javaArgs []string) Resource {
	return Resource{level: FunctionLevel, name: "functions/" + ks + "/" + fn + "[" + strings.Join(javaArgs, "^") + "]"}
}

// MBean returns the resource of a JMX object name or pattern. The name is
// stored in canonical form (key properties sorted), so equal names compare
// equal. A malformed name returns an error wrapping [ErrInvalidObjectName].
func MBean(objectName string) (Resource, error) {
	c, err := CanonicalObjectName(objectName)
	if err != nil {
		return Resource{}, err
	}
	return Resource{level: MBeanLevel, name: "mbean/" + c}, nil
}

// IsZero reports whether r is the zero (invalid) Resource.
func (r Resource) IsZero() bool { return r.level == Invalid }

// Level returns the level of r.
func (r Resource) Level() Level { return r.level }

// Name returns the canonical internal name, exactly as Cassandra stores it in
// role_permissions.resource: "data", "data/ks", "data/ks/*", "data/ks/t",
// "roles", "roles/r", "functions", "functions/ks", "functions/ks/f[...]",
// "mbean", "mbean/<canonical ObjectName>".
func (r Resource) Name() string { return r.name }

// IsRoot reports whether r is the root of its tree.
func (r Resource) IsRoot() bool {
	switch r.level {
	case DataRoot, RolesRoot, FunctionsRoot, MBeanRoot:
		return true
	}
	return false
}

// Root returns the root of r's tree. The zero Resource's root is itself.
func (r Resource) Root() Resource {
	switch r.level {
	case DataRoot, KeyspaceLevel, AllTablesLevel, TableLevel:
		return AllKeyspaces
	case RolesRoot, RoleLevel:
		return AllRoles
	case FunctionsRoot, FunctionsInLevel, FunctionLevel:
		return AllFunctions
	case MBeanRoot, MBeanLevel:
		return AllMBeans
	}
	return r
}

// Parent returns the parent of r in Cassandra's chain (spec 3.4) and true, or
// the zero Resource and false for a root:
//
//	data/ks/t -> data/ks/* -> data/ks -> data
//	roles/r -> roles
//	functions/ks/f[...] -> functions/ks -> functions
//	mbean/<name> -> mbean
//
// Parent does not allocate.
func (r Resource) Parent() (Resource, bool) {
	switch r.level {
	case KeyspaceLevel, RoleLevel, FunctionsInLevel, MBeanLevel:
		return r.Root(), true
	case AllTablesLevel:
		return Resource{level: KeyspaceLevel, name: r.name[:len(r.name)-2]}, true
	case TableLevel:
		return Resource{level: AllTablesLevel, name: r.aux}, true
	case FunctionLevel:
		return Resource{level: FunctionsInLevel, name: r.name[:len("functions/")+len(r.Keyspace())]}, true
	}
	return Resource{}, false
}

// HasParent reports whether r has a parent (it is not a root nor invalid).
func (r Resource) HasParent() bool {
	_, ok := r.Parent()
	return ok
}

// Chain returns r followed by its parents up to the root, the order in which
// an access check consults them. It allocates; hot paths walk
// [Resource.Parent] instead.
func (r Resource) Chain() []Resource {
	var out []Resource
	for cur, ok := r, !r.IsZero(); ok; cur, ok = cur.Parent() {
		out = append(out, cur)
	}
	return out
}

// Keyspace returns the keyspace of a keyspace, all-tables, table,
// functions-in-keyspace or function resource, and "" for any other level.
func (r Resource) Keyspace() string {
	var rest string
	switch r.level {
	case KeyspaceLevel, AllTablesLevel, TableLevel:
		rest = r.name[len("data/"):]
	case FunctionsInLevel, FunctionLevel:
		rest = r.name[len("functions/"):]
	default:
		return ""
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i]
	}
	return rest
}

// Table returns the table name of a table resource and "" for any other level.
func (r Resource) Table() string {
	if r.level != TableLevel {
		return ""
	}
	return r.name[len(r.aux)-1:]
}

// RoleName returns the role of a role resource and "" for any other level.
func (r Resource) RoleName() string {
	if r.level != RoleLevel {
		return ""
	}
	return r.name[len("roles/"):]
}

// FunctionName returns the function name of a function resource (without
// keyspace and arguments) and "" for any other level.
func (r Resource) FunctionName() string {
	if r.level != FunctionLevel {
		return ""
	}
	rest := r.name[len("functions/")+len(r.Keyspace())+1:]
	return rest[:strings.LastIndexByte(rest, '[')]
}

// FunctionArgs returns the Java type names of a function resource's
// arguments, as stored in its name, and nil for any other level or a
// function without arguments.
func (r Resource) FunctionArgs() []string {
	if r.level != FunctionLevel {
		return nil
	}
	i := strings.LastIndexByte(r.name, '[')
	return splitArgs(r.name[i+1 : len(r.name)-1])
}

// ObjectName returns the canonical JMX object name (or pattern) of an mbean
// resource and "" for any other level.
func (r Resource) ObjectName() string {
	if r.level != MBeanLevel {
		return ""
	}
	return r.name[len("mbean/"):]
}

// Applicable returns the permissions that may be granted on r (spec 3.2).
// GRANT intersects the requested permissions with this set. It does not
// allocate.
func (r Resource) Applicable() PermissionSet {
	switch r.level {
	case DataRoot, KeyspaceLevel, AllTablesLevel:
		return dataPerms.With(Create)
	case TableLevel:
		return dataPerms
	case RolesRoot:
		return rolePerms.With(Create)
	case RoleLevel:
		return rolePerms
	case FunctionsRoot, FunctionsInLevel:
		return functionPerms.With(Create)
	case FunctionLevel:
		return functionPerms
	case MBeanRoot, MBeanLevel:
		return mbeanPerms
	}
	return NoPermissions
}

const (
	dataPerms     = PermissionSet(1<<Alter | 1<<Drop | 1<<Select | 1<<Modify | 1<<Authorize | 1<<Unmask | 1<<SelectMasked)
	rolePerms     = PermissionSet(1<<Alter | 1<<Drop | 1<<Authorize | 1<<Describe)
	functionPerms = PermissionSet(1<<Alter | 1<<Drop | 1<<Authorize | 1<<Execute)
	mbeanPerms    = PermissionSet(1<<Authorize | 1<<Describe | 1<<Execute | 1<<Modify | 1<<Select)
)

// String returns the display form Cassandra prints in messages and LIST
// PERMISSIONS output: "<all keyspaces>", "<keyspace ks>",
// "<all tables in ks>", "<table ks.t>", "<all roles>", "<role r>",
// "<all functions>", "<all functions in ks>", "<function ks.f(int, text)>",
// "<all mbeans>", "<mbean name>".
func (r Resource) String() string {
	switch r.level {
	case DataRoot:
		return "<all keyspaces>"
	case KeyspaceLevel:
		return "<keyspace " + r.Keyspace() + ">"
	case AllTablesLevel:
		return "<all tables in " + r.Keyspace() + ">"
	case TableLevel:
		return "<table " + r.Keyspace() + "." + r.Table() + ">"
	case RolesRoot:
		return "<all roles>"
	case RoleLevel:
		return "<role " + r.RoleName() + ">"
	case FunctionsRoot:
		return "<all functions>"
	case FunctionsInLevel:
		return "<all functions in " + r.Keyspace() + ">"
	case FunctionLevel:
		args := r.FunctionArgs()
		cql := make([]string, len(args))
		for i, a := range args {
			cql[i] = CQLType(a)
		}
		return "<function " + r.Keyspace() + "." + r.FunctionName() + "(" + strings.Join(cql, ", ") + ")>"
	case MBeanRoot:
		return "<all mbeans>"
	case MBeanLevel:
		return "<mbean " + r.ObjectName() + ">"
	}
	return "<invalid resource>"
}

// Compare orders resources by internal name (Java string order), the order
// LIST PERMISSIONS uses after the grantee (spec 4.4).
func Compare(a, b Resource) int { return CompareJava(a.name, b.name) }

// CompareJava compares two strings as Java's String.compareTo does: by UTF-16
// code units. It differs from Go's byte order only for characters outside the
// Basic Multilingual Plane versus U+E000..U+FFFF.
func CompareJava(a, b string) int { return objNameCompareUTF16(a, b) }
