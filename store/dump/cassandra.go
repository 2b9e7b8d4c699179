package dump

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// CSVFiles holds the CSV exports of Cassandra's system_auth tables, as
// `cqlsh COPY system_auth.<table> TO '<table>.csv'` writes them (see the
// package documentation). A nil reader means the table is absent; Roles is
// required. Every file may have a header row or not.
type CSVFiles struct {
	Roles              io.Reader // system_auth.roles (required)
	RoleMembers        io.Reader // system_auth.role_members, cross-checked with roles.member_of
	RolePermissions    io.Reader // system_auth.role_permissions
	NetworkPermissions io.Reader // system_auth.network_permissions (4.0+)
	CIDRPermissions    io.Reader // system_auth.cidr_permissions (5.0+)
	CIDRGroups         io.Reader // system_auth.cidr_groups (5.0+)
	IdentityToRole     io.Reader // system_auth.identity_to_role (5.0+)
}

// The tables, with their columns in cqlsh's default COPY TO order.
var (
	rolesTable = csvTable{table: "roles", key: "role",
		columns: []string{"role", "can_login", "is_superuser", "member_of", "salted_hash"}}
	roleMembersTable = csvTable{table: "role_members", key: "role",
		columns: []string{"role", "member"}}
	rolePermissionsTable = csvTable{table: "role_permissions", key: "role",
		columns: []string{"role", "resource", "permissions"}}
	networkTable = csvTable{table: "network_permissions", key: "role",
		columns: []string{"role", "dcs"}}
	cidrPermissionsTable = csvTable{table: "cidr_permissions", key: "role",
		columns: []string{"role", "cidr_groups"}}
	cidrGroupsTable = csvTable{table: "cidr_groups", key: "cidr_group",
		columns: []string{"cidr_group", "cidrs"}}
	identityTable = csvTable{table: "identity_to_role", key: "identity",
		columns: []string{"identity", "role"}}
)

// ImportCassandraCSV imports the system_auth tables of a Cassandra cluster
// from the CSV files cqlsh's COPY TO writes, so that the cluster's roles,
// password hashes, memberships and grants can be queried with this library.
//
// Like [Import] it reads and validates everything first (CSV syntax,
// columns, booleans, sets, resource names with [resource.Parse],
// permission names, duplicate keys, memberships, the role_members /
// member_of cross-check described in the package documentation, and that
// st is empty unless opts.Merge) and returns the first problem as an
// [*InputError] naming the file, line and column, having written nothing.
// Store failures while writing are [*WriteError] values. Warnings (rows
// Cassandra itself left behind, unknown columns) are in the Summary. It may
// run concurrently with other users of st, unisolated from their writes.
func ImportCassandraCSV(ctx context.Context, st store.Store, files CSVFiles, opts ImportOptions) (Summary, error) {
	return importCSV(ctx, st, files, defaultCSVNames(""), opts)
}

// ImportCassandraDir is [ImportCassandraCSV] over the files of dir named
// after the tables: roles.csv (required), role_members.csv,
// role_permissions.csv, network_permissions.csv, cidr_permissions.csv,
// cidr_groups.csv and identity_to_role.csv. Missing optional files are
// absent tables. Errors name the files by their path.
func ImportCassandraDir(ctx context.Context, st store.Store, dir string, opts ImportOptions) (Summary, error) {
	names := defaultCSVNames(dir)
	var files CSVFiles
	targets := []struct {
		name string
		r    *io.Reader
	}{
		{names.roles, &files.Roles},
		{names.roleMembers, &files.RoleMembers},
		{names.rolePermissions, &files.RolePermissions},
		{names.network, &files.NetworkPermissions},
		{names.cidrPermissions, &files.CIDRPermissions},
		{names.cidrGroups, &files.CIDRGroups},
		{names.identities, &files.IdentityToRole},
	}
	for _, t := range targets {
		f, err := os.Open(t.name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Summary{}, fmt.Errorf("dump: %w", err)
		}
		defer f.Close()
		*t.r = f
	}
	return importCSV(ctx, st, files, names, opts)
}

type csvNames struct {
	roles, roleMembers, rolePermissions, network, cidrPermissions, cidrGroups, identities string
}

func defaultCSVNames(dir string) csvNames {
	join := func(n string) string {
		if dir == "" {
			return n
		}
		return filepath.Join(dir, n)
	}
	return csvNames{
		roles: join("roles.csv"), roleMembers: join("role_members.csv"), rolePermissions: join("role_permissions.csv"),
		network: join("network_permissions.csv"), cidrPermissions: join("cidr_permissions.csv"),
		cidrGroups: join("cidr_groups.csv"), identities: join("identity_to_role.csv"),
	}
}

