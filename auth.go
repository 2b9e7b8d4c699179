package cassauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/cache"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
)

// Options are the parts of the wiring that are not cassandra.yaml: time,
// logging, and the few pieces an embedding server supplies itself. The zero
// value is ready to use.
type Options struct {
	// Clock drives every cache (ages, background reloads, active update),
	// the verified-credentials cache and the CIDR authorizer's clock. Nil
	// means [cache.SystemClock]; tests pass a [cache.FakeClock].
	Clock cache.Clock
	// ClockResolution, when positive and Clock is nil, replaces the system
	// clock with a coarse one refreshed every ClockResolution by a
	// goroutine of the Auth (stopped by Close): a cache hit then reads an
	// atomic instead of the system clock, which on this project's benchmark
	// machine saves about 25ns of a cached check. The price: entries
	// may be served for up to validity plus the resolution plus the
	// ticker's scheduling delay, and the goroutine wakes once per
	// resolution. Zero keeps the exact system clock. 1ms suits Cassandra's
	// millisecond settings.
	ClockResolution time.Duration

	// Logger receives Cassandra's log lines (cache (re)initialisation, the
	// default superuser, CIDR MONITOR lines, ...). Nil discards.
	Logger *slog.Logger

	// RoleManager replaces the table-backed CassandraRoleManager (an LDAP
	// or SSO role manager, say); Config.RoleManager is then ignored. As in
	// Cassandra, it cannot be combined with a password authenticator. Its
	// caches and invalidation work as for the built-in one.
	RoleManager roles.Manager
	// DefaultRole and DisableDefaultSuperuser configure the default
	// superuser of the table-backed role manager (see [roles.Config]).
	DefaultRole             *roles.DefaultRole
	DisableDefaultSuperuser bool

	// CertificateValidator extracts identities from client certificates
	// for the mutual-TLS authenticators; nil means the validator named by
	// the authenticator's validator_class_name parameter.
	CertificateValidator authn.CertificateValidator
	// MaxCertificateValidity and CertificateValidityWarnThreshold are the
	// mutual-TLS limits of [authn.MutualTLSConfig]; zero means none.
	MaxCertificateValidity           time.Duration
	CertificateValidityWarnThreshold time.Duration
	// Mechanisms offers SASL mechanisms besides PLAIN (password
	// authenticators only); nil offers PLAIN alone.
	Mechanisms *authn.Mechanisms

	// MaxConcurrentHashes, HashQueueTimeout and MaxQueuedHashes bound
	// bcrypt (see [authn.HasherConfig]); zero values mean its defaults.
	MaxConcurrentHashes int
	HashQueueTimeout    time.Duration
	MaxQueuedHashes     int

	// MaxConcurrentLoads bounds the loads each cache runs at once; zero
	// means [cache.DefaultMaxConcurrentLoads].
	MaxConcurrentLoads int

	// WarmingMaxRetries and WarmingRetryInterval are Cassandra's
	// cassandra.auth_cache.warming.max_retries (zero means 10, negative
	// none) and retry_interval_ms (zero means 1s, negative no wait); the
	// wait runs on Clock.
	WarmingMaxRetries    int
	WarmingRetryInterval time.Duration
}

// Auth is Cassandra's auth subsystem wired together: an authenticator, an
// authorizer, a role manager, network and CIDR authorizers, the seven caches
// in front of them, and the invalidation that keeps the caches exact. Build
// it with [New], run [Auth.Setup] once, then use the one-call operations
// ([Auth.Check], [Auth.Ensure], [Auth.Explain], [Auth.Authenticate],
// [Auth.Login]) or hand the cached parts ([Auth.Roles], [Auth.Authorizer],
// [Auth.Checker], ...) to a statement layer. Every write made through those
// parts invalidates the caches before it returns.
//
// Auth is safe for concurrent use. [Auth.Close] stops every goroutine it
// started.
type Auth struct {
	cfg   Config
	opts  Options
	class resolved
	clock cache.Clock
	log   *slog.Logger
	store store.Store

	// The parts, uncached: the loaders read through them.
	authenticator authn.Authenticator
	password      *authn.Password // the password authenticator, if any
	roleManager   roles.Manager
	authorizer    authz.Authorizer
	network       authz.NetworkAuthorizer
	cidr          authz.CIDRAuthorizer

	caches caches

	// The cached parts handed out; their writes invalidate.
	roles   *cachedRoles
	authz   *cachedAuthorizer
	net     *cachedNetwork
	cidrC   *cachedCIDR
	checker *authz.Checker
	hooks   *authz.SchemaHooks

	authzRequired bool // authorizer.RequireAuthorization(), read on every check

	cidrGroupsStale atomic.Bool // a change feed reported a cidr_groups change

	coarse *coarseClock // owned clock, if Options.ClockResolution chose one

	closeMu    sync.Mutex
	closed     bool
	cancelFeed func()
}

