package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cassauth/cassauth/store"
)

var (
	_ store.Store      = (*Store)(nil)
	_ store.ChangeFeed = (*Store)(nil)
	_ store.Catalog    = (*Store)(nil)
)

// Store is the PostgreSQL backend of [store.Store]: the system_auth tables
// in one schema of a database that many processes share. It also
// implements [store.ChangeFeed], across processes, and [store.Catalog].
// Create it with [Open] and release it with [Store.Close]; the zero value
// is not usable.
//
// A Store is safe for concurrent use by multiple goroutines, and by many
// processes on one database. Each method runs one statement, or one
// transaction for the multi-row ones, so every method is atomic; reads see
// a consistent snapshot (READ COMMITTED, one statement each).
type Store struct {
	pool    *pgxpool.Pool
	schema  string
	channel string
	log     *slog.Logger
	// origin identifies this Store in its notifications, so that it
	// ignores its own (it delivers them before the write returns).
	origin string
	// rolesLock is the advisory lock key that serialises writes of the
	// role tables (roles, role_members) across processes.
	rolesLock int64
	sql       statements
	feed      *listener // nil when Options.DisableFeed

	// closeMu serialises Close; closed is read without it.
	closeMu sync.Mutex
	closed  atomic.Bool

	// feedMu guards subs and serialises deliveries: a delivery holds it
	// (and nothing else) while it runs the callbacks, so cancel can wait
	// for a running callback.
	feedMu sync.Mutex
	subs   []*subscription
}

// statements holds the SQL of every table, with the schema filled in.
type statements struct {
	roles roleSQL
	perms permSQL
	net   netSQL
	ids   identitySQL
	cat   catalogSQL
}

// querier is what the store runs statements on: the pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// txBeginner is a querier that can begin a transaction.
type txBeginner interface {
	querier
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string, as pgx accepts, pool_* parameters included), creates
// the schema and its tables when they do not exist, migrates a schema of
// an older version in one transaction, and, unless Options.DisableFeed,
// starts listening for other processes' changes before it returns. opts
// may be nil. Many processes may Open the same schema at once: they
// migrate it once, under an advisory lock.
//
// Errors are [*store.Error] values with Op "Open" and the schema as Key,
// wrapping:
//   - [store.ErrInvalid] for invalid Options or a DSN pgx cannot parse
//     (the message never repeats the DSN, which may hold a password);
//   - [ErrUnsupportedVersion] when the schema is newer than
//     [SchemaVersion] (it is left untouched);
//   - [ErrCorrupt] when the schema holds tables but no schema_version, or
//     lacks a table;
//   - the context's error, or pgx's (a *pgconn.PgError reachable with
//     [errors.As]) when the server cannot be reached or refuses.
func Open(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	const op = "Open"
	o, err := opts.withDefaults()
	if err != nil {
		return nil, opErr(op, o.Schema, err)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, opErr(op, o.Schema, &dsnError{err: err})
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "cassauth-pgstore"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, opErr(op, o.Schema, classify(ctx, err))
	}
	s := &Store{
		pool:      pool,
		schema:    o.Schema,
		channel:   o.NotifyChannel,
		log:       o.Logger.With(slog.String("schema", o.Schema)),
		origin:    newOrigin(),
		rolesLock: lockKey("cassauth/pgstore roles " + o.Schema),
	}
	s.sql = newStatements(expander(o.Schema))
	from, to, err := upgrade(ctx, pool, o.Schema, migrations())
	if err != nil {
		pool.Close()
		return nil, opErr(op, o.Schema, classify(ctx, err))
	}
	if from != to {
		s.log.Info("pgstore: migrated schema", slog.Int("from", from), slog.Int("to", to))
	}
	if !o.DisableFeed {
		feedCfg := cfg.ConnConfig.Copy()
		feedCfg.RuntimeParams["application_name"] = cfg.ConnConfig.RuntimeParams["application_name"] + "-feed"
		s.feed, err = startListener(ctx, feedCfg, s, o.feedPing)
		if err != nil {
			pool.Close()
			return nil, opErr(op, o.Schema, classify(ctx, err))
		}
	}
	s.log.Info("pgstore: opened", slog.Int("schema_version", SchemaVersion),
		slog.Bool("feed", !o.DisableFeed), slog.String("channel", o.NotifyChannel))
	return s, nil
}

