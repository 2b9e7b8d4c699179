package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/transport"
)

func TestCQLTLSOptions(t *testing.T) {
	base := func() cqlOptions {
		return cqlOptions{addr: "127.0.0.1:9042", clientAuth: "false", reloadInterval: transport.DefaultTLSReloadInterval}
	}
	withTLS := func() cqlOptions {
		c := base()
		c.cert, c.key = "s.pem", "s.key"
		return c
	}
	tests := []struct {
		name   string
		opts   func() cqlOptions
		want   *transport.TLSConfig // nil: no TLS
		err    string
		served bool
	}{
		{name: "no TLS", opts: base},
		{name: "TLS with the defaults", opts: withTLS, served: true,
			want: &transport.TLSConfig{Enabled: true, CertFile: "s.pem", KeyFile: "s.key", ReloadInterval: 10 * time.Minute}},
		{name: "every TLS flag", served: true, opts: func() cqlOptions {
			c := withTLS()
			c.ca, c.clientAuth, c.optional = "ca.pem", "optional", true
			c.protocols, c.ciphers = listFlag{"TLSv1.1", "TLSv1.3"}, listFlag{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}
			c.reloadInterval = time.Minute
			return c
		}, want: &transport.TLSConfig{Enabled: true, Optional: true, CertFile: "s.pem", KeyFile: "s.key", CAFile: "ca.pem",
			ClientAuth: authn.ClientAuthOptional, Protocols: []string{"TLSv1.1", "TLSv1.3"},
			CipherSuites: []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}, ReloadInterval: time.Minute}},
		{name: "reload interval 0 turns polling off", served: true, opts: func() cqlOptions {
			c := withTLS()
			c.reloadInterval = 0
			return c
		}, want: &transport.TLSConfig{Enabled: true, CertFile: "s.pem", KeyFile: "s.key", ReloadInterval: -1}},
		{name: "TLS without --cql configures client encryption only", opts: func() cqlOptions {
			c := withTLS()
			c.addr = ""
			return c
		}, want: &transport.TLSConfig{Enabled: true, CertFile: "s.pem", KeyFile: "s.key", ReloadInterval: 10 * time.Minute}},
		{name: "negative reload interval", opts: func() cqlOptions {
			c := withTLS()
			c.reloadInterval = -time.Second
			return c
		}, err: "--cql-tls-reload-interval must not be negative"},
		{name: "cert without key", opts: func() cqlOptions {
			c := base()
			c.cert = "s.pem"
			return c
		}, err: "--cql-tls-cert and --cql-tls-key go together"},
		{name: "SSL port without TLS", opts: func() cqlOptions {
			c := base()
			c.sslAddr = "9142"
			return c
		}, err: "--cql-ssl needs --cql-tls-cert and --cql-tls-key"},
		{name: "TLS settings without TLS", opts: func() cqlOptions {
			c := base()
			c.ca, c.optional, c.clientAuth = "ca.pem", true, "true"
			c.protocols, c.ciphers = listFlag{"TLSv1.3"}, listFlag{"X"}
			return c
		}, err: "--cql-tls-ca, --cql-tls-optional, --cql-tls-client-auth, --cql-tls-protocols, --cql-tls-ciphers need --cql-tls-cert and --cql-tls-key"},
		{name: "SSL port without --cql", opts: func() cqlOptions {
			c := withTLS()
			c.addr, c.sslAddr = "", "127.0.0.1:9142"
			return c
		}, err: "--cql-ssl needs --cql (the plain-text port beside it)"},
		{name: "bad client auth", opts: func() cqlOptions {
			c := withTLS()
			c.clientAuth = "sometimes"
			return c
		}, err: `require_client_auth must be false, optional or true, not "sometimes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.opts()
			got, err := c.tls()
			assert.Equal(t, tt.served, c.tlsServed())
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				_, err = c.clientEncryption()
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			ce, err := c.clientEncryption()
			require.NoError(t, err)
			if tt.want == nil {
				assert.Nil(t, ce)
			} else {
				assert.Equal(t, &authn.ClientEncryption{Enabled: true, RequireClientAuth: tt.want.ClientAuth}, ce)
			}
		})
	}
}

func TestSSLListenAddr(t *testing.T) {
	tests := []struct {
		name, cql, ssl, want, err string
	}{
		{name: "none", cql: "127.0.0.1:9042"},
		{name: "an address", cql: "127.0.0.1:9042", ssl: "0.0.0.0:9142", want: "0.0.0.0:9142"},
		{name: "a bare port takes --cql's host", cql: "127.0.0.1:9042", ssl: "9142", want: "127.0.0.1:9142"},
		{name: "IPv6 host", cql: "[::1]:9042", ssl: "9142", want: "[::1]:9142"},
		{name: "the --cql port itself is one port", cql: "127.0.0.1:9042", ssl: "9042"},
		{name: "port 0 twice is two free ports", cql: "127.0.0.1:0", ssl: "0", want: "127.0.0.1:0"},
		{name: "not an address", cql: "127.0.0.1:9042", ssl: "localhost", err: `--cql-ssl "localhost"`},
		{name: "bare port with a bad --cql", cql: "nowhere", ssl: "9142", err: `--cql "nowhere"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cqlOptions{addr: tt.cql, sslAddr: tt.ssl}
			got, err := c.sslListenAddr()
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckPEMFiles(t *testing.T) {
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "ok.pem")
	jks := filepath.Join(dir, ".keystore")
	require.NoError(t, os.WriteFile(pemFile, []byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"), 0o600))
	require.NoError(t, os.WriteFile(jks, []byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2}, 0o600))

	assert.NoError(t, checkPEMFiles(&transport.TLSConfig{CertFile: pemFile, KeyFile: pemFile}))
	assert.NoError(t, checkPEMFiles(&transport.TLSConfig{CertFile: pemFile, KeyFile: filepath.Join(dir, "missing")}),
		"unreadable files are left to the transport")
	err := checkPEMFiles(&transport.TLSConfig{CertFile: pemFile, KeyFile: pemFile, CAFile: jks})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--cql-tls-ca "+jks+" is not a PEM file")
	assert.Contains(t, err.Error(), "not Java keystores")
}
