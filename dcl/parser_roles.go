package dcl

import (
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/roles"
)

// Messages of Cassandra's parser for role statements.
const (
	msgQuotedUser     = "Quoted strings are are not supported for user names and USER is deprecated, please use ROLE"
	msgQuotedIdentity = "Quoted strings are are not supported for identity"
)

// optionSet collects role options while parsing, rejecting duplicates as
// Cassandra's RoleOptions.setOption does.
type optionSet struct {
	opts  RoleOptions
	given map[string]bool
	dcs   authz.DCPermissionsBuilder
	cidrs authz.CIDRPermissionsBuilder
}

// set records option name (Cassandra's enum name) at token ti; a second
// definition is a syntax error thrown at once.
func (p *parser) setOption(o *optionSet, name string, ti int) error {
	if o.given == nil {
		o.given = make(map[string]bool)
	}
	if o.given[name] {
		return p.throw(ti, "Multiple definition for property '"+name+"'")
	}
	o.given[name] = true
	return nil
}

// ifNotExists parses an optional IF NOT EXISTS.
func (p *parser) ifNotExists() (bool, error) {
	if !p.accept("IF") {
		return false, nil
	}
	if err := p.expect("NOT"); err != nil {
		return false, err
	}
	return true, p.expect("EXISTS")
}

// ifExists parses an optional IF EXISTS.
func (p *parser) ifExists() (bool, error) {
	if !p.accept("IF") {
		return false, nil
	}
	return true, p.expect("EXISTS")
}

// createRole parses CREATE ROLE [IF NOT EXISTS] name [WITH options].
func (p *parser) createRole() (Statement, error) {
	p.i += 2
	ine, err := p.ifNotExists()
	if err != nil {
		return nil, err
	}
	name, err := p.roleName()
	if err != nil {
		return nil, err
	}
	var o optionSet
	if p.accept("WITH") {
		if err := p.roleOptions(&o); err != nil {
			return nil, err
		}
	}
	f := false
	if o.opts.Login == nil {
		o.opts.Login = &f
	}
	if o.opts.Superuser == nil {
		s := false
		o.opts.Superuser = &s
	}
	if err := p.exclusivePasswords(o.opts); err != nil {
		return nil, err
	}
	o.finish()
	return &CreateRole{Name: name, IfNotExists: ine, Options: o.opts}, nil
}

// alterRole parses ALTER ROLE [IF EXISTS] name [WITH options].
func (p *parser) alterRole() (Statement, error) {
	p.i += 2
	ie, err := p.ifExists()
	if err != nil {
		return nil, err
	}
	name, err := p.roleName()
	if err != nil {
		return nil, err
	}
	var o optionSet
	if p.accept("WITH") {
		if err := p.roleOptions(&o); err != nil {
			return nil, err
		}
	}
	if err := p.exclusivePasswords(o.opts); err != nil {
		return nil, err
	}
	o.finish()
	return &AlterRole{Name: name, IfExists: ie, Options: o.opts}, nil
}

// finish stores the access clauses that were given.
func (o *optionSet) finish() {
	if o.dcs.Modified() {
		d := o.dcs.Build()
		o.opts.Datacenters = &d
	}
	if o.cidrs.Modified() {
		c := o.cidrs.Build()
		o.opts.CIDRs = &c
	}
}

// exclusivePasswords throws Cassandra's parser errors for two password
// forms.
func (p *parser) exclusivePasswords(o RoleOptions) error {
	ti := p.prevIndex()
	switch {
	case o.Password != nil && o.HashedPassword != nil:
		return p.throw(ti, "Options 'password' and 'hashed password' are mutually exclusive")
	case o.Password != nil && o.GeneratedPassword:
		return p.throw(ti, "Options 'password' and 'generated password' are mutually exclusive")
	case o.HashedPassword != nil && o.GeneratedPassword:
		return p.throw(ti, "Options 'hashed password' and 'generated password' are mutually exclusive")
	}
	return nil
}

// roleOptions parses option (AND option)*.
func (p *parser) roleOptions(o *optionSet) error {
	for {
		if err := p.roleOption(o); err != nil {
			return err
		}
		if !p.accept("AND") {
			return nil
		}
	}
}

