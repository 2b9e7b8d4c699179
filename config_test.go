package cassauth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/roles"
)

func TestClassNamesShortAndLong(t *testing.T) {
	const pkg = "org.apache.cassandra.auth."
	tests := []struct {
		name      string
		cfg       cassauth.Config
		className string // AUTHENTICATE payload
		authz     bool   // authorizer requires authorization
		network   bool
		cidr      bool
	}{
		{name: "defaults", cfg: cassauth.Config{}, className: authn.AllowAllClassName},
		{name: "allow all, long names", cfg: cassauth.Config{
			Authenticator: pkg + "AllowAllAuthenticator", Authorizer: pkg + "AllowAllAuthorizer",
			RoleManager: pkg + "CassandraRoleManager", NetworkAuthorizer: pkg + "AllowAllNetworkAuthorizer",
			CIDRAuthorizer: pkg + "AllowAllCIDRAuthorizer",
		}, className: authn.AllowAllClassName},
		{name: "cassandra, short names", cfg: cassauth.Config{
			Authenticator: "PasswordAuthenticator", Authorizer: "CassandraAuthorizer",
			RoleManager: "CassandraRoleManager", NetworkAuthorizer: "CassandraNetworkAuthorizer",
			CIDRAuthorizer: "CassandraCIDRAuthorizer",
		}, className: authn.PasswordClassName, authz: true, network: true, cidr: true},
		{name: "cassandra, long names", cfg: cassauth.Config{
			Authenticator: pkg + "PasswordAuthenticator", Authorizer: pkg + "CassandraAuthorizer",
			NetworkAuthorizer: pkg + "CassandraNetworkAuthorizer", CIDRAuthorizer: pkg + "CassandraCIDRAuthorizer",
		}, className: authn.PasswordClassName, authz: true, network: true, cidr: true},
		{name: "mutual TLS", cfg: cassauth.Config{
			Authenticator:           "MutualTlsAuthenticator",
			AuthenticatorParameters: map[string]string{"validator_class_name": "org.apache.cassandra.auth.SpiffeCertificateValidator"},
			ClientEncryption:        authn.ClientEncryption{Enabled: true, RequireClientAuth: authn.ClientAuthRequired},
		}, className: authn.MutualTLSClassName},
		{name: "mutual TLS with fallback", cfg: cassauth.Config{
			Authenticator:           pkg + "MutualTlsWithPasswordFallbackAuthenticator",
			AuthenticatorParameters: map[string]string{"validator_class_name": "CommonNameCertificateValidator"},
			ClientEncryption:        authn.ClientEncryption{Enabled: true, RequireClientAuth: authn.ClientAuthOptional},
		}, className: authn.MutualTLSWithPasswordFallbackClassName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.cfg.Validate())
			a, err := cassauth.New(tt.cfg, newMem(t), cassauth.Options{})
			require.NoError(t, err)
			defer a.Close()
			assert.Equal(t, tt.className, a.Authenticator().ClassName())
			assert.Equal(t, tt.authz, a.Authorizer().RequireAuthorization())
			assert.Equal(t, tt.network, a.Network().RequireAuthorization())
			assert.Equal(t, tt.cidr, a.CIDR().RequireAuthorization())
		})
	}
}

