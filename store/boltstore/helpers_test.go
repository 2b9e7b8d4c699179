package boltstore

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// tempPath returns the path of a new file in a fresh temporary directory.
func tempPath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "auth.db")
}

// openAt opens the store at path and closes it when the test ends.
func openAt(t testing.TB, path string, opts *Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// openTemp opens a new store in a temporary file, without fsync.
func openTemp(t testing.TB) *Store {
	t.Helper()
	return openAt(t, tempPath(t), &Options{NoSync: true})
}

// discardLogger returns a logger that drops everything.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