// New builds the parts configured by cfg over st, with their caches, and
// validates the combination as Cassandra's AuthConfig does (see
// [Config.Validate]), then runs each part's configuration check in
// Cassandra's order: authenticator, authorizer, role manager, network
// authorizer, CIDR authorizer. It does not touch the store; call
// [Auth.Setup] next.
//
// If st implements [store.ChangeFeed], New subscribes to it, so that
// changes made by other processes invalidate the caches too.
//
// Errors are CONFIG_ERROR [*roles.Error] values with Cassandra's texts
// ([ErrUnknownClass], [ErrIncompatible], [ErrInvalidValue] in their
// chains), including "CassandraRoleManager must be used with
// PasswordAuthenticator" when [Options.RoleManager] is combined with a
// password authenticator, and those of the parts' constructors and
// ValidateConfiguration methods (e.g. "authenticator.parameters.
// validator_class_name is not set").
func New(cfg Config, st store.Store, opts Options) (*Auth, error) {
	if st == nil {
		return nil, roles.Errorf(roles.CodeConfigError, "cassauth: a store is required")
	}
	class, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	a := &Auth{cfg: cfg, opts: opts, class: class, clock: opts.Clock, log: opts.Logger, store: st}
	if a.clock == nil {
		if opts.ClockResolution > 0 {
			a.coarse = newCoarseClock(opts.ClockResolution)
			a.clock = a.coarse
		} else {
			a.clock = cache.SystemClock{}
		}
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	built := false
	defer func() {
		if !built {
			a.closeCaches() // the caches built so far, and the owned clock
		}
	}()
	usesPasswords := class.authn.short == PasswordAuthenticator || class.authn.short == MutualTLSWithPasswordFallbackAuthenticator
	usesCredentials := usesPasswords || class.authn.short == MutualTLSAuthenticator
	if cs := cfg.Credentials.Settings(); !usesCredentials &&
		(cs.UpdateInterval > 0 || cs.Validity != cache.DefaultValidity || cs.MaxEntries != cache.DefaultMaxEntries) {
		a.log.Info("Configuration options credentials_update_interval, credentials_validity and " +
			"credentials_cache_max_entries may not be applicable for the configured authenticator (" +
			AuthPackage + "." + class.authn.short + ")")
	}
	if usesPasswords && opts.RoleManager != nil {
		return nil, incompatible("CassandraRoleManager must be used with PasswordAuthenticator")
	}
	hasher, err := authn.NewHasher(authn.HasherConfig{Cost: cfg.BcryptRounds, MaxConcurrent: opts.MaxConcurrentHashes,
		QueueTimeout: opts.HashQueueTimeout, MaxQueued: opts.MaxQueuedHashes})
	if err != nil {
		return nil, err
	}
	if err := a.buildParts(usesPasswords, hasher); err != nil {
		return nil, err
	}
	a.authzRequired = a.authorizer.RequireAuthorization()
	if err := a.buildCaches(class.authn.require); err != nil {
		return nil, err
	}
	if err := a.buildAuthenticator(hasher); err != nil {
		return nil, err
	}
	for _, check := range []func() error{
		a.authenticator.ValidateConfiguration,
		a.authorizer.ValidateConfiguration,
		a.roleManager.ValidateConfiguration,
		a.network.ValidateConfiguration,
		a.cidr.ValidateConfiguration,
	} {
		if err := check(); err != nil {
			return nil, err
		}
	}
	if err := a.buildFacades(); err != nil {
		return nil, err
	}
	built = true
	if feed, ok := st.(store.ChangeFeed); ok {
		a.cancelFeed = feed.Subscribe(a.onChange)
	}
	return a, nil
}

// buildParts builds the role manager, authorizer and network and CIDR
// authorizers, all uncached.
func (a *Auth) buildParts(usesPasswords bool, hasher *authn.Hasher) error {
	if a.opts.RoleManager != nil {
		a.roleManager = a.opts.RoleManager
	} else {
		t, err := roles.NewTable(roles.Config{
			Store:                   a.store,
			PasswordAuthentication:  usesPasswords,
			Hasher:                  hasher,
			Logger:                  a.log,
			Now:                     a.clock.Now,
			DisableDefaultSuperuser: a.opts.DisableDefaultSuperuser,
			DefaultRole:             a.opts.DefaultRole,
		})
		if err != nil {
			return err
		}
		a.roleManager = t
	}
	if a.class.authz.require {
		t, err := authz.NewTable(authz.Config{Store: a.store, Roles: a.roleManager, Permissions: a.exactPermissions, Logger: a.log})
		if err != nil {
			return err
		}
		a.authorizer = t
	} else {
		a.authorizer = authz.AllowAll{}
	}
	if a.class.network.require {
		t, err := authz.NewTableNetwork(authz.NetworkConfig{Store: a.store, Roles: a.roleManager})
		if err != nil {
			return err
		}
		a.network = t
	} else {
		a.network = authz.AllowAllNetwork{}
	}
	if a.class.cidr.require {
		t, err := authz.NewTableCIDR(authz.CIDRConfig{
			Store:                 a.store,
			Roles:                 a.roleManager,
			Mode:                  a.cfg.CIDR.Mode,
			ChecksForSuperusers:   a.cfg.CIDR.ChecksForSuperusers,
			GroupsRefreshInterval: a.cfg.CIDR.GroupsCacheRefreshInterval,
			Now:                   a.clock.Now,
			Logger:                a.log,
		})
		if err != nil {
			return err
		}
		a.cidr = t
	} else {
		a.cidr = authz.AllowAllCIDR{Store: a.store}
	}
	return nil
}

// buildAuthenticator builds the configured authenticator over the
// CredentialsCache and IdentitiesCache.
func (a *Auth) buildAuthenticator(hasher *authn.Hasher) error {
	pw := authn.PasswordConfig{
		Hashes:     credentialsSource{a},
		Hasher:     hasher,
		Mechanisms: a.opts.Mechanisms,
		Logger:     a.log,
		Verified: authn.VerifiedCacheConfig{
			Enabled:    a.cfg.VerifiedCredentialsCache,
			MaxEntries: a.caches.creds.Settings().MaxEntries,
			TTL:        a.caches.creds.Settings().Validity,
			Now:        a.clock.Now,
		},
	}
	if !a.caches.creds.Settings().Enabled() {
		pw.Verified.Enabled = false // credentials caching is off: so is this
	}
	tls := func() authn.MutualTLSConfig {
		v := a.opts.CertificateValidator
		switch {
		case v != nil:
		case a.class.validator.short == SpiffeCertificateValidator:
			v = authn.SpiffeValidator{}
		case a.class.validator.short == CommonNameCertificateValidator:
			v = authn.CommonNameValidator{}
		}
		return authn.MutualTLSConfig{
			Validator:                        v,
			Identities:                       identitiesSource{a},
			ClientEncryption:                 a.cfg.ClientEncryption,
			MaxCertificateValidity:           a.opts.MaxCertificateValidity,
			CertificateValidityWarnThreshold: a.opts.CertificateValidityWarnThreshold,
			Logger:                           a.log,
			Now:                              a.clock.Now,
		}
	}
	switch a.class.authn.short {
	case AllowAllAuthenticator:
		a.authenticator = authn.AllowAll{}
	case PasswordAuthenticator:
		p, err := authn.NewPassword(pw)
		if err != nil {
			return err
		}
		a.authenticator, a.password = p, p
	case MutualTLSAuthenticator:
		m, err := authn.NewMutualTLS(tls())
		if err != nil {
			return err
		}
		a.authenticator = m
	case MutualTLSWithPasswordFallbackAuthenticator:
		pw.ClassName = authn.MutualTLSWithPasswordFallbackClassName
		f, err := authn.NewMutualTLSWithPasswordFallback(pw, tls())
		if err != nil {
			return err
		}
		a.authenticator, a.password = f, f.Password
	}
	return nil
}

// buildFacades builds the cached, invalidating parts handed out.
func (a *Auth) buildFacades() error {
	a.roles = &cachedRoles{a: a, m: a.roleManager}
	a.authz = &cachedAuthorizer{a: a, z: a.authorizer}
	a.net = &cachedNetwork{a: a, n: a.network}
	a.cidrC = newCachedCIDR(a)
	protected := append(append(append([]resource.Resource(nil),
		a.authenticator.ProtectedResources()...),
		a.authorizer.ProtectedResources()...),
		a.roleManager.ProtectedResources()...)
	ch, err := authz.NewChecker(authz.CheckerConfig{
		Authorizer:       a.authz,
		Roles:            a.roles,
		Permissions:      a.exactPermissions,
		Protected:        protected,
		TraverseFromRoot: a.cfg.TraverseAuthFromRoot,
		Network:          a.net,
		CIDR:             a.cidrC,
		JMXPermissions:   a.jmxPermissions,
		Logger:           a.log,
	})
	if err != nil {
		return err
	}
	a.checker = ch
	a.hooks = &authz.SchemaHooks{Authorizer: a.authz, Network: a.net, CIDR: a.cidrC}
	return nil
}

// Setup runs the parts' setup in Cassandra's order (StorageService's
// doAuthSetup): role manager (which creates the default superuser),
// authenticator, authorizer, network authorizer, CIDR authorizer; then,
// with auth_cache_warming_enabled, it warms every cache that has a bulk
// loader (PermissionsCache, RolesCache, CredentialsCache, IdentitiesCache),
// retrying each up to [Options.WarmingMaxRetries] times. The caches and the
// change-feed subscription exist from [New] on.
//
// Errors: the first part's setup error, wrapped with the part's name; the
// later parts are not set up. A cache that still cannot be warmed after its
// retries is logged at WARN and left cold, as warming is an optimisation.
// ErrClosed after Close.
func (a *Auth) Setup(ctx context.Context) error {
	if a.isClosed() {
		return ErrClosed
	}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"role manager", a.roleManager.Setup},
		{"authenticator", a.authenticator.Setup},
		{"authorizer", a.authorizer.Setup},
		{"network authorizer", a.network.Setup},
		{"CIDR authorizer", a.cidr.Setup},
	}
	for _, s := range steps {
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("cassauth: %s setup: %w", s.name, err)
		}
	}
	// The role manager may have created the default superuser behind the
	// facades: forget anything read before.
	a.invalidateAll()
	if a.cfg.AuthCacheWarmingEnabled {
		a.warm(ctx)
	}
	return nil
}

