package pgstore

import (
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/cassauth/cassauth/store"
)

// Defaults of [Options].
const (
	// DefaultSchema is the PostgreSQL schema holding the tables when
	// Options.Schema is empty.
	DefaultSchema = "cassauth"
	// DefaultNotifyChannel is the LISTEN/NOTIFY channel of the change feed
	// when Options.NotifyChannel is empty.
	DefaultNotifyChannel = "cassauth_changes"
)

// maxIdentifier is PostgreSQL's limit on identifiers (NAMEDATALEN - 1),
// which applies to schema and channel names.
const maxIdentifier = 63

// Options configures [Open]. The zero value (or a nil *Options) means: the
// tables in schema [DefaultSchema], pgx's default pool size, no logging,
// and the cross-process change feed on [DefaultNotifyChannel].
type Options struct {
	// Schema is the PostgreSQL schema that holds the tables; Open creates
	// it when it does not exist. Several independent stores can share a
	// database under different schemas. Empty means DefaultSchema. At most
	// 63 bytes of UTF-8, without NUL.
	Schema string

	// MaxConns caps the connection pool; zero keeps the DSN's
	// pool_max_conns, or pgx's default (the larger of 4 and the number of
	// CPUs). The change feed uses one more connection, outside the pool.
	MaxConns int32

	// Logger receives the store's own events: open, schema migrations,
	// the change feed losing and regaining its connection, notifications
	// it could not decode. Messages name the schema and channel, never the
	// DSN or its password. Nil discards everything.
	Logger *slog.Logger

	// NotifyChannel is the LISTEN/NOTIFY channel that carries changes
	// between processes. Every process sharing a schema must use the same
	// channel; stores of other schemas on the same channel are told apart
	// and ignored. Empty means DefaultNotifyChannel. At most 63 bytes of
	// UTF-8, without NUL.
	NotifyChannel string

	// DisableFeed turns the cross-process change feed off: writes send no
	// notification and the store listens for none. Subscribers then see
	// only the changes made through this Store, as with boltstore; other
	// processes' changes reach caches only through their validity and
	// refresh intervals.
	DisableFeed bool

	// feedPing replaces feedPingInterval when positive (tests).
	feedPing time.Duration
}

// withDefaults returns a copy of o (which may be nil) with the defaults
// filled in, or an error wrapping store.ErrInvalid.
func (o *Options) withDefaults() (Options, error) {
	var out Options
	if o != nil {
		out = *o
	}
	if out.Schema == "" {
		out.Schema = DefaultSchema
	}
	if out.NotifyChannel == "" {
		out.NotifyChannel = DefaultNotifyChannel
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	if err := checkIdentifier("Schema", out.Schema); err != nil {
		return out, err
	}
	if err := checkIdentifier("NotifyChannel", out.NotifyChannel); err != nil {
		return out, err
	}
	if out.MaxConns < 0 {
		return out, fmt.Errorf("%w: MaxConns %d is negative", store.ErrInvalid, out.MaxConns)
	}
	return out, nil
}

// checkIdentifier validates a schema or channel name: PostgreSQL takes any
// such name when quoted, but truncates it beyond 63 bytes, which would
// silently merge two names.
func checkIdentifier(what, name string) error {
	switch {
	case len(name) > maxIdentifier:
		return fmt.Errorf("%w: %s %q is longer than PostgreSQL's %d bytes", store.ErrInvalid, what, name, maxIdentifier)
	case !storable(name):
		return fmt.Errorf("%w: %s %q is not valid UTF-8 without NUL", store.ErrInvalid, what, name)
	}
	return nil
}

// storable reports whether PostgreSQL's text type (in a UTF8 database) can
// hold s exactly: valid UTF-8 without NUL bytes.
func storable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return false
		}
	}
	return utf8.ValidString(s)
}
