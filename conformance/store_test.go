package conformance

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/memstore"
)

// runRecorded runs the checks of TestStore that match (group, check) on
// fresh stores from newStore, without a *testing.T, and returns the
// results by "Group/Check".
func runRecorded(newStore func() store.Store, match func(group, check string) bool, limit time.Duration) map[string]result {
	out := map[string]result{}
	for _, g := range storeGroups() {
		for _, k := range g.checks {
			if !match(g.name, k.name) {
				continue
			}
			name := g.name + "/" + k.name
			s := newStore()
			if reason := k.skip(s); reason != "" {
				out[name] = result{name: name, skipped: true}
				continue
			}
			out[name] = runCheck(name, limit, func(c *checker) { k.run(c, s) })
			if cl, ok := s.(interface{ Close() error }); ok {
				_ = cl.Close()
			}
		}
	}
	return out
}

func matchAll(string, string) bool { return true }

func notModel(group, _ string) bool { return group != "Model" }

func TestSuitePassesOnMemstore(t *testing.T) {
	results := runRecorded(func() store.Store { return memstore.New() }, matchAll, time.Minute)
	n := 0
	for _, g := range storeGroups() {
		n += len(g.checks)
	}
	if len(results) != n {
		t.Fatalf("ran %d checks, want %d", len(results), n)
	}
	for name, r := range results {
		if r.failed || r.skipped {
			t.Errorf("%s: failed=%v skipped=%v on memstore:\n%s", name, r.failed, r.skipped, r.log())
		}
	}
}

func TestSuiteFailsOnBrokenStores(t *testing.T) {
	tests := []struct {
		name     string
		newStore func() store.Store
		wantFail []string
	}{
		{"partial revoke drops the index row", newLostIndex,
			[]string{"Permissions/RemovePartial", "Index/PartialRevokeKeepsIndex", "Index/Sequence"}},
		{"errors flattened with %v", func() store.Store { return flatErrors{memstore.New()} },
			[]string{"Roles/CreateExisting", "Roles/GetMissing", "Identities/AddExisting", "Errors/Sentinels", "Context/Canceled", "Concurrency/CreateSameRole"}},
		{"DropRole leaves parents' member lists", newDanglingParents,
			[]string{"Memberships/DropRoleCleansParents", "Memberships/RecreatedRoleStartsClean"}},
		{"context ignored", func() store.Store { return ignoresCtx{memstore.New()} },
			[]string{"Context/Canceled", "Context/DeadlineExceeded"}},
		{"options map shared with the caller", newAliasing, []string{"Roles/DeepCopy"}},
		{"roles listed unsorted", func() store.Store { return unsorted{memstore.New()} }, []string{"Roles/ListSorted"}},
		{"changes delivered after the write returns", func() store.Store { return asyncFeed{memstore.New()} },
			[]string{"ChangeFeed/EveryWriteReports", "ChangeFeed/Cancel", "ChangeFeed/OrderAndFanOut"}},
		{"dropped role's members not reported", func() store.Store { return forgetfulFeed{memstore.New()} },
			[]string{"ChangeFeed/DropRoleReportsMembers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results := runRecorded(tt.newStore, notModel, time.Minute)
			for _, name := range tt.wantFail {
				r, ok := results[name]
				if !ok {
					t.Errorf("no check named %s", name)
					continue
				}
				if !r.failed {
					t.Errorf("%s passed on a broken store", name)
				}
			}
			var failed []string
			for name, r := range results {
				if r.failed {
					failed = append(failed, name)
				}
			}
			t.Logf("failing checks: %q", failed)
		})
	}
}

func TestWatchdogCatchesHang(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := hangs{Store: memstore.New(), release: release}
	var k storeCheck
	for _, c := range roleChecks() {
		if c.name == "GetMissing" {
			k = c
		}
	}
	start := time.Now()
	r := runCheck("Roles/GetMissing", 200*time.Millisecond, func(c *checker) { k.run(c, s) })
	if !r.failed || !r.timedOut {
		t.Fatalf("a hanging store: failed=%v timedOut=%v, want both", r.failed, r.timedOut)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the watchdog took %v", d)
	}
	log := r.log()
	if !strings.Contains(log, "did not finish within 200ms") || !strings.Contains(log, "goroutine ") {
		t.Errorf("timeout report lacks the reason or the goroutine dump:\n%.2000s", log)
	}
}

