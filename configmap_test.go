package cassauth_test

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/roles"
)

func TestConfigFromMap(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want cassauth.Config
	}{
		{"empty is the default", map[string]any{}, cassauth.Config{}},
		{"unrelated keys are ignored", map[string]any{"cluster_name": "Test Cluster", "num_tokens": 16}, cassauth.Config{}},
		{"4.1 durations", map[string]any{
			"permissions_validity": "2000ms", "permissions_update_interval": "1s",
			"roles_validity": "1m", "roles_update_interval": "30s",
			"credentials_validity": "1h", "credentials_update_interval": "1d",
		}, cassauth.Config{
			Permissions: cassauth.CacheConfig{Validity: 2 * time.Second, UpdateInterval: time.Second},
			Roles:       cassauth.CacheConfig{Validity: time.Minute, UpdateInterval: 30 * time.Second},
			Credentials: cassauth.CacheConfig{Validity: time.Hour, UpdateInterval: 24 * time.Hour},
		}},
		{"pre-4.1 milliseconds", map[string]any{
			"permissions_validity_in_ms": 5000, "permissions_update_interval_in_ms": -1,
			"roles_validity_in_ms": int64(86400000), "roles_update_interval_in_ms": "1000",
			"credentials_validity_in_ms": float64(3000), "credentials_update_interval_in_ms": uint16(500),
		}, cassauth.Config{
			Permissions: cassauth.CacheConfig{Validity: 5 * time.Second},
			Roles:       cassauth.CacheConfig{Validity: 24 * time.Hour, UpdateInterval: time.Second},
			Credentials: cassauth.CacheConfig{Validity: 3 * time.Second, UpdateInterval: 500 * time.Millisecond},
		}},
		{"zero validity and entries disable", map[string]any{
			"permissions_validity": "0ms", "roles_validity_in_ms": 0, "credentials_cache_max_entries": 0,
			"permissions_update_interval": nil, "roles_update_interval": "0s",
		}, cassauth.Config{
			Permissions: cassauth.CacheConfig{Validity: cassauth.Disabled},
			Roles:       cassauth.CacheConfig{Validity: cassauth.Disabled},
			Credentials: cassauth.CacheConfig{MaxEntries: -1},
		}},
		{"max entries, active update, flags", map[string]any{
			"permissions_cache_max_entries": 10, "roles_cache_active_update": true, "credentials_cache_active_update": "TRUE",
			"auth_cache_warming_enabled": true, "traverse_auth_from_root": "false", "verified_credentials_cache_enabled": true,
			"cassandra.auth_bcrypt_gensalt_log2_rounds": 12, "permissions_validity": time.Minute,
		}, cassauth.Config{
			Permissions:             cassauth.CacheConfig{MaxEntries: 10, Validity: time.Minute},
			Roles:                   cassauth.CacheConfig{ActiveUpdate: true},
			Credentials:             cassauth.CacheConfig{ActiveUpdate: true},
			AuthCacheWarmingEnabled: true, VerifiedCredentialsCache: true, BcryptRounds: 12,
		}},
		{"bcrypt without prefix", map[string]any{"auth_bcrypt_gensalt_log2_rounds": "6"}, cassauth.Config{BcryptRounds: 6}},
		{"class names and parameters", map[string]any{
			"authenticator": map[string]any{"class_name": "org.apache.cassandra.auth.MutualTlsAuthenticator",
				"parameters": map[any]any{"validator_class_name": "SpiffeCertificateValidator"}},
			"authorizer":         map[string]any{"class_name": "CassandraAuthorizer"},
			"role_manager":       "CassandraRoleManager",
			"network_authorizer": "CassandraNetworkAuthorizer",
			"cidr_authorizer": map[string]any{"class_name": "CassandraCIDRAuthorizer", "parameters": map[string]string{
				"cidr_checks_for_superusers": "true", "cidr_authorizer_mode": "enforce",
				"cidr_groups_cache_refresh_interval": "10", "ip_cache_max_size": "200"}},
			"client_encryption_options": map[string]any{"enabled": true, "require_client_auth": "optional"},
		}, cassauth.Config{
			Authenticator:           "org.apache.cassandra.auth.MutualTlsAuthenticator",
			AuthenticatorParameters: map[string]string{"validator_class_name": "SpiffeCertificateValidator"},
			Authorizer:              "CassandraAuthorizer", RoleManager: "CassandraRoleManager",
			NetworkAuthorizer: "CassandraNetworkAuthorizer", CIDRAuthorizer: "CassandraCIDRAuthorizer",
			CIDR: cassauth.CIDRConfig{ChecksForSuperusers: true, Mode: authz.CIDREnforce,
				GroupsCacheRefreshInterval: 10 * time.Minute, IPCacheMaxSize: 200},
			ClientEncryption: authn.ClientEncryption{Enabled: true, RequireClientAuth: authn.ClientAuthOptional},
		}},
		{"refresh interval with a unit, require_client_auth as boolean", map[string]any{
			"cidr_authorizer":           map[string]any{"class_name": "AllowAllCIDRAuthorizer", "parameters": map[string]any{"cidr_groups_cache_refresh_interval": "90s"}},
			"client_encryption_options": map[string]any{"require_client_auth": true},
		}, cassauth.Config{
			CIDRAuthorizer:   "AllowAllCIDRAuthorizer",
			CIDR:             cassauth.CIDRConfig{GroupsCacheRefreshInterval: 90 * time.Second},
			ClientEncryption: authn.ClientEncryption{RequireClientAuth: authn.ClientAuthRequired},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cassauth.ConfigFromMap(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestConfigFromMapErrors(t *testing.T) {
	const units = "[MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS]"
	tests := []struct {
		name string
		in   map[string]any
		key  string
		msg  string
	}{
		{"both names", map[string]any{"roles_validity": "2s", "roles_validity_in_ms": 2000, "permissions_update_interval": "1s", "permissions_update_interval_in_ms": -1},
			"permissions_update_interval_in_ms",
			"Config contains both old and new keys for the same configuration parameters, migrate old -> new: [permissions_update_interval_in_ms -> permissions_update_interval], [roles_validity_in_ms -> roles_validity]"},
		{"upper-case unit", map[string]any{"permissions_validity": "2S"}, "permissions_validity",
			"Invalid duration: 2S Accepted units:" + units + " where case matters and only non-negative values."},
		{"no unit", map[string]any{"roles_validity": 2000}, "roles_validity",
			"Invalid duration: 2000 Accepted units:" + units + " where case matters and only non-negative values."},
		{"negative", map[string]any{"roles_validity": "-1ms"}, "roles_validity",
			"Invalid duration: -1ms Accepted units:" + units + " where case matters and only non-negative values."},
		{"below milliseconds", map[string]any{"credentials_validity": "500us"}, "credentials_validity",
			"Invalid duration: 500us Accepted units:" + units},
		{"too long", map[string]any{"credentials_update_interval": "25d"}, "credentials_update_interval",
			"Invalid duration: 25d. It shouldn't be more than 2147483646 in milliseconds"},
		{"negative Go duration", map[string]any{"permissions_validity": -time.Second}, "permissions_validity",
			"Invalid duration: value must be non-negative"},
		{"negative milliseconds", map[string]any{"permissions_validity_in_ms": -5}, "permissions_validity_in_ms",
			"Invalid duration: value must be non-negative"},
		{"negative interval other than -1", map[string]any{"roles_update_interval_in_ms": -2}, "roles_update_interval_in_ms",
			"Invalid duration: value must be non-negative"},
		{"milliseconds at the bound", map[string]any{"roles_validity_in_ms": math.MaxInt32}, "roles_validity_in_ms",
			"Invalid duration: 2147483647 milliseconds. It shouldn't be more than 2147483646 in milliseconds"},
		{"not an integer", map[string]any{"roles_validity_in_ms": "2s"}, "roles_validity_in_ms",
			"roles_validity_in_ms: expected an integer, got 2s"},
		{"fractional", map[string]any{"roles_cache_max_entries": 1.5}, "roles_cache_max_entries",
			"roles_cache_max_entries: expected an integer, got 1.5"},
		{"negative entries", map[string]any{"roles_cache_max_entries": -1}, "roles_cache_max_entries",
			"roles_cache_max_entries: must not be negative"},
		{"not a boolean", map[string]any{"auth_cache_warming_enabled": "yes"}, "auth_cache_warming_enabled",
			"auth_cache_warming_enabled: expected a boolean, got yes"},
		{"class not a string", map[string]any{"authorizer": 5}, "authorizer",
			"authorizer: expected a class name or {class_name, parameters}, got int"},
		{"class_name not a string", map[string]any{"authorizer": map[string]any{"class_name": true}}, "authorizer.class_name",
			"authorizer.class_name: expected a string, got bool"},
		{"parameters not a map", map[string]any{"authenticator": map[string]any{"class_name": "x", "parameters": "y"}}, "authenticator.parameters",
			"authenticator.parameters: expected a map, got string"},
		{"CIDR mode", map[string]any{"cidr_authorizer": map[string]any{"parameters": map[string]any{"cidr_authorizer_mode": "AUDIT"}}},
			"cidr_authorizer_mode", ""},
		{"CIDR refresh", map[string]any{"cidr_authorizer": map[string]any{"parameters": map[string]any{"cidr_groups_cache_refresh_interval": 0}}},
			"cidr_groups_cache_refresh_interval", "cidr_groups_cache_refresh_interval: must be positive"},
		{"ip cache", map[string]any{"cidr_authorizer": map[string]any{"parameters": map[string]any{"ip_cache_max_size": "0"}}},
			"ip_cache_max_size", "ip_cache_max_size: must be positive"},
		{"client auth", map[string]any{"client_encryption_options": map[string]any{"require_client_auth": "maybe"}},
			"client_encryption_options.require_client_auth", "client_encryption_options.require_client_auth: expected true, false or optional, got maybe"},
		{"client encryption not a map", map[string]any{"client_encryption_options": []string{}},
			"client_encryption_options", "client_encryption_options: expected a map, got []string"},
		{"bcrypt huge", map[string]any{"auth_bcrypt_gensalt_log2_rounds": int64(1) << 40},
			"auth_bcrypt_gensalt_log2_rounds", "auth_bcrypt_gensalt_log2_rounds: expected an integer, got 1099511627776"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cassauth.ConfigFromMap(tt.in)
			require.Error(t, err)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, err.Error())
			}
			assert.ErrorIs(t, err, roles.ErrConfiguration)
			assert.ErrorIs(t, err, cassauth.ErrInvalidValue)
			var ce *cassauth.ConfigError
			require.True(t, errors.As(err, &ce))
			assert.Equal(t, tt.key, ce.Key)
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0ms", 0, true}, {"2000ms", 2 * time.Second, true}, {"2s", 2 * time.Second, true},
		{"5m", 5 * time.Minute, true}, {"3h", 3 * time.Hour, true}, {"24d", 24 * 24 * time.Hour, true},
		{"2147483646ms", 2147483646 * time.Millisecond, true}, {"007s", 7 * time.Second, true},
		{"2147483647ms", 0, false}, {"25d", 0, false}, {"99999999999999999999ms", 0, false},
		{"", 0, false}, {"ms", 0, false}, {"1", 0, false}, {"1 s", 0, false}, {" 1s", 0, false},
		{"1.5s", 0, false}, {"+1s", 0, false}, {"1S", 0, false}, {"1sec", 0, false}, {"1ns", 0, false}, {"1µs", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cassauth.ParseDuration(tt.in)
			if !tt.ok {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "Invalid duration: "+tt.in)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzParseDuration checks that ParseDuration never panics, that what it
// accepts is a whole number of milliseconds below 2^31-1 and prints back in
// milliseconds to the same value, and that every error is Cassandra's
// "Invalid duration" text naming the input.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"2000ms", "2s", "1m", "1h", "24d", "25d", "500us", "1µs", "2S", "-1ms", "", "0ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := cassauth.ParseDuration(s)
		if err != nil {
			if want := "Invalid duration: " + s; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
				t.Fatalf("ParseDuration(%q) error %q does not start with %q", s, err, want)
			}
			return
		}
		if d < 0 || d%time.Millisecond != 0 || d.Milliseconds() >= math.MaxInt32 {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
		back, err := cassauth.ParseDuration(strconv.FormatInt(d.Milliseconds(), 10) + "ms")
		if err != nil || back != d {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}

// FuzzConfigFromMap feeds one string value to one key (top level, or a
// parameter of cidr_authorizer) and checks that ConfigFromMap never panics,
// that every error is a CONFIG_ERROR naming the key, and that whatever it
// accepts Validate either accepts or refuses with a CONFIG_ERROR.
func FuzzConfigFromMap(f *testing.F) {
	for _, seed := range [][2]string{
		{"permissions_validity", "2000ms"}, {"roles_validity_in_ms", "5000"}, {"credentials_update_interval_in_ms", "-1"},
		{"authenticator", "PasswordAuthenticator"}, {"authorizer", "org.apache.cassandra.auth.CassandraAuthorizer"},
		{"cidr_authorizer_mode", "enforce"}, {"cidr_groups_cache_refresh_interval", "5"}, {"ip_cache_max_size", "100"},
		{"auth_cache_warming_enabled", "true"}, {"cassandra.auth_bcrypt_gensalt_log2_rounds", "31"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		m := map[string]any{key: value}
		if key == "cidr_authorizer_mode" || key == "cidr_groups_cache_refresh_interval" || key == "ip_cache_max_size" {
			m = map[string]any{"cidr_authorizer": map[string]any{"parameters": map[string]any{key: value}}}
		}
		cfg, err := cassauth.ConfigFromMap(m)
		if err != nil {
			if !errors.Is(err, roles.ErrConfiguration) {
				t.Fatalf("ConfigFromMap(%q: %q): %v is not a CONFIG_ERROR", key, value, err)
			}
			var ce *cassauth.ConfigError
			if !errors.As(err, &ce) || ce.Key == "" {
				t.Fatalf("ConfigFromMap(%q: %q): %v names no key", key, value, err)
			}
			return
		}
		if err := cfg.Validate(); err != nil && !errors.Is(err, roles.ErrConfiguration) {
			t.Fatalf("Validate after ConfigFromMap(%q: %q): %v is not a CONFIG_ERROR", key, value, err)
		}
	})
}
