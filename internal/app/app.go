// Package app wires the program's parts together: it opens the store a
// spec names (a bbolt data directory, PostgreSQL, or memory), builds the
// [cassauth.Auth] over it, runs its setup, and assembles the [dcl.Env]
// that statements run against. cmd/cassauth uses it for the server and for
// the commands that work on a data directory directly.
package app

import (
	"context"
	"errors"
	"log/slog"

	"github.com/cassauth/cassauth"
	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/store"
)

// Options configures Build.
type Options struct {
	// Config is the auth configuration (cassandra.yaml's auth keys).
	Config cassauth.Config
	// DisableDefaultSuperuser skips the creation of cassandra/cassandra
	// in an empty store.
	DisableDefaultSuperuser bool
	// Datacenters, when not empty, are the datacenters ACCESS TO
	// DATACENTERS is validated against.
	Datacenters []string
	// Logger receives the library's log lines; nil discards.
	Logger *slog.Logger
}

// App is a store with the auth subsystem over it and the DCL environment.
type App struct {
	Store store.Store
	Auth  *cassauth.Auth
	Env   *dcl.Env
}

// Build builds the Auth over st, runs its setup (which, on an empty store,
// creates the default superuser unless disabled, logging Cassandra's line
// and a warning to replace it) and the Env over its cached parts, with a
// schema catalog kept in st when st has one. Close the App (not st) when
// done. Errors: cassauth.New's and Setup's.
func Build(ctx context.Context, st store.Store, o Options) (*App, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a, err := cassauth.New(o.Config, st, cassauth.Options{
		Logger:                  logger,
		DisableDefaultSuperuser: o.DisableDefaultSuperuser,
	})
	if err != nil {
		return nil, err
	}
	if err := a.Setup(ctx); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	env := &dcl.Env{
		Roles:      a.Roles(),
		Authorizer: a.Authorizer(),
		Checker:    a.Checker(),
		Network:    a.Network(),
		CIDR:       a.CIDR(),
		Hooks:      a.Hooks(),
		Logger:     logger,
	}
	if c, ok := st.(store.Catalog); ok {
		env.Schema = dcl.NewStoreCatalog(c)
	}
	if len(o.Datacenters) > 0 {
		dcs := append([]string(nil), o.Datacenters...)
		env.Datacenters = func() []string { return dcs }
	}
	return &App{Store: st, Auth: a, Env: env}, nil
}

// Close closes the Auth (its caches and goroutines). It does not close
// the store.
func (a *App) Close() error { return a.Auth.Close() }

// ServerConfig is the auth configuration the server uses when the
// configuration names no authenticator or authorizer: PasswordAuthenticator
// and CassandraAuthorizer (Cassandra's defaults are the AllowAll classes,
// which would make a policy server pointless). Explicit values are kept.
func ServerConfig(c cassauth.Config) cassauth.Config {
	if c.Authenticator == "" {
		c.Authenticator = cassauth.PasswordAuthenticator
	}
	if c.Authorizer == "" {
		c.Authorizer = cassauth.CassandraAuthorizer
	}
	return c
}