func TestCheckerReports(t *testing.T) {
	tests := []struct {
		name                    string
		body                    func(c *checker)
		wantFailed, wantSkipped bool
		wantLog                 string // regexp
	}{
		{"pass", func(c *checker) { c.Logf("fine") }, false, false, `^fine\n$`},
		{"errorf goes on", func(c *checker) {
			c.Errorf("first")
			c.Errorf("second")
		}, true, false, `^store_test\.go:\d+: first\nstore_test\.go:\d+: second\n$`},
		{"fatalf stops", func(c *checker) {
			c.Fatalf("stop")
			c.Errorf("not reached")
		}, true, false, `^store_test\.go:\d+: stop\n$`},
		{"helper location", func(c *checker) {
			wantEqual(c, 1, 2, "numbers")
		}, true, false, `^store_test\.go:\d+: numbers:\n got: 1\nwant: 2\n$`},
		{"panic", func(c *checker) { panic("boom") }, true, false, `panic: boom`},
		{"skip", func(c *checker) { c.Skipf("no %s", "feed") }, false, true, `^no feed\n$`},
		{"context", func(c *checker) {
			if c.ctx.Err() != nil {
				c.Errorf("context done during the check")
			}
		}, false, false, `^$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCheck(tt.name, 10*time.Second, tt.body)
			if r.failed != tt.wantFailed || r.skipped != tt.wantSkipped || r.timedOut {
				t.Errorf("failed=%v skipped=%v timedOut=%v, want failed=%v skipped=%v", r.failed, r.skipped, r.timedOut, tt.wantFailed, tt.wantSkipped)
			}
			if !regexp.MustCompile(tt.wantLog).MatchString(r.log()) {
				t.Errorf("log %q does not match %q", r.log(), tt.wantLog)
			}
		})
	}
}

func TestCheckerContextEndsWithCheck(t *testing.T) {
	var ctx context.Context
	runCheck("ctx", 10*time.Second, func(c *checker) { ctx = c.ctx })
	if ctx.Err() == nil {
		t.Error("the check's context is still live after the check")
	}
}

// plantedEnv selects, in a child test process, the broken store that
// TestPlantedBugSubprocess runs the real TestStore against.
const plantedEnv = "CASSAUTH_CONFORMANCE_PLANTED"

// TestPlantedBugSubprocess runs TestStore through a real *testing.T in a
// child process against a store with Cassandra's partial-revoke bug, and
// checks that the child fails in the right checks and that rapid shrinks
// the model's counterexample to a grant followed by a revoke.
func TestPlantedBugSubprocess(t *testing.T) {
	if os.Getenv(plantedEnv) == "lostIndex" {
		TestStore(t, func(t *testing.T) store.Store {
			s := newLostIndex()
			t.Cleanup(func() { _ = s.(*lostIndex).Store.(*memstore.Store).Close() })
			return s
		})
		return
	}
	if testing.Short() {
		t.Skip("runs a child test process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlantedBugSubprocess$/^(Index|Model)$", "-test.v",
		"-rapid.nofailfile", "-rapid.shrinktime=10s")
	cmd.Env = append(os.Environ(), plantedEnv+"=lostIndex")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed on a store that loses index rows:\n%s", out)
	}
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("running the child: %v", err)
	}
	text := string(out)
	for _, want := range []string{
		"--- FAIL: TestPlantedBugSubprocess/Index/PartialRevokeKeepsIndex",
		"--- FAIL: TestPlantedBugSubprocess/Model/StateMachine",
		"--- PASS: TestPlantedBugSubprocess/Index/FullRevokeDropsIndex",
		"ListGrantees(",
		`"AddPermissions"`,
		`"RemovePermissions"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("child output lacks %q:\n%s", want, text)
		}
	}
	t.Logf("child output:\n%s", text)
}
