package transport

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
)

// vcol is a column of a virtual table.
type vcol struct {
	name string
	typ  Type
}

// rowSource produces a virtual table's rows, cells in column order as the
// Go values [Marshal] accepts. key is the partition key's value when the
// query restricts it by equality (hasKey), a hint the source may use to
// read less; the rows are filtered afterwards either way.
type rowSource func(ctx context.Context, h *AuthHandler, sess *Session, key string, hasKey bool) ([][]any, error)

// vtable is a read-only table the handler answers SELECTs on.
type vtable struct {
	keyspace, name string
	cols           []vcol // SELECT * order: partition key, clustering, then the rest by name
	partition      int    // the first partition columns are the partition key
	pk             int    // the first pk columns are the primary key
	rows           rowSource
}

// column returns the index of the named column, or -1.
func (t *vtable) column(name string) int {
	for i, c := range t.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// defineTable builds a table from "name type, ..." lists: the partition
// key, the clustering columns and the regular columns.
func defineTable(ks, name, partition, clustering, regular string, rows rowSource) *vtable {
	t := &vtable{keyspace: ks, name: name, rows: rows}
	add := func(spec string) int {
		n := 0
		for _, part := range splitTopLevel(spec) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			sp := strings.IndexByte(part, ' ')
			typ, err := ParseType(part[sp+1:])
			if err != nil {
				panic("transport: bad virtual table definition " + part + ": " + err.Error()) // a programming error in the definitions below
			}
			t.cols = append(t.cols, vcol{name: part[:sp], typ: typ})
			n++
		}
		return n
	}
	t.partition = add(partition)
	t.pk = t.partition + add(clustering)
	add(regular)
	return t
}

// splitTopLevel splits s at commas outside angle brackets.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// noRows is the source of the tables that are always empty.
func noRows(context.Context, *AuthHandler, *Session, string, bool) ([][]any, error) { return nil, nil }

// Column lists shared by system_schema tables and views.
const tableOptions = "additional_write_policy text, bloom_filter_fp_chance double, caching frozen<map<text, text>>, " +
	"cdc boolean, comment text, compaction frozen<map<text, text>>, compression frozen<map<text, text>>, " +
	"crc_check_chance double, dclocal_read_repair_chance double, default_time_to_live int, " +
	"extensions frozen<map<text, blob>>, flags frozen<set<text>>, gc_grace_seconds int, id uuid, " +
	"max_index_interval int, memtable_flush_period_in_ms int, min_index_interval int, read_repair text, " +
	"read_repair_chance double, speculative_retry text"

const viewOptions = "additional_write_policy text, base_table_id uuid, base_table_name text, " +
	"bloom_filter_fp_chance double, caching frozen<map<text, text>>, cdc boolean, comment text, " +
	"compaction frozen<map<text, text>>, compression frozen<map<text, text>>, crc_check_chance double, " +
	"dclocal_read_repair_chance double, default_time_to_live int, extensions frozen<map<text, blob>>, " +
	"gc_grace_seconds int, id uuid, include_all_columns boolean, max_index_interval int, " +
	"memtable_flush_period_in_ms int, min_index_interval int, read_repair text, read_repair_chance double, " +
	"speculative_retry text, where_clause text"

const schemaColumns = "clustering_order text, column_name_bytes blob, kind text, position int, type text"

