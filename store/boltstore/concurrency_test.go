package boltstore

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// TestConcurrentUse runs writers, readers and a subscriber at once (run it
// with -race), then checks the file and that every write was reported.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	var counted atomic.Int64
	s.Subscribe(func(c store.Change) {
		if len(c.Roles) == 1 && c.Roles[0] == "counter" {
			counted.Add(1)
		}
	})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range 100 {
				o := genOp(r)
				if err := o.run(ctx, s); errClass(err)[0] == 'u' {
					t.Errorf("%v: %v", o, err)
				}
			}
		})
	}
	// A writer whose 50 writes each change the store (no random write
	// touches its role or resource): the feed must report each of them.
	wg.Go(func() {
		for i := range 50 {
			perms := resource.SetOf(resource.Select)
			if i%2 == 1 {
				_, err := s.RemovePermissions(ctx, "counter", "data/counter", perms)
				assert.NoError(t, err)
			} else {
				_, err := s.AddPermissions(ctx, "counter", "data/counter", perms)
				assert.NoError(t, err)
			}
		}
	})
	for range 2 {
		wg.Go(func() {
			for range 200 {
				_, err := takeSnapshot(ctx, s)
				assert.NoError(t, err)
				_, err = s.GetPermissions(ctx, "counter", "data/counter")
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	require.NoError(t, s.Check(ctx))
	assert.Equal(t, int64(50), counted.Load())
}

// TestCloseWhileBusy closes the store while goroutines use it: every call
// either succeeds or fails with ErrClosed, and nothing hangs or races.
func TestCloseWhileBusy(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 2))
			<-start
			for range 200 {
				var err error
				if g%2 == 0 {
					err = genOp(r).run(ctx, s)
				} else {
					_, err = s.GetPermissions(ctx, "r0", "data")
				}
				if c := errClass(err); c[0] == 'u' {
					assert.ErrorIs(t, err, store.ErrClosed)
				}
			}
		})
	}
	close(start)
	require.NoError(t, s.Close())
	wg.Wait()
}
