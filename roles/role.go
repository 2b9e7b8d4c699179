package roles

import (
	"fmt"
	"log/slog"
	"strings"
)

// Role is one member of a role closure with the flags the checks need
// (Cassandra's Role): a primary role or a role granted to it.
type Role struct {
	Name        string
	IsSuperuser bool     // the role's own flag
	CanLogin    bool     // the role's own flag (LOGIN is never inherited)
	MemberOf    []string // roles granted directly to this role, sorted
	Options     map[string]string
}

// Option is a role option of CREATE/ALTER ROLE (Cassandra's IRoleManager.Option).
type Option uint8

// The role options.
const (
	OptSuperuser Option = iota
	OptPassword
	OptLogin
	OptOptions
	OptHashedPassword
)

var optionNames = [...]string{"SUPERUSER", "PASSWORD", "LOGIN", "OPTIONS", "HASHED_PASSWORD"}

// String returns Cassandra's enum name ("HASHED_PASSWORD").
func (o Option) String() string {
	if int(o) < len(optionNames) {
		return optionNames[o]
	}
	return fmt.Sprintf("Option(%d)", uint8(o))
}

// OptionSet is a set of [Option] values.
type OptionSet uint8

// OptionSetOf returns the set holding opts.
func OptionSetOf(opts ...Option) OptionSet {
	var s OptionSet
	for _, o := range opts {
		s |= 1 << o
	}
	return s
}

// Has reports whether o is in s.
func (s OptionSet) Has(o Option) bool { return o < 8 && s&(1<<o) != 0 }

// String formats s as Java prints a set of options: "[LOGIN, SUPERUSER]".
func (s OptionSet) String() string {
	var names []string
	for o := Option(0); int(o) < len(optionNames); o++ {
		if s.Has(o) {
			names = append(names, o.String())
		}
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// Options are the options given to CREATE or ALTER ROLE. Nil fields were not
// given. Password holds a clear-text password; Options redacts it when
// formatted.
type Options struct {
	Superuser      *bool
	Login          *bool
	Password       *string
	HashedPassword *string
	Custom         map[string]string // OPTIONS = {...}; nil if not given
}

// Given returns the set of options that are present.
func (o Options) Given() OptionSet {
	var s OptionSet
	if o.Superuser != nil {
		s |= 1 << OptSuperuser
	}
	if o.Login != nil {
		s |= 1 << OptLogin
	}
	if o.Password != nil {
		s |= 1 << OptPassword
	}
	if o.HashedPassword != nil {
		s |= 1 << OptHashedPassword
	}
	if o.Custom != nil {
		s |= 1 << OptOptions
	}
	return s
}

// String formats o with passwords redacted.
func (o Options) String() string {
	var parts []string
	if o.Superuser != nil {
		parts = append(parts, fmt.Sprintf("SUPERUSER=%t", *o.Superuser))
	}
	if o.Login != nil {
		parts = append(parts, fmt.Sprintf("LOGIN=%t", *o.Login))
	}
	if o.Password != nil {
		parts = append(parts, "PASSWORD=<redacted>")
	}
	if o.HashedPassword != nil {
		parts = append(parts, "HASHED_PASSWORD=<redacted>")
	}
	if o.Custom != nil {
		parts = append(parts, fmt.Sprintf("OPTIONS=%v", o.Custom))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// GoString formats o for %#v with passwords redacted.
func (o Options) GoString() string { return "roles.Options" + o.String() }

// LogValue makes slog print o with passwords redacted (as [Options.String]).
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }
