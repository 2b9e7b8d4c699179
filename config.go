package cassauth

import (
	"time"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/internal/passwd"
)

// Config mirrors the auth keys of cassandra.yaml (Cassandra 4.1 to 5.0). The
// zero value is Cassandra's default configuration: AllowAllAuthenticator,
// AllowAllAuthorizer, CassandraRoleManager, AllowAllNetworkAuthorizer,
// AllowAllCIDRAuthorizer, every cache at validity 2s, update interval "same
// as validity", 1000 entries, no active update, no warming. Build one in Go
// or load it from a parsed cassandra.yaml with [ConfigFromMap]; [New]
// validates it (see [Config.Validate]).
//
// Class names are accepted as Cassandra accepts them, short
// ("PasswordAuthenticator") or fully qualified
// ("org.apache.cassandra.auth.PasswordAuthenticator"), and are kept as written
// for error messages.
type Config struct {
	// Authenticator is `authenticator` (its class_name in the 4.1+ form):
	// AllowAllAuthenticator (""), PasswordAuthenticator,
	// MutualTlsAuthenticator or MutualTlsWithPasswordFallbackAuthenticator.
	Authenticator string
	// AuthenticatorParameters is `authenticator.parameters`; the mutual-TLS
	// authenticators read validator_class_name (SpiffeCertificateValidator,
	// or cassauth's CommonNameCertificateValidator) unless
	// [Options.CertificateValidator] is set.
	AuthenticatorParameters map[string]string

	// Authorizer is `authorizer`: AllowAllAuthorizer ("") or
	// CassandraAuthorizer.
	Authorizer string
	// RoleManager is `role_manager`: CassandraRoleManager (""), the only
	// one cassauth implements; [Options.RoleManager] plugs in another.
	RoleManager string
	// NetworkAuthorizer is `network_authorizer`: AllowAllNetworkAuthorizer
	// ("") or CassandraNetworkAuthorizer.
	NetworkAuthorizer string
	// CIDRAuthorizer is `cidr_authorizer` (class_name):
	// AllowAllCIDRAuthorizer ("") or CassandraCIDRAuthorizer.
	CIDRAuthorizer string
	// CIDR holds `cidr_authorizer.parameters`.
	CIDR CIDRConfig

	// Permissions is permissions_validity, permissions_update_interval,
	// permissions_cache_max_entries and permissions_cache_active_update:
	// the PermissionsCache and the JmxPermissionsCache.
	Permissions CacheConfig
	// Roles is roles_validity, roles_update_interval,
	// roles_cache_max_entries and roles_cache_active_update: the
	// RolesCache, NetworkPermissionsCache and CidrPermissionsCache.
	Roles CacheConfig
	// Credentials is credentials_validity, credentials_update_interval,
	// credentials_cache_max_entries and credentials_cache_active_update:
	// the CredentialsCache and IdentitiesCache, and the time-to-live of the
	// verified-credentials cache.
	Credentials CacheConfig

	// AuthCacheWarmingEnabled is auth_cache_warming_enabled: [Auth.Setup]
	// fills every cache that has a bulk loader before returning.
	AuthCacheWarmingEnabled bool
	// TraverseAuthFromRoot is traverse_auth_from_root: the access check
	// walks the resource chain root first. It never changes a decision.
	TraverseAuthFromRoot bool

	// BcryptRounds is the JVM property
	// cassandra.auth_bcrypt_gensalt_log2_rounds: the bcrypt cost of new
	// hashes, 4..30; zero means 10.
	BcryptRounds int

	// ClientEncryption is the part of client_encryption_options that the
	// mutual-TLS authenticators check (enabled, require_client_auth).
	ClientEncryption authn.ClientEncryption

	// VerifiedCredentialsCache turns on the Password authenticator's cache
	// of recently verified logins (cassauth's key
	// verified_credentials_cache_enabled; Cassandra has none), so that a
	// repeat login within credentials_validity skips bcrypt. Read
	// [authn.VerifiedCache] for the trade-off before turning it on.
	VerifiedCredentialsCache bool
}

// Disabled is the Validity (or MaxEntries, as -1) that turns a cache off,
// which cassandra.yaml writes as `*_validity: 0`.
const Disabled time.Duration = -1

// CacheConfig is one group of Cassandra's cache settings (`<group>_validity`,
// `<group>_update_interval`, `<group>_cache_max_entries`,
// `<group>_cache_active_update`). Zero values mean Cassandra's defaults.
type CacheConfig struct {
	// Validity is how long an entry may be served. Zero means 2s; a
	// negative value (such as [Disabled]) turns caching off, Cassandra's
	// `*_validity: 0`.
	Validity time.Duration
	// UpdateInterval is the age after which a read still gets the entry
	// and starts one background reload (with ActiveUpdate: the period of
	// the refresh timer). Zero (or negative) is Cassandra's null: the same
	// as Validity.
	UpdateInterval time.Duration
	// MaxEntries bounds the entries held. Zero means 1000; negative holds
	// nothing, which turns caching off (cassandra.yaml's 0).
	MaxEntries int
	// ActiveUpdate refreshes every cached key once per update interval
	// instead of on read.
	ActiveUpdate bool
}

// Settings returns the cache settings c stands for, defaults applied.
func (c CacheConfig) Settings() cache.Settings {
	s := cache.Settings{
		Validity:       c.Validity,
		UpdateInterval: c.UpdateInterval,
		MaxEntries:     c.MaxEntries,
		ActiveUpdate:   c.ActiveUpdate,
	}
	switch {
	case s.Validity == 0:
		s.Validity = cache.DefaultValidity
	case s.Validity < 0:
		s.Validity = 0
	}
	switch {
	case s.MaxEntries == 0:
		s.MaxEntries = cache.DefaultMaxEntries
	case s.MaxEntries < 0:
		s.MaxEntries = 0
	}
	if s.UpdateInterval < 0 {
		s.UpdateInterval = 0
	}
	return s
}

