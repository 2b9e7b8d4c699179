package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cassandra.yaml's keys that set serve's CQL flags.
const (
	keyClientEncryption = "client_encryption_options"
	keyNativePortSSL    = "native_transport_port_ssl"
)

// derivedFlag is a flag value taken from one of cassandra.yaml's own keys.
type derivedFlag struct {
	value string
	from  string // the key it came from, for messages
}

// cassandraFlags derives flag values from the keys of cassandra.yaml that
// configure client encryption, so that a cassandra.yaml (or a file shaped
// like one) sets up the CQL front end's TLS the way it sets up Cassandra's:
//
//	client_encryption_options:
//	  enabled: true                        the block is read only when true, as Cassandra reads it
//	  optional: false                      --cql-tls-optional
//	  require_client_auth: false           --cql-tls-client-auth (false, optional or true)
//	  certificate: conf/server.pem         --cql-tls-cert (cassauth's key: a PEM certificate chain)
//	  private_key: conf/server.key         --cql-tls-key  (cassauth's key: a PEM private key)
//	  ca: conf/ca.pem                      --cql-tls-ca   (cassauth's key: PEM CA certificates)
//	  keystore: conf/server.pem            --cql-tls-cert and --cql-tls-key when certificate and
//	                                       private_key are absent: one PEM file holding both, as
//	                                       Cassandra's PEMBasedSslContextFactory reads it
//	  truststore: conf/ca.pem              --cql-tls-ca when ca is absent (PEM)
//	  accepted_protocols: [TLSv1.2, TLSv1.3]  --cql-tls-protocols
//	  protocol: TLSv1.2                    --cql-tls-protocols when accepted_protocols is absent;
//	                                       "TLS" (Cassandra's default) means the default versions
//	  cipher_suites: [TLS_..., ...]        --cql-tls-ciphers
//	native_transport_port_ssl: 9142        --cql-ssl 9142: a separate TLS port on --cql's host,
//	                                       read only with enabled: true, as Cassandra does
//
// The other keys of the block (keystore_password, store_type, algorithm,
// ssl_context_factory, ...) are ignored: Java keystores cannot be read, and
// a keystore that is not PEM fails when the CQL server starts, with an
// error that says so. A block that is absent, null or not enabled gives
// nothing. Errors: a value of the wrong shape, naming its key.
func cassandraFlags(m map[string]any) (map[string]derivedFlag, error) {
	v, ok := m[keyClientEncryption]
	if !ok || v == nil {
		return nil, nil
	}
	ce, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected a mapping, got %T", keyClientEncryption, v)
	}
	enabled, err := yamlBool(ce, "enabled")
	if err != nil || !enabled {
		return nil, err
	}
	out := map[string]derivedFlag{}
	set := func(flag, key string) error {
		x, ok := ce[key]
		if !ok || x == nil {
			return nil
		}
		s, err := yamlScalar(x)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", keyClientEncryption, key, err)
		}
		if _, done := out[flag]; !done && s != "" {
			out[flag] = derivedFlag{value: s, from: keyClientEncryption + "." + key}
		}
		return nil
	}
	// certificate, private_key and ca win over keystore and truststore.
	for _, p := range [][2]string{
		{"cql-tls-cert", "certificate"}, {"cql-tls-key", "private_key"}, {"cql-tls-ca", "ca"},
		{"cql-tls-cert", "keystore"}, {"cql-tls-key", "keystore"}, {"cql-tls-ca", "truststore"},
		{"cql-tls-client-auth", "require_client_auth"}, {"cql-tls-optional", "optional"},
	} {
		if err := set(p[0], p[1]); err != nil {
			return nil, err
		}
	}
	if x, ok := ce["optional"]; ok && x != nil {
		if _, err := yamlBool(ce, "optional"); err != nil {
			return nil, err
		}
	}
	for _, p := range [][2]string{{"cql-tls-protocols", "accepted_protocols"}, {"cql-tls-ciphers", "cipher_suites"}} {
		l, err := yamlList(ce, p[1])
		if err != nil {
			return nil, err
		}
		if len(l) > 0 {
			out[p[0]] = derivedFlag{value: strings.Join(l, ","), from: keyClientEncryption + "." + p[1]}
		}
	}
	if _, ok := out["cql-tls-protocols"]; !ok {
		if x, ok := ce["protocol"]; ok && x != nil {
			p, err := yamlScalar(x)
			if err != nil {
				return nil, fmt.Errorf("%s.protocol: %w", keyClientEncryption, err)
			}
			// "TLS" (and "SSL") name the protocol family: the JVM's
			// default versions, which here are TLS 1.2 and later.
			if u := strings.ToUpper(p); u != "" && u != "TLS" && u != "SSL" {
				out["cql-tls-protocols"] = derivedFlag{value: p, from: keyClientEncryption + ".protocol"}
			}
		}
	}
	if x, ok := m[keyNativePortSSL]; ok && x != nil {
		p, err := yamlScalar(x)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keyNativePortSSL, err)
		}
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("%s: expected a port number, got %q", keyNativePortSSL, p)
		}
		out["cql-ssl"] = derivedFlag{value: p, from: keyNativePortSSL}
	}
	return out, nil
}

// mergeCassandraFlags adds the values cassandraFlags derives from m to the
// flag values of the cassauth: section. A flag set both ways is an error
// (the file would say two things), naming both keys.
func mergeCassandraFlags(m map[string]any, section map[string]string) (map[string]string, error) {
	derived, err := cassandraFlags(m)
	if err != nil || len(derived) == 0 {
		return section, err
	}
	out := make(map[string]string, len(section)+len(derived))
	for k, v := range section {
		out[k] = v
	}
	names := make([]string, 0, len(derived))
	for k := range derived {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		d := derived[k]
		if _, dup := section[k]; dup {
			return nil, fmt.Errorf("%s and %s.%s both set --%s: keep one", d.from, sectionKey, strings.ReplaceAll(k, "-", "_"), k)
		}
		out[k] = d.value
	}
	return out, nil
}

// yamlBool reads an optional boolean (true/false, or a string spelling
// one) of m; absent or null is false.
func yamlBool(m map[string]any, key string) (bool, error) {
	switch x := m[key].(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("%s.%s: expected true or false, got %v", keyClientEncryption, key, m[key])
}

// yamlScalar returns a scalar YAML value as text.
func yamlScalar(x any) (string, error) {
	switch x := x.(type) {
	case string:
		return strings.TrimSpace(x), nil
	case bool, int, int64, uint64, float64:
		return fmt.Sprint(x), nil
	case time.Time: // an unquoted date, as the cassauth: section reads one
		return x.Format(time.RFC3339), nil
	}
	return "", fmt.Errorf("expected a scalar, got %T", x)
}

// yamlList reads an optional list of scalars of m; a scalar is a
// comma-separated list, as on the command line.
func yamlList(m map[string]any, key string) ([]string, error) {
	var items []any
	switch x := m[key].(type) {
	case nil:
		return nil, nil
	case []any:
		items = x
	default:
		items = []any{x}
	}
	var out []string
	for _, it := range items {
		s, err := yamlScalar(it)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", keyClientEncryption, key, err)
		}
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out, nil
}
