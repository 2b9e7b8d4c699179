package dump_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/dump"
)

// docExample returns the example dump of the package documentation.
func docExample(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	var b strings.Builder
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		switch {
		case l == "//\t{":
			in = true
		case !in:
			continue
		case !strings.HasPrefix(l, "//\t"):
			return b.String()
		}
		b.WriteString(strings.TrimPrefix(l, "//\t") + "\n")
	}
	t.Fatal("no example in doc.go")
	return ""
}

// TestDocExample checks that the example in the documentation is what
// Export writes for the store it describes.
func TestDocExample(t *testing.T) {
	ctx := context.Background()
	example := docExample(t)
	st := newMem(t)
	sum, err := dump.Import(ctx, st, strings.NewReader(example), dump.ImportOptions{})
	require.NoError(t, err)
	assert.Equal(t, dump.Summary{Roles: 3, Memberships: 1, Grants: 2, Network: 1, CIDRPermissions: 1, CIDRGroups: 1, Identities: 1, SchemaObjects: 2}, sum)
	var out bytes.Buffer
	require.NoError(t, dump.Export(ctx, st, &out))
	assert.Equal(t, example, out.String())
}

const validDump = `{
  "format": "cassauth-dump",
  "version": 1,
  "roles": [
    {"role": "reader"},
    {"role": "app", "can_login": true, "salted_hash": "$2a$10$x", "member_of": ["reader"]}
  ],
  "grants": [
    {"role": "reader", "resource": "data/shop", "permissions": ["SELECT"]},
    {"role": "app", "resource": "data/shop/orders", "permissions": ["modify"]}
  ]
}
`

