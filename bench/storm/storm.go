// Package storm measures a login storm against cassauth's Password
// authenticator: many concurrent SASL PLAIN logins of a few roles, with and
// without the verified-credentials cache, reporting wall time, CPU time,
// peak goroutines and how many bcrypt runs the storm cost.
package storm

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/authn"
	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// Mode is how the storm meets the verified-credentials cache.
type Mode uint8

const (
	// Off: no verified-credentials cache; every login runs bcrypt
	// (Cassandra's behaviour), under the hashing semaphore.
	Off Mode = iota
	// Cold: the cache is on but empty when the storm starts; the first
	// login of each role runs bcrypt and concurrent logins of that role
	// wait for it.
	Cold
	// Warm: the cache already holds every role; no login runs bcrypt.
	Warm
)

// String returns "off", "cold" or "warm".
func (m Mode) String() string {
	switch m {
	case Off:
		return "off"
	case Cold:
		return "cold"
	case Warm:
		return "warm"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Config describes one storm. Zero values mean the documented defaults.
type Config struct {
	// Logins is the number of logins; zero means 10,000.
	Logins int
	// Roles is the number of distinct roles logging in, round robin; zero
	// means 100.
	Roles int
	// Cost is the bcrypt cost of the stored hashes and of the
	// authenticator; zero means 10.
	Cost int
	// Concurrency is the number of logins in flight at once (each its own
	// goroutine, as each would be its own connection); zero means all of
	// them at once.
	Concurrency int
	// Mode selects the verified-credentials cache's state.
	Mode Mode
	// MaxConcurrentHashes and QueueTimeout bound bcrypt (see
	// authn.HasherConfig); zero means the library's defaults (a quarter of
	// the CPUs, 5s), which shed load: logins that get no slot in time fail.
	MaxConcurrentHashes int
	QueueTimeout        time.Duration
}

func (c Config) withDefaults() Config {
	if c.Logins == 0 {
		c.Logins = 10_000
	}
	if c.Roles == 0 {
		c.Roles = 100
	}
	if c.Cost == 0 {
		c.Cost = 10
	}
	if c.Concurrency == 0 {
		c.Concurrency = c.Logins
	}
	return c
}

// Result is what a storm cost.
type Result struct {
	Config Config
	// Succeeded and Failed count the logins; a failure is a login refused
	// by load shedding (no hashing slot in time) or any other error.
	Succeeded, Failed int
	// FirstError is the first failure's message, if any.
	FirstError string
	// Wall is the time from the first login started to the last finished;
	// CPU the user and system CPU time the process used meanwhile (-1 where
	// the platform does not say).
	Wall, CPU time.Duration
	// PeakGoroutines is the most goroutines seen alive, sampled every
	// 100µs; the storm's own login goroutines are among them.
	PeakGoroutines int
	// Bcrypts is the number of bcrypt comparisons the storm ran; PeakBcrypt
	// the most that ran at once.
	Bcrypts    uint64
	PeakBcrypt int64
}

// Password is the password of every generated role.
const password = "storm-password"

// Env is a store holding the storm's roles and an authenticator over it.
// Build it with NewEnv; one Env serves several storms of the same cost and
// roles (hashing the roles' passwords at cost 10 takes a while).
type Env struct {
	st     *memstore.Store
	roles  *roles.Table
	tokens [][]byte
	cost   int
}

// NewEnv creates n roles that may log in, each with its own bcrypt hash of
// the password at cost.
func NewEnv(ctx context.Context, n, cost int) (*Env, error) {
	h, err := authn.NewHasher(authn.HasherConfig{Cost: cost, MaxConcurrent: runtime.GOMAXPROCS(0)})
	if err != nil {
		return nil, err
	}
	st := memstore.New()
	rm, err := roles.NewTable(roles.Config{Store: st, DisableDefaultSuperuser: true})
	if err != nil {
		return nil, err
	}
	e := &Env{st: st, roles: rm, cost: cost}
	for i := range n {
		name := fmt.Sprintf("user%03d", i)
		hash, err := h.Hash(ctx, password)
		if err != nil {
			return nil, err
		}
		if err := st.CreateRole(ctx, store.RoleRecord{Name: name, CanLogin: true, SaltedHash: hash}); err != nil {
			return nil, err
		}
		e.tokens = append(e.tokens, authn.EncodePlain(name, authn.NewSecret(password)))
	}
	return e, nil
}

// Close closes the store.
func (e *Env) Close() error { return e.st.Close() }

// errConfig: the storm's configuration does not match its Env.
var errConfig = errors.New("storm: config does not match the environment")

// Run runs one storm in e as cfg describes. Errors are setup failures;
// failed logins are counted in the Result.
func (e *Env) Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	if cfg.Roles != len(e.tokens) || cfg.Cost != e.cost {
		return Result{}, fmt.Errorf("%w: %d roles at cost %d, environment has %d at cost %d",
			errConfig, cfg.Roles, cfg.Cost, len(e.tokens), e.cost)
	}
	p, err := authn.NewPassword(authn.PasswordConfig{
		Store:               e.st,
		Cost:                cfg.Cost,
		MaxConcurrentHashes: cfg.MaxConcurrentHashes,
		QueueTimeout:        cfg.QueueTimeout,
		Verified: authn.VerifiedCacheConfig{
			Enabled: cfg.Mode != Off, TTL: time.Hour, MaxEntries: 2 * cfg.Roles,
		},
	})
	if err != nil {
		return Result{}, err
	}
	if err := p.Setup(ctx); err != nil {
		return Result{}, err
	}
	if cfg.Mode == Warm {
		for _, tok := range e.tokens {
			if err := e.login(ctx, p, tok); err != nil {
				return Result{}, fmt.Errorf("storm: warming: %w", err)
			}
		}
	}
	before := p.Hasher().Stats().Compares

	var failed atomic.Int64
	var firstErr atomic.Pointer[string]
	stop := make(chan struct{})
	var peak atomic.Int64
	var sampler sync.WaitGroup
	sampler.Go(func() {
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			if n := int64(runtime.NumGoroutine()); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})

	cpu0 := cpuTime()
	start := time.Now()
	slots := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range cfg.Logins {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := e.login(ctx, p, e.tokens[i%len(e.tokens)]); err != nil {
				failed.Add(1)
				msg := err.Error()
				firstErr.CompareAndSwap(nil, &msg)
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	if cpu0 < 0 {
		cpu = -1
	}
	close(stop)
	sampler.Wait()

	st := p.Hasher().Stats()
	r := Result{
		Config:         cfg,
		Failed:         int(failed.Load()),
		Wall:           wall,
		CPU:            cpu,
		PeakGoroutines: int(peak.Load()),
		Bcrypts:        st.Compares - before,
		PeakBcrypt:     st.PeakInFlight,
	}
	r.Succeeded = cfg.Logins - r.Failed
	if m := firstErr.Load(); m != nil {
		r.FirstError = *m
	}
	return r, nil
}

// login runs one login as a CQL server does: a negotiator, the client's
// PLAIN token, the credential check, the LOGIN check.
func (e *Env) login(ctx context.Context, p *authn.Password, token []byte) error {
	n, err := p.NewNegotiator(ctx, netip.Addr{}, nil)
	if err != nil {
		return err
	}
	if _, err := n.EvaluateResponse(ctx, token); err != nil {
		return err
	}
	u, err := n.AuthenticatedUser(ctx)
	if err != nil {
		return err
	}
	return authn.Login(ctx, e.roles, u)
}
