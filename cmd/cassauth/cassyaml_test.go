package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// yamlMap decodes a YAML document as loadConfig does.
func yamlMap(t testing.TB, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(doc), &m))
	return m
}

// values flattens derived flags to their values.
func values(d map[string]derivedFlag) map[string]string {
	if d == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range d {
		out[k] = v.value
	}
	return out
}

func TestCassandraFlags(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want map[string]string
		err  string
	}{
		{name: "no block", doc: "authenticator: PasswordAuthenticator\n"},
		{name: "null block", doc: "client_encryption_options:\n"},
		{name: "disabled block is ignored, like Cassandra", doc: `
client_encryption_options:
  enabled: false
  keystore: conf/.keystore
  require_client_auth: true
native_transport_port_ssl: 9142
`},
		{name: "Cassandra's stock block with a Java keystore maps keystore to the PEM flags", doc: `
client_encryption_options:
  enabled: true
  optional: false
  keystore: conf/.keystore
  keystore_password: cassandra
  require_client_auth: false
  protocol: TLS
  store_type: JKS
`, want: map[string]string{"cql-tls-cert": "conf/.keystore", "cql-tls-key": "conf/.keystore",
			"cql-tls-optional": "false", "cql-tls-client-auth": "false"}},
		{name: "PEM files, every key", doc: `
client_encryption_options:
  enabled: true
  optional: true
  require_client_auth: optional
  certificate: /etc/cassauth/server.pem
  private_key: /etc/cassauth/server.key
  ca: /etc/cassauth/ca.pem
  keystore: ignored.jks
  truststore: ignored-too.jks
  accepted_protocols: [TLSv1.2, TLSv1.3]
  protocol: TLSv1.1
  cipher_suites:
    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
native_transport_port_ssl: 9142
`, want: map[string]string{"cql-tls-cert": "/etc/cassauth/server.pem", "cql-tls-key": "/etc/cassauth/server.key",
			"cql-tls-ca": "/etc/cassauth/ca.pem", "cql-tls-optional": "true", "cql-tls-client-auth": "optional",
			"cql-tls-protocols": "TLSv1.2,TLSv1.3",
			"cql-tls-ciphers":   "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
			"cql-ssl":           "9142"}},
		{name: "PEMBasedSslContextFactory keystore and truststore", doc: `
client_encryption_options:
  enabled: "true"
  ssl_context_factory:
    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory
  keystore: conf/cassandra_ssl.pem
  truststore: conf/cassandra_ssl_trusted_certificates.pem
  require_client_auth: true
`, want: map[string]string{"cql-tls-cert": "conf/cassandra_ssl.pem", "cql-tls-key": "conf/cassandra_ssl.pem",
			"cql-tls-ca": "conf/cassandra_ssl_trusted_certificates.pem", "cql-tls-client-auth": "true"}},
		{name: "protocol names one version", doc: "client_encryption_options: {enabled: true, protocol: TLSv1.3}\n",
			want: map[string]string{"cql-tls-protocols": "TLSv1.3"}},
		{name: "protocol TLS is the default", doc: "client_encryption_options: {enabled: true, protocol: tls}\n",
			want: map[string]string{}},
		{name: "a scalar list is comma-separated", doc: "client_encryption_options: {enabled: true, accepted_protocols: 'TLSv1.1, TLSv1.2'}\n",
			want: map[string]string{"cql-tls-protocols": "TLSv1.1,TLSv1.2"}},
		{name: "block not a mapping", doc: "client_encryption_options: [1]\n", err: "client_encryption_options: expected a mapping"},
		{name: "enabled not a boolean", doc: "client_encryption_options: {enabled: maybe}\n",
			err: "client_encryption_options.enabled: expected true or false, got maybe"},
		{name: "optional not a boolean", doc: "client_encryption_options: {enabled: true, optional: sometimes}\n",
			err: "client_encryption_options.optional: expected true or false, got sometimes"},
		{name: "certificate not a scalar", doc: "client_encryption_options: {enabled: true, certificate: {a: b}}\n",
			err: "client_encryption_options.certificate: expected a scalar"},
		{name: "cipher suites of maps", doc: "client_encryption_options: {enabled: true, cipher_suites: [{a: b}]}\n",
			err: "client_encryption_options.cipher_suites: expected a scalar"},
		{name: "SSL port not a number", doc: "client_encryption_options: {enabled: true}\nnative_transport_port_ssl: high\n",
			err: `native_transport_port_ssl: expected a port number, got "high"`},
		{name: "SSL port out of range", doc: "client_encryption_options: {enabled: true}\nnative_transport_port_ssl: 70000\n",
			err: `native_transport_port_ssl: expected a port number, got "70000"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cassandraFlags(yamlMap(t, tt.doc))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			if tt.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, values(got))
		})
	}
}

func TestMergeCassandraFlags(t *testing.T) {
	m := yamlMap(t, "client_encryption_options: {enabled: true, certificate: a.pem, private_key: a.key}\n")
	got, err := mergeCassandraFlags(m, map[string]string{"listen": "127.0.0.1:1"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"listen": "127.0.0.1:1", "cql-tls-cert": "a.pem", "cql-tls-key": "a.key"}, got)

	_, err = mergeCassandraFlags(m, map[string]string{"cql-tls-key": "b.key"})
	require.Error(t, err)
	assert.Equal(t, "client_encryption_options.private_key and cassauth.cql_tls_key both set --cql-tls-key: keep one", err.Error())
}

// TestCQLFlagsFromFile parses serve's CQL flags with a configuration file:
// the file's client_encryption_options are the lowest layer, under the
// environment and the command line; the other commands read the same file
// without complaint.
func TestCQLFlagsFromFile(t *testing.T) {
	cfg := writeConfig(t, `
client_encryption_options:
  enabled: true
  certificate: file.pem
  private_key: file.key
  require_client_auth: optional
  accepted_protocols: [TLSv1.3]
native_transport_port_ssl: 9142
cassauth:
  cql: 127.0.0.1:9042
  cql_tls_reload_interval: 1m
`)
	parse := func(vars map[string]string, args ...string) (cqlOptions, error) {
		var tg target
		var c cqlOptions
		f := newFlags("serve", "serve", "")
		tg.addStoreFlags(f)
		c.addFlags(f)
		var out bytes.Buffer
		e := &env{stdout: &out, stderr: &out, getenv: func(k string) string { return vars[k] }}
		err := tg.parse(f, append([]string{"--config", cfg}, args...), e)
		return c, err
	}
	c, err := parse(nil)
	require.NoError(t, err)
	tc, err := c.tls()
	require.NoError(t, err)
	require.NotNil(t, tc)
	assert.Equal(t, "file.pem", tc.CertFile)
	assert.Equal(t, "file.key", tc.KeyFile)
	assert.Equal(t, []string{"TLSv1.3"}, tc.Protocols)
	assert.Equal(t, "1m0s", tc.ReloadInterval.String())
	ssl, err := c.sslListenAddr()
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9142", ssl)

	c, err = parse(map[string]string{"CASSAUTH_CQL_TLS_CERT": "env.pem", "CASSAUTH_CQL_TLS_PROTOCOLS": "TLSv1.2"},
		"--cql-tls-cert", "flag.pem")
	require.NoError(t, err)
	assert.Equal(t, "flag.pem", c.cert, "the command line wins")
	assert.Equal(t, listFlag{"TLSv1.2"}, c.protocols, "the environment wins over the file")
	assert.Equal(t, "file.key", c.key)

	// A command without the CQL flags reads a cassandra.yaml with the
	// block too.
	other := writeConfig(t, "client_encryption_options: {enabled: true, keystore: conf/.keystore}\nnative_transport_port_ssl: 9142\n")
	var tg target
	f := newFlags("check", "check", "")
	tg.addStoreFlags(f)
	var out bytes.Buffer
	require.NoError(t, tg.parse(f, []string{"--config", other}, &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }}))
}

func FuzzCassandraFlags(f *testing.F) {
	f.Add([]byte("client_encryption_options: {enabled: true, certificate: a.pem, private_key: a.key}\n"))
	f.Add([]byte("client_encryption_options:\n  enabled: true\n  accepted_protocols: [TLSv1.2, 3]\nnative_transport_port_ssl: 9142\n"))
	known := map[string]bool{"cql-tls-cert": true, "cql-tls-key": true, "cql-tls-ca": true, "cql-tls-client-auth": true,
		"cql-tls-optional": true, "cql-tls-protocols": true, "cql-tls-ciphers": true, "cql-ssl": true}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var m map[string]any
		if yaml.Unmarshal(doc, &m) != nil {
			return
		}
		got, err := cassandraFlags(m)
		if err != nil {
			require.Nil(t, got)
			return
		}
		again, err := cassandraFlags(m)
		require.NoError(t, err)
		require.Equal(t, got, again, "deterministic")
		for k, v := range got {
			require.True(t, known[k], "flag %q", k)
			require.NotEmpty(t, v.value, "flag %q", k)
			require.True(t, strings.HasPrefix(v.from, keyClientEncryption) || v.from == keyNativePortSSL, v.from)
		}
	})
}
