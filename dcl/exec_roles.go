package dcl

import (
	"context"
	"errors"
	"slices"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// validateOptions is Cassandra's RoleOptions.validate: each option must be
// supported by the role manager, and a hashed password must be a bcrypt
// hash.
func (r *runner) validateOptions(o RoleOptions) error {
	supported := r.env.Roles.SupportedOptions()
	if err := roles.ValidateOptions(r.class, supported, o.Options); err != nil {
		return err
	}
	if o.GeneratedPassword && !supported.Has(roles.OptPassword) {
		return invalid("%s doesn't support GENERATED_PASSWORD", r.class)
	}
	return nil
}

// validateAccess validates the datacenters and CIDR groups of the access
// clauses (spec 10.3).
func (r *runner) validateAccess(ctx context.Context, o RoleOptions) error {
	if o.Datacenters != nil && r.env.Datacenters != nil {
		if err := o.Datacenters.Validate(r.env.Datacenters()); err != nil {
			return err
		}
	}
	if o.CIDRs != nil {
		groups, check, err := r.cidrGroups(ctx)
		if err != nil {
			return err
		}
		if check {
			return o.CIDRs.Validate(groups)
		}
	}
	return nil
}

// resolvePassword turns GENERATED PASSWORD into a password. It returns the
// options for the role manager and the generated password ("" if none).
func (r *runner) resolvePassword(ctx context.Context, o RoleOptions) (roles.Options, string, error) {
	opts := o.Options
	if !o.GeneratedPassword {
		return opts, "", nil
	}
	if r.env.GeneratePassword == nil {
		return opts, "", invalid("You have to enable password_validator and it's generator_class_name property in cassandra.yaml to be able to generate passwords.")
	}
	pw, err := r.env.GeneratePassword(ctx)
	if err != nil {
		return opts, "", err
	}
	opts.Password = &pw
	return opts, pw, nil
}

// generatedResult is the row trunk returns for GENERATED PASSWORD.
func generatedResult(pw string) Result {
	if pw == "" {
		return voidResult
	}
	return rows("system_auth", "generated_password", []Column{{"generated_password", TypeText}}, [][]any{{pw}})
}

// run executes CREATE ROLE / CREATE USER (spec 9.1).
func (s *CreateRole) run(ctx context.Context, r *runner) (Result, error) {
	// authorize
	if err := r.env.Checker.EnsureRoleOp(ctx, r.user, resource.Create, resource.AllRoles); err != nil {
		return Result{}, err
	}
	if s.Options.Superuser != nil && *s.Options.Superuser {
		super, err := r.isSuper(ctx)
		if err != nil {
			return Result{}, err
		}
		if !super {
			return Result{}, unauthorized("Only superusers can create a role with superuser status")
		}
	}
	// validate
	if err := r.validateOptions(s.Options); err != nil {
		return Result{}, err
	}
	if s.Name == "" {
		return Result{}, invalid("Role name can't be an empty string")
	}
	if err := r.validateAccess(ctx, s.Options); err != nil {
		return Result{}, err
	}
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	exists, err := r.roleExists(ctx, s.Name)
	if err != nil {
		return Result{}, err
	}
	if exists && !s.IfNotExists {
		return Result{}, invalid("%s already exists", s.Name)
	}
	// execute
	if exists {
		return voidResult, nil
	}
	opts, generated, err := r.resolvePassword(ctx, s.Options)
	if err != nil {
		return Result{}, err
	}
	if err := r.env.Roles.CreateRole(ctx, r.user, s.Name, opts); err != nil {
		if s.IfNotExists && errors.Is(err, store.ErrExists) {
			return voidResult, nil // created concurrently
		}
		return Result{}, err
	}
	if r.network.RequireAuthorization() {
		dcs := authz.AllDatacenters()
		if s.Options.Datacenters != nil {
			dcs = *s.Options.Datacenters
		}
		if err := r.network.SetRoleDatacenters(ctx, s.Name, dcs); err != nil {
			return Result{}, err
		}
	}
	cidrs := authz.AllCIDRGroups()
	if s.Options.CIDRs != nil {
		cidrs = *s.Options.CIDRs
	}
	if err := r.cidr.SetCIDRGroupsForRole(ctx, s.Name, cidrs); err != nil {
		return Result{}, err
	}
	if err := r.hooks.OnCreate(ctx, r.user, resource.Role(s.Name)); err != nil {
		return Result{}, err
	}
	return generatedResult(generated), nil
}

// run executes ALTER ROLE / ALTER USER (spec 9.2).
func (s *AlterRole) run(ctx context.Context, r *runner) (Result, error) {
	if err := s.authorize(ctx, r); err != nil {
		return Result{}, err
	}
	// validate
	if err := r.validateOptions(s.Options); err != nil {
		return Result{}, err
	}
	if s.Options.empty() {
		return Result{}, invalid("ALTER [ROLE|USER] can't be empty")
	}
	if err := r.validateAccess(ctx, s.Options); err != nil {
		return Result{}, err
	}
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	exists, err := r.roleExists(ctx, s.Name)
	if err != nil {
		return Result{}, err
	}
	if !exists && !s.IfExists {
		return Result{}, invalid("Role %s doesn't exist", s.Name)
	}
	// execute
	if !exists {
		return voidResult, nil
	}
	opts, generated, err := r.resolvePassword(ctx, s.Options)
	if err != nil {
		return Result{}, err
	}
	if opts.Given() != 0 {
		if err := r.env.Roles.AlterRole(ctx, r.user, s.Name, opts); err != nil {
			return Result{}, err
		}
	}
	if s.Options.Datacenters != nil {
		if err := r.network.SetRoleDatacenters(ctx, s.Name, *s.Options.Datacenters); err != nil {
			return Result{}, err
		}
	}
	if s.Options.CIDRs != nil {
		if err := r.cidr.SetCIDRGroupsForRole(ctx, s.Name, *s.Options.CIDRs); err != nil {
			return Result{}, err
		}
	}
	return generatedResult(generated), nil
}

// authorize is AlterRoleStatement.authorize, plus the decision that a
// non-superuser may not change its own datacenter or CIDR restrictions.
func (s *AlterRole) authorize(ctx context.Context, r *runner) error {
	if s.Options.Superuser != nil {
		mine, err := r.env.Roles.Roles(ctx, r.user.Name(), true)
		if err != nil {
			return err
		}
		if slices.Contains(mine, s.Name) {
			return unauthorized("You aren't allowed to alter your own superuser status or that of a role granted to you")
		}
	}
	super, err := r.isSuper(ctx)
	if err != nil {
		return err
	}
	if s.Options.Superuser != nil && !super {
		return unauthorized("Only superusers are allowed to alter superuser status")
	}
	if super {
		return nil
	}
	if r.user.Name() != s.Name {
		return r.env.Checker.EnsureRoleOp(ctx, r.user, resource.Alter, resource.Role(s.Name))
	}
	alterable := r.env.Roles.AlterableOptions()
	for _, name := range optionsGiven(s.Options) {
		opt, ok := optionByName(name)
		if name == "GENERATED_PASSWORD" {
			opt, ok = roles.OptPassword, true
		}
		if !ok || !alterable.Has(opt) {
			return unauthorized("You aren't allowed to alter %s", name)
		}
	}
	if s.Options.Datacenters != nil {
		if err := r.env.Checker.EnsureAccessChange(ctx, r.user, s.Name, authz.AccessDatacenters); err != nil {
			return err
		}
	}
	if s.Options.CIDRs != nil {
		return r.env.Checker.EnsureAccessChange(ctx, r.user, s.Name, authz.AccessCIDRs)
	}
	return nil
}

// optionByName returns the role option with Cassandra's enum name.
func optionByName(name string) (roles.Option, bool) {
	for _, o := range []roles.Option{roles.OptSuperuser, roles.OptPassword, roles.OptLogin, roles.OptOptions, roles.OptHashedPassword} {
		if o.String() == name {
			return o, true
		}
	}
	return 0, false
}

// run executes DROP ROLE / DROP USER (spec 9.3).
func (s *DropRole) run(ctx context.Context, r *runner) (Result, error) {
	// authorize
	if err := r.env.Checker.EnsureRoleOp(ctx, r.user, resource.Drop, resource.Role(s.Name)); err != nil {
		return Result{}, err
	}
	exists, err := r.roleExists(ctx, s.Name)
	if err != nil {
		return Result{}, err
	}
	if exists {
		targetSuper, err := roles.HasSuperuserStatus(ctx, r.env.Roles, s.Name)
		if err != nil {
			return Result{}, err
		}
		if targetSuper {
			super, err := r.isSuper(ctx)
			if err != nil {
				return Result{}, err
			}
			if !super {
				return Result{}, unauthorized("Only superusers can drop a role with superuser status")
			}
		}
	}
	// validate
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return Result{}, err
	}
	if !exists && !s.IfExists {
		return Result{}, invalid("%s doesn't exist", s.Name)
	}
	if s.Name == r.user.Name() {
		return Result{}, invalid("Cannot DROP primary role for current login")
	}
	// execute
	if !exists {
		return voidResult, nil
	}
	if err := r.env.Roles.DropRole(ctx, r.user, s.Name); err != nil {
		if s.IfExists && errors.Is(err, store.ErrNotFound) {
			return voidResult, nil // dropped concurrently
		}
		return Result{}, err
	}
	if err := r.hooks.OnDropRole(ctx, s.Name); err != nil {
		return Result{}, err
	}
	return voidResult, nil
}

