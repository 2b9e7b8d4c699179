package roles

import (
	"context"
	"errors"

	"github.com/cassauth/cassauth/store"
)

// RoleDetails returns grantee's closure: grantee first, then the roles
// granted to it, directly or transitively, each once, breadth first and in
// member_of order, each with its own flags. Granted roles that no longer
// exist are skipped; a cycle (which this manager never creates, but a store
// written by others may hold) ends where a role repeats. An unknown grantee
// gives an empty result and no error. The returned slices belong to the
// caller.
//
// It reads one row per role of the closure and, for closures of up to 32
// roles, allocates nothing beyond the rows the store returns and the result.
// Errors: the store's, as they are.
func (t *Table) RoleDetails(ctx context.Context, grantee string) ([]Role, error) {
	return collect(ctx, t.st, grantee)
}

// Roles returns grantee's name and the names of the roles granted to it:
// only those granted directly (grantee's member_of, as stored) unless
// includeInherited, then the whole closure in [Table.RoleDetails] order.
// An unknown grantee gives an empty result. Errors: the store's.
func (t *Table) Roles(ctx context.Context, grantee string, includeInherited bool) ([]string, error) {
	if !includeInherited {
		rec, found, err := t.getRole(ctx, grantee)
		if err != nil || !found {
			return nil, err
		}
		names := make([]string, 0, 1+len(rec.MemberOf))
		return append(append(names, rec.Name), rec.MemberOf...), nil
	}
	details, err := collect(ctx, t.st, grantee)
	if err != nil || len(details) == 0 {
		return nil, err
	}
	names := make([]string, len(details))
	for i := range details {
		names[i] = details[i].Name
	}
	return names, nil
}

// HasSuperuserStatus reports whether role has superuser status: its own
// flag or that of any role in its closure (Cassandra's
// Roles.hasSuperuserStatus). An unknown role has none. A failure of m is
// returned as a CodeUnauthorized [*Error] "Unable to perform authorization
// of super-user permission: <cause>" wrapping the cause, so callers fail
// closed.
func HasSuperuserStatus(ctx context.Context, m Manager, role string) (bool, error) {
	details, err := m.RoleDetails(ctx, role)
	if err != nil {
		return false, Wrap(CodeUnauthorized, err, "Unable to perform authorization of super-user permission: "+err.Error())
	}
	for i := range details {
		if details[i].IsSuperuser {
			return true, nil
		}
	}
	return false, nil
}

// roleOf converts a stored row into a Role, sharing its slices.
func roleOf(rec store.RoleRecord) Role {
	return Role{
		Name:        rec.Name,
		IsSuperuser: rec.IsSuperuser,
		CanLogin:    rec.CanLogin,
		MemberOf:    rec.MemberOf,
		Options:     rec.Options,
	}
}

// smallClosure is the closure size up to which the walk keeps its rows in
// an array on the stack, allocates the result once at its exact size, and
// tests membership of the seen set by a linear scan. Beyond it the rows
// spill to the heap; beyond twice that, a map takes over the seen set.
const smallClosure = 32

// seenSet tracks the names a closure walk has visited besides the rows it
// found: the names found missing and, for large closures, a map of every
// name. It never holds the rows themselves, so that the walk's row array
// can stay on the stack.
type seenSet struct {
	missing []string
	m       map[string]struct{}
}

// has reports whether name is among rows or was seen before.
func (s *seenSet) has(rows []store.RoleRecord, name string) bool {
	if s.m != nil {
		_, ok := s.m[name]
		return ok
	}
	for i := range rows {
		if rows[i].Name == name {
			return true
		}
	}
	for _, n := range s.missing {
		if n == name {
			return true
		}
	}
	return false
}

// add records name, just appended to rows or (found false) missing, and
// switches to a map once the walk has seen too many names to scan.
func (s *seenSet) add(rows []store.RoleRecord, name string, found bool) {
	if s.m != nil {
		s.m[name] = struct{}{}
		return
	}
	if !found {
		s.missing = append(s.missing, name)
	}
	if n := len(rows) + len(s.missing); n > 2*smallClosure {
		s.m = make(map[string]struct{}, 2*n)
		for i := range rows {
			s.m[rows[i].Name] = struct{}{}
		}
		for _, n := range s.missing {
			s.m[n] = struct{}{}
		}
	}
}

// collect walks the closure of grantee breadth first, using the rows found
// as the queue, and returns it as Roles (sharing the rows' slices and maps).
func collect(ctx context.Context, st store.Roles, grantee string) ([]Role, error) {
	rec, err := st.GetRole(ctx, grantee)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	if len(rec.MemberOf) == 0 {
		return []Role{roleOf(rec)}, nil
	}
	var buf [smallClosure]store.RoleRecord
	rows := append(buf[:0], rec)
	var seen seenSet
	for i := 0; i < len(rows); i++ {
		for _, parent := range rows[i].MemberOf {
			if seen.has(rows, parent) {
				continue
			}
			prec, err := st.GetRole(ctx, parent)
			switch {
			case err == nil:
				rows = append(rows, prec)
				seen.add(rows, parent, true)
			case errors.Is(err, store.ErrNotFound):
				seen.add(rows, parent, false)
			default:
				return nil, err
			}
		}
	}
	out := make([]Role, len(rows))
	for i := range rows {
		out[i] = roleOf(rows[i])
	}
	return out, nil
}