// virtualTables returns the tables cassauth's handler serves, by keyspace
// and name: system.local (one row), system.peers and system.peers_v2
// (empty: a single node), every system_schema and system_virtual_schema
// table the drivers read (empty), and the auth tables of system_auth.
func virtualTables() map[string]map[string]*vtable {
	ts := []*vtable{
		defineTable("system", "local", "key text", "",
			"bootstrapped text, broadcast_address inet, broadcast_port int, cluster_name text, cql_version text, "+
				"data_center text, gossip_generation int, host_id uuid, listen_address inet, listen_port int, "+
				"native_port int, native_protocol_version text, partitioner text, rack text, release_version text, "+
				"rpc_address inet, rpc_port int, schema_version uuid, tokens set<text>, truncated_at map<uuid, blob>",
			localRows),
		defineTable("system", "peers", "peer inet", "",
			"data_center text, host_id uuid, preferred_ip inet, rack text, release_version text, rpc_address inet, "+
				"schema_version uuid, tokens set<text>", noRows),
		defineTable("system", "peers_v2", "peer inet", "peer_port int",
			"data_center text, host_id uuid, native_address inet, native_port int, preferred_ip inet, "+
				"preferred_port int, rack text, release_version text, schema_version uuid, tokens set<text>", noRows),

		defineTable("system_schema", "keyspaces", "keyspace_name text", "",
			"durable_writes boolean, replication frozen<map<text, text>>", noRows),
		defineTable("system_schema", "tables", "keyspace_name text", "table_name text", tableOptions, noRows),
		defineTable("system_schema", "columns", "keyspace_name text", "table_name text, column_name text", schemaColumns, noRows),
		defineTable("system_schema", "dropped_columns", "keyspace_name text", "table_name text, column_name text",
			"dropped_time timestamp, kind text, type text", noRows),
		defineTable("system_schema", "triggers", "keyspace_name text", "table_name text, trigger_name text",
			"options frozen<map<text, text>>", noRows),
		defineTable("system_schema", "views", "keyspace_name text", "view_name text", viewOptions, noRows),
		defineTable("system_schema", "types", "keyspace_name text", "type_name text",
			"field_names frozen<list<text>>, field_types frozen<list<text>>", noRows),
		defineTable("system_schema", "functions", "keyspace_name text", "function_name text, argument_types frozen<list<text>>",
			"argument_names frozen<list<text>>, body text, called_on_null_input boolean, language text, return_type text", noRows),
		defineTable("system_schema", "aggregates", "keyspace_name text", "aggregate_name text, argument_types frozen<list<text>>",
			"final_func text, initcond text, return_type text, state_func text, state_type text", noRows),
		defineTable("system_schema", "indexes", "keyspace_name text", "table_name text, index_name text",
			"kind text, options frozen<map<text, text>>", noRows),

		defineTable("system_virtual_schema", "keyspaces", "keyspace_name text", "", "", noRows),
		defineTable("system_virtual_schema", "tables", "keyspace_name text", "table_name text", "comment text", noRows),
		defineTable("system_virtual_schema", "columns", "keyspace_name text", "table_name text, column_name text", schemaColumns, noRows),

		defineTable("system_auth", "roles", "role text", "",
			"can_login boolean, is_superuser boolean, member_of set<text>, salted_hash text", rolesRows),
		defineTable("system_auth", "role_members", "role text", "member text", "", roleMembersRows),
		defineTable("system_auth", "role_permissions", "role text", "resource text", "permissions set<text>", rolePermissionsRows),
	}
	m := map[string]map[string]*vtable{}
	for _, t := range ts {
		if m[t.keyspace] == nil {
			m[t.keyspace] = map[string]*vtable{}
		}
		m[t.keyspace][t.name] = t
	}
	return m
}

// Fixed values of system.local.
const (
	murmur3Partitioner = "org.apache.cassandra.dht.Murmur3Partitioner"
	storagePort        = 7000
)

// schemaVersion is the fixed schema_version: the schema of the virtual
// tables never changes.
var schemaVersion = UUID{0x86, 0x2f, 0x5b, 0x6e, 0x3e, 0x61, 0x3c, 0x4a, 0x9d, 0x1e, 0x4c, 0x61, 0x73, 0x73, 0x61, 0x75}

// localRows returns system.local's row (shared/spec/cql-drivers.md 2.3):
// the address and port the client connected to as every address, the
// highest protocol version served, one token "0".
func localRows(_ context.Context, h *AuthHandler, sess *Session, _ string, _ bool) ([][]any, error) {
	addr := sess.Local.Addr()
	if !addr.IsValid() || addr.IsUnspecified() {
		addr = netip.MustParseAddr("127.0.0.1")
	}
	port := int32(sess.Local.Port())
	if port == 0 {
		port = 9042
	}
	n := h.node
	return [][]any{{
		"local", "COMPLETED", addr, int32(storagePort), n.ClusterName, CQLVersion,
		n.DataCenter, h.generation, n.HostID, addr, int32(storagePort),
		port, strconv.Itoa(int(MaxVersion)), murmur3Partitioner, n.Rack, n.ReleaseVersion,
		addr, port, schemaVersion, []string{"0"}, nil,
	}}, nil
}
