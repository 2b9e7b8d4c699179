package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/pgstore"
)

// This example opens a store on a PostgreSQL database shared by several
// processes, listens for the changes any of them commits, and grants a
// permission. It needs a server (set CASSAUTH_PG_DSN), so it is compiled
// but not run by go test.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := pgstore.Open(ctx, os.Getenv("CASSAUTH_PG_DSN"), &pgstore.Options{Schema: "cassauth"})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// Caches subscribe: this callback runs for changes made here (before
	// the write returns) and in every other process on the schema.
	cancelFeed := s.Subscribe(func(ch store.Change) {
		if ch.Kind == store.ChangeReset {
			fmt.Println("feed reconnected: drop everything cached")
			return
		}
		fmt.Println("invalidate", ch.Kind, ch.Roles, ch.Resources)
	})
	defer cancelFeed()

	if err := s.CreateRole(ctx, store.RoleRecord{Name: "analyst", CanLogin: true}); err != nil && !errors.Is(err, store.ErrExists) {
		log.Fatal(err)
	}
	added, err := s.AddPermissions(ctx, "analyst", "data/sales", resource.SetOf(resource.Select))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("granted", added)
}

// Open validates its options before it connects: a schema name that
// PostgreSQL would truncate is refused with store.ErrInvalid, and no
// connection is attempted.
func ExampleOpen_invalidOptions() {
	_, err := pgstore.Open(context.Background(), "postgres://localhost/auth",
		&pgstore.Options{Schema: "a_schema_name_longer_than_the_sixty_three_bytes_postgresql_keeps_x"})
	fmt.Println(errors.Is(err, store.ErrInvalid))
	// Output: true
}
