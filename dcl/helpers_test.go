package dcl_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/memstore"
)

// tb is what the helpers need from *testing.T, *testing.B and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

// stackConfig selects the parts of a test stack.
type stackConfig struct {
	password   bool   // PasswordAuthentication of the role manager
	authorizer string // "table" or "allowall"
	network    string // "table" or "allowall"
	cidr       string // "table", "enforce" (table in ENFORCE mode) or "allowall"
	schema     bool   // a StoreCatalog over the store
	generator  bool   // GENERATED PASSWORD produces "generated-password-1", ...
	dcs        []string
	groups     map[string][]netip.Prefix
}

func defaultConfig() stackConfig {
	return stackConfig{password: true, authorizer: "table", network: "table", cidr: "table", schema: true, dcs: []string{"dc1", "dc2"}}
}

// stack is a complete auth stack over memstore with the default superuser
// cassandra/cassandra.
type stack struct {
	mem *memstore.Store
	env *dcl.Env
}

func newStack(t tb, cfg stackConfig) *stack {
	t.Helper()
	ctx := context.Background()
	mem := memstore.New()
	rm, err := roles.NewTable(roles.Config{Store: mem, PasswordAuthentication: cfg.password, Hasher: roles.BcryptHasher{Cost: 4}})
	if err != nil {
		t.Fatalf("roles.NewTable: %v", err)
	}
	if err := rm.Setup(ctx); err != nil {
		t.Fatalf("Setup: %v", err)
	}
	env := &dcl.Env{Roles: rm}
	switch cfg.authorizer {
	case "allowall":
		env.Authorizer = authz.AllowAll{}
	default:
		a, err := authz.NewTable(authz.Config{Store: mem, Roles: rm})
		if err != nil {
			t.Fatalf("authz.NewTable: %v", err)
		}
		env.Authorizer = a
	}
	switch cfg.network {
	case "allowall":
		env.Network = authz.AllowAllNetwork{}
	default:
		n, err := authz.NewTableNetwork(authz.NetworkConfig{Store: mem, Roles: rm})
		if err != nil {
			t.Fatalf("NewTableNetwork: %v", err)
		}
		env.Network = n
	}
	switch cfg.cidr {
	case "allowall":
		env.CIDR = authz.AllowAllCIDR{Store: mem}
	default:
		mode := authz.CIDRMonitor
		if cfg.cidr == "enforce" {
			mode = authz.CIDREnforce
		}
		c, err := authz.NewTableCIDR(authz.CIDRConfig{Store: mem, Roles: rm, Mode: mode})
		if err != nil {
			t.Fatalf("NewTableCIDR: %v", err)
		}
		for name, prefixes := range cfg.groups {
			if err := c.UpdateCIDRGroup(ctx, name, prefixes); err != nil {
				t.Fatalf("UpdateCIDRGroup: %v", err)
			}
		}
		env.CIDR = c
	}
	env.Checker, err = authz.NewChecker(authz.CheckerConfig{Authorizer: env.Authorizer, Roles: rm, Network: env.Network, CIDR: env.CIDR})
	if err != nil {
		t.Fatalf("NewChecker: %v", err)
	}
	if cfg.schema {
		env.Schema = dcl.NewStoreCatalog(mem)
	}
	dcs := cfg.dcs
	env.Datacenters = func() []string { return dcs }
	if cfg.generator {
		n := 0
		env.GeneratePassword = func(context.Context) (string, error) {
			n++
			return fmt.Sprintf("generated-password-%d", n), nil
		}
	}
	return &stack{mem: mem, env: env}
}

// userFor returns the session user named by a golden file's @as directive.
func userFor(name string) roles.User {
	switch name {
	case "nobody":
		return roles.User{}
	case "anonymous":
		return roles.Anonymous
	case "system":
		return roles.System
	}
	return roles.NewUser(name)
}

// formatError renders an error as the golden files expect it: the
// native-protocol code in hex and the message.
func formatError(err error) string {
	return fmt.Sprintf("0x%04x %s", int32(roles.CodeOf(err)), err.Error())
}

// exec runs text as user and fails the test on error.
func (s *stack) exec(t tb, user, text string) []dcl.Result {
	t.Helper()
	res, err := dcl.Execute(context.Background(), s.env, &dcl.Session{User: userFor(user), Datacenter: "dc1"}, text)
	if err != nil {
		t.Fatalf("%s: %s: %v", user, strings.TrimSpace(text), err)
	}
	return res
}
