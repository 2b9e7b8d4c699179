package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/boltstore"
	"github.com/cassauth/cassauth/store/memstore"
	"github.com/cassauth/cassauth/store/pgstore"
)

// DataFile is the name of the bbolt file in a data directory.
const DataFile = "cassauth.db"

// ErrInUse: the data directory's file is locked by another process (a
// running server, most likely).
var ErrInUse = errors.New("the data directory is in use by another process")

// ErrBadStoreURL: a --store value that names no known backend.
var ErrBadStoreURL = errors.New("unsupported store URL")

// StoreOptions configures OpenStore.
type StoreOptions struct {
	// LockTimeout is how long to wait for the lock of a bbolt file; zero
	// means boltstore's default, negative means do not wait.
	LockTimeout time.Duration
	// Logger receives the store's events; nil discards.
	Logger *slog.Logger
	// MustExist refuses to create a bbolt file that does not exist yet
	// (ErrNoStore), for commands that only read.
	MustExist bool
	// DisableFeed turns off a PostgreSQL store's cross-process change
	// feed (pgstore.Options.DisableFeed): the store neither hears other
	// processes' changes nor tells them of its own, so caches on both
	// sides follow each other only through their validity. Other backends
	// have no feed to turn off and ignore it.
	DisableFeed bool
}

// ErrNoStore: OpenStore with MustExist found no bbolt file.
var ErrNoStore = errors.New("no store")

// Kind names the backend a store spec selects.
type Kind string

// The backends.
const (
	KindBolt     Kind = "bolt"
	KindPostgres Kind = "postgres"
	KindMemory   Kind = "memory"
)

// Spec is a parsed store spec.
type Spec struct {
	Kind Kind
	// Path is the bbolt file (KindBolt).
	Path string
	// DSN is the connection string (KindPostgres).
	DSN string
}

// String describes s without secrets (a DSN's password is masked).
func (s Spec) String() string {
	switch s.Kind {
	case KindBolt:
		return "bolt://" + s.Path
	case KindPostgres:
		if u, err := url.Parse(s.DSN); err == nil && u.Scheme != "" {
			return u.Redacted()
		}
		return "postgres (DSN)"
	}
	return string(s.Kind) + ":"
}

// ParseSpec reads a store spec: "" (the data directory dataDir), a plain
// directory or file path, "bolt:///path", "postgres://..." or
// "postgresql://..." (or a libpq key=value string starting with a known
// key), or "memory:". A bolt path names a directory, whose file is
// DataFile, unless it ends in ".db" or is an existing regular file.
func ParseSpec(spec, dataDir string) (Spec, error) {
	switch {
	case spec == "":
		return Spec{Kind: KindBolt, Path: filepath.Join(dataDir, DataFile)}, nil
	case spec == "memory:" || spec == "memory://":
		return Spec{Kind: KindMemory}, nil
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"),
		strings.HasPrefix(spec, "host="), strings.HasPrefix(spec, "dbname="):
		return Spec{Kind: KindPostgres, DSN: spec}, nil
	case strings.HasPrefix(spec, "bolt://"):
		u, err := url.Parse(spec)
		if err != nil || u.Path == "" || (u.Host != "" && u.Host != "localhost") {
			return Spec{}, fmt.Errorf("%w: %q: write bolt:///absolute/path", ErrBadStoreURL, spec)
		}
		return Spec{Kind: KindBolt, Path: boltFile(u.Path)}, nil
	case strings.Contains(spec, "://") || strings.HasSuffix(spec, ":"):
		return Spec{}, fmt.Errorf("%w: %q: use a directory, bolt:///path, postgres://... or memory:", ErrBadStoreURL, spec)
	}
	return Spec{Kind: KindBolt, Path: boltFile(spec)}, nil
}

func boltFile(p string) string {
	if strings.HasSuffix(p, ".db") {
		return p
	}
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p
	}
	return filepath.Join(p, DataFile)
}

// OpenStore opens the store s names: a bbolt file (creating its directory,
// mode 0700), a PostgreSQL schema, or an empty in-memory store. The closer
// releases it. Errors: ErrInUse (wrapping boltstore.ErrLocked) when another
// process holds the bbolt file; the backend's errors otherwise.
func OpenStore(ctx context.Context, s Spec, o StoreOptions) (store.Store, io.Closer, error) {
	switch s.Kind {
	case KindMemory:
		return memstore.New(), closerFunc(func() error { return nil }), nil
	case KindPostgres:
		st, err := pgstore.Open(ctx, s.DSN, &pgstore.Options{Logger: o.Logger, DisableFeed: o.DisableFeed})
		if err != nil {
			return nil, nil, err
		}
		return st, st, nil
	case KindBolt:
		if o.MustExist {
			if _, err := os.Stat(s.Path); errors.Is(err, os.ErrNotExist) {
				return nil, nil, fmt.Errorf("%w at %s (wrong --data? a store is created by serve, exec or import)", ErrNoStore, s.Path)
			}
		}
		if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
			return nil, nil, err
		}
		st, err := boltstore.Open(s.Path, &boltstore.Options{Timeout: o.LockTimeout, Logger: o.Logger})
		if errors.Is(err, boltstore.ErrLocked) {
			return nil, nil, fmt.Errorf("%w: %s is locked (is cassauth serve running on it? stop it, or pass --server URL to go through the server)", ErrInUse, s.Path)
		}
		if err != nil {
			return nil, nil, err
		}
		return st, st, nil
	}
	return nil, nil, fmt.Errorf("%w: %q", ErrBadStoreURL, s.Kind)
}

// closerFunc is an io.Closer made of a function.
type closerFunc func() error

// Close calls f.
func (f closerFunc) Close() error { return f() }
