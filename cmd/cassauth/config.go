package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cassauth/cassauth"
)

// sectionKey is the mapping of a configuration file that holds the
// program's own settings, by flag name; every other key is cassandra.yaml's.
const sectionKey = "cassauth"

// maxConfigBytes bounds the configuration file.
const maxConfigBytes = 4 << 20

// fileConfig is a parsed configuration file.
type fileConfig struct {
	auth  cassauth.Config
	flags map[string]string // the cassauth: section, by flag name
	// values are the flag values the file gives: flags, plus those derived
	// from cassandra.yaml's client encryption keys (cassyaml.go).
	values map[string]string
}

// loadConfig reads the YAML file at path: its cassandra.yaml auth keys
// (authenticator, authorizer, role_manager, the *_validity and cache keys,
// ...) through cassauth.ConfigFromMap, which ignores the keys it does not
// know so that a whole cassandra.yaml may be given; and the cassauth:
// section, whose keys are the command's flag names (with _ or -).
// client_encryption_options and native_transport_port_ssl also give
// values to serve's CQL TLS flags (see cassandraFlags). An empty path gives
// the zero configuration. Errors name the file.
func loadConfig(path string) (fileConfig, error) {
	var fc fileConfig
	if path == "" {
		return fc, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fc, err
	}
	if len(data) > maxConfigBytes {
		return fc, fmt.Errorf("%s: larger than %d bytes", path, maxConfigBytes)
	}
	var m map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return fc, fmt.Errorf("%s: %w", path, err)
	}
	section, err := sectionFlags(m[sectionKey])
	if err != nil {
		return fc, fmt.Errorf("%s: %w", path, err)
	}
	delete(m, sectionKey)
	fc.flags = section
	if fc.values, err = mergeCassandraFlags(m, section); err != nil {
		return fc, fmt.Errorf("%s: %w", path, err)
	}
	if fc.auth, err = cassauth.ConfigFromMap(m); err != nil {
		return fc, fmt.Errorf("%s: %w", path, err)
	}
	return fc, nil
}

// sectionFlags turns the cassauth: mapping into flag values.
func sectionFlags(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: must be a mapping of flag names to values", sectionKey)
	}
	out := make(map[string]string, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", "-")
		switch x := m[k].(type) {
		case nil:
			continue
		case []any:
			parts := make([]string, len(x))
			for i, p := range x {
				parts[i] = fmt.Sprint(p)
			}
			out[name] = strings.Join(parts, ",")
		case map[string]any:
			return nil, fmt.Errorf("%s.%s: must be a scalar or a list", sectionKey, k)
		case time.Time:
			out[name] = x.Format(time.RFC3339)
		default:
			out[name] = fmt.Sprint(x)
		}
	}
	return out, nil
}

// checkSection reports the keys of the cassauth: section that are not
// flags of the command, so that a typo is not silently ignored.
func checkSection(f *flags, section map[string]string) error {
	var unknown []string
	for k := range section {
		if f.Lookup(k) == nil || f.aliases[k] != "" {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown key(s) in the %s: section of the configuration file: %s", sectionKey, strings.Join(unknown, ", "))
	}
	return nil
}

// preScan finds the value of --config (or $CASSAUTH_CONFIG) before the
// flags are parsed, since the file supplies flag values itself. Like the
// flag package, it takes the last occurrence.
func preScan(args []string, e *env) string {
	found, last := false, ""
	for i, a := range args {
		if a == "--" {
			break
		}
		for _, p := range []string{"--config=", "-config="} {
			if v, ok := strings.CutPrefix(a, p); ok {
				found, last = true, v
			}
		}
		if (a == "--config" || a == "-config") && i+1 < len(args) {
			found, last = true, args[i+1]
		}
	}
	if found {
		return last
	}
	return e.getenv(envName("config"))
}