func TestValidateMessages(t *testing.T) {
	tests := []struct {
		name  string
		cfg   cassauth.Config
		opts  cassauth.Options
		msg   string
		cause error
	}{
		{"authorizer needs authentication", cassauth.Config{Authenticator: "AllowAllAuthenticator", Authorizer: "CassandraAuthorizer"},
			cassauth.Options{}, "AllowAllAuthenticator can't be used with CassandraAuthorizer", cassauth.ErrIncompatible},
		{"names as written", cassauth.Config{Authenticator: "org.apache.cassandra.auth.AllowAllAuthenticator", Authorizer: "org.apache.cassandra.auth.CassandraAuthorizer"},
			cassauth.Options{}, "org.apache.cassandra.auth.AllowAllAuthenticator can't be used with org.apache.cassandra.auth.CassandraAuthorizer", cassauth.ErrIncompatible},
		{"default authenticator", cassauth.Config{Authorizer: "CassandraAuthorizer"},
			cassauth.Options{}, "AllowAllAuthenticator can't be used with CassandraAuthorizer", cassauth.ErrIncompatible},
		{"network authorizer", cassauth.Config{NetworkAuthorizer: "CassandraNetworkAuthorizer"},
			cassauth.Options{}, "CassandraNetworkAuthorizer can't be used with AllowAllAuthenticator", cassauth.ErrIncompatible},
		{"CIDR authorizer", cassauth.Config{Authenticator: "AllowAllAuthenticator", CIDRAuthorizer: "CassandraCIDRAuthorizer"},
			cassauth.Options{}, "CassandraCIDRAuthorizer can't be used with AllowAllAuthenticator", cassauth.ErrIncompatible},
		{"unknown class", cassauth.Config{Authenticator: "LdapAuthenticator"},
			cassauth.Options{}, `Unable to find class LdapAuthenticator in packages ["","org.apache.cassandra.auth"]`, cassauth.ErrUnknownClass},
		{"class of another package", cassauth.Config{Authorizer: "com.example.CassandraAuthorizer"},
			cassauth.Options{}, `Unable to find class com.example.CassandraAuthorizer in packages ["","org.apache.cassandra.auth"]`, cassauth.ErrUnknownClass},
		{"case matters", cassauth.Config{Authenticator: "passwordauthenticator"},
			cassauth.Options{}, `Unable to find class passwordauthenticator in packages ["","org.apache.cassandra.auth"]`, cassauth.ErrUnknownClass},
		{"class of the wrong kind", cassauth.Config{Authenticator: "PasswordAuthenticator", Authorizer: "PasswordAuthenticator"},
			cassauth.Options{}, "Invalid parameterized class org.apache.cassandra.auth.PasswordAuthenticator: must extend or implement org.apache.cassandra.auth.IAuthorizer", cassauth.ErrUnknownClass},
		{"unknown role manager", cassauth.Config{RoleManager: "LDAPRoleManager"},
			cassauth.Options{}, `Unable to find class LDAPRoleManager in packages ["","org.apache.cassandra.auth"]`, cassauth.ErrUnknownClass},
		{"unknown validator", cassauth.Config{Authenticator: "MutualTlsAuthenticator", AuthenticatorParameters: map[string]string{"validator_class_name": "X509Validator"}},
			cassauth.Options{}, `Unable to find class X509Validator in packages ["","org.apache.cassandra.auth"]`, cassauth.ErrUnknownClass},
		{"bcrypt rounds", cassauth.Config{BcryptRounds: 31},
			cassauth.Options{}, "Bad value for system property cassandra.auth_bcrypt_gensalt_log2_rounds.Please use a value between 4 and 30 inclusively", authn.ErrBadCost},
		{"active update below 1ms", cassauth.Config{Roles: cassauth.CacheConfig{ActiveUpdate: true, UpdateInterval: time.Microsecond}},
			cassauth.Options{}, "roles_update_interval: active update needs an update interval of at least 1ms", cassauth.ErrInvalidValue},
		{"negative ip cache", cassauth.Config{CIDR: cassauth.CIDRConfig{IPCacheMaxSize: -1}},
			cassauth.Options{}, "ip_cache_max_size: must not be negative", cassauth.ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			require.Error(t, err)
			assert.Equal(t, tt.msg, err.Error())
			assert.ErrorIs(t, err, roles.ErrConfiguration)
			assert.ErrorIs(t, err, tt.cause)
			_, err = cassauth.New(tt.cfg, newMem(t), tt.opts)
			require.Error(t, err, "New must validate too")
			assert.Equal(t, tt.msg, err.Error())
		})
	}
}