func importCSV(ctx context.Context, st store.Store, files CSVFiles, names csvNames, opts ImportOptions) (Summary, error) {
	if files.Roles == nil {
		return Summary{}, inputErr(Location{File: names.roles}, ErrMalformed, "missing: system_auth.roles is required")
	}
	p := &plan{}
	if err := readRoles(names.roles, files.Roles, p); err != nil {
		return Summary{}, err
	}
	if files.RoleMembers != nil {
		if err := crossCheckMembers(names.roleMembers, files.RoleMembers, p); err != nil {
			return Summary{}, err
		}
	}
	steps := []struct {
		name string
		r    io.Reader
		read func(string, io.Reader, *plan) error
	}{
		{names.rolePermissions, files.RolePermissions, readRolePermissions},
		{names.network, files.NetworkPermissions, readNetwork},
		{names.cidrPermissions, files.CIDRPermissions, readCIDRPermissions},
		{names.cidrGroups, files.CIDRGroups, readCIDRGroups},
		{names.identities, files.IdentityToRole, readIdentities},
	}
	for _, s := range steps {
		if s.r == nil {
			continue
		}
		if err := s.read(s.name, s.r, p); err != nil {
			return Summary{}, err
		}
	}
	return p.run(ctx, st, opts)
}

func readRoles(file string, r io.Reader, p *plan) error {
	keys := keyIndex{}
	return readTable(file, r, rolesTable, p, func(row csvRow) error {
		name, err := row.required("role", "role name")
		if err != nil {
			return err
		}
		var rr planRole
		rr.rec.Name = name
		rr.loc = row.loc("")
		if rr.rec.CanLogin, err = row.boolean("can_login", name); err != nil {
			return err
		}
		if rr.rec.IsSuperuser, err = row.boolean("is_superuser", name); err != nil {
			return err
		}
		rr.rec.SaltedHash = row.text("salted_hash")
		member, err := parseTextSet(row.get("member_of"))
		if err != nil {
			return inputErr(row.loc("member_of"), ErrMalformed, "malformed set: %v", err)
		}
		for _, m := range member {
			if m == "" {
				return inputErr(row.loc("member_of"), ErrMalformed, "empty role name in member_of")
			}
			rr.rec.MemberOf = append(rr.rec.MemberOf, m)
			rr.memberLocs = append(rr.memberLocs, row.loc("member_of"))
		}
		rr.dedupeMembers()
		if err := keys.add(name, rr.loc, fmt.Sprintf("role %q", name)); err != nil {
			return err
		}
		p.roles = append(p.roles, rr)
		return nil
	})
}

// crossCheckMembers reads role_members and checks it against the member_of
// sets read from roles. member_of is what Cassandra consults, so it is what
// gets imported; role_members only has to agree with it. A row whose member
// is not a role is what Cassandra's DROP ROLE leaves behind: skipped with a
// warning. Any other disagreement is an ErrInconsistent error.
func crossCheckMembers(file string, r io.Reader, p *plan) error {
	byName := make(map[string]*planRole, len(p.roles))
	for i := range p.roles {
		byName[p.roles[i].rec.Name] = &p.roles[i]
	}
	rows := keyIndex{}
	if err := readTable(file, r, roleMembersTable, p, func(row csvRow) error {
		role, err := row.required("role", "role name")
		if err != nil {
			return err
		}
		member, err := row.required("member", "member name")
		if err != nil {
			return err
		}
		loc := row.loc("")
		m, ok := byName[member]
		if !ok {
			p.warn(loc, fmt.Sprintf("skipped: member %q of %q is not a role (a row DROP ROLE leaves behind)", member, role))
			return nil
		}
		if err := rows.add(role+"\x00"+member, loc, fmt.Sprintf("row (%q, %q)", role, member)); err != nil {
			return err
		}
		if byName[role] == nil {
			return inputErr(loc, ErrInconsistent, "dangling membership: %q is not a role", role)
		}
		for _, parent := range m.rec.MemberOf {
			if parent == role {
				return nil
			}
		}
		return inputErr(loc, ErrInconsistent,
			"role_members says %q is a member of %q, but member_of of %q (%s line %d) does not list it",
			member, role, member, m.loc.File, m.loc.Line)
	}); err != nil {
		return err
	}
	for _, m := range p.roles {
		for i, parent := range m.rec.MemberOf {
			if _, ok := rows[parent+"\x00"+m.rec.Name]; !ok {
				return inputErr(m.memberLocs[i], ErrInconsistent,
					"member_of of %q lists %q, but %s has no row (%q, %q)", m.rec.Name, parent, file, parent, m.rec.Name)
			}
		}
	}
	return nil
}

