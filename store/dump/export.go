package dump

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/store"
)

// FormatName is the value of the "format" member of every dump.
const FormatName = "cassauth-dump"

// FormatVersion is the format version [Export] writes and the newest one
// [Import] reads.
const FormatVersion = 1

// The records of the format, in the order their fields are written.

type roleJSON struct {
	Role        string            `json:"role"`
	IsSuperuser bool              `json:"is_superuser"`
	CanLogin    bool              `json:"can_login"`
	SaltedHash  string            `json:"salted_hash,omitempty"`
	MemberOf    []string          `json:"member_of,omitempty"`
	Options     map[string]string `json:"options,omitempty"`
}

type grantJSON struct {
	Role        string   `json:"role"`
	Resource    string   `json:"resource"`
	Permissions []string `json:"permissions"`
}

type networkJSON struct {
	Role string   `json:"role"`
	DCs  []string `json:"dcs"`
}

type cidrPermJSON struct {
	Role       string   `json:"role"`
	CIDRGroups []string `json:"cidr_groups"`
}

type cidrGroupJSON struct {
	CIDRGroup string   `json:"cidr_group"`
	CIDRs     []string `json:"cidrs"`
}

type identityJSON struct {
	Identity string `json:"identity"`
	Role     string `json:"role"`
}

// Export writes everything st holds to w as one JSON document in the format
// described in the package documentation: roles with their password hashes,
// memberships, grants, network and CIDR permissions, CIDR groups,
// identities, and, when st implements [store.Catalog], its schema object
// names. The output is deterministic: the same contents always give the
// same bytes.
//
// The store contract lists network and CIDR permission rows only by role,
// so Export writes those of every role that has a role row, a grant or an
// identity. Export reads table after table without a transaction: a store
// changed meanwhile may be exported half old, half new. Store errors are
// returned wrapped; w's errors are returned as they are.
//
// The output holds password hashes: protect it like the store itself (see
// [ExportFile]). Export only reads st and may run concurrently with anything.
func Export(ctx context.Context, st store.Store, w io.Writer) error {
	d, err := snapshot(ctx, st)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\n  \"format\": %q,\n  \"version\": %d", FormatName, FormatVersion)
	writeSection(bw, "roles", d.roles)
	writeSection(bw, "grants", d.grants)
	writeSection(bw, "network", d.network)
	writeSection(bw, "cidr_permissions", d.cidrPerms)
	writeSection(bw, "cidr_groups", d.groups)
	writeSection(bw, "identities", d.identities)
	if d.hasCatalog {
		writeSection(bw, "schema", d.schema)
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// ExportFile writes the dump of st to the file at path with mode 0600
// (owner read/write only), since it holds password hashes. It writes a
// temporary file in the same directory and renames it over path once
// complete and synced, so path never holds a partial dump.
func ExportFile(ctx context.Context, st store.Store, path string) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if err := Export(ctx, st, f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	return nil
}

// contents is everything Export writes, sorted.
type contents struct {
	roles      []roleJSON
	grants     []grantJSON
	network    []networkJSON
	cidrPerms  []cidrPermJSON
	groups     []cidrGroupJSON
	identities []identityJSON
	schema     []string
	hasCatalog bool
}

func snapshot(ctx context.Context, st store.Store) (*contents, error) {
	wrap := func(what string, err error) error { return fmt.Errorf("dump: reading %s: %w", what, err) }
	d := &contents{}
	roles, err := st.ListRoles(ctx)
	if err != nil {
		return nil, wrap("roles", err)
	}
	names := map[string]bool{}
	for _, r := range roles {
		names[r.Name] = true
		member := slices.Clone(r.MemberOf)
		slices.Sort(member)
		d.roles = append(d.roles, roleJSON{
			Role: r.Name, IsSuperuser: r.IsSuperuser, CanLogin: r.CanLogin, SaltedHash: r.SaltedHash,
			MemberOf: slices.Compact(member), Options: r.Options,
		})
	}
	slices.SortFunc(d.roles, func(a, b roleJSON) int { return strings.Compare(a.Role, b.Role) })

	grants, err := st.ListGrants(ctx, "")
	if err != nil {
		return nil, wrap("grants", err)
	}
	for _, g := range grants {
		if g.Permissions.IsEmpty() {
			continue
		}
		names[g.Role] = true
		d.grants = append(d.grants, grantJSON{Role: g.Role, Resource: g.Resource, Permissions: g.Permissions.Names()})
	}
	slices.SortFunc(d.grants, func(a, b grantJSON) int {
		return cmp.Or(strings.Compare(a.Role, b.Role), strings.Compare(a.Resource, b.Resource))
	})

	ids, err := st.ListIdentities(ctx)
	if err != nil {
		return nil, wrap("identities", err)
	}
	for id, role := range ids {
		names[role] = true
		d.identities = append(d.identities, identityJSON{Identity: id, Role: role})
	}
	slices.SortFunc(d.identities, func(a, b identityJSON) int { return strings.Compare(a.Identity, b.Identity) })

	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	slices.Sort(sorted)
	for _, role := range sorted {
		dcs, err := st.GetDatacenters(ctx, role)
		switch {
		case err == nil:
			d.network = append(d.network, networkJSON{Role: role, DCs: sortedSet(dcs)})
		case !errors.Is(err, store.ErrNotFound):
			return nil, wrap("network permissions of "+role, err)
		}
		groups, err := st.GetCIDRPermissions(ctx, role)
		switch {
		case err == nil:
			d.cidrPerms = append(d.cidrPerms, cidrPermJSON{Role: role, CIDRGroups: sortedSet(groups)})
		case !errors.Is(err, store.ErrNotFound):
			return nil, wrap("CIDR permissions of "+role, err)
		}
	}

	groups, err := st.ListCIDRGroups(ctx)
	if err != nil {
		return nil, wrap("CIDR groups", err)
	}
	for _, g := range groups {
		cidrs := slices.Clone(g.CIDRs)
		slices.SortFunc(cidrs, comparePrefix)
		cidrs = slices.Compact(cidrs)
		texts := make([]string, len(cidrs))
		for i, p := range cidrs {
			texts[i] = p.String()
		}
		d.groups = append(d.groups, cidrGroupJSON{CIDRGroup: g.Name, CIDRs: texts})
	}
	slices.SortFunc(d.groups, func(a, b cidrGroupJSON) int { return strings.Compare(a.CIDRGroup, b.CIDRGroup) })

	if cat, ok := st.(store.Catalog); ok {
		d.hasCatalog = true
		if d.schema, err = cat.ListSchemaObjects(ctx, ""); err != nil {
			return nil, wrap("schema objects", err)
		}
		slices.Sort(d.schema)
	}
	return d, nil
}

// sortedSet returns xs sorted, without duplicates, never nil.
func sortedSet(xs []string) []string {
	out := append([]string{}, xs...)
	slices.Sort(out)
	return slices.Compact(out)
}

// comparePrefix orders prefixes by address, then by length.
func comparePrefix(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

// writeSection writes `,\n  "name": [...]` with one record per line.
// Errors stick in bw and surface at Flush.
func writeSection[T any](bw *bufio.Writer, name string, items []T) {
	fmt.Fprintf(bw, ",\n  %q: [", name)
	if len(items) == 0 {
		bw.WriteString("]")
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i, it := range items {
		buf.Reset()
		// The records are plain strings, booleans, slices and maps of
		// strings: encoding them cannot fail.
		_ = enc.Encode(it)
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n  ]")
}
