package dcl

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// nameLength is Cassandra's SchemaConstants.NAME_LENGTH.
const nameLength = 48

var validName = regexp.MustCompile(`^\w+$`)

// isValidName is SchemaConstants.isValidName.
func isValidName(s string) bool { return len(s) <= nameLength && validName.MatchString(s) }

// catalog returns the Catalog schema statements change.
func (r *runner) catalog(stmt string) (Catalog, error) {
	c, ok := r.env.Schema.(Catalog)
	if !ok {
		return nil, roles.Wrap(roles.CodeInvalid, ErrNoCatalog, stmt+" is not supported: no schema catalog accepts declarations")
	}
	return c, nil
}

// keyspaceOf returns ks or the session keyspace (Cassandra's
// ClientState.getKeyspace).
func (r *runner) keyspaceOf(ks string) (string, error) {
	if ks != "" {
		return ks, nil
	}
	if r.sess.Keyspace == "" {
		return "", invalid("No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename")
	}
	return r.sess.Keyspace, nil
}

// checkKeyspace runs AlterSchemaStatement's checks before any schema
// change: system keyspaces are not user-modifiable and names are \w{1,48}.
func checkKeyspace(ks string) error {
	if authz.IsLocalSystemKeyspace(ks) {
		return invalid("System keyspace '%s' is not user-modifiable", ks)
	}
	if !isValidName(ks) {
		return invalid("Keyspace name must not be empty, more than %d characters long, or contain non-alphanumeric-underscore characters (got '%s')", nameLength, ks)
	}
	return nil
}

func schemaChange(change, target, ks, name string, args []string) Result {
	return Result{Kind: ResultSchemaChange, SchemaChange: SchemaChange{Change: change, Target: target, Keyspace: ks, Name: name, ArgTypes: args}}
}

// run executes USE: the login checks, then the keyspace must exist.
func (s *Use) run(ctx context.Context, r *runner) (Result, error) {
	if err := r.validateLogin(ctx); err != nil {
		return Result{}, err
	}
	if r.env.Schema != nil {
		ok, err := r.env.Schema.KeyspaceExists(ctx, s.Keyspace)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return Result{}, invalid("Keyspace '%s' does not exist", s.Keyspace)
		}
	}
	r.sess.Keyspace = s.Keyspace
	return Result{Kind: ResultSetKeyspace, Keyspace: s.Keyspace}, nil
}

// keyspaceProperties are the properties CREATE KEYSPACE accepts.
var keyspaceProperties = map[string]bool{"replication": true, "durable_writes": true}

// run executes CREATE KEYSPACE as a declaration: CREATE on ALL KEYSPACES,
// then the creator is granted everything on the keyspace and its functions.
func (s *CreateKeyspace) run(ctx context.Context, r *runner) (Result, error) {
	c, err := r.catalog("CREATE KEYSPACE")
	if err != nil {
		return Result{}, err
	}
	if err := r.validateLogin(ctx); err != nil {
		return Result{}, err
	}
	if err := r.env.Checker.EnsureData(ctx, r.user, resource.Create, resource.AllKeyspaces); err != nil {
		return Result{}, err
	}
	if err := checkKeyspace(s.Name); err != nil {
		return Result{}, err
	}
	hasReplication := false
	for _, p := range s.Properties {
		if !keyspaceProperties[p.Name] {
			return Result{}, roles.Errorf(roles.CodeSyntaxError, "Unknown property '%s'", p.Name)
		}
		hasReplication = hasReplication || p.Name == "replication"
	}
	if !hasReplication {
		return Result{}, invalid("Missing mandatory option 'replication'")
	}
	exists, err := c.KeyspaceExists(ctx, s.Name)
	if err != nil {
		return Result{}, err
	}
	if !exists {
		err = c.CreateKeyspace(ctx, s.Name)
		exists = errors.Is(err, store.ErrExists)
		if err != nil && !exists {
			return Result{}, err
		}
	}
	if exists {
		if s.IfNotExists {
			return voidResult, nil
		}
		return Result{}, alreadyExists(s.Name, "")
	}
	if err := r.hooks.OnCreateKeyspace(ctx, r.user, s.Name); err != nil {
		return Result{}, err
	}
	return schemaChange("CREATED", "KEYSPACE", s.Name, "", nil), nil
}