func readRolePermissions(file string, r io.Reader, p *plan) error {
	keys := keyIndex{}
	return readTable(file, r, rolePermissionsTable, p, func(row csvRow) error {
		role, err := row.required("role", "role name")
		if err != nil {
			return err
		}
		name, err := row.required("resource", "resource name")
		if err != nil {
			return err
		}
		res, err := resource.Parse(name)
		if err != nil {
			return inputErr(row.loc("resource"), err, "%s", err.Error())
		}
		names, err := parseTextSet(row.get("permissions"))
		if err != nil {
			return inputErr(row.loc("permissions"), ErrMalformed, "malformed set: %v", err)
		}
		g := planGrant{role: role, res: res.Name(), loc: row.loc("")}
		for _, n := range names {
			perm, err := resource.ParsePermission(n)
			if err != nil {
				return inputErr(row.loc("permissions"), err, "unknown permission %q", n)
			}
			g.perms = g.perms.With(perm)
		}
		if g.perms.IsEmpty() {
			p.warn(g.loc, "skipped: no permissions")
			return nil
		}
		if err := keys.add(role+"\x00"+g.res, g.loc, fmt.Sprintf("grant to %q on %q", role, g.res)); err != nil {
			return err
		}
		p.grants = append(p.grants, g)
		return nil
	})
}

func readNetwork(file string, r io.Reader, p *plan) error {
	keys := keyIndex{}
	return readTable(file, r, networkTable, p, func(row csvRow) error {
		key, err := row.required("role", "role")
		if err != nil {
			return err
		}
		// Cassandra keys this table by the role's resource name, "roles/<name>".
		res, err := resource.Parse(key)
		if err != nil || res.Level() != resource.RoleLevel {
			return inputErr(row.loc("role"), ErrMalformed,
				`network_permissions.role must be a role resource name "roles/<name>", found %q`, key)
		}
		dcs, err := parseTextSet(row.get("dcs"))
		if err != nil {
			return inputErr(row.loc("dcs"), ErrMalformed, "malformed set: %v", err)
		}
		s := planSet{role: res.RoleName(), values: nonNil(dcs), loc: row.loc("")}
		if err := keys.add(s.role, s.loc, fmt.Sprintf("network_permissions row for role %q", s.role)); err != nil {
			return err
		}
		p.network = append(p.network, s)
		return nil
	})
}

func readCIDRPermissions(file string, r io.Reader, p *plan) error {
	keys := keyIndex{}
	return readTable(file, r, cidrPermissionsTable, p, func(row csvRow) error {
		role, err := row.required("role", "role name")
		if err != nil {
			return err
		}
		groups, err := parseTextSet(row.get("cidr_groups"))
		if err != nil {
			return inputErr(row.loc("cidr_groups"), ErrMalformed, "malformed set: %v", err)
		}
		s := planSet{role: role, values: nonNil(groups), loc: row.loc("")}
		if err := keys.add(role, s.loc, fmt.Sprintf("cidr_permissions row for role %q", role)); err != nil {
			return err
		}
		p.cidrPerms = append(p.cidrPerms, s)
		return nil
	})
}

func readCIDRGroups(file string, r io.Reader, p *plan) error {
	keys := keyIndex{}
	return readTable(file, r, cidrGroupsTable, p, func(row csvRow) error {
		name, err := row.required("cidr_group", "CIDR group name")
		if err != nil {
			return err
		}
		cidrs, err := parseCIDRSet(row.get("cidrs"))
		if err != nil {
			return inputErr(row.loc("cidrs"), ErrMalformed, "malformed CIDR set: %v", err)
		}
		g := planGroup{name: name, cidrs: cidrs, loc: row.loc("")}
		if err := keys.add(name, g.loc, fmt.Sprintf("CIDR group %q", name)); err != nil {
			return err
		}
		p.groups = append(p.groups, g)
		return nil
	})
}

func readIdentities(file string, r io.Reader, p *plan) error {
	keys := keyIndex{}
	return readTable(file, r, identityTable, p, func(row csvRow) error {
		identity, err := row.required("identity", "identity")
		if err != nil {
			return err
		}
		role, err := row.required("role", "role name")
		if err != nil {
			return err
		}
		id := planIdentity{identity: identity, role: role, loc: row.loc("")}
		if err := keys.add(identity, id.loc, fmt.Sprintf("identity %q", identity)); err != nil {
			return err
		}
		p.identities = append(p.identities, id)
		return nil
	})
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
