package boltstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// maxProblems bounds the problems one Check reports.
const maxProblems = 20

// Check verifies the whole file: bbolt's own consistency check (every
// page reachable exactly once, no double frees, keys in order), then the
// tables this package maintains: every value decodes; each role's
// member_of names existing roles and matches role_members row for row;
// role_permissions and the resource index hold the same (role, resource)
// pairs, with non-empty permission sets; the format version is
// [FormatVersion].
//
// It returns nil when all holds, or a [*store.Error] wrapping [ErrCorrupt]
// that lists up to 20 problems (and wraps bbolt's check errors). It reads
// the whole file and blocks writers of this Store while it runs; readers
// go on. Meant for tools and tests, not for a request path.
func (s *Store) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return opErr("Check", s.path, err)
	}
	// bbolt's check reads the freelist, which write transactions change:
	// keep this Store's writers out while it runs.
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.view(ctx, "Check", s.path, func(tx *bolt.Tx) error {
		var boltErrs []error
		for err := range tx.Check() {
			if len(boltErrs) < maxProblems {
				boltErrs = append(boltErrs, err)
			}
		}
		if len(boltErrs) > 0 {
			return fmt.Errorf("%w: bbolt check failed: %w", ErrCorrupt, errors.Join(boltErrs...))
		}
		var c checker
		c.tables(tx)
		return c.err()
	})
}

// checker collects the problems found in the tables.
type checker struct {
	problems []string
	more     int
}

func (c *checker) addf(format string, args ...any) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	} else {
		c.more++
	}
}

// err returns the problems as one error wrapping ErrCorrupt, or nil.
func (c *checker) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	msg := strings.Join(c.problems, "; ")
	if c.more > 0 {
		msg += fmt.Sprintf("; and %d more", c.more)
	}
	return corrupt("%s", msg)
}

// tables checks the tables' contents and their agreement.
func (c *checker) tables(tx *bolt.Tx) {
	if v, err := readVersion(tx); err != nil || v != FormatVersion {
		c.addf("format version %d (error %v), want %d", v, err, FormatVersion)
	}
	known := append([][]byte{bucketMeta}, currentBuckets...)
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if !slices.ContainsFunc(known, func(k []byte) bool { return string(k) == string(name) }) {
			c.addf("unknown bucket %q", name)
		}
		return nil
	})
	for _, name := range known {
		if tx.Bucket(name) == nil {
			c.addf("table %q is missing", name)
			return
		}
	}
	c.memberships(tx)
	c.grants(tx)
	c.others(tx)
}

// memberships checks roles and role_members against each other.
func (c *checker) memberships(tx *bolt.Tx) {
	memberOf := map[string][]string{}
	_ = tx.Bucket(bucketRoles).ForEach(func(k, v []byte) error {
		r, err := decodeRole(string(k), v)
		if err != nil {
			c.addf("%v", err)
		}
		memberOf[string(k)] = r.MemberOf
		return nil
	})
	members := tx.Bucket(bucketMembers)
	for name, parents := range memberOf {
		for _, p := range parents {
			if _, ok := memberOf[p]; !ok {
				c.addf("role %q is a member of missing role %q", name, p)
			}
			if members.Get(pairKey(p, name)) == nil {
				c.addf("role %q is a member of %q but role_members lacks the row", name, p)
			}
		}
	}
	_ = members.ForEach(func(k, _ []byte) error {
		p, m, err := splitPair(k)
		if err != nil {
			c.addf("role_members: %v", err)
			return nil
		}
		if _, ok := memberOf[p]; !ok {
			c.addf("role_members row (%q, %q) names a missing role", p, m)
		}
		if _, found := slices.BinarySearch(memberOf[m], p); !found {
			c.addf("role_members row (%q, %q) without %q in the member_of of %q", p, m, p, m)
		}
		return nil
	})
}

// grants checks role_permissions and the resource index against each
// other.
func (c *checker) grants(tx *bolt.Tx) {
	perms, index := tx.Bucket(bucketPerms), tx.Bucket(bucketIndex)
	_ = perms.ForEach(func(k, v []byte) error {
		role, res, err := splitPair(k)
		switch {
		case err != nil:
			c.addf("role_permissions: %v", err)
			return nil
		case role == "" || res == "":
			c.addf("role_permissions row (%q, %q) has an empty key", role, res)
		}
		if _, err := decodePerms(v); err != nil {
			c.addf("role_permissions row (%q, %q): %v", role, res, err)
		}
		if index.Get(pairKey(res, role)) == nil {
			c.addf("grant of %q on %q is missing from the resource index", role, res)
		}
		return nil
	})
	_ = index.ForEach(func(k, _ []byte) error {
		res, role, err := splitPair(k)
		if err != nil {
			c.addf("resource index: %v", err)
			return nil
		}
		if perms.Get(pairKey(role, res)) == nil {
			c.addf("resource index row (%q, %q) without a grant", res, role)
		}
		return nil
	})
}

// others checks that the remaining tables' values decode.
func (c *checker) others(tx *bolt.Tx) {
	for _, name := range [][]byte{bucketNetwork, bucketCIDRPerms} {
		_ = tx.Bucket(name).ForEach(func(k, v []byte) error {
			if _, err := decodeStrings(v); err != nil {
				c.addf("%s row %q: %v", name, k, err)
			}
			return nil
		})
	}
	_ = tx.Bucket(bucketCIDRGroup).ForEach(func(k, v []byte) error {
		if _, err := decodePrefixes(v); err != nil {
			c.addf("cidr group %q: %v", k, err)
		}
		return nil
	})
	_ = tx.Bucket(bucketIdentity).ForEach(func(k, v []byte) error {
		if len(v) == 0 {
			c.addf("identity %q maps to an empty role name", k)
		}
		return nil
	})
}