// roleOption parses one option of CREATE/ALTER ROLE.
func (p *parser) roleOption(o *optionSet) error {
	ti := p.index(0)
	switch {
	case p.isKw(0, "PASSWORD"):
		p.i++
		s, err := p.eqString()
		if err != nil {
			return err
		}
		o.opts.Password = &s
		return p.setOption(o, "PASSWORD", ti)
	case p.isKw(0, "HASHED"):
		p.i++
		if err := p.expect("PASSWORD"); err != nil {
			return err
		}
		s, err := p.eqString()
		if err != nil {
			return err
		}
		o.opts.HashedPassword = &s
		return p.setOption(o, "HASHED_PASSWORD", ti)
	case p.isKw(0, "GENERATED"):
		p.i++
		if err := p.expect("PASSWORD"); err != nil {
			return err
		}
		o.opts.GeneratedPassword = true
		return p.setOption(o, "GENERATED_PASSWORD", ti)
	case p.isKw(0, "OPTIONS"):
		p.i++
		if err := p.expectPunct("="); err != nil {
			return err
		}
		m, err := p.propertyMap()
		if err != nil {
			return err
		}
		o.opts.Custom = m
		return p.setOption(o, "OPTIONS", ti)
	case p.isKw(0, "SUPERUSER"), p.isKw(0, "LOGIN"):
		name := p.advance().kw
		if err := p.expectPunct("="); err != nil {
			return err
		}
		t, err := p.expectKind(tBoolean, "BOOLEAN")
		if err != nil {
			return err
		}
		b := t.val == "true"
		if name == "LOGIN" {
			o.opts.Login = &b
		} else {
			o.opts.Superuser = &b
		}
		return p.setOption(o, name, ti)
	case p.isKw(0, "ACCESS"):
		return p.accessClause(o)
	}
	return p.noViable()
}

// eqString parses '=' STRING_LITERAL.
func (p *parser) eqString() (string, error) {
	if err := p.expectPunct("="); err != nil {
		return "", err
	}
	t, err := p.expectKind(tString, "STRING_LITERAL")
	return t.val, err
}