func TestImportBadInput(t *testing.T) {
	cases := []struct {
		name      string
		doc       string
		line, col int
		field     string
		is        error
		msg       string
	}{
		{
			name: "unsupported version",
			doc:  strings.Replace(validDump, `"version": 1`, `"version": 2`, 1),
			line: 3, col: 14, field: "version", is: dump.ErrUnsupportedVersion, msg: "dump version 2 is newer than this package reads (1)",
		},
		{
			name: "newer version with new members",
			doc:  strings.Replace(validDump, `"version": 1,`, `"version": 3, "policies": [],`, 1),
			line: 3, col: 14, field: "version", is: dump.ErrUnsupportedVersion, msg: "dump version 3 is newer",
		},
		{
			name: "version not a number",
			doc:  strings.Replace(validDump, `"version": 1`, `"version": "1"`, 1),
			line: 3, col: 14, field: "version", is: dump.ErrMalformed, msg: "version must be a positive integer",
		},
		{
			name: "missing version",
			doc:  strings.Replace(validDump, `"version": 1,`, ``, 1),
			line: 1, col: 1, is: dump.ErrMalformed, msg: `missing field "version"`,
		},
		{
			name: "not a dump",
			doc:  strings.Replace(validDump, `"cassauth-dump"`, `"other"`, 1),
			line: 2, col: 13, field: "format", is: dump.ErrMalformed, msg: `not a cassauth dump: format is "other"`,
		},
		{
			name: "broken JSON",
			doc:  strings.Replace(validDump, `{"role": "reader"},`, `{"role": "reader"},,`, 1),
			line: 5, col: 24, is: dump.ErrMalformed, msg: "invalid JSON: invalid character ',' looking for beginning of value",
		},
		{
			name: "truncated",
			doc:  validDump[:strings.Index(validDump, `"grants"`)+10],
			line: 8, col: 13, is: dump.ErrMalformed, msg: "invalid JSON: unexpected end of JSON input",
		},
		{
			name: "trailing data",
			doc:  validDump + "{}",
			line: 13, col: 1, is: dump.ErrMalformed, msg: "invalid JSON: invalid character '{' after top-level value",
		},
		{
			name: "unknown top-level field",
			doc:  strings.Replace(validDump, `"version": 1,`, `"version": 1, "users": [],`, 1),
			line: 3, col: 17, field: "users", is: dump.ErrMalformed, msg: `unknown field "users"`,
		},
		{
			name: "unknown role field",
			doc:  strings.Replace(validDump, `{"role": "reader"}`, `{"role": "reader", "superuser": true}`, 1),
			line: 5, col: 24, field: "roles[0].superuser", is: dump.ErrMalformed, msg: `unknown field "superuser"`,
		},
		{
			name: "missing role name",
			doc:  strings.Replace(validDump, `{"role": "reader"}`, `{"can_login": true}`, 1),
			line: 5, col: 5, field: "roles[0]", is: dump.ErrMalformed, msg: `missing field "role"`,
		},
		{
			name: "empty role name",
			doc:  strings.Replace(validDump, `{"role": "reader"}`, `{"role": ""}`, 1),
			line: 5, col: 14, field: "roles[0].role", is: dump.ErrMalformed, msg: "empty role name",
		},
		{
			name: "wrong type",
			doc:  strings.Replace(validDump, `"can_login": true`, `"can_login": "yes"`, 1),
			line: 6, col: 34, field: "roles[1].can_login", is: dump.ErrMalformed, msg: "expected a boolean, found a string",
		},
		{
			name: "duplicate role",
			doc:  strings.Replace(validDump, `{"role": "app"`, `{"role": "reader"`, 1),
			line: 6, col: 5, field: "roles[1]", is: dump.ErrDuplicate, msg: `duplicate role "reader" (first at dump:5:5: roles[0])`,
		},
		{
			name: "duplicate field",
			doc:  strings.Replace(validDump, `{"role": "reader"}`, `{"role": "reader", "role": "x"}`, 1),
			line: 5, col: 24, field: "roles[0].role", is: dump.ErrMalformed, msg: `duplicate field "role"`,
		},
		{
			name: "dangling membership",
			doc:  strings.Replace(validDump, `"member_of": ["reader"]`, `"member_of": ["reader", "writer"]`, 1),
			line: 6, col: 91, field: "roles[1].member_of[1]", is: dump.ErrInconsistent, msg: `dangling membership: role "app" is a member of "writer", which is not defined`,
		},
		{
			name: "self membership",
			doc:  strings.Replace(validDump, `"member_of": ["reader"]`, `"member_of": ["app"]`, 1),
			line: 6, col: 81, field: "roles[1].member_of[0]", is: dump.ErrInconsistent, msg: `role "app" cannot be a member of itself`,
		},
		{
			name: "membership cycle",
			doc:  strings.Replace(validDump, `{"role": "reader"}`, `{"role": "reader", "member_of": ["app"]}`, 1),
			line: 6, col: 81, field: "roles[1].member_of[0]", is: dump.ErrInconsistent, msg: `membership cycle: "reader" is a member of "app" is a member of "reader"`,
		},
		{
			name: "unknown permission",
			doc:  strings.Replace(validDump, `["modify"]`, `["modify", "SELEKT"]`, 1),
			line: 10, col: 79, field: "grants[1].permissions[1]", is: resource.ErrUnknownPermission, msg: `unknown permission "SELEKT"`,
		},
		{
			name: "no permissions",
			doc:  strings.Replace(validDump, `["modify"]`, `[]`, 1),
			line: 10, col: 5, field: "grants[1]", is: dump.ErrMalformed, msg: "a grant needs at least one permission",
		},
		{
			name: "malformed resource name",
			doc:  strings.Replace(validDump, `"data/shop/orders"`, `"data/shop/orders/x"`, 1),
			line: 10, col: 33, field: "grants[1].resource", is: resource.ErrInvalidName, msg: "data/shop/orders/x is not a valid data resource name",
		},
		{
			name: "duplicate grant after normalization",
			doc:  strings.Replace(validDump, `{"role": "app", "resource": "data/shop/orders"`, `{"role": "reader", "resource": "data//shop/"`, 1),
			line: 10, col: 5, field: "grants[1]", is: dump.ErrDuplicate, msg: `duplicate grant to "reader" on "data/shop"`,
		},
		{
			name: "bad CIDR",
			doc: strings.Replace(validDump, `"grants"`,
				`"cidr_groups": [{"cidr_group": "g", "cidrs": ["10.0.0.0/8", "10.0.0.0/40"]}], "grants"`, 1),
			line: 8, col: 63, field: "cidr_groups[0].cidrs[1]", is: dump.ErrMalformed, msg: "invalid CIDR",
		},
		{
			name: "missing dcs",
			doc:  strings.Replace(validDump, `"grants"`, `"network": [{"role": "app"}], "grants"`, 1),
			line: 8, col: 15, field: "network[0]", is: dump.ErrMalformed, msg: `missing field "dcs"`,
		},
		{
			name: "duplicate identity",
			doc: strings.Replace(validDump, `"grants"`,
				`"identities": [{"identity": "i", "role": "app"}, {"identity": "i", "role": "reader"}], "grants"`, 1),
			line: 8, col: 52, field: "identities[1]", is: dump.ErrDuplicate, msg: `duplicate identity "i"`,
		},
		{
			name: "malformed schema name",
			doc:  strings.Replace(validDump, `"grants"`, `"schema": ["data/ks", "keyspace/ks"], "grants"`, 1),
			line: 8, col: 25, field: "schema[1]", is: resource.ErrInvalidName, msg: "Name keyspace/ks is not valid for any resource type",
		},
		{
			name: "not UTF-8",
			doc:  strings.Replace(validDump, `"reader"}`, "\"r\xe9ader\"}", 1),
			line: 5, col: 16, is: dump.ErrMalformed, msg: "invalid UTF-8 (byte 0xe9)",
		},
		{
			name: "top level not an object",
			doc:  "[]",
			line: 1, col: 1, is: dump.ErrMalformed, msg: "expected an object, found an array",
		},
		{
			name: "empty input",
			doc:  "",
			line: 1, col: 1, is: dump.ErrMalformed, msg: "invalid JSON: unexpected end of JSON input",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newMem(t)
			_, err := dump.Import(context.Background(), st, strings.NewReader(tc.doc), dump.ImportOptions{})
			require.Error(t, err)
			var ie *dump.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "dump", ie.File)
			assert.Equal(t, tc.line, ie.Line, "line")
			assert.Equal(t, tc.col, ie.Column, "column")
			assert.Equal(t, tc.field, ie.Field)
			assert.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.msg)
			requireEmpty(t, st)
		})
	}
}

