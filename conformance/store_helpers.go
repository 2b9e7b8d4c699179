package conformance

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// Assertion helpers of the store suite. They report through a reporter so
// that the deterministic checks (a *checker) and the model (a *rapid.T)
// share them.

// reporter is the part of *checker and *rapid.T the helpers use.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// noErr ends the check if err is not nil: what follows depends on the call.
func noErr(r reporter, err error, what string, args ...any) {
	r.Helper()
	if err != nil {
		r.Fatalf("%s: unexpected error: %v", fmt.Sprintf(what, args...), err)
	}
}

// wantErr reports unless errors.Is(err, target).
func wantErr(r reporter, err, target error, what string, args ...any) bool {
	r.Helper()
	if err == nil {
		r.Errorf("%s: got no error, want one matching %v", fmt.Sprintf(what, args...), target)
		return false
	}
	if !errors.Is(err, target) {
		r.Errorf("%s: got error %v (%T), want one matching %v with errors.Is", fmt.Sprintf(what, args...), err, err, target)
		return false
	}
	return true
}

// wantOnly reports unless err matches target and none of the other
// sentinels of the contract.
func wantOnly(r reporter, err, target error, what string, args ...any) {
	r.Helper()
	if !wantErr(r, err, target, what, args...) {
		return
	}
	for _, other := range []error{store.ErrNotFound, store.ErrExists, store.ErrInvalid, store.ErrClosed} {
		if other != target && errors.Is(err, other) {
			r.Errorf("%s: error %v matches %v as well as %v", fmt.Sprintf(what, args...), err, other, target)
		}
	}
}

// wantEqual reports unless got and want are deeply equal.
func wantEqual[T any](r reporter, got, want T, what string, args ...any) bool {
	r.Helper()
	if !reflect.DeepEqual(got, want) {
		r.Errorf("%s:\n got: %s\nwant: %s", fmt.Sprintf(what, args...), show(got), show(want))
		return false
	}
	return true
}

// wantStrings reports unless got holds exactly want, in order (nil and
// empty are equal).
func wantStrings(r reporter, got, want []string, what string, args ...any) bool {
	r.Helper()
	if len(got) == 0 && len(want) == 0 {
		return true
	}
	return wantEqual(r, got, want, what, args...)
}

// wantSet reports unless got, sorted and without duplicates, equals want
// sorted and without duplicates.
func wantSet(r reporter, got, want []string, what string, args ...any) bool {
	r.Helper()
	return wantStrings(r, setOf(got), setOf(want), what, args...)
}

// setOf returns a sorted copy of xs without duplicates.
func setOf[T cmp.Ordered](xs []T) []T {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

// wantSorted reports unless xs is sorted in byte order without duplicates.
func wantSorted(r reporter, xs []string, what string, args ...any) {
	r.Helper()
	for i := 1; i < len(xs); i++ {
		if xs[i-1] >= xs[i] {
			r.Errorf("%s: not sorted without duplicates at %d: %q", fmt.Sprintf(what, args...), i, xs)
			return
		}
	}
}

// prefixSet returns prefixes sorted by address then length, deduplicated.
func prefixSet(ps []netip.Prefix) []netip.Prefix {
	out := slices.Clone(ps)
	slices.SortFunc(out, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	out = slices.Compact(out)
	if out == nil {
		out = []netip.Prefix{}
	}
	return out
}

// roleView is a RoleRecord in comparable form: hashes shown (the suite's
// hashes are not secrets), nil and empty collections equal.
type roleView struct {
	Name       string
	Super      bool
	Login      bool
	SaltedHash string
	MemberOf   string
	Options    string
}

func viewRole(r store.RoleRecord) roleView {
	keys := slices.Sorted(maps.Keys(r.Options))
	opts := make([]string, 0, len(keys))
	for _, k := range keys {
		opts = append(opts, k+"="+r.Options[k])
	}
	return roleView{
		Name: r.Name, Super: r.IsSuperuser, Login: r.CanLogin, SaltedHash: r.SaltedHash,
		MemberOf: fmt.Sprintf("%q", r.MemberOf), Options: strings.Join(opts, ","),
	}
}

// wantRole reports unless got and want are the same record.
func wantRole(r reporter, got, want store.RoleRecord, what string, args ...any) bool {
	r.Helper()
	return wantEqual(r, viewRole(got), viewRole(want), what, args...)
}

// wantRoles reports unless got and want are the same records in order.
func wantRoles(r reporter, got, want []store.RoleRecord, what string, args ...any) bool {
	r.Helper()
	gv := make([]roleView, len(got))
	for i, x := range got {
		gv[i] = viewRole(x)
	}
	wv := make([]roleView, len(want))
	for i, x := range want {
		wv[i] = viewRole(x)
	}
	return wantEqual(r, gv, wv, what, args...)
}

// wantGrants reports unless got and want are the same grants in order.
func wantGrants(r reporter, got, want []store.Grant, what string, args ...any) bool {
	r.Helper()
	if len(got) == 0 && len(want) == 0 {
		return true
	}
	return wantEqual(r, got, want, what, args...)
}

// show formats v for a failure message.
func show(v any) string {
	switch x := v.(type) {
	case []store.Grant:
		parts := make([]string, len(x))
		for i, g := range x {
			parts[i] = g.Role + "@" + g.Resource + g.Permissions.String()
		}
		return "[" + strings.Join(parts, " ") + "]"
	case resource.PermissionSet:
		return x.String()
	}
	return fmt.Sprintf("%+v", v)
}

// permSet builds a permission set.
func permSet(ps ...resource.Permission) resource.PermissionSet { return resource.SetOf(ps...) }

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