// newStatements builds every table's SQL for one schema.
func newStatements(x func(string) string) statements {
	return statements{
		roles: newRoleSQL(x),
		perms: newPermSQL(x),
		net:   newNetSQL(x),
		ids:   newIdentitySQL(x),
		cat:   newCatalogSQL(x),
	}
}

// Schema returns the PostgreSQL schema that holds the store's tables.
func (s *Store) Schema() string { return s.schema }

// FeedConnected reports whether the cross-process change feed is
// listening right now: false with Options.DisableFeed, after Close, and
// while the feed reconnects. A health check can report it; while it is
// false, other processes' changes reach caches only through their validity
// and refresh intervals.
func (s *Store) FeedConnected() bool { return s.feed != nil && !s.closed.Load() && s.feed.connected() }

// Close stops the change feed (waiting for a delivery in progress),
// unregisters every subscriber, and closes the connection pool, waiting
// for the calls in progress to release their connections. Every later
// call of a [store.Store] method returns an error wrapping
// [store.ErrClosed], and Subscribe registers nothing. Close is idempotent,
// always returns nil, and must not be called from a [store.ChangeFeed]
// callback.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed.Load() {
		return nil
	}
	s.closed.Store(true)
	if s.feed != nil {
		s.feed.stop()
	}
	s.feedMu.Lock()
	s.subs = nil
	s.feedMu.Unlock()
	s.pool.Close()
	s.log.Info("pgstore: closed")
	return nil
}

// begin checks, before a call does any I/O, that ctx is live and the store
// open.
func (s *Store) begin(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return opErr(op, key, err)
	}
	if s.closed.Load() {
		return opErr(op, key, store.ErrClosed)
	}
	return nil
}

// fail wraps the failure of a statement of op: store.ErrClosed when the
// store was closed under it, else the classified error.
func (s *Store) fail(ctx context.Context, op, key string, err error) error {
	if s.closed.Load() && ctx.Err() == nil {
		return opErr(op, key, fmt.Errorf("%w: %w", store.ErrClosed, err))
	}
	return opErr(op, key, classify(ctx, err))
}

// maxAttempts bounds the runs of a write transaction that meets a
// serialization failure or a deadlock.
const maxAttempts = 5

// write runs fn in a transaction and commits it. fn returns the Change it
// made, or nil when it changed nothing. With the feed on, a Change is
// also sent with pg_notify inside the transaction, so other processes
// hear of it exactly when it commits. After the commit, before write
// returns, the Change reaches this Store's subscribers. With lockRoles the
// transaction first takes the advisory lock that serialises the writers
// of the role tables.
//
// fn's error is returned classified and wrapped in a *store.Error for op
// and key; nothing is written then. When the COMMIT itself fails, the
// outcome is unknown: the Change is delivered anyway, since invalidating
// for nothing costs a reload and missing a change serves stale data.
func (s *Store) write(ctx context.Context, op, key string, lockRoles bool, fn func(tx pgx.Tx) (*store.Change, error)) error {
	if err := s.begin(ctx, op, key); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		var ch *store.Change
		committing := false
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if lockRoles {
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.rolesLock); err != nil {
					return err
				}
			}
			var err error
			if ch, err = fn(tx); err != nil || ch == nil {
				return err
			}
			if s.feed != nil {
				if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, s.channel, s.payload(*ch)); err != nil {
					return err
				}
			}
			committing = true
			return nil
		})
		switch {
		case err == nil:
			if ch != nil {
				s.deliver(*ch)
			}
			return nil
		case committing:
			s.deliver(*ch)
		case retryable(err) && attempt < maxAttempts && ctx.Err() == nil:
			continue
		}
		return s.fail(ctx, op, key, err)
	}
}

// deliver runs every subscriber on ch, one delivery at a time.
func (s *Store) deliver(ch store.Change) {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	for _, sub := range s.subs {
		sub.fn(ch)
	}
}

// lockKey derives a 64-bit advisory lock key from a name (FNV-1a).
func lockKey(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return int64(h.Sum64())
}

// newOrigin returns a random identifier for a Store's notifications.
func newOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// dsnError is a DSN that pgx could not parse. Its message does not repeat
// the DSN, which may hold a password; pgx's error stays reachable with
// errors.As.
type dsnError struct{ err error }

func (e *dsnError) Error() string { return store.ErrInvalid.Error() + ": cannot parse the DSN" }

// Unwrap returns store.ErrInvalid and pgx's error.
func (e *dsnError) Unwrap() []error { return []error{store.ErrInvalid, e.err} }

// errNoRows reports whether err is pgx's "no rows in result set".
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
