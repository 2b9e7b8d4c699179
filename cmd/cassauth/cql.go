package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/internal/app"
	"github.com/cassauth/cassauth/transport"
)

// cqlOptions are serve's flags of the CQL front end. TLS is on when
// --cql-tls-cert and --cql-tls-key are given: on the --cql port, or, with
// --cql-ssl, on that separate port only while --cql stays plain text
// (Cassandra's native_transport_port_ssl next to native_transport_port).
type cqlOptions struct {
	addr, sslAddr        string
	cert, key, ca        string
	clientAuth           string
	protocols, ciphers   listFlag
	reloadInterval       time.Duration
	optional, protocolV1 bool
}

func (c *cqlOptions) addFlags(f *flags) {
	f.StringVar(&c.addr, "cql", "", "also serve the CQL native protocol on `address` (e.g. 127.0.0.1:9042)")
	f.StringVar(&c.sslAddr, "cql-ssl", "", "also serve CQL over TLS only on `address` (native_transport_port_ssl; a bare port takes --cql's host); the --cql port then stays plain text. Needs --cql and the TLS files")
	f.StringVar(&c.cert, "cql-tls-cert", "", "TLS for CQL: the server's certificate chain, a PEM `file` (with --cql-tls-key)")
	f.StringVar(&c.key, "cql-tls-key", "", "TLS for CQL: the server's private key, a PEM `file`")
	f.StringVar(&c.ca, "cql-tls-ca", "", "TLS for CQL: the PEM `file` of the CAs client certificates must chain to")
	f.StringVar(&c.clientAuth, "cql-tls-client-auth", "false", "TLS for CQL: require_client_auth, false, optional or true")
	f.BoolVar(&c.optional, "cql-tls-optional", false, "TLS for CQL: accept plain-text connections on the same port too (told apart by the first byte)")
	f.Var(&c.protocols, "cql-tls-protocols", "TLS for CQL: the accepted `protocols`, comma-separated (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3); the lowest and highest listed bound the versions (default TLSv1.2 and later)")
	f.Var(&c.ciphers, "cql-tls-ciphers", "TLS for CQL: the accepted cipher `suites` of TLS 1.2 and earlier, comma-separated, by IANA name such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (default Go's; TLS 1.3 suites are not configurable)")
	f.DurationVar(&c.reloadInterval, "cql-tls-reload-interval", transport.DefaultTLSReloadInterval, "TLS for CQL: how often the certificate, key and CA files are checked and reloaded when changed; 0 turns polling off (SIGHUP and POST /v1/admin/reloadssl still reload)")
	f.BoolVar(&c.protocolV1, "cql-protocol-v1", false, "serve protocol v1 to legacy clients")
}

// tls returns the transport's TLS configuration, nil without a
// certificate. Errors: flags that contradict each other or need others.
func (c *cqlOptions) tls() (*transport.TLSConfig, error) {
	if c.cert == "" && c.key == "" {
		var orphans []string
		for _, o := range []struct {
			name string
			set  bool
		}{
			{"--cql-ssl", c.sslAddr != ""}, {"--cql-tls-ca", c.ca != ""}, {"--cql-tls-optional", c.optional},
			{"--cql-tls-client-auth", !isFalse(c.clientAuth)},
			{"--cql-tls-protocols", len(c.protocols) > 0}, {"--cql-tls-ciphers", len(c.ciphers) > 0},
		} {
			if o.set {
				orphans = append(orphans, o.name)
			}
		}
		if len(orphans) > 0 {
			verb := "need"
			if len(orphans) == 1 {
				verb = "needs"
			}
			return nil, fmt.Errorf("%s %s --cql-tls-cert and --cql-tls-key", strings.Join(orphans, ", "), verb)
		}
		return nil, nil
	}
	if c.cert == "" || c.key == "" {
		return nil, errors.New("--cql-tls-cert and --cql-tls-key go together")
	}
	if c.sslAddr != "" && c.addr == "" {
		return nil, errors.New("--cql-ssl needs --cql (the plain-text port beside it)")
	}
	if c.reloadInterval < 0 {
		return nil, errors.New("--cql-tls-reload-interval must not be negative")
	}
	ca, err := transport.ParseClientAuth(c.clientAuth)
	if err != nil {
		return nil, err
	}
	interval := c.reloadInterval
	if interval == 0 {
		interval = -1 // the transport's "no polling"
	}
	return &transport.TLSConfig{Enabled: true, Optional: c.optional, CertFile: c.cert, KeyFile: c.key, CAFile: c.ca,
		ClientAuth: ca, Protocols: c.protocols, CipherSuites: c.ciphers, ReloadInterval: interval}, nil
}

// isFalse reports whether a require_client_auth value means false.
func isFalse(s string) bool {
	ca, err := transport.ParseClientAuth(s)
	return err == nil && ca == authn.ClientAuthNotRequired
}