// run executes CREATE TABLE as a declaration: CREATE on all tables of the
// keyspace, then the creator is granted everything on the table.
func (s *CreateTable) run(ctx context.Context, r *runner) (Result, error) {
	c, err := r.catalog("CREATE TABLE")
	if err != nil {
		return Result{}, err
	}
	ks, err := r.keyspaceOf(s.Keyspace)
	if err != nil {
		return Result{}, err
	}
	if err := r.validateLogin(ctx); err != nil {
		return Result{}, err
	}
	if err := r.env.Checker.EnsureData(ctx, r.user, resource.Create, resource.AllTables(ks)); err != nil {
		return Result{}, err
	}
	if err := checkKeyspace(ks); err != nil {
		return Result{}, err
	}
	if ok, err := c.KeyspaceExists(ctx, ks); err != nil {
		return Result{}, err
	} else if !ok {
		return Result{}, invalid("Keyspace '%s' doesn't exist", ks)
	}
	exists, err := c.TableExists(ctx, ks, s.Name)
	if err != nil {
		return Result{}, err
	}
	if !exists {
		if !isValidName(s.Name) {
			return Result{}, roles.Errorf(roles.CodeConfigError, "Table name must not be empty, more than %d characters long, or contain non-alphanumeric-underscore characters (got \"%s\")", nameLength, s.Name)
		}
		err = c.CreateTable(ctx, ks, s.Name)
		exists = errors.Is(err, store.ErrExists)
		if err != nil && !exists {
			return Result{}, err
		}
	}
	if exists {
		if s.IfNotExists {
			return voidResult, nil
		}
		return Result{}, alreadyExists(ks, s.Name)
	}
	if err := r.hooks.OnCreate(ctx, r.user, resource.Table(ks, s.Name)); err != nil {
		return Result{}, err
	}
	return schemaChange("CREATED", "TABLE", ks, s.Name, nil), nil
}

// run executes CREATE FUNCTION as a declaration (spec 10.4).
func (s *CreateFunction) run(ctx context.Context, r *runner) (Result, error) {
	c, err := r.catalog("CREATE FUNCTION")
	if err != nil {
		return Result{}, err
	}
	ks, err := r.keyspaceOf(s.Keyspace)
	if err != nil {
		return Result{}, err
	}
	fn, err := resource.Function(ks, s.Name, s.ArgTypes...)
	if err != nil {
		return Result{}, invalid("%s", err.Error())
	}
	// authorize: ALTER on the function it replaces, else CREATE on the
	// keyspace's functions.
	if err := r.validateLogin(ctx); err != nil {
		return Result{}, err
	}
	exists, err := c.FunctionExists(ctx, ks, s.Name, fn.FunctionArgs())
	if err != nil {
		return Result{}, err
	}
	if exists && s.OrReplace {
		err = r.env.Checker.Ensure(ctx, r.user, resource.Alter, fn)
	} else {
		err = r.env.Checker.Ensure(ctx, r.user, resource.Create, resource.FunctionsIn(ks))
	}
	if err != nil {
		return Result{}, err
	}
	// execute
	if err := checkKeyspace(ks); err != nil {
		return Result{}, err
	}
	if s.IfNotExists && s.OrReplace {
		return Result{}, invalid("Cannot use both 'OR REPLACE' and 'IF NOT EXISTS' directives")
	}
	if len(slices.Compact(slices.Sorted(slices.Values(s.ArgNames)))) != len(s.ArgNames) {
		return Result{}, invalid("Duplicate argument names for given function %s with argument names [%s]", s.Name, strings.Join(s.ArgNames, ", "))
	}
	for _, t := range s.ArgTypes {
		if strings.HasPrefix(t, "frozen<") {
			return Result{}, invalid("Argument '%s' cannot be frozen; remove frozen<> modifier from '%s'", t, t)
		}
	}
	if strings.HasPrefix(s.ReturnType, "frozen<") {
		return Result{}, invalid("Return type '%s' cannot be frozen; remove frozen<> modifier from '%s'", s.ReturnType, s.ReturnType)
	}
	if ok, err := c.KeyspaceExists(ctx, ks); err != nil {
		return Result{}, err
	} else if !ok {
		return Result{}, invalid("Keyspace '%s' doesn't exist", ks)
	}
	if exists {
		switch {
		case s.IfNotExists:
			return voidResult, nil
		case !s.OrReplace:
			return Result{}, invalid("Function '%s' already exists", s.Name)
		}
		return schemaChange("UPDATED", "FUNCTION", ks, s.Name, s.ArgTypes), nil
	}
	if err := c.CreateFunction(ctx, fn); err != nil {
		if errors.Is(err, store.ErrExists) {
			return Result{}, invalid("Function '%s' already exists", s.Name)
		}
		return Result{}, err
	}
	if err := r.hooks.OnCreate(ctx, r.user, fn); err != nil {
		return Result{}, err
	}
	return schemaChange("CREATED", "FUNCTION", ks, s.Name, s.ArgTypes), nil
}