// roleManagement is the common part of GRANT and REVOKE of a role (spec
// 9.4): AUTHORIZE on the granted role, then both roles must exist.
func roleManagement(ctx context.Context, r *runner, role, other string) error {
	if err := r.env.Checker.EnsureRoleOp(ctx, r.user, resource.Authorize, resource.Role(role)); err != nil {
		return err
	}
	if err := r.ensureNotAnonymous(ctx); err != nil {
		return err
	}
	for _, name := range []string{role, other} {
		ok, err := r.roleExists(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			return invalid("%s doesn't exist", name)
		}
	}
	return nil
}

// run executes GRANT role TO grantee.
func (s *GrantRole) run(ctx context.Context, r *runner) (Result, error) {
	if err := roleManagement(ctx, r, s.Role, s.Grantee); err != nil {
		return Result{}, err
	}
	if err := r.env.Roles.GrantRole(ctx, r.user, s.Role, s.Grantee); err != nil {
		return Result{}, err
	}
	return voidResult, nil
}

// run executes REVOKE role FROM revokee.
func (s *RevokeRole) run(ctx context.Context, r *runner) (Result, error) {
	if err := roleManagement(ctx, r, s.Role, s.Revokee); err != nil {
		return Result{}, err
	}
	if err := r.env.Roles.RevokeRole(ctx, r.user, s.Role, s.Revokee); err != nil {
		return Result{}, err
	}
	return voidResult, nil
}
