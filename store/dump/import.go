package dump

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"unicode/utf8"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Import reads a dump in the format [Export] writes (see the package
// documentation) from r and writes it to st.
//
// It reads the whole document and validates everything first: syntax and
// types, the format name and version, role names, resource names (with
// [resource.Parse], whose messages are Cassandra's), permission names,
// CIDRs, duplicate keys, memberships (both roles must be defined, no
// cycles) and, without opts.Merge, that st is empty. The first problem is
// returned as an [*InputError] with its line, column and JSON path, and
// nothing is written. A validated dump is then written table by table; a
// store error stops it with a [*WriteError] saying which row failed and
// what had been written (the returned Summary counts the same).
//
// Import is safe to call concurrently with other users of st, but rows
// they write during the import may interleave with it.
func Import(ctx context.Context, st store.Store, r io.Reader, opts ImportOptions) (Summary, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Summary{}, fmt.Errorf("dump: reading the input: %w", err)
	}
	name := opts.Name
	if name == "" {
		name = "dump"
	}
	p, err := parseDump(name, data)
	if err != nil {
		return Summary{}, err
	}
	return p.run(ctx, st, opts)
}

// ImportFile is [Import] from the file at path, named by path in errors.
func ImportFile(ctx context.Context, st store.Store, path string, opts ImportOptions) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, fmt.Errorf("dump: %w", err)
	}
	defer f.Close()
	if opts.Name == "" {
		opts.Name = path
	}
	return Import(ctx, st, f, opts)
}

// section is a top-level member of the dump, kept raw until the version
// has been checked.
type section struct {
	raw json.RawMessage
	off int64
}

// isSection reports whether key is a top-level member of the format.
func isSection(key string) bool {
	switch key {
	case "format", "version", "roles", "grants", "network", "cidr_permissions", "cidr_groups", "identities", "schema":
		return true
	}
	return false
}

