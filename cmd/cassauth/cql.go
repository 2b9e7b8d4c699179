package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/internal/app"
	"github.com/cassauth/cassauth/transport"
)

// cqlOptions are serve's flags of the CQL front end.
type cqlOptions struct {
	addr                 string
	cert, key, ca        string
	clientAuth           string
	optional, protocolV1 bool
}

func (c *cqlOptions) addFlags(f *flags) {
	f.StringVar(&c.addr, "cql", "", "also serve the CQL native protocol on `address` (e.g. 127.0.0.1:9042)")
	f.StringVar(&c.cert, "cql-tls-cert", "", "TLS for CQL: the server's certificate chain, a PEM `file` (with --cql-tls-key)")
	f.StringVar(&c.key, "cql-tls-key", "", "TLS for CQL: the server's private key, a PEM `file`")
	f.StringVar(&c.ca, "cql-tls-ca", "", "TLS for CQL: the PEM `file` of the CAs client certificates must chain to")
	f.StringVar(&c.clientAuth, "cql-tls-client-auth", "false", "TLS for CQL: require_client_auth, false, optional or true")
	f.BoolVar(&c.optional, "cql-tls-optional", false, "TLS for CQL: accept plain-text connections on the same port too")
	f.BoolVar(&c.protocolV1, "cql-protocol-v1", false, "serve protocol v1 to legacy clients")
}

// tls returns the transport's TLS configuration, nil without a
// certificate.
func (c *cqlOptions) tls() (*transport.TLSConfig, error) {
	if c.cert == "" && c.key == "" {
		if c.ca != "" || c.optional {
			return nil, errors.New("--cql-tls-ca and --cql-tls-optional need --cql-tls-cert and --cql-tls-key")
		}
		return nil, nil
	}
	if c.cert == "" || c.key == "" {
		return nil, errors.New("--cql-tls-cert and --cql-tls-key go together")
	}
	ca, err := transport.ParseClientAuth(c.clientAuth)
	if err != nil {
		return nil, err
	}
	return &transport.TLSConfig{Enabled: true, Optional: c.optional, CertFile: c.cert, KeyFile: c.key, CAFile: c.ca, ClientAuth: ca}, nil
}

// clientEncryption is the client_encryption_options the mutual-TLS
// authenticators check, from the TLS flags (nil when they say nothing).
func (c *cqlOptions) clientEncryption() (*authn.ClientEncryption, error) {
	t, err := c.tls()
	if err != nil || t == nil {
		return nil, err
	}
	return &authn.ClientEncryption{Enabled: true, RequireClientAuth: t.ClientAuth}, nil
}

// start starts the CQL server when --cql is set, reporting a failure of
// its accept loop on errc. It logs "listening" with api=cql and the bound
// address.
func (c *cqlOptions) start(ctx context.Context, a *app.App, log *slog.Logger, dc string, errc chan<- error) (*transport.Server, error) {
	if c.addr == "" {
		return nil, nil
	}
	tlsCfg, err := c.tls()
	if err != nil {
		return nil, err
	}
	node := transport.NodeInfo{DataCenter: dc}
	h, err := transport.NewHandler(transport.HandlerConfig{Auth: a.Auth, Env: *a.Env, Node: node, Logger: log})
	if err != nil {
		return nil, err
	}
	srv, err := transport.NewServer(transport.Config{Auth: a.Auth, Handler: h, TLS: tlsCfg, Node: node,
		EnableProtocolV1: c.protocolV1, Logger: log})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("CQL: %w", err)
	}
	go func() {
		err := srv.Serve(context.WithoutCancel(ctx), ln) // stopped by Shutdown
		if err != nil && !errors.Is(err, transport.ErrServerClosed) && !errors.Is(err, context.Canceled) {
			errc <- fmt.Errorf("CQL: %w", err)
		}
	}()
	log.Info("listening", "api", "cql", "addr", ln.Addr().String(), "tls", tlsCfg != nil)
	return srv, nil
}
