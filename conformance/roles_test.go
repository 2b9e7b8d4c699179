package conformance

import (
	"path/filepath"
	"testing"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/boltstore"
	"github.com/cassauth/cassauth/store/memstore"
)

// backend opens a fresh, empty store whose teardown is registered with t.
type backend struct {
	name string
	open func(t *testing.T) store.Store
}

// backends are the stores the part suites run over: memstore, and
// boltstore in a temporary file (without fsync: the suites test semantics,
// not durability).
func backends() []backend {
	return []backend{
		{"memstore", func(t *testing.T) store.Store {
			s := memstore.New()
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
		{"boltstore", func(t *testing.T) store.Store {
			s, err := boltstore.Open(filepath.Join(t.TempDir(), "auth.db"), &boltstore.Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
}

// newTestTable returns the table-backed role manager over st: bcrypt at
// cost 4, no default superuser.
func newTestTable(t *testing.T, st store.Store, passwords bool, hasher roles.Hasher) *roles.Table {
	t.Helper()
	if hasher == nil {
		hasher = roles.BcryptHasher{Cost: 4}
	}
	m, err := roles.NewTable(roles.Config{Store: st, PasswordAuthentication: passwords, Hasher: hasher, DisableDefaultSuperuser: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRoleManagerSuiteOnTable(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			TestRoleManager(t, func(t *testing.T) roles.Manager { return newTestTable(t, b.open(t), true, nil) })
		})
	}
	// Without a password authenticator the manager supports only LOGIN
	// and SUPERUSER; the suite must adapt.
	t.Run("memstore/nopasswords", func(t *testing.T) {
		TestRoleManager(t, func(t *testing.T) roles.Manager { return newTestTable(t, backends()[0].open(t), false, nil) })
	})
}