// TestNewPartsMessages covers the checks that need the parts: Cassandra
// runs them when it instantiates the classes or validates their
// configuration.
func TestNewPartsMessages(t *testing.T) {
	table, err := roles.NewTable(roles.Config{Store: newMem(t)})
	require.NoError(t, err)
	tests := []struct {
		name  string
		cfg   cassauth.Config
		opts  cassauth.Options
		msg   string
		cause error
	}{
		{"custom role manager with passwords", cassauth.Config{Authenticator: "PasswordAuthenticator"},
			cassauth.Options{RoleManager: table}, "CassandraRoleManager must be used with PasswordAuthenticator", cassauth.ErrIncompatible},
		{"custom role manager with password fallback", cassauth.Config{Authenticator: "MutualTlsWithPasswordFallbackAuthenticator",
			AuthenticatorParameters: map[string]string{"validator_class_name": "SpiffeCertificateValidator"}},
			cassauth.Options{RoleManager: table}, "CassandraRoleManager must be used with PasswordAuthenticator", cassauth.ErrIncompatible},
		{"mTLS without validator", cassauth.Config{Authenticator: "MutualTlsAuthenticator"},
			cassauth.Options{}, authn.MsgValidatorNotSet, nil},
		{"mTLS without client certificates", cassauth.Config{Authenticator: "MutualTlsAuthenticator",
			AuthenticatorParameters: map[string]string{"validator_class_name": "SpiffeCertificateValidator"},
			ClientEncryption:        authn.ClientEncryption{Enabled: true, RequireClientAuth: authn.ClientAuthOptional}},
			cassauth.Options{}, authn.MsgMutualTLSConfig, nil},
		{"fallback without client certificates", cassauth.Config{Authenticator: "MutualTlsWithPasswordFallbackAuthenticator",
			AuthenticatorParameters: map[string]string{"validator_class_name": "SpiffeCertificateValidator"}},
			cassauth.Options{}, authn.MsgFallbackConfig, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cassauth.New(tt.cfg, newMem(t), tt.opts)
			require.Error(t, err)
			assert.Equal(t, tt.msg, err.Error())
			assert.ErrorIs(t, err, roles.ErrConfiguration)
			if tt.cause != nil {
				assert.ErrorIs(t, err, tt.cause)
			}
		})
	}
	// A custom validator in Options satisfies the mutual-TLS authenticator.
	a, err := cassauth.New(cassauth.Config{Authenticator: "MutualTlsAuthenticator",
		ClientEncryption: authn.ClientEncryption{Enabled: true, RequireClientAuth: authn.ClientAuthRequired}},
		newMem(t), cassauth.Options{CertificateValidator: authn.CommonNameValidator{}})
	require.NoError(t, err)
	a.Close()
	// A custom role manager is fine without passwords.
	a, err = cassauth.New(cassauth.Config{}, newMem(t), cassauth.Options{RoleManager: table})
	require.NoError(t, err)
	a.Close()
	_, err = cassauth.New(cassauth.Config{}, nil, cassauth.Options{})
	assert.ErrorIs(t, err, roles.ErrConfiguration)
}

func TestCacheConfigSettings(t *testing.T) {
	tests := []struct {
		name string
		in   cassauth.CacheConfig
		want cache.Settings
	}{
		{"zero is Cassandra's default", cassauth.CacheConfig{}, cache.DefaultSettings()},
		{"values", cassauth.CacheConfig{Validity: time.Minute, UpdateInterval: time.Second, MaxEntries: 5, ActiveUpdate: true},
			cache.Settings{Validity: time.Minute, UpdateInterval: time.Second, MaxEntries: 5, ActiveUpdate: true}},
		{"disabled validity", cassauth.CacheConfig{Validity: cassauth.Disabled}, cache.Settings{MaxEntries: 1000}},
		{"no entries", cassauth.CacheConfig{MaxEntries: -1}, cache.Settings{Validity: 2 * time.Second}},
		{"negative interval is null", cassauth.CacheConfig{UpdateInterval: -time.Second}, cache.DefaultSettings()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.Settings())
		})
	}
}