// sslListenAddr returns the address of the separate TLS port: --cql-ssl
// with a bare port completed by --cql's host; "" when there is none, or
// when it names the --cql port itself (as in Cassandra, where
// native_transport_port_ssl equal to native_transport_port means one port,
// which then speaks TLS).
func (c *cqlOptions) sslListenAddr() (string, error) {
	if c.sslAddr == "" {
		return "", nil
	}
	ssl := c.sslAddr
	if _, err := strconv.ParseUint(ssl, 10, 16); err == nil {
		host, _, err := net.SplitHostPort(c.addr)
		if err != nil {
			return "", fmt.Errorf("--cql %q: %w", c.addr, err)
		}
		ssl = net.JoinHostPort(host, ssl)
	}
	_, port, err := net.SplitHostPort(ssl)
	if err != nil {
		return "", fmt.Errorf("--cql-ssl %q: %w", c.sslAddr, err)
	}
	if ssl == c.addr && port != "0" {
		return "", nil
	}
	return ssl, nil
}

// clientEncryption is the client_encryption_options the mutual-TLS
// authenticators check, from the TLS flags (nil when they say nothing).
// Errors are those of tls.
func (c *cqlOptions) clientEncryption() (*authn.ClientEncryption, error) {
	t, err := c.tls()
	if err != nil || t == nil {
		return nil, err
	}
	return &authn.ClientEncryption{Enabled: true, RequireClientAuth: t.ClientAuth}, nil
}

// tlsServed reports whether the CQL front end runs with TLS (on a port of
// its own or not), so that there are certificates to reload.
func (c *cqlOptions) tlsServed() bool {
	t, err := c.tls()
	return c.addr != "" && err == nil && t != nil
}

// start starts the CQL server when --cql is set, reporting a failure of
// an accept loop on errc (without blocking). It logs "listening" with
// api=cql-ssl for the separate TLS port first, then with api=cql for the
// main port, each with its bound address and TLS mode.
func (c *cqlOptions) start(ctx context.Context, a *app.App, log *slog.Logger, dc string, errc chan<- error) (*transport.Server, error) {
	if c.addr == "" {
		return nil, nil
	}
	tlsCfg, err := c.tls()
	if err != nil {
		return nil, err
	}
	sslAddr, err := c.sslListenAddr()
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		if err := checkPEMFiles(tlsCfg); err != nil {
			return nil, err
		}
		if tlsCfg.Optional && sslAddr != "" {
			log.Warn("--cql-tls-optional has no effect with --cql-ssl: the --cql port speaks plain text and the --cql-ssl port TLS")
		}
	}
	node := transport.NodeInfo{DataCenter: dc}
	h, err := transport.NewHandler(transport.HandlerConfig{Auth: a.Auth, Env: *a.Env, Node: node, Logger: log})
	if err != nil {
		return nil, err
	}
	srv, err := transport.NewServer(transport.Config{Auth: a.Auth, Handler: h, TLS: tlsCfg, Node: node,
		SSLAddr: sslAddr, EnableProtocolV1: c.protocolV1, Logger: log})
	if err != nil {
		return nil, err
	}
	var sln net.Listener
	if sslAddr != "" {
		if sln, err = net.Listen("tcp", sslAddr); err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("CQL TLS port: %w", err)
		}
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		if sln != nil {
			_ = sln.Close()
		}
		_ = srv.Close()
		return nil, fmt.Errorf("CQL: %w", err)
	}
	run := func(what string, serve func(context.Context, net.Listener) error, l net.Listener) {
		err := serve(context.WithoutCancel(ctx), l) // stopped by Shutdown
		if err != nil && !errors.Is(err, transport.ErrServerClosed) && !errors.Is(err, context.Canceled) {
			select {
			case errc <- fmt.Errorf("%s: %w", what, err):
			default: // the server is already failing
			}
		}
	}
	if sln != nil {
		go run("CQL TLS port", srv.ServeTLS, sln)
		log.Info("listening", "api", "cql-ssl", "addr", sln.Addr().String(), "tls", "on")
	}
	go run("CQL", srv.Serve, ln)
	mode := "off"
	switch {
	case tlsCfg == nil || sslAddr != "":
	case tlsCfg.Optional:
		mode = "optional"
	default:
		mode = "on"
	}
	log.Info("listening", "api", "cql", "addr", ln.Addr().String(), "tls", mode)
	return srv, nil
}

// checkPEMFiles refuses a certificate, key or CA file that holds no PEM
// block, with a message that says why: a Java keystore named by
// client_encryption_options.keystore or truststore cannot be read. Files
// that cannot be read are left to the transport, whose errors name them.
func checkPEMFiles(t *transport.TLSConfig) error {
	for _, f := range []struct{ flag, path string }{
		{"--cql-tls-cert", t.CertFile}, {"--cql-tls-key", t.KeyFile}, {"--cql-tls-ca", t.CAFile},
	} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err == nil && !bytes.Contains(b, []byte("-----BEGIN ")) {
			return fmt.Errorf("%s %s is not a PEM file: cassauth reads PEM certificates and keys, not Java keystores (JKS, PKCS12); "+
				"in client_encryption_options, give certificate, private_key and ca", f.flag, f.path)
		}
	}
	return nil
}
