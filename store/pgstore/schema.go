package pgstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// SchemaVersion is the version of the tables this build creates and
// reads. Open refuses a schema of a newer version and migrates an older
// one.
const SchemaVersion = 2

// Table names, in the schema given by Options.Schema. They are those of
// Cassandra's system_auth, except that the resource index is spelt
// correctly (Cassandra's is resource_role_permissons_index).
const (
	tableVersion   = "schema_version"
	tableRoles     = "roles"
	tableMembers   = "role_members"
	tablePerms     = "role_permissions"
	tableIndex     = "resource_role_permissions_index"
	tableNetwork   = "network_permissions"
	tableCIDRPerms = "cidr_permissions"
	tableCIDRGroup = "cidr_groups"
	tableIdentity  = "identity_to_role"
	tableSchema    = "schema_objects" // version 2: the optional store.Catalog
)

// tablesAt lists the tables of a schema at version v.
func tablesAt(v int) []string {
	var out []string
	if v >= 1 {
		out = append(out, tableVersion, tableRoles, tableMembers, tablePerms, tableIndex,
			tableNetwork, tableCIDRPerms, tableCIDRGroup, tableIdentity)
	}
	if v >= 2 {
		out = append(out, tableSchema)
	}
	return out
}

// migrations returns the steps from each version to the next:
// migrations()[v] upgrades a schema from version v to v+1, and its length
// is SchemaVersion. The statements name tables as {s}.table, {s} standing
// for the quoted schema. A step is history: once released it never
// changes; a later change appends a step and bumps SchemaVersion.
func migrations() [][]string {
	return [][]string{
		// 0 -> 1: the system_auth tables. Keys are text COLLATE "C", so
		// that ORDER BY is byte order, as the contract requires.
		{
			`CREATE TABLE {s}.schema_version (
				id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
				version int NOT NULL)`,
			`INSERT INTO {s}.schema_version (version) VALUES (0)`,
			`CREATE TABLE {s}.roles (
				role text COLLATE "C" PRIMARY KEY CHECK (role <> ''),
				is_superuser boolean NOT NULL DEFAULT false,
				can_login boolean NOT NULL DEFAULT false,
				salted_hash text,
				member_of text[] COLLATE "C" NOT NULL DEFAULT '{}',
				options jsonb CHECK (options IS NULL OR jsonb_typeof(options) = 'object'))`,
			`CREATE TABLE {s}.role_members (
				role text COLLATE "C",
				member text COLLATE "C",
				PRIMARY KEY (role, member))`,
			// permissions holds Cassandra's enum names, as its set<text>
			// does; a row exists only with a non-empty set.
			`CREATE TABLE {s}.role_permissions (
				role text COLLATE "C" CHECK (role <> ''),
				resource text COLLATE "C" CHECK (resource <> ''),
				permissions text[] NOT NULL CHECK (cardinality(permissions) > 0 AND permissions <@ ARRAY[
					'CREATE', 'ALTER', 'DROP', 'SELECT', 'MODIFY', 'AUTHORIZE', 'DESCRIBE', 'EXECUTE',
					'UNMASK', 'SELECT_MASKED']::text[]),
				PRIMARY KEY (role, resource))`,
			// The index row references its grant, so deleting a grant
			// deletes its index row and the index cannot outlive it.
			`CREATE TABLE {s}.resource_role_permissions_index (
				resource text COLLATE "C",
				role text COLLATE "C",
				PRIMARY KEY (resource, role),
				FOREIGN KEY (role, resource) REFERENCES {s}.role_permissions (role, resource) ON DELETE CASCADE)`,
			`CREATE TABLE {s}.network_permissions (
				role text COLLATE "C" PRIMARY KEY CHECK (role <> ''),
				dcs text[] NOT NULL)`,
			`CREATE TABLE {s}.cidr_permissions (
				role text COLLATE "C" PRIMARY KEY CHECK (role <> ''),
				cidr_groups text[] NOT NULL)`,
			// inet, not cidr: a group keeps its prefixes as given, host
			// bits included, as Cassandra's tuple<inet, smallint> does.
			`CREATE TABLE {s}.cidr_groups (
				cidr_group text COLLATE "C" PRIMARY KEY CHECK (cidr_group <> ''),
				cidrs inet[] NOT NULL)`,
			`CREATE TABLE {s}.identity_to_role (
				identity text COLLATE "C" PRIMARY KEY CHECK (identity <> ''),
				role text COLLATE "C" NOT NULL CHECK (role <> ''))`,
			`CREATE INDEX identity_to_role_by_role ON {s}.identity_to_role (role)`,
			`COMMENT ON TABLE {s}.roles IS 'role definitions'`,
			`COMMENT ON TABLE {s}.role_members IS 'role memberships lookup table'`,
			`COMMENT ON TABLE {s}.role_permissions IS 'permissions granted to db roles'`,
			`COMMENT ON TABLE {s}.resource_role_permissions_index IS 'index of db roles with permissions granted on a resource'`,
			`COMMENT ON TABLE {s}.network_permissions IS 'user network permissions'`,
			`COMMENT ON TABLE {s}.cidr_permissions IS 'user cidr permissions'`,
			`COMMENT ON TABLE {s}.cidr_groups IS 'cidr groups to cidrs mapping'`,
			`COMMENT ON TABLE {s}.identity_to_role IS 'mtls authorized identities lookup table'`,
		},
		// 1 -> 2: the schema object names of the optional store.Catalog.
		{
			`CREATE TABLE {s}.schema_objects (name text COLLATE "C" PRIMARY KEY CHECK (name <> ''))`,
			`COMMENT ON TABLE {s}.schema_objects IS 'schema object names of a standalone cassauth'`,
		},
	}
}

