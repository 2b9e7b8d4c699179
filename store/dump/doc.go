// Package dump moves auth data in and out of a [store.Store]: [Export]
// writes a store to a portable, documented JSON file and [Import] loads
// one back; [ImportCassandraCSV] and [ImportCassandraDir] load the
// system_auth tables of a real Cassandra cluster from the CSV files that
// cqlsh's COPY TO writes, so its roles, password hashes and grants can be
// queried with this library.
//
// # Format
//
// A dump is one UTF-8 JSON object. "format" and "version" are required;
// every other member is optional and an absent one is an empty table.
// Export writes the members in the order below, each record on one line,
// every list sorted, so equal stores give byte-identical files (and
// readable diffs). This is Export's output for a small store:
//
//	{
//	  "format": "cassauth-dump",
//	  "version": 1,
//	  "roles": [
//	    {"role":"app","is_superuser":false,"can_login":true,"salted_hash":"$2a$10$Glrmq.IWVhkNA/MWfzCya.bRZsb5.6oaEjGBteotFSXLTczwD5iOG","member_of":["reader"]},
//	    {"role":"cassandra","is_superuser":true,"can_login":true,"salted_hash":"$2a$10$79Trxvht53RRuu/xMuoxae0DRvANNBVnw/OGGM2n8fnL3BjsjrQC6"},
//	    {"role":"reader","is_superuser":false,"can_login":false}
//	  ],
//	  "grants": [
//	    {"role":"app","resource":"data/shop/orders","permissions":["SELECT","MODIFY"]},
//	    {"role":"reader","resource":"data/shop","permissions":["SELECT"]}
//	  ],
//	  "network": [
//	    {"role":"app","dcs":["dc1"]}
//	  ],
//	  "cidr_permissions": [
//	    {"role":"app","cidr_groups":["office"]}
//	  ],
//	  "cidr_groups": [
//	    {"cidr_group":"office","cidrs":["10.10.0.0/16","192.168.1.0/24"]}
//	  ],
//	  "identities": [
//	    {"identity":"spiffe://cluster.local/ns/shop/sa/app","role":"app"}
//	  ],
//	  "schema": [
//	    "data/shop",
//	    "data/shop/orders"
//	  ]
//	}
//
// The members, which follow the columns of Cassandra's system_auth tables:
//
//   - "format": always "cassauth-dump".
//   - "version": the format version, 1 ([FormatVersion]). Import refuses a
//     newer version with [ErrUnsupportedVersion].
//   - "roles": system_auth.roles, sorted by role. "role" (required,
//     non-empty), "is_superuser" and "can_login" (false when absent),
//     "salted_hash" (the bcrypt hash; absent when the role has no
//     password), "member_of" (the roles granted to this role, which
//     replaces role_members: both tables are derived from it), "options"
//     (custom role options, an object of strings; Cassandra's own role
//     manager never sets any).
//   - "grants": system_auth.role_permissions, sorted by role then
//     resource. "resource" is a canonical resource name ("data/ks/t",
//     "roles/r", "functions/ks/f[org.apache.cassandra.db.marshal.Int32Type]",
//     "mbean/<name>") as [resource.Parse] reads it; a non-canonical
//     spelling ("data//ks/") is stored in canonical form. "permissions" is a
//     non-empty list of Cassandra's enum names, written in declaration order
//     and read case-insensitively. The resource index is derived.
//   - "network": system_auth.network_permissions, keyed by the bare role
//     name (Cassandra's table holds "roles/<name>"). "dcs" is required; []
//     means all datacenters.
//   - "cidr_permissions": system_auth.cidr_permissions. "cidr_groups" is
//     required; [] means all groups.
//   - "cidr_groups": system_auth.cidr_groups. "cidrs" are CIDR prefixes in
//     Go's netip notation ("10.0.0.0/8", "2001:db8::/32"), kept unmasked as
//     given.
//   - "identities": system_auth.identity_to_role, sorted by identity.
//   - "schema": the names of a [store.Catalog] (canonical resource names of
//     keyspaces, tables and functions). Export writes it only for a store
//     that implements store.Catalog; Import into a store that does not
//     skips it with a warning.
//
// Unknown members, duplicate members and duplicate keys are errors. JSON
// null counts as an absent optional value.
//
// # Security
//
// A dump holds every role's password hash. A bcrypt hash resists guessing
// but not forever: protect the file like the store itself. [ExportFile]
// creates it with mode 0600.
//
// # Importing
//
// The importers read and validate all their input before writing anything.
// Besides syntax and types they check role names (non-empty), resource
// names with [resource.Parse] (reporting Cassandra's messages), permission
// names with [resource.ParsePermission], CIDRs, duplicate keys, and
// memberships: both roles of a membership must be defined, in the input or
// (with Merge) in the store, and memberships must not form a cycle. Grants,
// network, CIDR and identity rows naming a role defined nowhere are
// imported with a warning, since Cassandra's tables and the store allow it.
// The first problem is returned as an [*InputError] carrying the file,
// line, column (JSON) and JSON path or CSV column, and the store is left
// untouched. Permissions are not checked against what the resource
// supports (Cassandra filters them at GRANT time).
//
// Unless [ImportOptions].Merge is set the store must be empty (no role,
// grant, identity, CIDR group or schema object; the contract cannot list
// network and CIDR rows, so those are not checked), else [ErrNotEmpty].
// With Merge, rows of the input replace rows with the same key and
// memberships and permissions are added; nothing else changes.
//
// Writes then go table by table: schema objects, CIDR groups, roles,
// memberships, grants, network permissions, CIDR permissions, identities.
// The store has no transaction spanning tables, so a store failure midway
// (disk full, a concurrent writer) leaves the rows before it written: the
// [*WriteError] names the failing row and counts what was written.
//
// # Cassandra CSV
//
// Export each table with cqlsh; HEADER = true is recommended but not
// required:
//
//	COPY system_auth.roles TO 'roles.csv' WITH HEADER = true;
//	COPY system_auth.role_members TO 'role_members.csv' WITH HEADER = true;
//	COPY system_auth.role_permissions TO 'role_permissions.csv' WITH HEADER = true;
//	COPY system_auth.network_permissions TO 'network_permissions.csv' WITH HEADER = true;   -- 4.0+
//	COPY system_auth.cidr_permissions TO 'cidr_permissions.csv' WITH HEADER = true;         -- 5.0+
//	COPY system_auth.cidr_groups TO 'cidr_groups.csv' WITH HEADER = true;                   -- 5.0+
//	COPY system_auth.identity_to_role TO 'identity_to_role.csv' WITH HEADER = true;         -- 5.0+
//
// and pass the directory to [ImportCassandraDir] (or the files to
// [ImportCassandraCSV]). roles.csv is required, the others are optional.
// Keep cqlsh's default options (DELIMITER ',', QUOTE '"', ESCAPE '\',
// NULL empty, BOOLSTYLE 'True,False', ENCODING 'utf8'). The derived index
// resource_role_permissons_index is not read: the store rebuilds it.
//
// With a header row the columns may come in any order (as COPY t (c1, c2)
// TO writes them); columns a table does not have are ignored with a
// warning; a missing column is an error. A first row is taken for a header
// when it names the table's partition key column and consists of
// lower-case identifiers only. Without a header, the columns must be in
// cqlsh's default order. cqlsh takes that order from the driver's table
// metadata (copyutil.py: shell.get_column_names, which lists
// TableMetadata.columns): the Python driver inserts the partition key
// columns, then the clustering columns, then the remaining columns in the
// order system_schema.columns returns them, which is by column name
// (the table's clustering column). So:
//
//	roles                role, can_login, is_superuser, member_of, salted_hash
//	role_members         role, member
//	role_permissions     role, resource, permissions
//	network_permissions  role, dcs
//	cidr_permissions     role, cidr_groups
//	cidr_groups          cidr_group, cidrs
//	identity_to_role     identity, role
//
// Values are read as cqlsh writes them. The CSV layer is Python's csv
// module with cqlsh's dialect: fields are quoted with '"' only when needed,
// and a backslash escapes the next character (cqlsh writes a quote inside a
// field as \", not ""; a doubled quote inside a quoted field is accepted
// too). An empty field is null: an empty set, no password, and an error for
// a key or a boolean (Cassandra itself rejects a role with a null flag:
// "Invalid metadata has been detected for role %s"). Booleans are True or
// False in any case. Sets are {'a', 'b'}, a quote inside an element
// doubled; {} is the empty set. cidrs is a set of (inet, smallint) tuples:
// {('10.0.0.0', 8), ('2001:db8::', 32)}. network_permissions.role holds
// "roles/<name>" (a quirk of Cassandra's network authorizer) and is mapped
// to the bare name; cidr_permissions.role holds the bare name already.
//
// cqlsh's text formatter also escapes text: it doubles backslashes and
// writes control characters as \t, \n, \r or \xHH; these are undone.
// Python 3.10 and later then escape each backslash again in the CSV layer,
// and such files decode exactly. An older Python did not, so a backslash in
// a name exported by an older cqlsh is read back correctly only when the
// character after it does not form one of those escapes. Names with
// backslashes are rare in auth data.
//
// roles.member_of is what Cassandra consults when it resolves a role's
// grants, so memberships are imported from it; role_members.csv, when
// given, is only cross-checked. A role_members row whose member is not a
// role is what Cassandra's DROP ROLE leaves behind (it does not delete the
// rows where the dropped role is the member): it is skipped with a warning.
// Any other disagreement (a row without its member_of entry, or the
// reverse) is an [ErrInconsistent] error pointing at the row: taking the
// union could grant more than the cluster does. Leave role_members.csv out
// to import member_of as it is.
//
// # Errors
//
// Bad input is an [*InputError] wrapping [ErrMalformed], [ErrDuplicate],
// [ErrInconsistent], [ErrUnsupportedVersion], or, for resource names and
// permissions, the errors of package resource (matching
// [resource.ErrInvalidName] and [resource.ErrUnknownPermission]). A store
// that is not empty gives [ErrNotEmpty]; a failed write a [*WriteError].
// Store and I/O errors are returned wrapped.
//
// # Concurrency
//
// The functions keep no state and may run concurrently. An import or
// export is not isolated from other writers of the same store.
//
// # Testing
//
// The tests check that Export then Import reproduces any store (a rapid
// property over random contents on store/memstore; the fixture also goes
// through store/boltstore), import hand-written fixtures of cqlsh's format
// under testdata/cassandra, and run every kind of bad input, checking the
// reported line and that the store stays empty. FuzzParseCQLValue,
// FuzzCSVReader and FuzzImport fuzz the parsers.
package dump
