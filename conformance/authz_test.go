package conformance

import (
	"testing"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// newTestAuthorizer returns the table-backed authorizer and role manager
// over st.
func newTestAuthorizer(t *testing.T, st store.Store) (*authz.Table, *roles.Table) {
	t.Helper()
	m := newTestTable(t, st, false, nil)
	a, err := authz.NewTable(authz.Config{Store: st, Roles: m})
	if err != nil {
		t.Fatal(err)
	}
	return a, m
}

func TestAuthorizerSuiteOnTable(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			TestAuthorizer(t, func(t *testing.T) (authz.Authorizer, roles.Manager) {
				return newTestAuthorizer(t, b.open(t))
			})
		})
	}
}

func TestAuthorizerSuiteOnAllowAll(t *testing.T) {
	TestAuthorizer(t, func(t *testing.T) (authz.Authorizer, roles.Manager) {
		return authz.AllowAll{}, newTestTable(t, backends()[0].open(t), false, nil)
	})
}
