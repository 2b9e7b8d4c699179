package roles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cassauth/cassauth/store"
)

// Setup creates the default superuser if no role exists, as Cassandra's
// CassandraRoleManager.setup does: a role that is a superuser and may log
// in, named "cassandra" with the password "cassandra" unless
// [Config.DefaultRole] names another, with its password hashed by the
// [Hasher] (or its HashedPassword stored verbatim). It then logs at INFO
// "Created default superuser role '<name>'". For the built-in
// cassandra/cassandra role cassauth also logs a WARN that the role has a
// well-known password and must be replaced (Cassandra logs no such
// warning). With [Config.DisableDefaultSuperuser] Setup does nothing.
//
// "No role exists" is checked as Cassandra does: no row for the default
// name, then no row at all. Setup is idempotent, and safe when several
// processes sharing a store run it at once: a store.ErrExists from the
// insert means another one created the role first, which is success.
// (Processes that race Setup against an operator's first CREATE ROLE may
// end up with both roles, as Cassandra can; its USING TIMESTAMP 0 trick has
// no equivalent in a generic store.)
//
// Errors: a store or hasher failure, wrapped with context and logged at
// WARN "CassandraRoleManager skipped default role setup"; nothing was
// created. Cassandra retries its setup task every 10 seconds forever; here
// the caller decides whether and when to call Setup again.
func (t *Table) Setup(ctx context.Context) error {
	if t.disableDefault {
		return nil
	}
	created, err := t.setupDefaultRole(ctx)
	if err != nil {
		t.log.WarnContext(ctx, "CassandraRoleManager skipped default role setup", slog.Any("error", err))
		return fmt.Errorf("roles: default role setup: %w", err)
	}
	if !created {
		return nil
	}
	t.log.InfoContext(ctx, fmt.Sprintf("Created default superuser role '%s'", t.defaultRole.Name))
	if t.builtinDefault {
		t.log.WarnContext(ctx, fmt.Sprintf("Default superuser role '%s' has the well-known default password: "+
			"create another superuser, then drop this role or change its password", t.defaultRole.Name))
	}
	return nil
}

// setupDefaultRole creates the default role if no role exists and reports
// whether it did.
func (t *Table) setupDefaultRole(ctx context.Context) (bool, error) {
	d := t.defaultRole
	if ok, err := t.IsExistingRole(ctx, d.Name); err != nil || ok {
		return false, err
	}
	existing, err := t.st.ListRoles(ctx)
	if err != nil || len(existing) > 0 {
		return false, err
	}
	hash := d.HashedPassword
	if hash == "" {
		if hash, err = t.hasher.Hash(ctx, d.Password); err != nil {
			return false, err
		}
	}
	err = t.st.CreateRole(ctx, store.RoleRecord{Name: d.Name, IsSuperuser: true, CanLogin: true, SaltedHash: hash})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrExists):
		return false, nil // another process was first
	}
	return false, err
}
