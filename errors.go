package cassauth

import (
	"errors"

	"github.com/cassauth/cassauth/roles"
)

// Sentinel causes of the errors of this package. The errors themselves are
// [*roles.Error] values with a native-protocol code (CONFIG_ERROR for
// configuration, INVALID for operator requests) and Cassandra's message where
// Cassandra has one; match the cause with [errors.Is].
var (
	// ErrUnknownClass: a class name in the configuration is not one
	// cassauth implements, or names a class of the wrong kind (an
	// authenticator given as authorizer).
	ErrUnknownClass = errors.New("unknown auth class")

	// ErrIncompatible: the configured parts cannot work together
	// (Cassandra's "<x> can't be used with <y>" and "CassandraRoleManager
	// must be used with PasswordAuthenticator").
	ErrIncompatible = errors.New("incompatible auth configuration")

	// ErrInvalidValue: a configuration value is out of range or malformed.
	// The [*ConfigError] in the same chain names the key.
	ErrInvalidValue = errors.New("invalid configuration value")

	// ErrUnknownCache: a cache name that is not one of the seven auth
	// caches (nor a deprecated alias of one).
	ErrUnknownCache = errors.New("unknown auth cache")

	// ErrClosed: the Auth has been closed.
	ErrClosed = errors.New("cassauth: closed")
)

// ConfigError locates a bad configuration value: the cassandra.yaml key
// (as written, "permissions_validity_in_ms") and the cause, which wraps
// [ErrInvalidValue]. It is the cause of the CONFIG_ERROR [*roles.Error]
// returned by [ConfigFromMap] and [Config.Validate], reachable with
// [errors.As].
type ConfigError struct {
	Key string
	Err error
}

// Error returns "<key>: <cause>".
func (e *ConfigError) Error() string { return e.Key + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// configErr returns the CONFIG_ERROR "<key>: <msg>" for a problem Cassandra
// has no text for, wrapping a *ConfigError and ErrInvalidValue.
func configErr(key, msg string) error {
	ce := &ConfigError{Key: key, Err: &valueError{msg: msg}}
	return roles.Wrap(roles.CodeConfigError, ce, ce.Error())
}

// cassandraErr returns the CONFIG_ERROR for key whose message is Cassandra's
// text, cause's message; the *ConfigError, ErrInvalidValue and cause are all
// reachable.
func cassandraErr(key string, cause error) error {
	return roles.Wrap(roles.CodeConfigError, &ConfigError{Key: key, Err: &valueError{msg: cause.Error(), cause: cause}}, cause.Error())
}

// valueError is a bad value's message; it matches ErrInvalidValue and its
// cause, if any, with errors.Is.
type valueError struct {
	msg   string
	cause error
}

func (e *valueError) Error() string { return e.msg }

func (e *valueError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrInvalidValue}
	}
	return []error{ErrInvalidValue, e.cause}
}

// incompatible returns a CONFIG_ERROR with Cassandra's text msg wrapping
// ErrIncompatible.
func incompatible(msg string) error {
	return roles.Wrap(roles.CodeConfigError, ErrIncompatible, msg)
}