// parseDump parses and validates a dump document into a plan.
func parseDump(name string, data []byte) (*plan, error) {
	doc := newJSONDoc(name, data)
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return nil, inputErr(doc.loc(int64(off), ""), ErrMalformed, "invalid UTF-8 (byte 0x%02x)", data[off])
	}
	// encoding/json's scanner gives exact offsets only for a whole
	// document, so syntax is checked first, then types and values.
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		var se *json.SyntaxError
		if !errors.As(err, &se) {
			return nil, inputErr(doc.loc(0, ""), ErrMalformed, "invalid JSON: %v", err)
		}
		off := se.Offset - 1 // the offending byte
		if se.Offset >= int64(len(data)) {
			off = int64(len(data))
		}
		return nil, inputErr(doc.loc(off, ""), ErrMalformed, "invalid JSON: %s", se.Error())
	}
	root := doc.cursor(data, 0)
	sections := map[string]section{}
	var unknown error // reported after the version: a newer version may add members
	if _, err := root.object("", func(key string, koff int64, path string) error {
		if !isSection(key) && unknown == nil {
			unknown = inputErr(doc.loc(koff, path), ErrMalformed, "unknown field %q", key)
		}
		off := root.next()
		var raw json.RawMessage
		if err := root.dec.Decode(&raw); err != nil {
			return root.syntaxErr(err, off, path)
		}
		sections[key] = section{raw: raw, off: off}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := root.end(""); err != nil {
		return nil, err
	}
	if err := checkHeader(doc, sections); err != nil {
		return nil, err
	}
	if unknown != nil {
		return nil, unknown
	}
	p := &plan{}
	parsers := []struct {
		name  string
		parse func(*cursor, *plan) error
	}{
		{"roles", parseRoles},
		{"grants", parseGrants},
		{"network", parseNetwork},
		{"cidr_permissions", parseCIDRPermissions},
		{"cidr_groups", parseCIDRGroups},
		{"identities", parseIdentities},
		{"schema", parseSchema},
	}
	for _, s := range parsers {
		sec, ok := sections[s.name]
		if !ok {
			continue
		}
		if err := s.parse(doc.cursor(sec.raw, sec.off), p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkHeader checks the format name and version.
func checkHeader(doc *jsonDoc, sections map[string]section) error {
	f, ok := sections["format"]
	if !ok {
		return inputErr(doc.loc(0, ""), ErrMalformed, `missing field "format": not a cassauth dump`)
	}
	var format string
	if err := json.Unmarshal(f.raw, &format); err != nil || format != FormatName {
		return inputErr(doc.loc(f.off, "format"), ErrMalformed, "not a cassauth dump: format is %s, want %q", f.raw, FormatName)
	}
	v, ok := sections["version"]
	if !ok {
		return inputErr(doc.loc(0, ""), ErrMalformed, `missing field "version"`)
	}
	var version int64
	if err := json.Unmarshal(v.raw, &version); err != nil || version < 1 {
		return inputErr(doc.loc(v.off, "version"), ErrMalformed, "version must be a positive integer, found %s", v.raw)
	}
	if version > FormatVersion {
		return inputErr(doc.loc(v.off, "version"), ErrUnsupportedVersion,
			"dump version %d is newer than this package reads (%d)", version, FormatVersion)
	}
	return nil
}

// required reports the first of names that was not seen in the object at
// off.
func required(c *cursor, off int64, path string, seen map[string]bool, names ...string) error {
	for _, n := range names {
		if !seen[n] {
			return inputErr(c.doc.loc(off, path), ErrMalformed, "missing field %q", n)
		}
	}
	return nil
}

func unknownField(c *cursor, koff int64, path, key string) error {
	return inputErr(c.doc.loc(koff, path), ErrMalformed, "unknown field %q", key)
}

func parseRoles(c *cursor, p *plan) error {
	keys := keyIndex{}
	return c.array("roles", true, func(_ int, path string) error {
		var r planRole
		seen := map[string]bool{}
		off, err := c.object(path, func(key string, koff int64, fp string) error {
			seen[key] = true
			var err error
			switch key {
			case "role":
				r.rec.Name, _, err = c.str(fp, "role name", true)
			case "is_superuser":
				r.rec.IsSuperuser, err = c.boolean(fp)
			case "can_login":
				r.rec.CanLogin, err = c.boolean(fp)
			case "salted_hash":
				r.rec.SaltedHash, err = c.optStr(fp)
			case "member_of":
				r.rec.MemberOf, r.memberLocs, err = c.strings(fp, "role name")
			case "options":
				r.rec.Options, err = c.stringMap(fp)
			default:
				err = unknownField(c, koff, fp, key)
			}
			return err
		})
		if err != nil {
			return err
		}
		if err := required(c, off, path, seen, "role"); err != nil {
			return err
		}
		r.loc = c.doc.loc(off, path)
		if err := keys.add(r.rec.Name, r.loc, fmt.Sprintf("role %q", r.rec.Name)); err != nil {
			return err
		}
		r.dedupeMembers()
		p.roles = append(p.roles, r)
		return nil
	})
}

// dedupeMembers drops repeated member_of entries, keeping the first.
func (r *planRole) dedupeMembers() {
	seen := map[string]bool{}
	var names []string
	var locs []Location
	for i, n := range r.rec.MemberOf {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
			locs = append(locs, r.memberLocs[i])
		}
	}
	r.rec.MemberOf, r.memberLocs = names, locs
}

func parseGrants(c *cursor, p *plan) error {
	keys := keyIndex{}
	return c.array("grants", true, func(_ int, path string) error {
		var g planGrant
		var perms []string
		var permLocs []Location
		seen := map[string]bool{}
		off, err := c.object(path, func(key string, koff int64, fp string) error {
			seen[key] = true
			switch key {
			case "role":
				var err error
				g.role, _, err = c.str(fp, "role name", true)
				return err
			case "resource":
				name, voff, err := c.str(fp, "resource name", true)
				if err != nil {
					return err
				}
				res, err := resource.Parse(name)
				if err != nil {
					return inputErr(c.doc.loc(voff, fp), err, "%s", err.Error())
				}
				g.res = res.Name()
				return nil
			case "permissions":
				var err error
				perms, permLocs, err = c.strings(fp, "permission name")
				return err
			}
			return unknownField(c, koff, fp, key)
		})
		if err != nil {
			return err
		}
		if err := required(c, off, path, seen, "role", "resource", "permissions"); err != nil {
			return err
		}
		g.loc = c.doc.loc(off, path)
		if len(perms) == 0 {
			return inputErr(g.loc, ErrMalformed, "a grant needs at least one permission")
		}
		for i, name := range perms {
			perm, err := resource.ParsePermission(name)
			if err != nil {
				return inputErr(permLocs[i], err, "unknown permission %q", name)
			}
			g.perms = g.perms.With(perm)
		}
		if err := keys.add(g.role+"\x00"+g.res, g.loc, fmt.Sprintf("grant to %q on %q", g.role, g.res)); err != nil {
			return err
		}
		p.grants = append(p.grants, g)
		return nil
	})
}

// parseRoleSets parses network and cidr_permissions, whose rows are a role
// and a set of names.
func parseRoleSets(c *cursor, section, setField, what string, out *[]planSet) error {
	keys := keyIndex{}
	return c.array(section, true, func(_ int, path string) error {
		var s planSet
		seen := map[string]bool{}
		off, err := c.object(path, func(key string, koff int64, fp string) error {
			seen[key] = true
			var err error
			switch key {
			case "role":
				s.role, _, err = c.str(fp, "role name", true)
			case setField:
				s.values, _, err = c.strings(fp, what)
				if s.values == nil {
					s.values = []string{}
				}
			default:
				err = unknownField(c, koff, fp, key)
			}
			return err
		})
		if err != nil {
			return err
		}
		if err := required(c, off, path, seen, "role", setField); err != nil {
			return err
		}
		s.loc = c.doc.loc(off, path)
		if err := keys.add(s.role, s.loc, fmt.Sprintf("%s row for role %q", section, s.role)); err != nil {
			return err
		}
		*out = append(*out, s)
		return nil
	})
}

func parseNetwork(c *cursor, p *plan) error {
	return parseRoleSets(c, "network", "dcs", "datacenter name", &p.network)
}

func parseCIDRPermissions(c *cursor, p *plan) error {
	return parseRoleSets(c, "cidr_permissions", "cidr_groups", "CIDR group name", &p.cidrPerms)
}

func parseCIDRGroups(c *cursor, p *plan) error {
	keys := keyIndex{}
	return c.array("cidr_groups", true, func(_ int, path string) error {
		var g planGroup
		seen := map[string]bool{}
		off, err := c.object(path, func(key string, koff int64, fp string) error {
			seen[key] = true
			switch key {
			case "cidr_group":
				var err error
				g.name, _, err = c.str(fp, "CIDR group name", true)
				return err
			case "cidrs":
				texts, locs, err := c.strings(fp, "CIDR")
				if err != nil {
					return err
				}
				g.cidrs = make([]netip.Prefix, len(texts))
				for i, t := range texts {
					if g.cidrs[i], err = netip.ParsePrefix(t); err != nil {
						return inputErr(locs[i], ErrMalformed, "invalid CIDR: %v", err)
					}
				}
				return nil
			}
			return unknownField(c, koff, fp, key)
		})
		if err != nil {
			return err
		}
		if err := required(c, off, path, seen, "cidr_group", "cidrs"); err != nil {
			return err
		}
		g.loc = c.doc.loc(off, path)
		if err := keys.add(g.name, g.loc, fmt.Sprintf("CIDR group %q", g.name)); err != nil {
			return err
		}
		p.groups = append(p.groups, g)
		return nil
	})
}

func parseIdentities(c *cursor, p *plan) error {
	keys := keyIndex{}
	return c.array("identities", true, func(_ int, path string) error {
		var id planIdentity
		seen := map[string]bool{}
		off, err := c.object(path, func(key string, koff int64, fp string) error {
			seen[key] = true
			var err error
			switch key {
			case "identity":
				id.identity, _, err = c.str(fp, "identity", true)
			case "role":
				id.role, _, err = c.str(fp, "role name", true)
			default:
				err = unknownField(c, koff, fp, key)
			}
			return err
		})
		if err != nil {
			return err
		}
		if err := required(c, off, path, seen, "identity", "role"); err != nil {
			return err
		}
		id.loc = c.doc.loc(off, path)
		if err := keys.add(id.identity, id.loc, fmt.Sprintf("identity %q", id.identity)); err != nil {
			return err
		}
		p.identities = append(p.identities, id)
		return nil
	})
}

func parseSchema(c *cursor, p *plan) error {
	keys := keyIndex{}
	return c.array("schema", true, func(_ int, path string) error {
		name, off, err := c.str(path, "schema object name", true)
		if err != nil {
			return err
		}
		loc := c.doc.loc(off, path)
		res, err := resource.Parse(name)
		if err != nil {
			return inputErr(loc, err, "%s", err.Error())
		}
		if err := keys.add(res.Name(), loc, fmt.Sprintf("schema object %q", res.Name())); err != nil {
			return err
		}
		p.schema = append(p.schema, planSchema{name: res.Name(), loc: loc})
		return nil
	})
}
