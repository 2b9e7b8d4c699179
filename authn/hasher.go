package authn

import (
	"context"
	"crypto/rand"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cassauth/cassauth/internal/passwd"
	"github.com/cassauth/cassauth/roles"
)

// DefaultQueueTimeout is how long a bcrypt run waits for a free slot when
// [HasherConfig].QueueTimeout is zero: long enough to ride out a burst,
// shorter than the connect timeouts of common drivers, so that a client sees
// an authentication error rather than a silent hang.
const DefaultQueueTimeout = 5 * time.Second

// HasherConfig configures [NewHasher]. The zero value is ready to use.
type HasherConfig struct {
	// Cost is the bcrypt cost of new hashes and of the dummy hash that
	// unknown roles are checked against: 4..30 (Cassandra's
	// cassandra.auth_bcrypt_gensalt_log2_rounds); 0 means 10.
	Cost int
	// MaxConcurrent bounds how many bcrypt runs execute at once; 0 means a
	// quarter of GOMAXPROCS (the CPUs Go uses), at least one. Negative is
	// a configuration error.
	MaxConcurrent int
	// QueueTimeout bounds how long a run waits for a slot; 0 means
	// [DefaultQueueTimeout]; negative means it does not wait at all.
	QueueTimeout time.Duration
	// MaxQueued bounds how many callers may wait for a slot at once; those
	// beyond fail at once with [ErrHashingQueueFull]. 0 means no bound.
	MaxQueued int
}

// Hasher runs bcrypt under a bounded semaphore: at most MaxConcurrent hashes
// or comparisons at once, each waiting at most QueueTimeout for its turn, so
// that a reconnect storm cannot take every CPU. The Password authenticator
// checks passwords with it, and the role manager can hash CREATE/ALTER ROLE
// passwords with the same one ([roles.Config].Hasher). bcrypt runs on the
// calling goroutine; a caller that gives up (timeout or cancelled context)
// leaves no goroutine behind. Safe for concurrent use.
type Hasher struct {
	cost  int
	sem   *semaphore
	dummy func() (string, error) // the dummy hash at cost, made once

	hashes   atomic.Uint64
	compares atomic.Uint64
}

var _ roles.Hasher = (*Hasher)(nil)

// NewHasher returns a Hasher for cfg. Configuration errors are
// [*roles.Error] values with code CONFIG_ERROR: a cost outside 4..30 gives
// Cassandra's message ("Bad value for system property
// cassandra.auth_bcrypt_gensalt_log2_rounds.Please use a value between 4 and
// 30 inclusively") with cause [ErrBadCost]; a negative MaxConcurrent or
// MaxQueued is refused too.
func NewHasher(cfg HasherConfig) (*Hasher, error) {
	cost := cfg.Cost
	if cost == 0 {
		cost = passwd.DefaultCost
	}
	if err := passwd.ValidateCost(cost); err != nil {
		return nil, &roles.Error{Code: roles.CodeConfigError, Msg: err.Error(), Err: err}
	}
	slots := cfg.MaxConcurrent
	switch {
	case slots < 0:
		return nil, configError("authn: HasherConfig.MaxConcurrent must not be negative")
	case slots == 0:
		slots = max(1, runtime.GOMAXPROCS(0)/4)
	}
	if cfg.MaxQueued < 0 {
		return nil, configError("authn: HasherConfig.MaxQueued must not be negative")
	}
	timeout := cfg.QueueTimeout
	if timeout == 0 {
		timeout = DefaultQueueTimeout
	}
	h := &Hasher{cost: cost, sem: newSemaphore(slots, timeout, cfg.MaxQueued)}
	h.dummy = sync.OnceValues(func() (string, error) {
		// A random password nobody knows; its hash costs what a real one does.
		return passwd.Hash(rand.Text(), cost)
	})
	return h, nil
}

// Cost returns the bcrypt cost of new hashes.
func (h *Hasher) Cost() int { return h.cost }

// Slots returns how many bcrypt runs may execute at once.
func (h *Hasher) Slots() int { return cap(h.sem.slots) }

// Hash returns a "$2a$" bcrypt hash of password at the configured cost; only
// the first 72 bytes of password count (see [passwd.Hash]). It returns
// ErrHashingBusy or ErrHashingQueueFull when no slot is free in time, or
// ctx's error. The password never appears in an error.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.sem.acquire(ctx); err != nil {
		return "", err
	}
	defer h.sem.release()
	h.hashes.Add(1)
	return passwd.Hash(password, h.cost)
}

// Compare reports whether password matches hash, a "$2a$", "$2b$" or "$2y$"
// bcrypt hash (only the first 72 bytes of password count). A mismatch is
// (false, nil). A malformed hash is (false, [ErrMalformedHash]) after
// the same work as a real comparison (one bcrypt at the configured cost), so
// that it cannot be told apart by timing. Like Hash, it returns
// ErrHashingBusy, ErrHashingQueueFull or ctx's error when it gets no slot.
func (h *Hasher) Compare(ctx context.Context, hash, password string) (bool, error) {
	if err := h.sem.acquire(ctx); err != nil {
		return false, err
	}
	defer h.sem.release()
	h.compares.Add(1)
	ok, err := passwd.Compare(hash, password)
	if errors.Is(err, passwd.ErrMalformedHash) {
		h.burn(password)
	}
	return ok, err
}

// compareDummy costs what a wrong password costs: one comparison against
// the dummy hash, under the semaphore. The result is always a mismatch.
func (h *Hasher) compareDummy(ctx context.Context, password string) error {
	if err := h.sem.acquire(ctx); err != nil {
		return err
	}
	defer h.sem.release()
	h.compares.Add(1)
	h.burn(password)
	return nil
}

// burn compares password with the dummy hash and discards the result.
func (h *Hasher) burn(password string) {
	if dummy, err := h.dummy(); err == nil {
		_, _ = passwd.Compare(dummy, password)
	}
}

// prepare makes the dummy hash now, so that the first unknown role does not
// pay for it.
func (h *Hasher) prepare() error {
	_, err := h.dummy()
	return err
}

// HasherStats is a snapshot of a [Hasher]'s counters.
type HasherStats struct {
	Slots        int    // bcrypt runs allowed at once
	InFlight     int64  // bcrypt runs executing now
	PeakInFlight int64  // most bcrypt runs ever executing at once
	Waiting      int64  // callers waiting for a slot now
	Hashes       uint64 // Hash calls that ran bcrypt
	Compares     uint64 // comparisons run (including dummy ones)
	Timeouts     uint64 // callers that got no slot within the queue timeout
	Rejected     uint64 // callers turned away because the queue was full
}

// Stats returns a snapshot of the counters.
func (h *Hasher) Stats() HasherStats {
	return HasherStats{
		Slots:        cap(h.sem.slots),
		InFlight:     h.sem.inFlight.Load(),
		PeakInFlight: h.sem.peak.Load(),
		Waiting:      h.sem.waiting.Load(),
		Hashes:       h.hashes.Load(),
		Compares:     h.compares.Load(),
		Timeouts:     h.sem.timeouts.Load(),
		Rejected:     h.sem.rejected.Load(),
	}
}
