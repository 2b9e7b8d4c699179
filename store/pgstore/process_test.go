package pgstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/pgtest"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Environment of the child process of TestFeedAcrossProcesses.
const (
	childDSN    = "PGSTORE_TEST_CHILD_DSN"
	childSchema = "PGSTORE_TEST_CHILD_SCHEMA"
)

// TestFeedAcrossProcesses runs a second process (this test binary again)
// that writes to the schema; this process's store must hear every write,
// the fan-out of a dropped role to its members included.
func TestFeedAcrossProcesses(t *testing.T) {
	if dsn := os.Getenv(childDSN); dsn != "" {
		if err := childWrites(dsn, os.Getenv(childSchema)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		return
	}
	dsn := pgtest.Start(t)
	schema := newSchema()
	s := openStore(t, dsn, &Options{Schema: schema})
	rec := subscribe(t, s)

	cmd := exec.Command(os.Args[0], "-test.run=^TestFeedAcrossProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), childDSN+"="+dsn, childSchema+"="+schema)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child process: %s", out)

	for _, want := range []store.Change{
		{Kind: store.ChangeRole, Roles: []string{"parent"}},
		{Kind: store.ChangeMembership, Roles: []string{"child", "parent"}},
		{Kind: store.ChangePermissions, Roles: []string{"parent"}, Resources: []string{"data/ks"}},
		{Kind: store.ChangeRole, Roles: []string{"parent", "child"}},
	} {
		rec.waitFor(t, fmt.Sprintf("%v from the other process", want), is(want))
	}
	require.Equal(t, -1, rec.index(isReset), "no reset: the feed never dropped")
}

// childWrites is the other process of TestFeedAcrossProcesses.
func childWrites(dsn, schema string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, dsn, &Options{Schema: schema})
	if err != nil {
		return err
	}
	defer s.Close()
	for _, w := range []func() error{
		func() error { return s.CreateRole(ctx, store.RoleRecord{Name: "parent"}) },
		func() error { return s.CreateRole(ctx, store.RoleRecord{Name: "child"}) },
		func() error { return s.GrantRole(ctx, "parent", "child") },
		func() error {
			_, err := s.AddPermissions(ctx, "parent", "data/ks", resource.SetOf(resource.Select))
			return err
		},
		func() error { return s.DropRole(ctx, "parent") },
	} {
		if err := w(); err != nil {
			return err
		}
	}
	return nil
}
