package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// Reason says why a check decided as it did.
type Reason string

// The reasons an [Explanation] gives.
const (
	ReasonNotRequired     Reason = "authorization not required" // the authorizer is AllowAll
	ReasonBuiltinFunction Reason = "builtin function"           // a function of the system keyspace
	ReasonSystemUser      Reason = "system user"                // roles.System
	ReasonSuperuser       Reason = "superuser"                  // a role in the closure is a superuser
	ReasonGranted         Reason = "granted"                    // a grant on the resource or a parent
	ReasonNotGranted      Reason = "not granted"                // no resource of the chain holds it
	ReasonAlwaysReadable  Reason = "always readable"            // SELECT on a public system table
	ReasonSystemKeyspace  Reason = "system keyspace"            // DDL on a system keyspace
	ReasonProtected       Reason = "protected"                  // DDL on a protected resource
	ReasonNoKeyspace      Reason = "no keyspace"                // a data resource without keyspace
	ReasonNotLoggedIn     Reason = "not logged in"              // the zero User
)

// Explanation is a decision of the access check together with why it was
// taken. It marshals to JSON with resources in display form and canonical
// name, and permissions by name.
type Explanation struct {
	Allowed    bool
	Reason     Reason
	User       string
	Permission resource.Permission
	Resource   resource.Resource // as requested
	// Roles is the user's role closure, primary role first, when it was
	// read.
	Roles []string
	// Grants holds what allowed the check: for ReasonGranted every role of
	// the closure with a grant of Permission on the first resource of the
	// chain that held it; for ReasonSuperuser the nearest role with
	// superuser status. Empty when the authorizer cannot attribute grants
	// to roles (it does not implement [RolePermissions]) or a cache still
	// held a grant the store no longer has.
	Grants []GrantPath
	// Consulted lists the resources of the chain that were looked up, in
	// the order of the check, with what the user holds on each.
	Consulted []Consulted
	// Message is, for a denial, the text the Ensure method returns.
	Message string
}

// GrantPath is one grant behind an allowed check: the path of role grants
// from the user's primary role to the role holding the grant (or the
// superuser flag), the resource it is on, and the permission.
type GrantPath struct {
	Via        []string // primary role first, the granting role last
	Resource   resource.Resource
	Permission resource.Permission
}

// Role returns the role holding the grant: the last of Via ("" if none).
func (g GrantPath) Role() string {
	if len(g.Via) == 0 {
		return ""
	}
	return g.Via[len(g.Via)-1]
}

// Consulted is one resource an access check looked up and what the user
// held there, through every role.
type Consulted struct {
	Resource    resource.Resource
	Permissions resource.PermissionSet
}

// Explain decides like [Checker.Check] (with the same permission lookup)
// and says why: the reason, the grants that allowed it with the role path
// from the user to each granting role, and the resources consulted. A
// denial carries the message [Checker.Ensure] would return. The
// attribution reads the role closure from the role manager and per-role
// grants from the authorizer ([RolePermissions]), bypassing any cache.
// Errors: those of Check, and the role manager's and store's.
func (c *Checker) Explain(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) (Explanation, error) {
	if r.IsZero() {
		return Explanation{}, invalidResource("explain")
	}
	e := Explanation{User: user.Name(), Permission: p, Resource: r}
	if !c.authz.RequireAuthorization() {
		e.Allowed, e.Reason = true, ReasonNotRequired
		return e, nil
	}
	if isSystemFunction(r) {
		e.Allowed, e.Reason = true, ReasonBuiltinFunction
		return e, nil
	}
	chain := r.Chain()
	if c.fromRoot {
		for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
			chain[i], chain[j] = chain[j], chain[i]
		}
	}
	var hit resource.Resource
	for _, cur := range chain {
		ps, err := c.perms(ctx, user, cur)
		if err != nil {
			return Explanation{}, err
		}
		e.Consulted = append(e.Consulted, Consulted{Resource: cur, Permissions: ps})
		if ps.Has(p) {
			hit = cur
			break
		}
	}
	var details []roles.Role
	if !user.IsSystem() && !user.IsAnonymous() && !user.IsZero() {
		var err error
		if details, err = c.roles.RoleDetails(ctx, user.Name()); err != nil {
			return Explanation{}, undecided(err)
		}
		e.Roles = make([]string, len(details))
		for i := range details {
			e.Roles[i] = details[i].Name
		}
	}
	if hit.IsZero() {
		e.Reason, e.Message = ReasonNotGranted, NoPermissionMessage(user.Name(), p, r)
		return e, nil
	}
	e.Allowed = true
	if user.IsSystem() {
		e.Reason = ReasonSystemUser
		return e, nil
	}
	paths := rolePaths(details)
	for i := range details {
		if details[i].IsSuperuser {
			e.Reason = ReasonSuperuser
			e.Grants = []GrantPath{{Via: paths(i), Resource: hit, Permission: p}}
			return e, nil
		}
	}
	e.Reason = ReasonGranted
	if c.roleGrants == nil {
		return e, nil
	}
	for i := range details {
		ps, err := c.roleGrants.RolePermissions(ctx, details[i].Name, hit)
		if err != nil {
			return Explanation{}, err
		}
		if ps.Has(p) {
			e.Grants = append(e.Grants, GrantPath{Via: paths(i), Resource: hit, Permission: p})
		}
	}
	return e, nil
}

