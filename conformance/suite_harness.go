package conformance

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// The suites of the parts above the store (TestRoleManager, TestAuthorizer,
// TestAuthenticator) share this runner: a suite is a list of groups of
// checks over a part of type T, each check runs against a fresh part under
// the watchdog of store_harness.go. (storeCheck and storeGroup have the
// same shape as partCheck[store.Store] and partGroup[store.Store].)

// partCheck is one check of a suite over a part of type T. It runs against
// a fresh part.
type partCheck[T any] struct {
	name  string
	run   func(c *checker, x T)
	long  bool             // uses the long watchdog limit
	needs func(x T) string // "" or why x cannot run it; must not do I/O
}

// skip returns why k cannot run on x, or "".
func (k partCheck[T]) skip(x T) string {
	if k.needs == nil {
		return ""
	}
	return k.needs(x)
}

// partGroup is a subtest of a suite: a named list of checks.
type partGroup[T any] struct {
	name   string
	checks []partCheck[T]
}

// runSuite runs every check of groups as the subtest Group/Check of t, each
// on a part newPart makes for it (on the test goroutine, so that it may use
// t.Cleanup and t.Fatal), on its own goroutine under the watchdog.
func runSuite[T any](t *testing.T, groups []partGroup[T], newPart func(t *testing.T) T) {
	t.Helper()
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, k := range g.checks {
				t.Run(k.name, func(t *testing.T) {
					x := newPart(t)
					if any(x) == nil {
						t.Fatal("the factory returned nil")
					}
					if reason := k.skip(x); reason != "" {
						t.Skip(reason)
					}
					limit := checkLimit
					if k.long {
						limit = longCheckLimit
					}
					replay(t, runCheck(t.Name(), checkTimeout(t, limit), func(c *checker) { k.run(c, x) }))
				})
			}
		})
	}
}

// caseNS is the namespace of one model case. All rapid cases of a model
// check share one part (the factory ties a part's teardown to the test, not
// to a case), so each case names its roles "m<n>.<name>" and its keyspace
// "ks_m<n>", and sees only those.
type caseNS struct {
	prefix, ks string
	scrubber   *strings.Replacer
}

func newCaseNS(n int64) caseNS {
	prefix, ks := fmt.Sprintf("m%d.", n), fmt.Sprintf("ks_m%d", n)
	return caseNS{prefix: prefix, ks: ks, scrubber: strings.NewReplacer(prefix, "", ks, "ks")}
}

// role returns the name of the model's role x in the part.
func (ns caseNS) role(x string) string { return ns.prefix + x }

// own returns the names of xs that belong to the case, mapped back, in
// order.
func (ns caseNS) own(xs []string) []string {
	var out []string
	for _, x := range xs {
		if m, ok := strings.CutPrefix(x, ns.prefix); ok {
			out = append(out, m)
		}
	}
	return out
}

// scrub removes the namespace from a text.
func (ns caseNS) scrub(s string) string { return ns.scrubber.Replace(s) }

// caseT is a rapid case that reports without its namespace: a failure must
// read the same when rapid replays the case under another namespace, or
// rapid takes it for a flaky test and cannot shrink it.
type caseT struct {
	*rapid.T
	ns caseNS
}

// Errorf records a failure, without the namespace, and goes on.
func (t caseT) Errorf(format string, args ...any) {
	t.T.Helper()
	t.T.Error(t.ns.scrub(fmt.Sprintf(format, args...)))
}

// Fatalf records a failure, without the namespace, and ends the case.
func (t caseT) Fatalf(format string, args ...any) {
	t.T.Helper()
	t.T.Fatal(t.ns.scrub(fmt.Sprintf(format, args...)))
}