// CIDRConfig holds the parameters of cidr_authorizer.
type CIDRConfig struct {
	// ChecksForSuperusers is cidr_checks_for_superusers: also restrict
	// roles with superuser status. Default false.
	ChecksForSuperusers bool
	// Mode is cidr_authorizer_mode; the zero value is MONITOR.
	Mode authz.CIDRMode
	// GroupsCacheRefreshInterval is cidr_groups_cache_refresh_interval
	// (minutes in cassandra.yaml). Zero means 5 minutes.
	GroupsCacheRefreshInterval time.Duration
	// IPCacheMaxSize is ip_cache_max_size. Cassandra caches the groups of
	// recently seen addresses; cassauth's longest-prefix lookup needs no such
	// cache, so the value is only validated (zero means 100; negative is
	// invalid).
	IPCacheMaxSize int
}

// Validate checks c as Cassandra's AuthConfig and config loader do, in
// their order: the class names (authenticator, authorizer, role manager,
// network and CIDR authorizers, then the certificate validator), then the
// combinations, then the values. It returns the first problem as a
// CONFIG_ERROR [*roles.Error] with Cassandra's text:
//
//   - Unable to find class <name> in packages ["","org.apache.cassandra.auth"]
//     (and, for a class of the wrong kind, "Invalid parameterized class
//     <class>: must extend or implement <interface>"), wrapping
//     [ErrUnknownClass];
//   - <authenticator> can't be used with <authorizer>, when the
//     authenticator does not require authentication but the authorizer
//     requires authorization; <network_authorizer> can't be used with
//     <authenticator>, and the same for the CIDR authorizer; the names are
//     as written (defaults in their short form), wrapping
//     [ErrIncompatible];
//   - Bad value for system property
//     cassandra.auth_bcrypt_gensalt_log2_rounds.Please use a value between 4
//     and 30 inclusively;
//   - values a cache cannot use (an active update interval under 1ms, a
//     negative ip_cache_max_size), wrapping [ErrInvalidValue] and a
//     [*ConfigError] naming the key.
//
// "CassandraRoleManager must be used with PasswordAuthenticator" cannot
// occur from a Config alone (cassauth implements only that role manager);
// [New] reports it when [Options.RoleManager] replaces it. The checks that
// need the parts themselves (a mutual-TLS authenticator without validator,
// client encryption settings) run in [New].
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

// resolved is a validated configuration: the class of each part.
type resolved struct {
	authn, authz, roles, network, cidr classInfo
	validator                          classInfo // zero if not configured
}

// resolve validates c and returns the classes it names.
func (c Config) resolve() (resolved, error) {
	var r resolved
	var err error
	if r.authn, err = resolveClass(c.Authenticator, kindAuthenticator, AllowAllAuthenticator); err != nil {
		return r, err
	}
	if r.authz, err = resolveClass(c.Authorizer, kindAuthorizer, AllowAllAuthorizer); err != nil {
		return r, err
	}
	if !r.authn.require && r.authz.require {
		return r, incompatible(orDefault(c.Authenticator, AllowAllAuthenticator) + " can't be used with " + c.Authorizer)
	}
	if r.roles, err = resolveClass(c.RoleManager, kindRoleManager, CassandraRoleManager); err != nil {
		return r, err
	}
	if r.network, err = resolveClass(c.NetworkAuthorizer, kindNetwork, AllowAllNetworkAuthorizer); err != nil {
		return r, err
	}
	if r.network.require && !r.authn.require {
		return r, incompatible(c.NetworkAuthorizer + " can't be used with " + orDefault(c.Authenticator, AllowAllAuthenticator))
	}
	if r.cidr, err = resolveClass(c.CIDRAuthorizer, kindCIDR, AllowAllCIDRAuthorizer); err != nil {
		return r, err
	}
	if r.cidr.require && !r.authn.require {
		return r, incompatible(c.CIDRAuthorizer + " can't be used with " + orDefault(c.Authenticator, AllowAllAuthenticator))
	}
	if v := c.AuthenticatorParameters[validatorParam]; v != "" {
		if r.validator, err = resolveClass(v, kindValidator, ""); err != nil {
			return r, err
		}
	}
	if c.BcryptRounds != 0 {
		if err := passwd.ValidateCost(c.BcryptRounds); err != nil {
			return r, cassandraErr(bcryptKey, err)
		}
	}
	for _, g := range []struct {
		prefix string
		cc     CacheConfig
	}{{"permissions", c.Permissions}, {"roles", c.Roles}, {"credentials", c.Credentials}} {
		s := g.cc.Settings()
		if s.ActiveUpdate && s.Enabled() && s.EffectiveUpdateInterval() < cache.MinActiveUpdateInterval {
			return r, configErr(g.prefix+"_update_interval", "active update needs an update interval of at least 1ms")
		}
	}
	if c.CIDR.IPCacheMaxSize < 0 {
		return r, configErr("ip_cache_max_size", "must not be negative")
	}
	if c.CIDR.GroupsCacheRefreshInterval < 0 {
		return r, configErr("cidr_groups_cache_refresh_interval", "must not be negative")
	}
	if c.CIDR.Mode > authz.CIDREnforce {
		return r, configErr("cidr_authorizer_mode", "unknown mode")
	}
	return r, nil
}

// validatorParam is the authenticator parameter naming the certificate
// validator of the mutual-TLS authenticators.
const validatorParam = "validator_class_name"

// bcryptKey is the JVM property of the bcrypt cost.
const bcryptKey = "cassandra.auth_bcrypt_gensalt_log2_rounds"

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
