package cassauth

import (
	"strings"

	"github.com/cassauth/cassauth/roles"
)

// AuthPackage is the Java package in which Cassandra looks up the short
// class names of cassandra.yaml ("PasswordAuthenticator" is
// "org.apache.cassandra.auth.PasswordAuthenticator").
const AuthPackage = "org.apache.cassandra.auth"

// The short class names cassauth implements, as cassandra.yaml names them.
// Each is also accepted with the [AuthPackage] prefix.
const (
	AllowAllAuthenticator                      = "AllowAllAuthenticator"
	PasswordAuthenticator                      = "PasswordAuthenticator"
	MutualTLSAuthenticator                     = "MutualTlsAuthenticator"
	MutualTLSWithPasswordFallbackAuthenticator = "MutualTlsWithPasswordFallbackAuthenticator"
	AllowAllAuthorizer                         = "AllowAllAuthorizer"
	CassandraAuthorizer                        = "CassandraAuthorizer"
	CassandraRoleManager                       = "CassandraRoleManager"
	AllowAllNetworkAuthorizer                  = "AllowAllNetworkAuthorizer"
	CassandraNetworkAuthorizer                 = "CassandraNetworkAuthorizer"
	AllowAllCIDRAuthorizer                     = "AllowAllCIDRAuthorizer"
	CassandraCIDRAuthorizer                    = "CassandraCIDRAuthorizer"
	SpiffeCertificateValidator                 = "SpiffeCertificateValidator"
	// CommonNameCertificateValidator is cassauth's validator taking the
	// identity from the leaf certificate's subject CN (Cassandra has none).
	CommonNameCertificateValidator = "CommonNameCertificateValidator"
)

// classKind is the Java interface a configured class must implement.
type classKind uint8

const (
	kindAuthenticator classKind = iota
	kindAuthorizer
	kindRoleManager
	kindNetwork
	kindCIDR
	kindValidator
)

// iface returns the fully qualified name of the Java interface of k, which
// Cassandra names in "must extend or implement".
func (k classKind) iface() string {
	switch k {
	case kindAuthenticator:
		return AuthPackage + ".IAuthenticator"
	case kindAuthorizer:
		return AuthPackage + ".IAuthorizer"
	case kindRoleManager:
		return AuthPackage + ".IRoleManager"
	case kindNetwork:
		return AuthPackage + ".INetworkAuthorizer"
	case kindCIDR:
		return AuthPackage + ".ICIDRAuthorizer"
	default:
		return AuthPackage + ".MutualTlsCertificateValidator"
	}
}

// classInfo is what the wiring needs to know about a class before building
// it: its kind and whether it enforces anything (requireAuthentication /
// requireAuthorization).
type classInfo struct {
	short   string
	kind    classKind
	require bool
}

// knownClass returns what cassauth implements under a short class name.
func knownClass(short string) (classInfo, bool) {
	var k classKind
	require := true
	switch short {
	case AllowAllAuthenticator:
		k, require = kindAuthenticator, false
	case PasswordAuthenticator, MutualTLSAuthenticator, MutualTLSWithPasswordFallbackAuthenticator:
		k = kindAuthenticator
	case AllowAllAuthorizer:
		k, require = kindAuthorizer, false
	case CassandraAuthorizer:
		k = kindAuthorizer
	case CassandraRoleManager:
		k = kindRoleManager
	case AllowAllNetworkAuthorizer:
		k, require = kindNetwork, false
	case CassandraNetworkAuthorizer:
		k = kindNetwork
	case AllowAllCIDRAuthorizer:
		k, require = kindCIDR, false
	case CassandraCIDRAuthorizer:
		k = kindCIDR
	case SpiffeCertificateValidator, CommonNameCertificateValidator:
		k = kindValidator
	default:
		return classInfo{}, false
	}
	return classInfo{short: short, kind: k, require: require}, true
}

// resolveClass looks name up as Cassandra's ParameterizedClass.newInstance
// does, first as given and then in [AuthPackage], and checks that it is of
// kind k. An empty name resolves to def. Errors are CodeConfigError
// [*roles.Error] values with Cassandra's texts, wrapping [ErrUnknownClass]:
//
//	Unable to find class <name> in packages ["","org.apache.cassandra.auth"]
//	Invalid parameterized class <fqcn>: must extend or implement <interface>
func resolveClass(name string, k classKind, def string) (classInfo, error) {
	if name == "" {
		info, _ := knownClass(def)
		return info, nil
	}
	short, ok := strings.CutPrefix(name, AuthPackage+".")
	if !ok && strings.Contains(name, ".") {
		short = "" // another package: nothing of ours lives there
	}
	info, found := knownClass(short)
	if !found {
		return classInfo{}, roles.Wrap(roles.CodeConfigError, ErrUnknownClass,
			`Unable to find class `+name+` in packages ["","`+AuthPackage+`"]`)
	}
	if info.kind != k {
		return classInfo{}, roles.Wrap(roles.CodeConfigError, ErrUnknownClass,
			"Invalid parameterized class "+AuthPackage+"."+info.short+": must extend or implement "+k.iface())
	}
	return info, nil
}
