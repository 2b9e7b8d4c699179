package authz

import (
	"context"
	"log/slog"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

// JMXRequest is one MBeanServer invocation to authorize, as Cassandra's JMX
// AuthorizationProxy sees it (spec 5).
type JMXRequest struct {
	// Local is a call without a Subject: the JMX connector itself. It is
	// allowed.
	Local bool
	// User is the role of the Subject's first principal; the zero User
	// means a Subject without principals, which is denied.
	User roles.User
	// Method is the MBeanServer method name ("getAttribute", "invoke",
	// "queryNames", ...).
	Method string
	// Target is the ObjectName passed as the first argument, or nil when
	// the first argument is not an ObjectName (an MBeanServer-level call,
	// including queryNames with a null name).
	Target *resource.ObjectName
	// Operation is, for "invoke", the operation name (the second
	// argument); it matters only for the DiagnosticCommand pre-check.
	Operation string
	// TargetIsMLet reports whether the target MBean is an instance of
	// javax.management.loading.MLet (for the MLet pre-check).
	TargetIsMLet bool
}

// The SecurityException texts of Cassandra's JMX proxy: a call refused by
// a pre-check ([JMXPreCheck]), getMBeanServer, and a call refused by
// [Checker.AuthorizeJMX].
const (
	JMXPreCheckDenied      = "Access is denied!"
	JMXMBeanServerDenied   = "Access denied"
	JMXAuthorizationDenied = "Access Denied"
)

// JMXNames returns the registered MBean names a pattern matches, from the
// live registry (Java's MBeanServer.queryNames(pattern, null)). It is
// called without locks held and may be called more than once per request.
type JMXNames func(pattern resource.ObjectName) []resource.ObjectName

// jmxDenied holds the methods that are always refused (spec 5.2 step 4).
var jmxDenied = map[string]bool{
	"createMBean": true, "deserialize": true, "getClassLoader": true, "getClassLoaderFor": true,
	"instantiate": true, "registerMBean": true, "unregisterMBean": true,
}

// jmxServerMethods are the MBeanServer-level methods that DESCRIBE on the
// mbean root allows (spec 5.4).
var jmxServerMethods = map[string]bool{
	"getDefaultDomain": true, "getDomains": true, "getMBeanCount": true, "hashCode": true,
	"queryMBeans": true, "queryNames": true, "toString": true,
}

// JMXMethodPermission returns the permission an MBean method (one whose
// first argument is an ObjectName) requires, and false for methods that are
// never allowed that way (spec 5.3):
//
//	getAttribute, getAttributes                         SELECT
//	setAttribute, setAttributes                         MODIFY
//	invoke                                              EXECUTE
//	getInstanceOf, getMBeanInfo, hashCode, isInstanceOf,
//	isRegistered, queryMBeans, queryNames               DESCRIBE
func JMXMethodPermission(method string) (resource.Permission, bool) {
	switch method {
	case "getAttribute", "getAttributes":
		return resource.Select, true
	case "setAttribute", "setAttributes":
		return resource.Modify, true
	case "invoke":
		return resource.Execute, true
	case "getInstanceOf", "getMBeanInfo", "hashCode", "isInstanceOf", "isRegistered", "queryMBeans", "queryNames":
		return resource.Describe, true
	}
	return 0, false
}

// JMXPreCheck runs the invocation pre-checks that Cassandra's proxy runs
// before authorization (spec 5.1) and returns the SecurityException text
// for a refused call, or "" if the call may proceed to [Checker.AuthorizeJMX]:
//
//   - getMBeanServer: "Access denied";
//   - invoke of compilerDirectivesAdd or jvmtiAgentLoad on
//     com.sun.management:type=DiagnosticCommand, or of addURL or
//     getMBeansFromURL on an MLet: "Access is denied!".
//
// A refusal after authorization reads [JMXAuthorizationDenied], "Access
// Denied" (capital D).
func JMXPreCheck(req JMXRequest) string {
	if req.Method == "getMBeanServer" {
		return JMXMBeanServerDenied
	}
	if req.Method == "invoke" && req.Target != nil {
		switch {
		case req.Target.String() == "com.sun.management:type=DiagnosticCommand" &&
			(req.Operation == "compilerDirectivesAdd" || req.Operation == "jvmtiAgentLoad"):
			return JMXPreCheckDenied
		case req.TargetIsMLet && (req.Operation == "addURL" || req.Operation == "getMBeansFromURL"):
			return JMXPreCheckDenied
		}
	}
	return ""
}

// AuthorizeJMX decides an MBeanServer invocation as Cassandra's
// AuthorizationProxy.authorize does (spec 5.2 to 5.4), after
// [JMXPreCheck]; whether auth setup is complete is the caller's concern.
// In order:
//
//  1. the authorizer does not require authorization: allow;
//  2. a Local call: allow;
//  3. an always-denied method (createMBean, deserialize, getClassLoader,
//     getClassLoaderFor, instantiate, registerMBean, unregisterMBean): deny;
//  4. no principal (zero User): deny;
//  5. superuser status (inherited counts): allow;
//  6. with a Target: the method's permission ([JMXMethodPermission]; none:
//     deny) must be granted (to the role or a role it inherits) on the
//     mbean root, or on names or patterns that cover the target: for a
//     plain name, one grant whose name or pattern matches it; for a
//     pattern, grants that together match every registered name the
//     pattern matches (names from the live registry);
//  7. without a Target: the method must be one of getDefaultDomain,
//     getDomains, getMBeanCount, hashCode, queryMBeans, queryNames,
//     toString, and DESCRIBE must be granted on the mbean root itself.
//
// The grants come from [CheckerConfig.JMXPermissions]. Stored names that
// do not parse are skipped with a warning ("Permissions for JMX resource
// contains invalid ObjectName"). Errors: the role manager's and the grant
// lookup's; never an allow on error.
func (c *Checker) AuthorizeJMX(ctx context.Context, req JMXRequest, registered JMXNames) (bool, error) {
	switch {
	case !c.authz.RequireAuthorization(), req.Local:
		return true, nil
	case jmxDenied[req.Method], req.User.IsZero():
		return false, nil
	}
	super, err := c.IsSuperuser(ctx, req.User)
	if err != nil || super {
		return super && err == nil, err
	}
	grants, err := c.jmxPerms(ctx, req.User.Name())
	if err != nil {
		return false, err
	}
	if req.Target == nil {
		if !jmxServerMethods[req.Method] {
			return false, nil
		}
		for _, g := range grants {
			if g.Permission == resource.Describe && g.Resource == resource.AllMBeans {
				return true, nil
			}
		}
		return false, nil
	}
	perm, ok := JMXMethodPermission(req.Method)
	if !ok {
		return false, nil
	}
	var permitted []resource.ObjectName
	for _, g := range grants {
		if g.Permission != perm {
			continue
		}
		switch g.Resource.Level() {
		case resource.MBeanRoot:
			return true, nil
		case resource.MBeanLevel:
			n, err := resource.ParseObjectName(g.Resource.ObjectName())
			if err != nil { // cannot happen for names built by package resource; kept as Cassandra has it
				c.log.Warn("Permissions for JMX resource contains invalid ObjectName "+g.Resource.ObjectName(),
					slog.String("role", g.Grantee))
				continue
			}
			permitted = append(permitted, n)
		}
	}
	if len(permitted) == 0 {
		return false, nil
	}
	if !req.Target.IsPattern() {
		for _, p := range permitted {
			if p.Apply(*req.Target) {
				return true, nil
			}
		}
		return false, nil
	}
	var remaining []resource.ObjectName
	if registered != nil {
		remaining = registered(*req.Target)
	}
	for _, p := range permitted {
		kept := remaining[:0:0]
		for _, n := range remaining {
			if !p.Apply(n) {
				kept = append(kept, n)
			}
		}
		remaining = kept
		if len(remaining) == 0 {
			return true, nil
		}
	}
	return false, nil
}