func TestImportValid(t *testing.T) {
	ctx := context.Background()
	st := newMem(t)
	sum, err := dump.Import(ctx, st, strings.NewReader(validDump), dump.ImportOptions{})
	require.NoError(t, err)
	assert.Equal(t, dump.Summary{Roles: 2, Memberships: 1, Grants: 2}, sum)
	app := mustRole(t, st, "app")
	assert.Equal(t, store.RoleRecord{Name: "app", CanLogin: true, SaltedHash: "$2a$10$x", MemberOf: []string{"reader"}}, app)

	// null is an absent optional value.
	st2 := newMem(t)
	_, err = dump.Import(ctx, st2, strings.NewReader(`{"format": "cassauth-dump", "version": 1, "grants": null,
		"roles": [{"role": "r", "is_superuser": null, "salted_hash": null, "member_of": null, "options": null}]}`), dump.ImportOptions{})
	require.NoError(t, err)
	assert.Equal(t, store.RoleRecord{Name: "r"}, mustRole(t, st2, "r"))
	got, err := st.GetPermissions(ctx, "app", "data/shop/orders")
	require.NoError(t, err)
	assert.Equal(t, perms(resource.Modify), got, "permission names are case-insensitive")
}

func TestImportNotEmpty(t *testing.T) {
	ctx := context.Background()
	for name, seed := range map[string]func(store.Store) error{
		"role": func(st store.Store) error { return st.CreateRole(ctx, store.RoleRecord{Name: "x"}) },
		"grant": func(st store.Store) error {
			_, err := st.AddPermissions(ctx, "x", "data", perms(resource.Select))
			return err
		},
		"identity": func(st store.Store) error { return st.AddIdentity(ctx, "i", "x") },
		"group":    func(st store.Store) error { return st.SetCIDRGroup(ctx, "g", nil) },
		"schema":   func(st store.Store) error { return st.(store.Catalog).AddSchemaObject(ctx, "data/ks") },
	} {
		t.Run(name, func(t *testing.T) {
			st := newMem(t)
			require.NoError(t, seed(st))
			before := readTables(t, st)
			_, err := dump.Import(ctx, st, strings.NewReader(validDump), dump.ImportOptions{})
			require.ErrorIs(t, err, dump.ErrNotEmpty)
			assert.Equal(t, before, readTables(t, st))
		})
	}
}

