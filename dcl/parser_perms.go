package dcl

import (
	"github.com/cassauth/cassauth/resource"
)

// permissionKeywords are the keywords of Parser.g's permission rule.
var permissionKeywords = map[string]resource.Permission{
	"CREATE": resource.Create, "ALTER": resource.Alter, "DROP": resource.Drop,
	"SELECT": resource.Select, "MODIFY": resource.Modify, "AUTHORIZE": resource.Authorize,
	"DESCRIBE": resource.Describe, "EXECUTE": resource.Execute, "UNMASK": resource.Unmask,
	"SELECT_MASKED": resource.SelectMasked,
}

// isPermission reports whether the k-th token ahead is a permission keyword.
func (p *parser) isPermission(k int) bool {
	t := p.tok(k)
	_, ok := permissionKeywords[t.kw]
	return ok && t.kind == tIdent && !p.pastEnd(k)
}

// permissionOrAll parses ALL [PERMISSIONS] | p [PERMISSION] (, p
// [PERMISSION])*. all reports the ALL form, whose set is every permission.
func (p *parser) permissionOrAll() (perms resource.PermissionSet, all bool, err error) {
	if p.accept("ALL") {
		p.accept("PERMISSIONS")
		return resource.AllPermissions, true, nil
	}
	for {
		if !p.isPermission(0) {
			return 0, false, p.noViable()
		}
		perms = perms.With(permissionKeywords[p.advance().kw])
		p.accept("PERMISSION")
		if !p.acceptPunct(",") {
			return perms, false, nil
		}
	}
}

// grantOrRevoke parses GRANT/REVOKE of permissions or of a role. A leading
// ALL, UNMASK or SELECT_MASKED may also be a role name (they are
// unreserved keywords): the permission form is taken when ON follows.
func (p *parser) grantOrRevoke() (Statement, error) {
	grant := p.advance().kw == "GRANT"
	start := p.i
	if p.isKw(0, "ALL") || p.isPermission(0) {
		reserved := p.isPermission(0) && !unreserved[p.tok(0).kw]
		perms, all, err := p.permissionOrAll()
		if err == nil && p.accept("ON") {
			return p.permissionsStatement(grant, perms, all)
		}
		if reserved || p.i-start > 1 {
			if err != nil {
				return nil, err
			}
			return nil, p.mismatch("K_ON")
		}
		p.i = start
	}
	role, err := p.roleName()
	if err != nil {
		return nil, err
	}
	if grant {
		if err := p.expect("TO"); err != nil {
			return nil, err
		}
	} else if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	other, err := p.roleName()
	if err != nil {
		return nil, err
	}
	if grant {
		return &GrantRole{Role: role, Grantee: other}, nil
	}
	return &RevokeRole{Role: role, Revokee: other}, nil
}

// permissionsStatement parses the rest of GRANT/REVOKE permissions after
// ON: the resource, TO/FROM and the role; then it narrows the permissions
// to those the resource supports (Cassandra's filterPermissions).
func (p *parser) permissionsStatement(grant bool, perms resource.PermissionSet, all bool) (Statement, error) {
	on, err := p.target()
	if err != nil {
		return nil, err
	}
	if grant {
		err = p.expect("TO")
	} else {
		err = p.expect("FROM")
	}
	if err != nil {
		return nil, err
	}
	role, err := p.roleName()
	if err != nil {
		return nil, err
	}
	r := on.Resource
	if r.IsZero() && on.Name != "" {
		r = resource.Table("ks", on.Name) // applicable permissions do not depend on the names
	}
	if !r.IsZero() {
		if (r.Level() == resource.FunctionLevel || r.Level() == resource.FunctionsInLevel) && r.Keyspace() == "system" {
			return nil, invalid("Altering permissions on builtin functions is not supported")
		}
		perms = perms.Intersect(r.Applicable())
		if perms.IsEmpty() {
			p.record(p.prevIndex(), "Resource type "+r.Level().Kind()+" does not support any of the requested permissions")
		}
	}
	if grant {
		return &GrantPermissions{Permissions: perms, All: all, On: on, Grantee: role}, nil
	}
	return &RevokePermissions{Permissions: perms, All: all, On: on, Revokee: role}, nil
}