// TestCacheGroupsAndPredicates checks the inventory of spec 7.1: which
// settings group each cache uses and when it is enabled.
func TestCacheGroupsAndPredicates(t *testing.T) {
	perm := cassauth.CacheConfig{Validity: 11 * time.Second}
	rol := cassauth.CacheConfig{Validity: 22 * time.Second}
	cred := cassauth.CacheConfig{Validity: 33 * time.Second}
	groups := map[string]time.Duration{
		cassauth.PermissionsCache: 11 * time.Second, cassauth.JmxPermissionsCache: 11 * time.Second,
		cassauth.RolesCache: 22 * time.Second, cassauth.NetworkPermissionsCache: 22 * time.Second, cassauth.CidrPermissionsCache: 22 * time.Second,
		cassauth.CredentialsCache: 33 * time.Second, cassauth.IdentitiesCache: 33 * time.Second,
	}
	tests := []struct {
		name   string
		cfg    cassauth.Config
		active map[string]bool
	}{
		{"allow all", cassauth.Config{}, map[string]bool{
			cassauth.PermissionsCache: false, cassauth.RolesCache: false, cassauth.CredentialsCache: true,
			cassauth.NetworkPermissionsCache: false, cassauth.JmxPermissionsCache: true,
			cassauth.CidrPermissionsCache: false, cassauth.IdentitiesCache: true,
		}},
		{"password, authorizer, CIDR", cassauth.Config{Authenticator: "PasswordAuthenticator", Authorizer: "CassandraAuthorizer",
			CIDRAuthorizer: "CassandraCIDRAuthorizer"}, map[string]bool{
			cassauth.PermissionsCache: true, cassauth.RolesCache: true, cassauth.CredentialsCache: true,
			cassauth.NetworkPermissionsCache: true, cassauth.JmxPermissionsCache: true,
			cassauth.CidrPermissionsCache: true, cassauth.IdentitiesCache: true,
		}},
		{"password only", cassauth.Config{Authenticator: "PasswordAuthenticator"}, map[string]bool{
			cassauth.PermissionsCache: false, cassauth.RolesCache: true, cassauth.CredentialsCache: true,
			cassauth.NetworkPermissionsCache: true, cassauth.JmxPermissionsCache: true,
			cassauth.CidrPermissionsCache: false, cassauth.IdentitiesCache: true,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Permissions, tt.cfg.Roles, tt.cfg.Credentials = perm, rol, cred
			a, err := cassauth.New(tt.cfg, newMem(t), cassauth.Options{})
			require.NoError(t, err)
			defer a.Close()
			assert.Equal(t, []string{
				cassauth.PermissionsCache, cassauth.RolesCache, cassauth.CredentialsCache, cassauth.NetworkPermissionsCache,
				cassauth.JmxPermissionsCache, cassauth.CidrPermissionsCache, cassauth.IdentitiesCache,
			}, a.CacheNames())
			for name, active := range tt.active {
				s, on, err := a.CacheSettings(name)
				require.NoError(t, err)
				assert.Equal(t, groups[name], s.Validity, name)
				assert.Equal(t, active, on, name)
			}
		})
	}
}

func TestCIDRParametersReachTheAuthorizer(t *testing.T) {
	cfg := passwordConfig(cassauth.CacheConfig{})
	cfg.CIDRAuthorizer = "CassandraCIDRAuthorizer"
	cfg.CIDR = cassauth.CIDRConfig{Mode: authz.CIDREnforce, ChecksForSuperusers: true}
	a := newAuth(t, cfg, newMem(t), cache.NewFakeClock(start))
	mode, ok := a.CIDR().(interface{ Mode() authz.CIDRMode })
	require.True(t, ok)
	assert.Equal(t, authz.CIDREnforce, mode.Mode())
	f := fixture{t, a}
	f.role("root", true, superuser)
	// ChecksForSuperusers: a superuser restricted to a group is checked.
	require.NoError(t, a.CIDR().SetCIDRGroupsForRole(ctx, "root", authz.CIDRGroupSubset("office")))
	ok2, err := a.CIDR().HasAccessFromIP(ctx, "root", addr("192.0.2.1"))
	require.NoError(t, err)
	assert.False(t, ok2, "cidr_checks_for_superusers: true restricts superusers too")
}
