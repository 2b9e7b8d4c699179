package boltstore

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cassauth/cassauth/store/memstore"
)

// TestAgainstMemstore runs random writes against a boltstore and the
// reference memstore side by side, reopening the file now and then, and
// compares every result and the whole state after each step, and the
// file's consistency at the end of each run.
func TestAgainstMemstore(t *testing.T) {
	ctx := context.Background()
	rapid.Check(t, func(rt *rapid.T) {
		path := tempPath(t)
		s, err := Open(path, &Options{NoSync: true})
		require.NoError(rt, err)
		defer func() { _ = s.Close() }()
		model := memstore.New()
		p := rapidPicker{rt}
		steps := rapid.IntRange(1, 60).Draw(rt, "steps")
		for range steps {
			if p.IntN(15) == 0 {
				require.NoError(rt, s.Close())
				s, err = Open(path, &Options{NoSync: true})
				require.NoError(rt, err)
				rt.Log("reopen")
				continue
			}
			o := genOp(p)
			rt.Log(o)
			got, want := errClass(o.run(ctx, s)), errClass(o.run(ctx, model))
			require.Equal(rt, want, got, "result of %v", o)
			gs, err := takeSnapshot(ctx, s)
			require.NoError(rt, err)
			ms, err := takeSnapshot(ctx, model)
			require.NoError(rt, err)
			require.Equal(rt, ms, gs, "state after %v", o)
		}
		require.NoError(rt, s.Check(ctx))
	})
}