// target parses a resource (Parser.g's resource rule, every syntax of spec
// 4.1).
func (p *parser) target() (Target, error) {
	switch {
	case p.isKw(0, "ALL"):
		switch {
		case p.isKw(1, "KEYSPACES"):
			p.i += 2
			return Target{Resource: resource.AllKeyspaces}, nil
		case p.isKw(1, "ROLES"):
			p.i += 2
			return Target{Resource: resource.AllRoles}, nil
		case p.isKw(1, "MBEANS"):
			p.i += 2
			return Target{Resource: resource.AllMBeans}, nil
		case p.isKw(1, "TABLES"):
			p.i += 2
			ks, err := p.inKeyspace()
			return Target{Resource: resource.AllTables(ks), Keyspace: ks}, err
		case p.isKw(1, "FUNCTIONS"):
			p.i += 2
			if !p.isKw(0, "IN") {
				return Target{Resource: resource.AllFunctions}, nil
			}
			ks, err := p.inKeyspace()
			return Target{Resource: resource.FunctionsIn(ks), Keyspace: ks}, err
		}
	case p.isKw(0, "KEYSPACE"):
		p.i++
		ks, err := p.ident("keyspace")
		return Target{Resource: resource.Keyspace(ks), Keyspace: ks}, err
	case p.isKw(0, "COLUMNFAMILY"):
		p.i++
		return p.tableTarget()
	case p.isKw(0, "ROLE") && p.canBeRoleName(1):
		p.i++
		name, err := p.roleName()
		return Target{Resource: resource.Role(name)}, err
	case p.isKw(0, "FUNCTION") && (p.isIdent(1) || p.isFunctionName(1)) && (p.isPunct(2, ".") || p.isPunct(2, "(")):
		p.i++
		ks, name, err := p.functionName()
		if err != nil {
			return Target{}, err
		}
		args, err := p.typeList()
		if err != nil {
			return Target{}, err
		}
		r, err := functionResource(ks, name, args)
		return Target{Resource: r, Keyspace: ks, Name: name, ArgTypes: typeTexts(args)}, err
	case (p.isKw(0, "MBEAN") || p.isKw(0, "MBEANS")) && p.tok(1).kind == tString && !p.pastEnd(1):
		plural := p.advance().kw == "MBEANS"
		return Target{Resource: p.mbean(plural)}, nil
	case (p.isKw(0, "MBEAN") || p.isKw(0, "MBEANS")) && !p.followsTable(1):
		p.i++
		return Target{}, p.mismatch("STRING_LITERAL")
	}
	return p.tableTarget()
}

// followsTable reports whether the k-th token ahead may follow a table name
// in a resource, so that the keyword before it is read as a table name.
func (p *parser) followsTable(k int) bool {
	return p.pastEnd(k) || p.isKw(k, "TO") || p.isKw(k, "FROM") || p.isKw(k, "OF") || p.isKw(k, "NORECURSIVE") || p.isPunct(k, ".")
}

// inKeyspace parses IN KEYSPACE ks.
func (p *parser) inKeyspace() (string, error) {
	if err := p.expect("IN"); err != nil {
		return "", err
	}
	if err := p.expect("KEYSPACE"); err != nil {
		return "", err
	}
	return p.ident("keyspace")
}

// tableTarget parses [ks.]table.
func (p *parser) tableTarget() (Target, error) {
	ks, t, err := p.qualifiedName()
	if err != nil {
		return Target{}, err
	}
	if ks == "" {
		return Target{Name: t}, nil
	}
	return Target{Resource: resource.Table(ks, t), Keyspace: ks, Name: t}, nil
}

// mbean parses the string of MBEAN/MBEANS and canonicalises it as
// Cassandra's canonicalizeObjectName does, recording its errors. The
// result is zero when the name is not valid.
func (p *parser) mbean(plural bool) resource.Resource {
	ti, t := p.index(0), p.advance()
	s := t.val
	if s == "" {
		p.record(ti, "Empty JMX object name supplied")
	}
	if s == "*:*" {
		p.record(ti, "Please use ALL MBEANS instead of wildcard pattern")
	}
	on, err := resource.ParseObjectName(s)
	if err != nil {
		p.record(ti, s+" is not a valid JMX object name")
		return resource.Resource{}
	}
	if plural && !on.IsPattern() {
		p.record(ti, "Plural form used, but non-pattern JMX object name specified ("+s+")")
	}
	r, err := resource.MBean(on.String())
	if err != nil {
		p.record(ti, s+" is not a valid JMX object name")
		return resource.Resource{}
	}
	return r
}
