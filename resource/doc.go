// Package resource is the vocabulary of cassauth's access model: Cassandra's
// permissions, a compact permission set, the four resource trees, their
// canonical names and display forms, and JMX object-name patterns. It is
// pure values: no I/O, no state, nothing to configure.
//
// # Permissions
//
// [Permission] values carry Cassandra's names and declaration order (CREATE,
// ALTER, DROP, SELECT, MODIFY, AUTHORIZE, DESCRIBE, EXECUTE, UNMASK,
// SELECT_MASKED). A [PermissionSet] is a bit set: union, intersection and
// membership are single machine instructions. [AllPermissions] is
// Cassandra's Permission.ALL.
//
// # Resources
//
// A [Resource] is a comparable value naming a node of one tree:
//
//	level                 internal name             display form
//	data root             data                      <all keyspaces>
//	keyspace              data/ks                   <keyspace ks>
//	all tables in ks      data/ks/*                 <all tables in ks>
//	table                 data/ks/t                 <table ks.t>
//	roles root            roles                     <all roles>
//	role                  roles/r                   <role r>
//	functions root        functions                 <all functions>
//	functions in ks       functions/ks              <all functions in ks>
//	function              functions/ks/f[types]     <function ks.f(int, text)>
//	mbean root            mbean                     <all mbeans>
//	mbean name/pattern    mbean/<canonical name>    <mbean name>
//
// [Resource.Name] is the form Cassandra stores in system_auth,
// [Resource.String] the form it prints in messages, [Resource.Parent] walks
// the chain an access check consults (table -> all tables -> keyspace ->
// root) and [Resource.Applicable] lists what GRANT may attach to it. None of
// these allocate, so the access check's hot path can use resources as map
// keys and walk their parents freely. [Parse] turns a stored name back into a
// resource with Cassandra's error messages.
//
// # JMX object names
//
// [ParseObjectName], [ObjectName.Apply] and [CanonicalObjectName] implement
// the parts of javax.management.ObjectName that JMX authorization needs:
// canonical form with sorted key properties, and matching of names against
// domain, property-list and property-value patterns.
package resource
