package roles

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentGrantsNeverCloseACycle races grants in both directions
// between every pair of roles, with readers walking closures meanwhile.
func TestConcurrentGrantsNeverCloseACycle(t *testing.T) {
	ctx := context.Background()
	tb, _ := newTable(t, nil)
	const n = 6
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("r%d", i)
	}
	mustCreate(t, tb, names...)

	var wg sync.WaitGroup
	for i := range n {
		for j := range n {
			if i == j {
				continue
			}
			wg.Go(func() {
				err := tb.GrantRole(ctx, System, names[i], names[j])
				if err != nil {
					assert.Equal(t, CodeInvalid, CodeOf(err), err.Error())
				}
			})
		}
		wg.Go(func() {
			_, err := tb.RoleDetails(ctx, names[i])
			assert.NoError(t, err)
			_, err = HasSuperuserStatus(ctx, tb, names[i])
			assert.NoError(t, err)
		})
	}
	wg.Wait()

	edges := 0
	for _, x := range names {
		direct, err := tb.Roles(ctx, x, false)
		require.NoError(t, err)
		for _, p := range direct[1:] {
			edges++
			up, err := tb.Roles(ctx, p, true)
			require.NoError(t, err)
			assert.False(t, slices.Contains(up, x), "cycle through %s and %s", x, p)
		}
	}
	assert.Positive(t, edges)
}
