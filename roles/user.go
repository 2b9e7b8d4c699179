package roles

import "github.com/cassauth/cassauth/resource"

// Names of the special users (spec 10.7).
const (
	AnonymousName = "anonymous"
	SystemName    = "system"
)

// User is an authenticated user (Cassandra's AuthenticatedUser): the name of
// its primary role, plus whether it is one of the special users. It is a
// small comparable value (two users are equal when they name the same role
// and are of the same kind), usable as a map or cache key; superuser status, LOGIN, roles and permissions are
// never frozen in it but always read through the role manager (and its
// caches), as in Cassandra.
type User struct {
	name string
	kind userKind
}

type userKind uint8

const (
	kindRole userKind = iota
	kindAnonymous
	kindSystem
)

// Anonymous is the user of a connection when authentication is off. It is
// never a superuser, may always log in, and may not run DCL.
var Anonymous = User{name: AnonymousName, kind: kindAnonymous}

// System is the internal user (auto-grants, JMX permission loading). It
// passes every visibility check.
var System = User{name: SystemName, kind: kindSystem}

// NewUser returns the authenticated user whose primary role is role.
func NewUser(role string) User { return User{name: role} }

// Name returns the primary role name ("anonymous" and "system" for the
// special users).
func (u User) Name() string { return u.name }

// IsAnonymous reports whether u is [Anonymous].
func (u User) IsAnonymous() bool { return u.kind == kindAnonymous }

// IsSystem reports whether u is [System].
func (u User) IsSystem() bool { return u.kind == kindSystem }

// IsZero reports whether u is the zero User (no one logged in).
func (u User) IsZero() bool { return u.name == "" && u.kind == kindRole }

// Resource returns the role resource of u's primary role.
func (u User) Resource() resource.Resource { return resource.Role(u.name) }

// String returns Cassandra's form, "#<User name>".
func (u User) String() string { return "#<User " + u.name + ">" }
