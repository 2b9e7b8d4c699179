package boltstore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/cassauth/cassauth/store"
)

func TestSecondOpenIsLocked(t *testing.T) {
	path := tempPath(t)
	first := openAt(t, path, nil)

	tests := []struct {
		name    string
		timeout time.Duration
		atLeast time.Duration
	}{
		{"no wait", -1, 0},
		{"short wait", 200 * time.Millisecond, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			s, err := Open(path, &Options{Timeout: tt.timeout})
			elapsed := time.Since(start)
			require.Nil(t, s)
			require.ErrorIs(t, err, ErrLocked)
			require.ErrorIs(t, err, berrors.ErrTimeout, "bbolt's error stays reachable")
			var se *store.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, "Open", se.Op)
			assert.Equal(t, path, se.Key)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), "another process")
			assert.GreaterOrEqual(t, elapsed, tt.atLeast)
			assert.Less(t, elapsed, tt.atLeast+2*time.Second)
		})
	}

	// The first Store is unaffected, and once it closes the file opens.
	require.NoError(t, first.CreateRole(context.Background(), store.RoleRecord{Name: "r"}))
	require.NoError(t, first.Close())
	second := openAt(t, path, &Options{Timeout: -1})
	_, err := second.GetRole(context.Background(), "r")
	require.NoError(t, err)
}

func TestOpenWaitsForTheLock(t *testing.T) {
	path := tempPath(t)
	first := openAt(t, path, nil)
	go func() {
		time.Sleep(100 * time.Millisecond)
		_ = first.Close()
	}()
	s, err := Open(path, &Options{Timeout: 10 * time.Second})
	require.NoError(t, err)
	require.NoError(t, s.Close())
}
