package conformance

import (
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// wantIdentity reports unless identity maps to role ("" for none) in
// RoleForIdentity and IsExistingIdentity.
func wantIdentity(c *checker, m roles.Manager, identity, role string) {
	c.Helper()
	got, err := m.RoleForIdentity(c.ctx, identity)
	noErr(c, err, "RoleForIdentity(%q)", identity)
	wantEqual(c, got, role, "RoleForIdentity(%q)", identity)
	ok, err := m.IsExistingIdentity(c.ctx, identity)
	noErr(c, err, "IsExistingIdentity(%q)", identity)
	wantEqual(c, ok, role != "", "IsExistingIdentity(%q)", identity)
}

// wantIdentities reports unless AuthorizedIdentities is want.
func wantIdentities(c *checker, m roles.Manager, want map[string]string) {
	c.Helper()
	got, err := m.AuthorizedIdentities(c.ctx)
	noErr(c, err, "AuthorizedIdentities")
	if len(got) != 0 || len(want) != 0 {
		wantEqual(c, got, want, "AuthorizedIdentities")
	}
}

// managerIdentityChecks cover the identity_to_role methods (ADD/DROP
// IDENTITY and mutual TLS).
func managerIdentityChecks() []roleManagerCheck {
	const spiffe, other = "spiffe://example.org/ns/a/sa/alice", "spiffe://example.org/ns/a/sa/bob"
	return []roleManagerCheck{
		{name: "AddLookupDrop", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "alice", "bob")
			wantIdentities(c, m, nil)
			noErr(c, m.AddIdentity(c.ctx, spiffe, "alice"), "AddIdentity")
			noErr(c, m.AddIdentity(c.ctx, other, "bob"), "AddIdentity")
			wantIdentity(c, m, spiffe, "alice")
			wantIdentities(c, m, map[string]string{spiffe: "alice", other: "bob"})
			noErr(c, m.DropIdentity(c.ctx, spiffe), "DropIdentity")
			wantIdentity(c, m, spiffe, "")
			wantIdentity(c, m, other, "bob")
			wantIdentities(c, m, map[string]string{other: "bob"})
		}},
		{name: "Unknown", run: func(c *checker, m roles.Manager) {
			wantIdentity(c, m, spiffe, "")
			noErr(c, m.DropIdentity(c.ctx, spiffe), "DropIdentity of an unknown identity")
			wantIdentities(c, m, nil)
		}},
		{name: "AddExisting", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "alice", "bob")
			noErr(c, m.AddIdentity(c.ctx, spiffe, "alice"), "AddIdentity")
			wantErr(c, m.AddIdentity(c.ctx, spiffe, "bob"), store.ErrExists, "AddIdentity of a mapped identity to another role")
			wantErr(c, m.AddIdentity(c.ctx, spiffe, "alice"), store.ErrExists, "AddIdentity of a mapped identity to the same role")
			wantIdentity(c, m, spiffe, "alice")
		}},
		{name: "DropRoleDropsIdentities", run: func(c *checker, m roles.Manager) {
			mkRoles(c, m, "alice", "bob")
			noErr(c, m.AddIdentity(c.ctx, spiffe, "alice"), "AddIdentity")
			noErr(c, m.AddIdentity(c.ctx, other, "bob"), "AddIdentity")
			noErr(c, m.DropRole(c.ctx, roles.System, "alice"), "DropRole")
			wantIdentity(c, m, spiffe, "")
			wantIdentities(c, m, map[string]string{other: "bob"})
			// A role created again under the name is not reachable by the
			// old certificate.
			mkRoles(c, m, "alice")
			wantIdentity(c, m, spiffe, "")
		}},
		{name: "CreateOverIdentityRefused", run: func(c *checker, m roles.Manager) {
			// ADD IDENTITY does not check the role; CREATE ROLE then refuses
			// the name (Cassandra 5.0's IllegalStateException).
			noErr(c, m.AddIdentity(c.ctx, spiffe, "ghost"), "AddIdentity to a role that does not exist")
			wantIdentity(c, m, spiffe, "ghost")
			if err := m.CreateRole(c.ctx, roles.System, "ghost", roles.Options{}); err == nil {
				c.Errorf("CreateRole of a name an identity maps to succeeded, want an error")
			}
			ok, err := m.IsExistingRole(c.ctx, "ghost")
			noErr(c, err, "IsExistingRole")
			wantEqual(c, ok, false, "IsExistingRole after a refused CreateRole")
		}},
	}
}
