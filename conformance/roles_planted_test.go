package conformance

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cassauth/cassauth/roles"
)

// partPlantedEnv names, in a child test process, the planted bug whose
// model test a TestPlanted*Model test runs through a real *testing.T (so
// that rapid reports, shrinks and writes no fail file, which it would do
// in the package directory when run in-process).
const partPlantedEnv = "CASSAUTH_CONFORMANCE_PLANTED_PART"

// plantedChild reports whether this process is the child for bug.
func plantedChild(bug string) bool { return os.Getenv(partPlantedEnv) == bug }

// runPlantedChild runs the Model group of test (a top-level test name) in a
// child process with bug planted, expects it to fail, and returns its
// output. The child may run up to 1000 cases (rapid stops at the first
// failure), so that a bug the model finds in one case in a hundred fails
// the child every time.
func runPlantedChild(t *testing.T, test, bug string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a child test process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$/^Model$", "-test.v", "-rapid.nofailfile", "-rapid.shrinktime=3s", "-rapid.checks=1000")
	cmd.Env = append(os.Environ(), partPlantedEnv+"="+bug)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the model passed with %s planted:\n%s", bug, out)
	}
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("running the child: %v", err)
	}
	return string(out)
}

// wantInOutput checks that out holds every string of want.
func wantInOutput(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("child output lacks %q:\n%s", w, out)
		}
	}
}

// TestPlantedRoleModel runs the role manager's model test against a
// manager whose Roles forgets inherited roles: it must fail, and rapid must
// shrink the case to a chain of grants.
func TestPlantedRoleModel(t *testing.T) {
	const bug = "roles:forgetsInherited"
	if plantedChild(bug) {
		TestRoleManager(t, func(t *testing.T) roles.Manager {
			m, _ := newMemTable()
			return forgetsInherited{m}
		})
		return
	}
	out := runPlantedChild(t, "TestPlantedRoleModel", bug)
	wantInOutput(t, out,
		"--- FAIL: TestPlantedRoleModel/Model/StateMachine",
		`"GrantRole"`,
		"Roles(",
	)
	if strings.Contains(out, "m1.") || strings.Contains(out, "flaky") {
		t.Errorf("the failure is not reproducible without its namespace:\n%s", out)
	}
	t.Logf("child output:\n%s", out)
}