// run executes DROP KEYSPACE: DROP on the keyspace; everything granted on
// it and in it is revoked (spec 10.5).
func (s *DropKeyspace) run(ctx context.Context, r *runner) (Result, error) {
	c, err := r.catalog("DROP KEYSPACE")
	if err != nil {
		return Result{}, err
	}
	if err := r.validateLogin(ctx); err != nil {
		return Result{}, err
	}
	if err := r.env.Checker.EnsureData(ctx, r.user, resource.Drop, resource.Keyspace(s.Name)); err != nil {
		return Result{}, err
	}
	if err := checkKeyspace(s.Name); err != nil {
		return Result{}, err
	}
	err = c.DropKeyspace(ctx, s.Name)
	if errors.Is(err, store.ErrNotFound) {
		if s.IfExists {
			return voidResult, nil
		}
		return Result{}, invalid("Keyspace '%s' doesn't exist", s.Name)
	}
	if err != nil {
		return Result{}, err
	}
	if err := r.hooks.OnDropKeyspace(ctx, s.Name); err != nil {
		return Result{}, err
	}
	return schemaChange("DROPPED", "KEYSPACE", s.Name, "", nil), nil
}

// run executes DROP TABLE: DROP on the table; its grants are revoked.
func (s *DropTable) run(ctx context.Context, r *runner) (Result, error) {
	c, err := r.catalog("DROP TABLE")
	if err != nil {
		return Result{}, err
	}
	ks, err := r.keyspaceOf(s.Keyspace)
	if err != nil {
		return Result{}, err
	}
	if err := r.validateLogin(ctx); err != nil {
		return Result{}, err
	}
	if err := r.env.Checker.EnsureData(ctx, r.user, resource.Drop, resource.Table(ks, s.Name)); err != nil {
		return Result{}, err
	}
	if err := checkKeyspace(ks); err != nil {
		return Result{}, err
	}
	err = c.DropTable(ctx, ks, s.Name)
	if errors.Is(err, store.ErrNotFound) {
		if s.IfExists {
			return voidResult, nil
		}
		return Result{}, invalid("Table '%s.%s' doesn't exist", ks, s.Name)
	}
	if err != nil {
		return Result{}, err
	}
	if err := r.hooks.OnDropTable(ctx, ks, s.Name); err != nil {
		return Result{}, err
	}
	return schemaChange("DROPPED", "TABLE", ks, s.Name, nil), nil
}

// run executes DROP FUNCTION: DROP on each matching function; the grants
// on the dropped one are revoked.
func (s *DropFunction) run(ctx context.Context, r *runner) (Result, error) {
	c, err := r.catalog("DROP FUNCTION")
	if err != nil {
		return Result{}, err
	}
	ks, err := r.keyspaceOf(s.Keyspace)
	if err != nil {
		return Result{}, err
	}
	var want resource.Resource
	if s.HasArgs {
		if want, err = resource.Function(ks, s.Name, s.ArgTypes...); err != nil {
			return Result{}, invalid("%s", err.Error())
		}
	}
	ksExists, err := c.KeyspaceExists(ctx, ks)
	if err != nil {
		return Result{}, err
	}
	var overloads, matches []resource.Resource
	if ksExists {
		all, err := c.Functions(ctx, ks)
		if err != nil {
			return Result{}, err
		}
		for _, f := range all {
			if f.FunctionName() == s.Name {
				overloads = append(overloads, f)
				if !s.HasArgs || f == want {
					matches = append(matches, f)
				}
			}
		}
	}
	// authorize
	if err := r.validateLogin(ctx); err != nil {
		return Result{}, err
	}
	for _, f := range matches {
		if err := r.env.Checker.Ensure(ctx, r.user, resource.Drop, f); err != nil {
			return Result{}, err
		}
	}
	// execute
	if err := checkKeyspace(ks); err != nil {
		return Result{}, err
	}
	name := ks + "." + s.Name
	if s.HasArgs {
		name += "(" + strings.Join(s.ArgTypes, ", ") + ")"
	}
	if !ksExists {
		if s.IfExists {
			return voidResult, nil
		}
		return Result{}, invalid("Function '%s' doesn't exist", name)
	}
	if len(overloads) > 1 && !s.HasArgs {
		return Result{}, invalid("'DROP FUNCTION %s' matches multiple function definitions; specify the argument types by issuing a statement like 'DROP FUNCTION %s (type, type, ...)'. You can use cqlsh 'DESCRIBE FUNCTION %s' command to find all overloads", s.Name, s.Name, s.Name)
	}
	for _, t := range s.ArgTypes {
		if strings.HasPrefix(t, "frozen<") {
			return Result{}, invalid("Argument '%s' cannot be frozen; remove frozen<> modifier from '%s'", t, t)
		}
	}
	if len(matches) == 0 {
		if s.IfExists {
			return voidResult, nil
		}
		return Result{}, invalid("Function '%s' doesn't exist", name)
	}
	fn := matches[0]
	if err := c.DropFunction(ctx, fn); err != nil {
		if errors.Is(err, store.ErrNotFound) && s.IfExists {
			return voidResult, nil
		}
		return Result{}, err
	}
	if err := r.hooks.OnDropFunction(ctx, fn); err != nil {
		return Result{}, err
	}
	args := make([]string, 0, len(fn.FunctionArgs()))
	for _, a := range fn.FunctionArgs() {
		args = append(args, resource.CQLType(a))
	}
	return schemaChange("DROPPED", "FUNCTION", ks, s.Name, args), nil
}
