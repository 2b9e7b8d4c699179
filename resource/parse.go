package resource

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidName is wrapped by every error [Parse] returns.
var ErrInvalidName = errors.New("invalid resource name")

// NameError reports a resource name that [Parse] rejected. Its message is
// Cassandra's text for the same input.
type NameError struct {
	Name string // the input
	Msg  string // Cassandra's message
	Err  error  // an underlying cause (bad type or object name), or nil
}

// Error returns Cassandra's message.
func (e *NameError) Error() string { return e.Msg }

// Unwrap returns ErrInvalidName and the underlying cause, if any.
func (e *NameError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalidName, e.Err}
	}
	return []error{ErrInvalidName}
}

func nameErr(name, format string, cause error) error {
	return &NameError{Name: name, Msg: fmt.Sprintf(format, name), Err: cause}
}

// Parse returns the resource whose canonical name is name, dispatching by
// prefix in Cassandra's order (roles, data, functions, mbean) and splitting
// as Cassandra does (empty path segments are dropped). Errors are
// [*NameError] values wrapping [ErrInvalidName] with Cassandra's messages:
//
//	Name %s is not valid for any resource type
//	%s is not a valid data resource name
//	%s is not a valid role resource name
//	%s is not a valid function resource name
//	%s is not a valid function resource name. It must end with "[]"
//	%s is not a valid JMX resource name
func Parse(name string) (Resource, error) {
	switch {
	case strings.HasPrefix(name, "roles"):
		return parseRole(name)
	case strings.HasPrefix(name, "data"):
		return parseData(name)
	case strings.HasPrefix(name, "functions"):
		return parseFunction(name)
	case strings.HasPrefix(name, "mbean"):
		return parseMBean(name)
	}
	return Resource{}, nameErr(name, "Name %s is not valid for any resource type", nil)
}

// splitN splits s on '/' like Apache Commons StringUtils.split(s, "/", max):
// empty tokens are dropped and, once max-1 tokens are taken, the rest of the
// string (after the separator run) is the last token. max <= 0 means no limit.
func splitN(s string, max int) []string {
	var out []string
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == '/' {
			i++
		}
		if i == len(s) {
			break
		}
		if max > 0 && len(out) == max-1 {
			out = append(out, s[i:])
			break
		}
		j := strings.IndexByte(s[i:], '/')
		if j < 0 {
			out = append(out, s[i:])
			break
		}
		out = append(out, s[i:i+j])
		i += j
	}
	return out
}

func parseData(name string) (Resource, error) {
	parts := splitN(name, 0)
	if len(parts) == 0 || parts[0] != "data" || len(parts) > 3 {
		return Resource{}, nameErr(name, "%s is not a valid data resource name", nil)
	}
	switch len(parts) {
	case 1:
		return AllKeyspaces, nil
	case 2:
		return Keyspace(parts[1]), nil
	}
	if parts[2] == "*" {
		return AllTables(parts[1]), nil
	}
	return Table(parts[1], parts[2]), nil
}

func parseRole(name string) (Resource, error) {
	parts := splitN(name, 2)
	if len(parts) == 0 || parts[0] != "roles" {
		return Resource{}, nameErr(name, "%s is not a valid role resource name", nil)
	}
	if len(parts) == 1 {
		return AllRoles, nil
	}
	return Role(parts[1]), nil
}

func parseFunction(name string) (Resource, error) {
	parts := splitN(name, 3)
	if len(parts) == 0 || parts[0] != "functions" {
		return Resource{}, nameErr(name, "%s is not a valid function resource name", nil)
	}
	switch len(parts) {
	case 1:
		return AllFunctions, nil
	case 2:
		return FunctionsIn(parts[1]), nil
	}
	fn := parts[2]
	open := strings.LastIndexByte(fn, '[')
	if open < 1 || !strings.HasSuffix(fn, "]") || open == len(fn)-1 {
		return Resource{}, nameErr(name, `%s is not a valid function resource name. It must end with "[]"`, nil)
	}
	var args []string
	for _, a := range splitArgs(fn[open+1 : len(fn)-1]) {
		c, err := canonicalJavaType(a)
		if err != nil {
			return Resource{}, nameErr(name, "%s is not a valid function resource name", err)
		}
		args = append(args, c)
	}
	return functionFromJava(parts[1], fn[:open], args), nil
}

func parseMBean(name string) (Resource, error) {
	parts := splitN(name, 0)
	if len(parts) == 0 || parts[0] != "mbean" || len(parts) > 2 {
		return Resource{}, nameErr(name, "%s is not a valid JMX resource name", nil)
	}
	if len(parts) == 1 {
		return AllMBeans, nil
	}
	r, err := MBean(parts[1])
	if err != nil {
		return Resource{}, nameErr(name, "%s is not a valid JMX resource name", err)
	}
	return r, nil
}