func TestImportMerge(t *testing.T) {
	ctx := context.Background()
	st := newMem(t)
	require.NoError(t, st.CreateRole(ctx, store.RoleRecord{Name: "app", IsSuperuser: true, Options: map[string]string{"k": "v"}}))
	require.NoError(t, st.CreateRole(ctx, store.RoleRecord{Name: "writer"}))
	require.NoError(t, st.GrantRole(ctx, "writer", "app"))
	_, err := st.AddPermissions(ctx, "app", "data/shop/orders", perms(resource.Select))
	require.NoError(t, err)
	require.NoError(t, st.AddIdentity(ctx, "id1", "writer"))
	require.NoError(t, st.SetDatacenters(ctx, "app", []string{"dc9"}))

	doc := strings.Replace(validDump, `"grants"`,
		`"identities": [{"identity": "id1", "role": "app"}], "network": [{"role": "app", "dcs": []}], "grants"`, 1)
	sum, err := dump.Import(ctx, st, strings.NewReader(doc), dump.ImportOptions{Merge: true})
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Roles)

	app := mustRole(t, st, "app")
	assert.False(t, app.IsSuperuser, "flags are replaced")
	assert.True(t, app.CanLogin)
	assert.Empty(t, app.Options, "options are replaced")
	assert.Equal(t, []string{"reader", "writer"}, app.MemberOf, "memberships are merged")
	got, err := st.GetPermissions(ctx, "app", "data/shop/orders")
	require.NoError(t, err)
	assert.Equal(t, perms(resource.Select, resource.Modify), got, "permissions are merged")
	role, err := st.GetIdentity(ctx, "id1")
	require.NoError(t, err)
	assert.Equal(t, "app", role, "identities are replaced")
	dcs, err := st.GetDatacenters(ctx, "app")
	require.NoError(t, err)
	assert.Empty(t, dcs, "network rows are replaced")

	// A membership may name a role that only the store defines, and a
	// cycle through the store's memberships is found.
	_, err = dump.Import(ctx, st, strings.NewReader(`{"format": "cassauth-dump", "version": 1,
		"roles": [{"role": "new", "member_of": ["writer"]}]}`), dump.ImportOptions{Merge: true})
	require.NoError(t, err)
	_, err = dump.Import(ctx, st, strings.NewReader(`{"format": "cassauth-dump", "version": 1,
		"roles": [{"role": "writer", "member_of": ["app"]}]}`), dump.ImportOptions{Merge: true})
	require.ErrorIs(t, err, dump.ErrInconsistent)
	assert.Contains(t, err.Error(), `membership cycle: "writer" is a member of "app" is a member of "writer"`)
}

func TestImportWarnings(t *testing.T) {
	st := newMem(t)
	doc := strings.Replace(validDump, `"grants": [`, `"grants": [
    {"role": "ghost", "resource": "data", "permissions": ["SELECT"]},`, 1)
	sum, err := dump.Import(context.Background(), st, strings.NewReader(doc), dump.ImportOptions{Name: "in.json"})
	require.NoError(t, err)
	require.Len(t, sum.Warnings, 1)
	assert.Equal(t, `in.json:9:5: grants[0]: role "ghost" is not defined; the row is imported anyway, as Cassandra's tables allow`, sum.Warnings[0].String())
}

// failingStore fails the n-th write.
type failingStore struct {
	store.Store
	writes, failAt int
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) write() error {
	f.writes++
	if f.writes == f.failAt {
		return errDiskFull
	}
	return nil
}

func (f *failingStore) CreateRole(ctx context.Context, r store.RoleRecord) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.Store.CreateRole(ctx, r)
}

func (f *failingStore) GrantRole(ctx context.Context, role, grantee string) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.Store.GrantRole(ctx, role, grantee)
}

func (f *failingStore) AddPermissions(ctx context.Context, role, res string, p resource.PermissionSet) (resource.PermissionSet, error) {
	if err := f.write(); err != nil {
		return 0, err
	}
	return f.Store.AddPermissions(ctx, role, res, p)
}

func TestImportWriteError(t *testing.T) {
	st := &failingStore{Store: newMem(t), failAt: 4}
	sum, err := dump.Import(context.Background(), st, strings.NewReader(validDump), dump.ImportOptions{})
	require.ErrorIs(t, err, errDiskFull)
	var we *dump.WriteError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "AddPermissions", we.Op)
	assert.Equal(t, "reader on data/shop", we.Key)
	assert.Equal(t, 9, we.Line)
	assert.Equal(t, "grants[0]", we.Field)
	assert.Equal(t, dump.Summary{Roles: 2, Memberships: 1}, we.Written)
	assert.Equal(t, we.Written, sum)
	assert.Contains(t, err.Error(), "failed after 3 rows were written")
}

func TestExportFile(t *testing.T) {
	ctx := context.Background()
	st := newMem(t)
	_, err := dump.Import(ctx, st, strings.NewReader(validDump), dump.ImportOptions{})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "auth.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	require.NoError(t, dump.ExportFile(ctx, st, path))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the file holds password hashes")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	other := newMem(t)
	_, err = dump.ImportFile(ctx, other, path, dump.ImportOptions{})
	require.NoError(t, err)
	assert.Equal(t, readTables(t, st), readTables(t, other))

	_, err = dump.ImportFile(ctx, newMem(t), filepath.Join(t.TempDir(), "missing.json"), dump.ImportOptions{})
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestImportFileNamesErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"format": "cassauth-dump", "version": 7}`), 0o600))
	_, err := dump.ImportFile(context.Background(), newMem(t), path, dump.ImportOptions{})
	require.ErrorIs(t, err, dump.ErrUnsupportedVersion)
	assert.Contains(t, err.Error(), path+":1:40: version")
}

// FuzzImport checks that Import never panics, and that whatever it accepts
// exports to a dump that imports and exports to the same bytes.
func FuzzImport(f *testing.F) {
	f.Add(validDump)
	f.Add(`{"format": "cassauth-dump", "version": 1, "roles": [{"role": "a", "member_of": ["b"]}, {"role": "b", "options": {"k": "v"}}],
	  "cidr_groups": [{"cidr_group": "g", "cidrs": ["10.0.0.0/8", "::1/128"]}], "network": [{"role": "a", "dcs": []}],
	  "cidr_permissions": [{"role": "zz", "cidr_groups": ["g"]}], "identities": [{"identity": "i", "role": "a"}], "schema": ["data/ks"]}`)
	f.Add(`{"format": "cassauth-dump", "version": 1, "grants": [{"role": "r", "resource": "mbean/org.apache.cassandra.db:type=*", "permissions": ["select"]}]}`)
	f.Add(`{"format": "cassauth-dump", "version": 2}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, in string) {
		ctx := context.Background()
		st := newMem(t)
		if _, err := dump.Import(ctx, st, strings.NewReader(in), dump.ImportOptions{}); err != nil {
			var ie *dump.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("not an InputError: %T %v", err, err)
			}
			requireEmpty(t, st)
			return
		}
		first := export(t, st)
		again := newMem(t)
		if _, err := dump.Import(ctx, again, bytes.NewReader(first), dump.ImportOptions{}); err != nil {
			t.Fatalf("re-import of %s: %v", first, err)
		}
		if second := export(t, again); !bytes.Equal(first, second) {
			t.Fatalf("dumps differ:\n%s\n---\n%s", first, second)
		}
	})
}