// accessClause parses ACCESS TO [ALL] DATACENTERS ... and ACCESS FROM
// [ALL] CIDRS ....
func (p *parser) accessClause(o *optionSet) error {
	p.i++ // ACCESS
	var all func() error
	var add func(string) error
	var noun string
	switch {
	case p.accept("TO"):
		all, add, noun = o.dcs.All, o.dcs.Add, "DATACENTERS"
	case p.accept("FROM"):
		all, add, noun = o.cidrs.All, o.cidrs.Add, "CIDRS"
	default:
		return p.noViable()
	}
	if p.accept("ALL") {
		if err := p.expect(noun); err != nil {
			return err
		}
		return all()
	}
	if err := p.expect(noun); err != nil {
		return err
	}
	if err := p.expectPunct("{"); err != nil {
		return err
	}
	for {
		t, err := p.expectKind(tString, "STRING_LITERAL")
		if err != nil {
			return err
		}
		if err := add(t.val); err != nil {
			return err
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	return p.expectPunct("}")
}

// createUser parses CREATE USER [IF NOT EXISTS] name [WITH password]
// [SUPERUSER | NOSUPERUSER].
func (p *parser) createUser() (Statement, error) {
	p.i += 2
	ine, err := p.ifNotExists()
	if err != nil {
		return nil, err
	}
	name, err := p.verbatimName(msgQuotedUser)
	if err != nil {
		return nil, err
	}
	o, err := p.userOptions()
	if err != nil {
		return nil, err
	}
	login := true
	o.opts.Login = &login
	if o.opts.Superuser == nil {
		f := false
		o.opts.Superuser = &f
	}
	return &CreateRole{Name: name, User: true, IfNotExists: ine, Options: o.opts}, nil
}

// alterUser parses ALTER USER [IF EXISTS] name [WITH password]
// [SUPERUSER | NOSUPERUSER].
func (p *parser) alterUser() (Statement, error) {
	p.i += 2
	ie, err := p.ifExists()
	if err != nil {
		return nil, err
	}
	name, err := p.verbatimName(msgQuotedUser)
	if err != nil {
		return nil, err
	}
	o, err := p.userOptions()
	if err != nil {
		return nil, err
	}
	return &AlterRole{Name: name, User: true, IfExists: ie, Options: o.opts}, nil
}

// userOptions parses [WITH userPassword] [SUPERUSER | NOSUPERUSER], the
// legacy USER form (no '=' after PASSWORD).
func (p *parser) userOptions() (*optionSet, error) {
	o := &optionSet{}
	if p.accept("WITH") {
		switch {
		case p.accept("PASSWORD"):
			t, err := p.expectKind(tString, "STRING_LITERAL")
			if err != nil {
				return nil, err
			}
			o.opts.Password = &t.val
		case p.accept("HASHED"):
			if err := p.expect("PASSWORD"); err != nil {
				return nil, err
			}
			t, err := p.expectKind(tString, "STRING_LITERAL")
			if err != nil {
				return nil, err
			}
			o.opts.HashedPassword = &t.val
		case p.accept("GENERATED"):
			if err := p.expect("PASSWORD"); err != nil {
				return nil, err
			}
			o.opts.GeneratedPassword = true
		default:
			return nil, p.noViable()
		}
	}
	switch {
	case p.accept("SUPERUSER"):
		t := true
		o.opts.Superuser = &t
	case p.accept("NOSUPERUSER"):
		f := false
		o.opts.Superuser = &f
	}
	return o, nil
}

// dropRole parses DROP ROLE|USER [IF EXISTS] name.
func (p *parser) dropRole() (Statement, error) {
	user := p.isKw(1, "USER")
	p.i += 2
	ie, err := p.ifExists()
	if err != nil {
		return nil, err
	}
	var name string
	if user {
		name, err = p.verbatimName(msgQuotedUser)
	} else {
		name, err = p.roleName()
	}
	if err != nil {
		return nil, err
	}
	return &DropRole{Name: name, User: user, IfExists: ie}, nil
}

// addIdentity parses ADD IDENTITY [IF NOT EXISTS] identity TO ROLE role.
func (p *parser) addIdentity() (Statement, error) {
	p.i++
	if err := p.expect("IDENTITY"); err != nil {
		return nil, err
	}
	ine, err := p.ifNotExists()
	if err != nil {
		return nil, err
	}
	id, err := p.verbatimName(msgQuotedIdentity)
	if err != nil {
		return nil, err
	}
	if err := p.expect("TO"); err != nil {
		return nil, err
	}
	if err := p.expect("ROLE"); err != nil {
		return nil, err
	}
	role, err := p.verbatimName(msgQuotedIdentity)
	if err != nil {
		return nil, err
	}
	return &AddIdentity{Identity: id, Role: role, IfNotExists: ine}, nil
}

// dropIdentity parses DROP IDENTITY [IF EXISTS] identity.
func (p *parser) dropIdentity() (Statement, error) {
	p.i += 2
	ie, err := p.ifExists()
	if err != nil {
		return nil, err
	}
	id, err := p.verbatimName(msgQuotedIdentity)
	if err != nil {
		return nil, err
	}
	return &DropIdentity{Identity: id, IfExists: ie}, nil
}

// list parses LIST ROLES, LIST USERS, LIST SUPERUSERS and LIST
// PERMISSIONS.
func (p *parser) list() (Statement, error) {
	p.i++
	switch {
	case p.accept("USERS"):
		return &ListUsers{}, nil
	case p.accept("SUPERUSERS"):
		return &ListSuperusers{}, nil
	case p.accept("ROLES"):
		s := &ListRoles{}
		if p.accept("OF") {
			name, err := p.roleName()
			if err != nil {
				return nil, err
			}
			s.Of, s.HasOf = name, true
		}
		s.NoRecursive = p.accept("NORECURSIVE")
		return s, nil
	}
	perms, all, err := p.permissionOrAll()
	if err != nil {
		return nil, err
	}
	s := &ListPermissions{Permissions: perms, All: all}
	if p.accept("ON") {
		t, err := p.target()
		if err != nil {
			return nil, err
		}
		s.On = &t
	}
	if p.accept("OF") {
		name, err := p.roleName()
		if err != nil {
			return nil, err
		}
		s.Of, s.HasOf = name, true
	}
	s.NoRecursive = p.accept("NORECURSIVE")
	return s, nil
}

// use parses USE keyspace.
func (p *parser) use() (Statement, error) {
	p.i++
	ks, err := p.ident("keyspace")
	if err != nil {
		return nil, err
	}
	return &Use{Keyspace: ks}, nil
}

// optionsGiven lists the given options in Option order, with GENERATED
// PASSWORD after them, by Cassandra's enum names.
func optionsGiven(o RoleOptions) []string {
	var out []string
	given := o.Given()
	for _, opt := range []roles.Option{roles.OptSuperuser, roles.OptPassword, roles.OptLogin, roles.OptOptions, roles.OptHashedPassword} {
		if given.Has(opt) {
			out = append(out, opt.String())
		}
	}
	if o.GeneratedPassword {
		out = append(out, "GENERATED_PASSWORD")
	}
	return out
}
