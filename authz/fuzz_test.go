package authz_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/store"
)

// parseGroupSpec reads "prefix=group;prefix=group;..." into CIDR groups,
// skipping malformed entries.
func parseGroupSpec(spec string) []store.CIDRGroup {
	byName := map[string][]netip.Prefix{}
	for _, entry := range strings.Split(spec, ";") {
		p, name, ok := strings.Cut(entry, "=")
		if !ok {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			continue
		}
		byName[name] = append(byName[name], prefix)
	}
	var out []store.CIDRGroup
	for name, ps := range byName {
		out = append(out, store.CIDRGroup{Name: name, CIDRs: ps})
	}
	return out
}

// naiveLookup is the reference: scan every prefix, keep the groups of the
// longest ones containing ip.
func naiveLookup(groups []store.CIDRGroup, ip netip.Addr) []string {
	ip = ip.Unmap().WithZone("")
	best := -1
	var names []string
	for _, g := range groups {
		for _, p := range g.CIDRs {
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			if !p.IsValid() || !p.Contains(ip) {
				continue
			}
			switch {
			case p.Bits() > best:
				best, names = p.Bits(), []string{g.Name}
			case p.Bits() == best && !slices.Contains(names, g.Name):
				names = append(names, g.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// FuzzCIDRGroupMap checks longest-prefix matching against a linear scan.
func FuzzCIDRGroupMap(f *testing.F) {
	f.Add("10.0.0.0/8=corp;10.1.0.0/16=lab;0.0.0.0/0=world", "10.1.2.3")
	f.Add("2001:db8::/32=corp;2001:db8:1::/48=lab;2001:db8:1::/48=lab2", "2001:db8:1::7")
	f.Add("::ffff:10.0.0.0/104=mapped;10.0.0.0/16=v4", "::ffff:10.0.0.1")
	f.Add("10.1.2.3/8=unmasked", "10.9.9.9")
	f.Add("fe80::/10=link", "fe80::1%eth0")
	f.Fuzz(func(t *testing.T, spec, ipText string) {
		ip, err := netip.ParseAddr(ipText)
		if err != nil {
			return
		}
		groups := parseGroupSpec(spec)
		got := authz.NewCIDRGroupMap(groups).Lookup(ip)
		want := naiveLookup(groups, ip)
		if !slices.Equal(got, want) {
			t.Fatalf("Lookup(%s) over %q = %v, linear scan says %v", ip, spec, got, want)
		}
	})
}

// FuzzJavaHostString checks that Java's address form parses back to the
// same address (IPv4-mapped addresses come back unmapped, as Java sees
// them) and never uses zero compression.
func FuzzJavaHostString(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "::1", "::ffff:192.0.2.1", "2001:db8::ff00:42", "fe80::1%eth0", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return
		}
		j := authz.JavaHostString(a)
		back, err := netip.ParseAddr(j)
		if err != nil {
			t.Fatalf("JavaHostString(%s) = %q does not parse: %v", a, j, err)
		}
		want := a
		if a.Is4In6() {
			want = a.Unmap()
		}
		if back != want {
			t.Fatalf("JavaHostString(%s) = %q parses as %s", a, j, back)
		}
		if addr, _, _ := strings.Cut(j, "%"); strings.Contains(addr, "::") {
			t.Fatalf("JavaHostString(%s) = %q uses zero compression", a, j)
		}
	})
}
