package boltstore

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"time"
)

// DefaultTimeout is how long Open waits for the file lock when
// Options.Timeout is zero.
const DefaultTimeout = time.Second

// DefaultFileMode is the permission of a file Open creates when
// Options.FileMode is zero: the store holds password hashes, so only its
// owner may read it.
const DefaultFileMode fs.FileMode = 0o600

// Options configures [Open]. The zero value (or a nil *Options) is the
// safe default: wait up to [DefaultTimeout] for the lock, fsync on every
// commit, create files with [DefaultFileMode], log nothing.
type Options struct {
	// Timeout is how long Open waits for the exclusive file lock that
	// another process (or another Store in this process) may hold. Zero
	// means DefaultTimeout; a negative value means try once and do not
	// wait. When it expires Open returns an error wrapping [ErrLocked].
	Timeout time.Duration

	// NoSync skips the fsync at the end of each commit. Writes become much
	// faster, but a crash of the machine (not of the process) may lose
	// acknowledged writes or corrupt the file. Meant for tests and
	// throw-away stores only.
	NoSync bool

	// FileMode is the permission of the file when Open creates it; zero
	// means DefaultFileMode.
	FileMode fs.FileMode

	// Logger receives the store's own events (open, format migrations) at
	// Info level and bbolt's messages at their levels; bbolt's per-key
	// debug messages name keys (role names, resources, identities) but
	// never values. Nil discards everything.
	Logger *slog.Logger
}

// timeout returns the lock timeout to pass to bbolt, where zero means
// forever: a negative Timeout becomes the shortest wait bbolt knows.
func (o *Options) timeout() time.Duration {
	switch {
	case o.Timeout == 0:
		return DefaultTimeout
	case o.Timeout < 0:
		return time.Nanosecond
	}
	return o.Timeout
}

// fileMode returns the mode for a new file.
func (o *Options) fileMode() fs.FileMode {
	if o.FileMode == 0 {
		return DefaultFileMode
	}
	return o.FileMode
}

// boltLogger adapts a *slog.Logger to bbolt's Logger interface. bbolt
// never calls Fatal or Panic; should it, they log at error level and
// panic, since a library must not exit the process.
type boltLogger struct{ l *slog.Logger }

// enabled reports whether the logger wants messages at level.
func (b boltLogger) enabled(level slog.Level) bool { return b.l.Enabled(context.Background(), level) }

// emit logs msg at level.
func (b boltLogger) emit(level slog.Level, msg string) {
	b.l.Log(context.Background(), level, msg, slog.String("component", "bbolt"))
}

// print logs its arguments formatted as by fmt.Sprint.
func (b boltLogger) print(level slog.Level, v ...any) {
	if b.enabled(level) {
		b.emit(level, fmt.Sprint(v...))
	}
}

// printf logs its arguments formatted as by fmt.Errorf, since bbolt's
// formats use %w.
func (b boltLogger) printf(level slog.Level, format string, v ...any) {
	if b.enabled(level) {
		b.emit(level, fmt.Errorf(format, v...).Error())
	}
}

func (b boltLogger) Debug(v ...any)                   { b.print(slog.LevelDebug, v...) }
func (b boltLogger) Debugf(format string, v ...any)   { b.printf(slog.LevelDebug, format, v...) }
func (b boltLogger) Info(v ...any)                    { b.print(slog.LevelInfo, v...) }
func (b boltLogger) Infof(format string, v ...any)    { b.printf(slog.LevelInfo, format, v...) }
func (b boltLogger) Warning(v ...any)                 { b.print(slog.LevelWarn, v...) }
func (b boltLogger) Warningf(format string, v ...any) { b.printf(slog.LevelWarn, format, v...) }
func (b boltLogger) Error(v ...any)                   { b.print(slog.LevelError, v...) }
func (b boltLogger) Errorf(format string, v ...any)   { b.printf(slog.LevelError, format, v...) }
func (b boltLogger) Fatal(v ...any)                   { b.Panic(v...) }
func (b boltLogger) Fatalf(format string, v ...any)   { b.Panicf(format, v...) }

func (b boltLogger) Panic(v ...any) {
	msg := fmt.Sprint(v...)
	b.emit(slog.LevelError, msg)
	panic(msg)
}

func (b boltLogger) Panicf(format string, v ...any) {
	msg := fmt.Errorf(format, v...).Error()
	b.emit(slog.LevelError, msg)
	panic(msg)
}
