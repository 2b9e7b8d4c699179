package boltstore

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cassauth/cassauth/store"
)

func TestOptionsDefaults(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		timeout time.Duration
		mode    uint32
	}{
		{"zero", Options{}, DefaultTimeout, 0o600},
		{"explicit", Options{Timeout: 3 * time.Second, FileMode: 0o640}, 3 * time.Second, 0o640},
		{"no wait", Options{Timeout: -1}, time.Nanosecond, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.timeout, tt.opts.timeout())
			assert.Equal(t, tt.mode, uint32(tt.opts.fileMode()))
		})
	}
}

func TestLogger(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	path := tempPath(t)
	// A version 0 file, so that Open migrates it.
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s := openAt(t, path, &Options{Logger: log, NoSync: true})
	const hash = "$2a$10$secretsecretsecretsecretsecretsecretsecretsecretsecre"
	require.NoError(t, s.CreateRole(ctx, store.RoleRecord{Name: "alice", SaltedHash: hash}))
	require.NoError(t, s.Close())

	out := buf.String()
	assert.Contains(t, out, `msg="boltstore: migrated file format"`)
	assert.Contains(t, out, "from=0 to=2")
	assert.Contains(t, out, `msg="boltstore: opened"`)
	assert.Contains(t, out, "component=bbolt", "bbolt's messages reach the logger")
	assert.Contains(t, out, `\"alice\"`, "bbolt's debug messages name keys")
	assert.NotContains(t, out, "secret", "values, such as password hashes, are never logged")
	assert.Contains(t, out, `msg="boltstore: closed"`)
}

func TestBoltLoggerPanics(t *testing.T) {
	var buf bytes.Buffer
	l := boltLogger{slog.New(slog.NewTextHandler(&buf, nil))}
	assert.PanicsWithValue(t, "bad 1", func() { l.Fatalf("bad %d", 1) })
	assert.PanicsWithValue(t, "bad", func() { l.Panic("bad") })
	assert.Contains(t, buf.String(), "level=ERROR")
	l.Debugf("hidden %d", 2) // below the handler's level
	assert.NotContains(t, buf.String(), "hidden")
}
