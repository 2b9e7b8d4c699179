package boltstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/cassauth/cassauth/store"
)

var (
	_ store.Store      = (*Store)(nil)
	_ store.ChangeFeed = (*Store)(nil)
)

// Store is the bbolt backend of [store.Store]: every system_auth table in
// one file. It also implements [store.ChangeFeed] for the writes made
// through it. Create it with [Open] and release it with [Store.Close]; the
// zero value is not usable.
//
// A Store is safe for concurrent use by multiple goroutines. Each method
// runs in one bbolt transaction: reads in a read-only one (they run in
// parallel and see a consistent snapshot), writes in a read-write one
// (one at a time), so every method, including the multi-row ones, is
// atomic. A write is durable when it returns, unless Options.NoSync.
type Store struct {
	db   *bolt.DB
	path string
	log  *slog.Logger

	// closed is set once by Close, under wmu; readers check it without a
	// lock (a read that races with Close gets bbolt's "database not open",
	// reported as store.ErrClosed).
	closed atomic.Bool

	// wmu serialises write transactions (bbolt would anyway) so that a
	// writer can take feedMu before the next writer commits: subscribers
	// then see changes in commit order. Lock order: wmu before feedMu.
	// Subscribe takes both, so that a subscriber sees exactly the commits
	// that follow it.
	wmu sync.Mutex
	// feedMu guards subs and serialises deliveries; a writer holds it, and
	// not wmu nor any bbolt lock, while it runs the callbacks.
	feedMu sync.Mutex
	subs   []*subscription
}

// Open opens the store in the file at path, creating the file (mode
// Options.FileMode) and its tables when it does not exist, and migrating
// a file of an older format version in one transaction. opts may be nil.
//
// Only one Store, in one process, may have a file open at a time: Open
// takes an exclusive lock on it and waits up to Options.Timeout for it.
// Errors are [*store.Error] values with Op "Open" and the path as Key,
// wrapping:
//   - [ErrLocked] (and bbolt's ErrTimeout) when another process or Store
//     holds the file;
//   - [ErrUnsupportedVersion] when the file's format is newer than
//     [FormatVersion] (the file is not modified);
//   - [ErrCorrupt] when the file is not a bbolt file, fails bbolt's checks
//     on open, lacks a table, or holds buckets of another program;
//   - an *fs.PathError or other error from the file system.
func Open(path string, opts *Options) (*Store, error) {
	const op = "Open"
	if opts == nil {
		opts = &Options{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bopts := &bolt.Options{Timeout: opts.timeout(), NoSync: opts.NoSync}
	if opts.Logger != nil {
		bopts.Logger = boltLogger{opts.Logger}
	}
	db, err := bolt.Open(path, opts.fileMode(), bopts)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, &store.Error{Op: op, Key: path, Err: fmt.Errorf(
			"%w: another process, or another Store in this process, has the file open (gave up after %v: %w)",
			ErrLocked, opts.timeout(), err)}
	}
	if err != nil {
		return nil, opErr(op, path, err)
	}
	s := &Store{db: db, path: path, log: log}
	if err := s.upgrade(migrations); err != nil {
		_ = db.Close()
		return nil, opErr(op, path, err)
	}
	log.Info("boltstore: opened", slog.String("path", path), slog.Int("format_version", FormatVersion),
		slog.Bool("no_sync", opts.NoSync))
	return s, nil
}

// upgrade checks the file's format version and migrates it to
// len(steps), then checks that every table exists.
func (s *Store) upgrade(steps []migration) error {
	var have uint64
	if err := s.db.View(func(tx *bolt.Tx) (err error) {
		have, err = readVersion(tx)
		return err
	}); err != nil {
		return err
	}
	target := uint64(len(steps))
	if have > target {
		return unsupported(have, target)
	}
	if have < target {
		var from uint64
		if err := s.db.Update(func(tx *bolt.Tx) (err error) {
			from, err = migrate(tx, steps)
			return err
		}); err != nil {
			return err
		}
		s.log.Info("boltstore: migrated file format", slog.String("path", s.path),
			slog.Uint64("from", from), slog.Uint64("to", target))
	}
	return s.db.View(func(tx *bolt.Tx) error {
		for _, name := range append([][]byte{bucketMeta}, currentBuckets...) {
			if tx.Bucket(name) == nil {
				return corrupt("table %q is missing", name)
			}
		}
		return nil
	})
}

// Path returns the path of the store's file, as given to Open.
func (s *Store) Path() string { return s.path }

// Close waits for the write and the change delivery in progress, if any,
// and for running reads, then unregisters every subscriber and closes the
// file, releasing its lock. Every later call of a [store.Store] method
// returns an error wrapping [store.ErrClosed], and Subscribe registers
// nothing. Close is idempotent: later calls return nil. It returns a
// [*store.Error] if bbolt fails to close the file, and must not be called
// from a [store.ChangeFeed] callback.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Load() {
		return nil
	}
	s.closed.Store(true)
	s.feedMu.Lock()
	s.subs = nil
	s.feedMu.Unlock()
	if err := s.db.Close(); err != nil {
		return opErr("Close", s.path, err)
	}
	s.log.Info("boltstore: closed", slog.String("path", s.path))
	return nil
}

// view runs fn in a read-only transaction after checking ctx and that the
// store is open. Errors are wrapped in a *store.Error for op and key.
func (s *Store) view(ctx context.Context, op, key string, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return opErr(op, key, err)
	}
	if s.closed.Load() {
		return opErr(op, key, store.ErrClosed)
	}
	if err := s.db.View(fn); err != nil {
		return opErr(op, key, err)
	}
	return nil
}

// update runs fn in a read-write transaction after checking ctx and that
// the store is open, and delivers the Change fn returns to the
// subscribers after the commit, before returning. fn returns a nil Change
// when it changes nothing: the transaction is then rolled back, so a
// write that changes nothing costs no commit and no fsync. Errors are
// wrapped in a *store.Error for op and key; nothing is written then.
func (s *Store) update(ctx context.Context, op, key string, fn func(tx *bolt.Tx) (*store.Change, error)) error {
	if err := ctx.Err(); err != nil {
		return opErr(op, key, err)
	}
	s.wmu.Lock()
	locked := true
	defer func() {
		if locked {
			s.wmu.Unlock()
		}
	}()
	if s.closed.Load() {
		return opErr(op, key, store.ErrClosed)
	}
	if err := ctx.Err(); err != nil { // it may have ended while we waited
		return opErr(op, key, err)
	}
	var ch *store.Change
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		ch, err = fn(tx)
		if err == nil && ch == nil {
			return errNoChange
		}
		return err
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err != nil {
		return opErr(op, key, err)
	}
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	s.wmu.Unlock()
	locked = false
	for _, sub := range s.subs {
		sub.fn(*ch)
	}
	return nil
}
