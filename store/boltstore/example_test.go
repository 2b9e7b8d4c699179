package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/boltstore"
)

func Example() {
	dir, err := os.MkdirTemp("", "cassauth")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "auth.db")
	ctx := context.Background()

	s, err := boltstore.Open(path, nil)
	if err != nil {
		panic(err)
	}
	_ = s.CreateRole(ctx, store.RoleRecord{Name: "analyst", CanLogin: true})
	added, _ := s.AddPermissions(ctx, "analyst", resource.Keyspace("sales").Name(),
		resource.SetOf(resource.Select, resource.Describe))
	fmt.Println("granted:", added)

	// A second Store cannot open the file while the first has it.
	_, err = boltstore.Open(path, &boltstore.Options{Timeout: -1})
	fmt.Println("second open locked:", errors.Is(err, boltstore.ErrLocked))
	_ = s.Close()

	// Everything is there after a reopen.
	s, err = boltstore.Open(path, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	grants, _ := s.ListGrants(ctx, "analyst")
	for _, g := range grants {
		fmt.Println(g.Role, g.Resource, g.Permissions)
	}
	// Output:
	// granted: [SELECT, DESCRIBE]
	// second open locked: true
	// analyst data/sales [SELECT, DESCRIBE]
}