// warm runs Cassandra's cache warming (AuthCacheService.warmCaches).
func (a *Auth) warm(ctx context.Context) {
	retries := a.opts.WarmingMaxRetries
	if retries == 0 {
		retries = 10
	}
	interval := a.opts.WarmingRetryInterval
	if interval == 0 {
		interval = time.Second
	}
	for _, c := range a.caches.all {
		for attempt := 0; ; attempt++ {
			err := c.h.Warm(ctx)
			if err == nil {
				break
			}
			if attempt >= retries || ctx.Err() != nil || errors.Is(err, cache.ErrClosed) {
				a.log.Warn("Failed to pre-warm "+c.h.Name()+" cache", slog.Any("error", err))
				break
			}
			if !a.sleep(ctx, interval) {
				break
			}
		}
	}
}

// sleep waits d on the clock; false if ctx ended first.
func (a *Auth) sleep(ctx context.Context, d time.Duration) bool {
	if d < 0 {
		return ctx.Err() == nil
	}
	done := make(chan struct{})
	t := a.clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}

// Close unsubscribes from the store's change feed and closes every cache,
// stopping their goroutines; when it returns no goroutine started by the
// Auth is left. Later one-call operations return [ErrClosed] (the caches'
// Gets fail with [cache.ErrClosed]). Close does not close the store.
// It is idempotent and returns nil.
func (a *Auth) Close() error {
	a.closeMu.Lock()
	if a.closed {
		a.closeMu.Unlock()
		return nil
	}
	a.closed = true
	cancel := a.cancelFeed
	a.closeMu.Unlock()
	if cancel != nil {
		cancel()
	}
	a.closeCaches()
	return nil
}

// closeCaches closes every cache and the owned clock.
func (a *Auth) closeCaches() {
	for _, c := range a.caches.all {
		c.h.Close()
	}
	if a.coarse != nil {
		a.coarse.close()
	}
}

func (a *Auth) isClosed() bool {
	a.closeMu.Lock()
	defer a.closeMu.Unlock()
	return a.closed
}
