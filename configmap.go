package cassauth

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
)

// ConfigFromMap builds a Config from the auth keys of a parsed
// cassandra.yaml (or any map shaped like it: a YAML or JSON decoder's
// output). Keys it does not know are ignored, so the whole file may be
// passed. What it reads:
//
//   - authenticator, authorizer, role_manager, network_authorizer and
//     cidr_authorizer: a class name (short or fully qualified), or the 4.1+
//     form {class_name: ..., parameters: {...}}; the parameters of
//     authenticator (validator_class_name) and of cidr_authorizer
//     (cidr_checks_for_superusers, cidr_authorizer_mode,
//     cidr_groups_cache_refresh_interval in minutes, ip_cache_max_size);
//   - for each of permissions, roles and credentials: <group>_validity and
//     <group>_update_interval as 4.1 durations ("2000ms", "2s", "1m", "1h",
//     "1d"; units below milliseconds are refused, as Cassandra refuses
//     them), or the older <group>_validity_in_ms and
//     <group>_update_interval_in_ms as integers of milliseconds (-1 as update
//     interval means null); <group>_cache_max_entries and
//     <group>_cache_active_update;
//   - auth_cache_warming_enabled, traverse_auth_from_root;
//   - cassandra.auth_bcrypt_gensalt_log2_rounds (also without the
//     "cassandra." prefix);
//   - client_encryption_options: enabled and require_client_auth (true,
//     false or "optional");
//   - verified_credentials_cache_enabled, cassauth's own key.
//
// A null value leaves the default. A validity or max entries of 0 turns the
// cache off ([Disabled]); an update interval of 0 or null means "same as
// validity".
//
// Errors are CONFIG_ERROR [*roles.Error] values; a bad value carries
// Cassandra's message where it has one (for durations "Invalid duration:
// 2S Accepted units:[MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS] where
// case matters and only non-negative values." and its variants) and wraps
// [ErrInvalidValue] and a [*ConfigError] naming the key; giving both the
// old and the new name of a key is Cassandra's "Config contains both old
// and new keys for the same configuration parameters, migrate old -> new:
// [permissions_validity_in_ms -> permissions_validity]". The result is not
// validated: [New] (or [Config.Validate]) does that.
func ConfigFromMap(m map[string]any) (Config, error) {
	var c Config
	if err := checkDuplicates(m); err != nil {
		return c, err
	}
	var err error
	var params map[string]any
	if c.Authenticator, params, err = classValue(m, "authenticator"); err != nil {
		return c, err
	}
	if len(params) > 0 {
		c.AuthenticatorParameters = make(map[string]string, len(params))
		for k, v := range params {
			if v != nil {
				c.AuthenticatorParameters[k] = fmt.Sprint(v)
			}
		}
	}
	if c.Authorizer, _, err = classValue(m, "authorizer"); err != nil {
		return c, err
	}
	if c.RoleManager, _, err = classValue(m, "role_manager"); err != nil {
		return c, err
	}
	if c.NetworkAuthorizer, _, err = classValue(m, "network_authorizer"); err != nil {
		return c, err
	}
	if c.CIDRAuthorizer, params, err = classValue(m, "cidr_authorizer"); err != nil {
		return c, err
	}
	if c.CIDR, err = cidrFromMap(params); err != nil {
		return c, err
	}
	for _, g := range []struct {
		prefix string
		dst    *CacheConfig
	}{{"permissions", &c.Permissions}, {"roles", &c.Roles}, {"credentials", &c.Credentials}} {
		if *g.dst, err = cacheFromMap(m, g.prefix); err != nil {
			return c, err
		}
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{
		{"auth_cache_warming_enabled", &c.AuthCacheWarmingEnabled},
		{"traverse_auth_from_root", &c.TraverseAuthFromRoot},
		{"verified_credentials_cache_enabled", &c.VerifiedCredentialsCache},
	} {
		if *b.dst, err = boolValue(m, b.key); err != nil {
			return c, err
		}
	}
	for _, key := range []string{bcryptKey, strings.TrimPrefix(bcryptKey, "cassandra.")} {
		if v, ok := m[key]; ok && v != nil {
			n, err := intOf(key, v)
			if err != nil {
				return c, err
			}
			c.BcryptRounds = n
		}
	}
	if c.ClientEncryption, err = clientEncryptionFromMap(m); err != nil {
		return c, err
	}
	return c, nil
}

// durationKeys pairs the 4.1 names with the pre-4.1 `_in_ms` names.
func durationKeys() [][2]string {
	return [][2]string{
		{"permissions_validity_in_ms", "permissions_validity"},
		{"permissions_update_interval_in_ms", "permissions_update_interval"},
		{"roles_validity_in_ms", "roles_validity"},
		{"roles_update_interval_in_ms", "roles_update_interval"},
		{"credentials_validity_in_ms", "credentials_validity"},
		{"credentials_update_interval_in_ms", "credentials_update_interval"},
	}
}

// checkDuplicates refuses a map giving both names of a key, with
// Cassandra's YamlConfigurationLoader text.
func checkDuplicates(m map[string]any) error {
	var dups []string
	first := ""
	for _, k := range durationKeys() {
		_, oldOK := m[k[0]]
		_, newOK := m[k[1]]
		if oldOK && newOK {
			if first == "" {
				first = k[0]
			}
			dups = append(dups, "["+k[0]+" -> "+k[1]+"]")
		}
	}
	if len(dups) == 0 {
		return nil
	}
	return cassandraErr(first, errors.New("Config contains both old and new keys for the same configuration parameters, migrate old -> new: "+strings.Join(dups, ", ")))
}

// cacheFromMap reads one group of cache settings.
func cacheFromMap(m map[string]any, prefix string) (CacheConfig, error) {
	var c CacheConfig
	var err error
	if c.Validity, err = durationPair(m, prefix+"_validity", false); err != nil {
		return c, err
	}
	if c.UpdateInterval, err = durationPair(m, prefix+"_update_interval", true); err != nil {
		return c, err
	}
	key := prefix + "_cache_max_entries"
	if v, ok := m[key]; ok && v != nil {
		n, err := intOf(key, v)
		if err != nil {
			return c, err
		}
		switch {
		case n < 0:
			return c, configErr(key, "must not be negative")
		case n == 0:
			c.MaxEntries = -1
		default:
			c.MaxEntries = n
		}
	}
	if c.ActiveUpdate, err = boolValue(m, prefix+"_cache_active_update"); err != nil {
		return c, err
	}
	return c, nil
}

// durationPair reads key (4.1 duration) or key_in_ms (integer ms). For a
// validity, zero means Disabled; for an interval, zero or -1 (old form)
// means null.
func durationPair(m map[string]any, key string, interval bool) (time.Duration, error) {
	var d time.Duration
	if v, ok := m[key]; ok && v != nil {
		var err error
		switch v := v.(type) {
		case time.Duration:
			if v < 0 {
				return 0, cassandraErr(key, errors.New("Invalid duration: value must be non-negative"))
			}
			d = v
		default:
			if d, err = ParseDuration(fmt.Sprint(v)); err != nil {
				return 0, cassandraErr(key, err)
			}
		}
	} else if v, ok := m[key+"_in_ms"]; ok && v != nil {
		n, err := intOf(key+"_in_ms", v)
		if err != nil {
			return 0, err
		}
		switch {
		case interval && n == -1:
			return 0, nil
		case n < 0:
			return 0, cassandraErr(key+"_in_ms", errors.New("Invalid duration: value must be non-negative"))
		case n >= math.MaxInt32:
			return 0, cassandraErr(key+"_in_ms", fmt.Errorf("Invalid duration: %d milliseconds. It shouldn't be more than %d in milliseconds", n, math.MaxInt32-1))
		}
		d = time.Duration(n) * time.Millisecond
	} else {
		return 0, nil
	}
	if d == 0 && !interval {
		return Disabled, nil
	}
	return d, nil
}

// acceptedUnits is Java's Arrays.toString of the TimeUnits from
// MILLISECONDS up, as Cassandra prints them.
const acceptedUnits = "[MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS]"

// ParseDuration parses a cassandra.yaml duration of the 4.1 form (Cassandra's
// DurationSpec.IntMillisecondsBound): digits followed by one of d, h, m, s,
// ms, case-sensitive, no sign, no space, below 2^31-1 milliseconds. The
// errors carry Cassandra's messages:
//
//	Invalid duration: <v> Accepted units:[MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS] where case matters and only non-negative values.
//	Invalid duration: <v> Accepted units:[MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS]
//	Invalid duration: <v>. It shouldn't be more than 2147483646 in milliseconds
//
// the second for units below milliseconds (us, µs, ns).
func ParseDuration(v string) (time.Duration, error) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	digits, sym := v[:i], v[i:]
	var unit time.Duration
	switch sym {
	case "d":
		unit = 24 * time.Hour
	case "h":
		unit = time.Hour
	case "m":
		unit = time.Minute
	case "s":
		unit = time.Second
	case "ms":
		unit = time.Millisecond
	case "us", "µs", "ns":
		if digits != "" {
			return 0, fmt.Errorf("Invalid duration: %s Accepted units:%s", v, acceptedUnits)
		}
	}
	if digits == "" || unit == 0 {
		return 0, fmt.Errorf("Invalid duration: %s Accepted units:%s where case matters and only non-negative values.", v, acceptedUnits)
	}
	tooBig := fmt.Errorf("Invalid duration: %s. It shouldn't be more than %d in milliseconds", v, math.MaxInt32-1)
	q, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || q >= math.MaxInt32/int64(unit/time.Millisecond)+1 {
		return 0, tooBig
	}
	ms := q * int64(unit/time.Millisecond)
	if ms >= math.MaxInt32 {
		return 0, tooBig
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// classValue reads a class key: a name, or {class_name, parameters}.
func classValue(m map[string]any, key string) (string, map[string]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", nil, nil
	}
	if s, ok := v.(string); ok {
		return s, nil, nil
	}
	pc, ok := stringMap(v)
	if !ok {
		return "", nil, configErr(key, fmt.Sprintf("expected a class name or {class_name, parameters}, got %T", v))
	}
	var name string
	if cn, ok := pc["class_name"]; ok && cn != nil {
		if name, ok = cn.(string); !ok {
			return "", nil, configErr(key+".class_name", fmt.Sprintf("expected a string, got %T", cn))
		}
	}
	var params map[string]any
	if p, ok := pc["parameters"]; ok && p != nil {
		if params, ok = stringMap(p); !ok {
			return "", nil, configErr(key+".parameters", fmt.Sprintf("expected a map, got %T", p))
		}
	}
	return name, params, nil
}

// cidrFromMap reads the parameters of cidr_authorizer.
func cidrFromMap(p map[string]any) (CIDRConfig, error) {
	var c CIDRConfig
	var err error
	if c.ChecksForSuperusers, err = boolValue(p, "cidr_checks_for_superusers"); err != nil {
		return c, err
	}
	if v, ok := p["cidr_authorizer_mode"]; ok && v != nil {
		if c.Mode, err = authz.ParseCIDRMode(fmt.Sprint(v)); err != nil {
			return c, cassandraErr("cidr_authorizer_mode", err)
		}
	}
	const refreshKey = "cidr_groups_cache_refresh_interval"
	if v, ok := p[refreshKey]; ok && v != nil {
		if s, isStr := v.(string); isStr && strings.TrimLeft(s, "0123456789") != "" {
			if c.GroupsCacheRefreshInterval, err = ParseDuration(s); err != nil {
				return c, cassandraErr(refreshKey, err)
			}
		} else {
			n, err := intOf(refreshKey, v)
			if err != nil {
				return c, err
			}
			if n <= 0 {
				return c, configErr(refreshKey, "must be positive")
			}
			c.GroupsCacheRefreshInterval = time.Duration(n) * time.Minute
		}
	}
	if v, ok := p["ip_cache_max_size"]; ok && v != nil {
		if c.IPCacheMaxSize, err = intOf("ip_cache_max_size", v); err != nil {
			return c, err
		}
		if c.IPCacheMaxSize <= 0 {
			return c, configErr("ip_cache_max_size", "must be positive")
		}
	}
	return c, nil
}

// clientEncryptionFromMap reads client_encryption_options.
func clientEncryptionFromMap(m map[string]any) (authn.ClientEncryption, error) {
	var ce authn.ClientEncryption
	v, ok := m["client_encryption_options"]
	if !ok || v == nil {
		return ce, nil
	}
	o, ok := stringMap(v)
	if !ok {
		return ce, configErr("client_encryption_options", fmt.Sprintf("expected a map, got %T", v))
	}
	var err error
	if ce.Enabled, err = boolValue(o, "enabled"); err != nil {
		return ce, err
	}
	if rca, ok := o["require_client_auth"]; ok && rca != nil {
		switch strings.ToLower(fmt.Sprint(rca)) {
		case "true":
			ce.RequireClientAuth = authn.ClientAuthRequired
		case "optional":
			ce.RequireClientAuth = authn.ClientAuthOptional
		case "false":
			ce.RequireClientAuth = authn.ClientAuthNotRequired
		default:
			return ce, configErr("client_encryption_options.require_client_auth", fmt.Sprintf("expected true, false or optional, got %v", rca))
		}
	}
	return ce, nil
}

// stringMap converts the map types YAML and JSON decoders produce.
func stringMap(v any) (map[string]any, bool) {
	switch v := v.(type) {
	case map[string]any:
		return v, true
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = x
		}
		return out, true
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			s, ok := k.(string)
			if !ok {
				return nil, false
			}
			out[s] = x
		}
		return out, true
	}
	return nil, false
}

// boolValue reads an optional boolean (true/false, or their strings in any
// case, as Java's Boolean.parseBoolean reads "true").
func boolValue(m map[string]any, key string) (bool, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return false, nil
	}
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, configErr(key, fmt.Sprintf("expected a boolean, got %v", v))
}

// intOf converts a decoded number (or its decimal string) to an int.
func intOf(key string, v any) (int, error) {
	bad := configErr(key, fmt.Sprintf("expected an integer, got %v", v))
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int8:
		n = int64(v)
	case int16:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case uint:
		n = int64(v)
	case uint8:
		n = int64(v)
	case uint16:
		n = int64(v)
	case uint32:
		n = int64(v)
	case uint64:
		if v > math.MaxInt64 {
			return 0, bad
		}
		n = int64(v)
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return 0, bad
		}
		n = int64(v)
	case string:
		var err error
		if n, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
			return 0, bad
		}
	default:
		return 0, bad
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		return 0, bad
	}
	return int(n), nil
}