// expander returns a function that replaces {s} in a statement with the
// quoted schema name.
func expander(schema string) func(string) string {
	r := strings.NewReplacer("{s}", pgx.Identifier{schema}.Sanitize())
	return r.Replace
}

// migrationLockKey is the advisory lock that serialises the migrations of
// one schema across processes.
func migrationLockKey(schema string) int64 { return lockKey("cassauth/pgstore migrate " + schema) }

// readVersion returns the schema's version, 0 when it has no
// schema_version table, or an error wrapping ErrCorrupt when it holds
// other tables but no schema_version: then it is not ours to adopt.
func readVersion(ctx context.Context, q querier, schema string) (int, error) {
	var tables []string
	err := q.QueryRow(ctx, `SELECT coalesce(array_agg(tablename::text ORDER BY tablename), '{}') FROM pg_catalog.pg_tables WHERE schemaname = $1`,
		schema).Scan(&tables)
	if err != nil {
		return 0, err
	}
	if !slices.Contains(tables, tableVersion) {
		if len(tables) > 0 {
			return 0, corrupt("schema %q holds tables (%s) but no %s: it is not a cassauth store", schema,
				strings.Join(tables, ", "), tableVersion)
		}
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, expander(schema)(`SELECT version FROM {s}.schema_version`)).Scan(&v); err != nil {
		if err == pgx.ErrNoRows {
			return 0, corrupt("%s is empty", tableVersion)
		}
		return 0, err
	}
	return v, nil
}

// unsupported returns the error for a schema newer than target.
func unsupported(have, target int) error {
	return fmt.Errorf("%w: the schema has version %d, this build supports up to %d; use a newer cassauth",
		ErrUnsupportedVersion, have, target)
}

// upgrade brings the schema to len(steps): it refuses a newer one, and
// migrates an older one (creating it when absent) in one transaction under
// an advisory lock, so that concurrent Opens migrate once and a failed
// step leaves the schema as it was. It returns the version found and the
// version left. A current schema costs two reads and takes no lock.
func upgrade(ctx context.Context, pool txBeginner, schema string, steps [][]string) (from, to int, err error) {
	target := len(steps)
	from, err = readVersion(ctx, pool, schema)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case from > target:
		return from, from, unsupported(from, target)
	case from == target:
		return from, from, checkTables(ctx, pool, schema, tablesAt(target))
	}
	x := expander(schema)
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey(schema)); err != nil {
			return err
		}
		from, err = readVersion(ctx, tx, schema) // another process may have migrated it meanwhile
		if err != nil {
			return err
		}
		if from > target {
			return unsupported(from, target)
		}
		if from == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)`,
				schema).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				if _, err := tx.Exec(ctx, x(`CREATE SCHEMA {s}`)); err != nil {
					return err
				}
			}
		}
		for v := from; v < target; v++ {
			for _, stmt := range steps[v] {
				if _, err := tx.Exec(ctx, x(stmt)); err != nil {
					return fmt.Errorf("migrating schema %q from version %d to %d: %w", schema, v, v+1, err)
				}
			}
			if _, err := tx.Exec(ctx, x(`UPDATE {s}.schema_version SET version = $1`), v+1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return from, from, err
	}
	return from, target, checkTables(ctx, pool, schema, tablesAt(target))
}

// checkTables returns an error wrapping ErrCorrupt unless every table of
// tables exists in schema.
func checkTables(ctx context.Context, q querier, schema string, tables []string) error {
	var missing []string
	err := q.QueryRow(ctx, `SELECT coalesce(array_agg(t ORDER BY t), '{}') FROM unnest($2::text[]) AS t
		WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = t)`,
		schema, tables).Scan(&missing)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return corrupt("schema %q lacks table(s) %s", schema, strings.Join(missing, ", "))
	}
	return nil
}