// ExplainData is Explain for [Checker.EnsureData]: when one of the data
// guards decides (a system keyspace, an always-readable table, a protected
// resource, a missing keyspace or login), the explanation gives that guard
// as the reason and its message; otherwise it is Explain's.
func (c *Checker) ExplainData(ctx context.Context, user roles.User, p resource.Permission, r resource.Resource) (Explanation, error) {
	g := c.dataGuard(user, p, r)
	switch g.verdict {
	case guardAllow:
		return Explanation{Allowed: true, Reason: g.reason, User: user.Name(), Permission: p, Resource: r}, nil
	case guardDeny:
		if g.reason == "" {
			return Explanation{}, g.err
		}
		return Explanation{Reason: g.reason, User: user.Name(), Permission: p, Resource: r, Message: g.err.Error()}, nil
	}
	return c.Explain(ctx, user, p, r)
}

// rolePaths returns a function giving, for the i-th role of a closure
// (primary role first), the shortest path of grants from the primary role
// to it, following MemberOf within the closure.
func rolePaths(details []roles.Role) func(i int) []string {
	index := make(map[string]int, len(details))
	for i := range details {
		index[details[i].Name] = i
	}
	prev := make([]int, len(details))
	for i := range prev {
		prev[i] = -1
	}
	if len(details) > 0 {
		prev[0] = 0
		queue := []int{0}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, parent := range details[cur].MemberOf {
				j, ok := index[parent]
				if ok && prev[j] < 0 {
					prev[j] = cur
					queue = append(queue, j)
				}
			}
		}
	}
	return func(i int) []string {
		if prev[i] < 0 { // not reachable through MemberOf: report it alone
			return []string{details[i].Name}
		}
		var rev []string
		for j := i; ; j = prev[j] {
			rev = append(rev, details[j].Name)
			if j == 0 {
				break
			}
		}
		for a, b := 0, len(rev)-1; a < b; a, b = a+1, b-1 {
			rev[a], rev[b] = rev[b], rev[a]
		}
		return rev
	}
}

// String summarises e on one line, e.g.
// "allowed (granted): SELECT on <keyspace ks> granted to readers via bob -> readers"
// or "denied (not granted): User bob has no SELECT permission on ...".
func (e Explanation) String() string {
	var b strings.Builder
	if e.Allowed {
		b.WriteString("allowed (")
	} else {
		b.WriteString("denied (")
	}
	b.WriteString(string(e.Reason))
	b.WriteString(")")
	switch {
	case !e.Allowed && e.Message != "":
		b.WriteString(": " + e.Message)
	case e.Reason == ReasonSuperuser && len(e.Grants) > 0:
		b.WriteString(": " + e.Grants[0].Role() + " has superuser status via " + strings.Join(e.Grants[0].Via, " -> "))
	case len(e.Grants) > 0:
		for i, g := range e.Grants {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString("; ")
			}
			b.WriteString(g.Permission.String() + " on " + g.Resource.String() + " granted to " + g.Role() +
				" via " + strings.Join(g.Via, " -> "))
		}
	}
	return b.String()
}

type jsonGrant struct {
	Via          []string `json:"via"`
	Role         string   `json:"role"`
	Resource     string   `json:"resource"`
	ResourceName string   `json:"resource_name"`
	Permission   string   `json:"permission"`
}

type jsonConsulted struct {
	Resource     string   `json:"resource"`
	ResourceName string   `json:"resource_name"`
	Permissions  []string `json:"permissions"`
}

type jsonExplanation struct {
	Allowed      bool            `json:"allowed"`
	Reason       Reason          `json:"reason"`
	User         string          `json:"user"`
	Permission   string          `json:"permission"`
	Resource     string          `json:"resource"`
	ResourceName string          `json:"resource_name"`
	Roles        []string        `json:"roles,omitempty"`
	Grants       []jsonGrant     `json:"grants,omitempty"`
	Consulted    []jsonConsulted `json:"consulted,omitempty"`
	Message      string          `json:"message,omitempty"`
}

func (g GrantPath) toJSON() jsonGrant {
	return jsonGrant{Via: g.Via, Role: g.Role(), Resource: g.Resource.String(), ResourceName: g.Resource.Name(),
		Permission: g.Permission.String()}
}

func (c Consulted) toJSON() jsonConsulted {
	return jsonConsulted{Resource: c.Resource.String(), ResourceName: c.Resource.Name(), Permissions: c.Permissions.Names()}
}

// MarshalJSON encodes g with the resource in display form ("resource") and
// canonical name ("resource_name") and the permission by name.
func (g GrantPath) MarshalJSON() ([]byte, error) { return marshalJSON(g.toJSON()) }

// MarshalJSON encodes c like [GrantPath.MarshalJSON], with the permissions
// as a list of names.
func (c Consulted) MarshalJSON() ([]byte, error) { return marshalJSON(c.toJSON()) }

// MarshalJSON encodes e with snake_case keys: allowed, reason, user,
// permission, resource, resource_name, roles, grants, consulted, message
// (the last four omitted when empty).
func (e Explanation) MarshalJSON() ([]byte, error) {
	j := jsonExplanation{
		Allowed: e.Allowed, Reason: e.Reason, User: e.User, Permission: e.Permission.String(),
		Resource: e.Resource.String(), ResourceName: e.Resource.Name(), Roles: e.Roles, Message: e.Message,
	}
	for _, g := range e.Grants {
		j.Grants = append(j.Grants, g.toJSON())
	}
	for _, c := range e.Consulted {
		j.Consulted = append(j.Consulted, c.toJSON())
	}
	return marshalJSON(j)
}

// marshalJSON encodes v without escaping '<' and '>', which every display
// form holds; an outer json.Marshal escapes them again, an Encoder with
// SetEscapeHTML(false) keeps them.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
