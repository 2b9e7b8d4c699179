package httpapi

import (
	"github.com/cassauth/cassauth/dcl"
)

// DefaultMaxNameLength is the longest role name, identity, keyspace, table,
// function or resource name the API accepts, in bytes. Cassandra's own
// limit on a partition key is 65535 bytes, and the embedded store's on a
// key 32 KiB; the API refuses far less, so that one request cannot fill the
// store or the caches with a few huge keys.
const DefaultMaxNameLength = 1024

// nameTooLong returns the 400 for a name over the limit.
func nameTooLong(what string, n, max int) *Error {
	return invalid("%s is too long: %d bytes (at most %d)", what, n, max)
}

// checkLen returns nameTooLong if s is longer than max bytes.
func checkLen(what, s string, max int) *Error {
	if len(s) > max {
		return nameTooLong(what, len(s), max)
	}
	return nil
}

// checkStatementNames checks every name a parsed statement would store or
// look up against max. It is exhaustive over the statements package dcl
// parses; a statement it does not know (a later addition) passes, since
// the request body limit still bounds it.
func checkStatementNames(st dcl.Statement, max int) *Error {
	type named struct{ what, s string }
	var names []named
	target := func(t dcl.Target) {
		names = append(names, named{"Keyspace name", t.Keyspace}, named{"Table or function name", t.Name})
		if !t.Resource.IsZero() {
			names = append(names, named{"Resource name", t.Resource.Name()})
		}
	}
	switch s := st.(type) {
	case *dcl.CreateRole:
		names = append(names, named{"Role name", s.Name})
	case *dcl.AlterRole:
		names = append(names, named{"Role name", s.Name})
	case *dcl.DropRole:
		names = append(names, named{"Role name", s.Name})
	case *dcl.GrantRole:
		names = append(names, named{"Role name", s.Role}, named{"Role name", s.Grantee})
	case *dcl.RevokeRole:
		names = append(names, named{"Role name", s.Role}, named{"Role name", s.Revokee})
	case *dcl.GrantPermissions:
		target(s.On)
		names = append(names, named{"Role name", s.Grantee})
	case *dcl.RevokePermissions:
		target(s.On)
		names = append(names, named{"Role name", s.Revokee})
	case *dcl.ListPermissions:
		if s.On != nil {
			target(*s.On)
		}
		names = append(names, named{"Role name", s.Of})
	case *dcl.ListRoles:
		names = append(names, named{"Role name", s.Of})
	case *dcl.AddIdentity:
		names = append(names, named{"Identity", s.Identity}, named{"Role name", s.Role})
	case *dcl.DropIdentity:
		names = append(names, named{"Identity", s.Identity})
	case *dcl.Use:
		names = append(names, named{"Keyspace name", s.Keyspace})
	case *dcl.CreateKeyspace:
		names = append(names, named{"Keyspace name", s.Name})
	case *dcl.DropKeyspace:
		names = append(names, named{"Keyspace name", s.Name})
	case *dcl.CreateTable:
		names = append(names, named{"Keyspace name", s.Keyspace}, named{"Table name", s.Name})
	case *dcl.DropTable:
		names = append(names, named{"Keyspace name", s.Keyspace}, named{"Table name", s.Name})
	case *dcl.CreateFunction:
		names = append(names, named{"Keyspace name", s.Keyspace}, named{"Function name", s.Name})
		for _, a := range s.ArgTypes {
			names = append(names, named{"Argument type", a})
		}
	case *dcl.DropFunction:
		names = append(names, named{"Keyspace name", s.Keyspace}, named{"Function name", s.Name})
		for _, a := range s.ArgTypes {
			names = append(names, named{"Argument type", a})
		}
	}
	for _, n := range names {
		if err := checkLen(n.what, n.s, max); err != nil {
			return err
		}
	}
	return nil
}
