package authz

import (
	"errors"
	"fmt"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Sentinel errors of the package. The errors a client sees are
// [*roles.Error] values carrying a native-protocol code and Cassandra's
// message; these sentinels are reachable from them with [errors.Is], so a
// caller can tell the kinds apart without comparing text.
var (
	// ErrUnsupported: the authorizer does not implement the operation
	// (Cassandra's UnsupportedOperationException or the AllowAll
	// variants' InvalidRequestException). Callers that may ignore it, such
	// as the creator auto-grant, test for it with errors.Is.
	ErrUnsupported = errors.New("operation not supported by this authorizer")

	// ErrDenied: the access check decided "no". Every denial returned by
	// the [Checker] wraps it, whatever Cassandra's message is.
	ErrDenied = errors.New("access denied")

	// ErrUndecided: the check could not be decided because a store or the
	// role manager failed. The caller must fail closed; the cause is
	// reachable through the same error.
	ErrUndecided = errors.New("authorization could not be decided")

	// ErrNoSuchRole: a grant names a role that does not exist.
	ErrNoSuchRole = errors.New("no such role")

	// ErrInvalidResource: a zero (invalid) resource.Resource was given.
	ErrInvalidResource = errors.New("invalid resource")
)

// unsupported returns Cassandra's "<OP> operation is not supported by
// AllowAllAuthorizer" error. Cassandra throws UnsupportedOperationException,
// which reaches clients as a server error, except that LIST PERMISSIONS
// turns it into an InvalidRequestException with the same text; the DCL layer
// does that conversion (test errors.Is(err, ErrUnsupported)).
func unsupported(op string) error {
	return roles.Wrap(roles.CodeServerError, ErrUnsupported,
		op+" operation is not supported by AllowAllAuthorizer")
}

// unsupportedInvalid returns an InvalidRequest [*roles.Error] with msg that
// wraps ErrUnsupported (the AllowAll network and CIDR authorizers).
func unsupportedInvalid(msg string) error {
	return roles.Wrap(roles.CodeInvalid, ErrUnsupported, msg)
}

// undecided wraps a failure to read permissions the way Cassandra reports
// it: an UnauthorizedException "Unable to perform authorization of
// permissions: <cause>". Both ErrUndecided and cause are reachable.
func undecided(cause error) error {
	return roles.Wrap(roles.CodeUnauthorized, errors.Join(ErrUndecided, cause),
		"Unable to perform authorization of permissions: "+cause.Error())
}

// undecidedMsg wraps a failure with a message of our own (Cassandra has
// none for the case) and code unauthorized, so that callers fail closed.
func undecidedMsg(cause error, format string, args ...any) error {
	return roles.Wrap(roles.CodeUnauthorized, errors.Join(ErrUndecided, cause),
		fmt.Sprintf(format, args...)+": "+cause.Error())
}

// denied returns an Unauthorized [*roles.Error] with the formatted message
// wrapping ErrDenied.
func denied(format string, args ...any) error {
	return roles.Wrap(roles.CodeUnauthorized, ErrDenied, fmt.Sprintf(format, args...))
}

// invalidResource reports a zero resource as a server error.
func invalidResource(op string) error {
	return roles.Wrap(roles.CodeServerError, ErrInvalidResource, "authz: "+op+": invalid (zero) resource")
}

// NoPermissionMessage returns Cassandra's denial text for the data,
// function and resource checks (spec 3.4):
// "User <user> has no <PERMISSION> permission on <display form> or any of
// its parents".
func NoPermissionMessage(user string, p resource.Permission, r resource.Resource) string {
	return "User " + user + " has no " + p.String() + " permission on " + r.String() + " or any of its parents"
}

// InsufficientPrivilegesMessage returns Cassandra's denial text for role
// statements: "User <user> does not have sufficient privileges to perform
// the requested operation".
func InsufficientPrivilegesMessage(user string) string {
	return "User " + user + " does not have sufficient privileges to perform the requested operation"
}
