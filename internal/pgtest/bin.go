package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// debianBinGlob matches the binary directories of Debian's postgresql-<v>
// packages.
const debianBinGlob = "/usr/lib/postgresql/*/bin"

// findBinDir returns the directory holding initdb and pg_ctl:
// $PGTEST_BINDIR when set (an error if it lacks them), else the newest
// Debian version, else the directory of initdb on $PATH. It returns an
// error wrapping errMissing when there is none.
func findBinDir() (string, error) {
	if dir := os.Getenv("PGTEST_BINDIR"); dir != "" {
		if !hasServerBinaries(dir) {
			return "", fmt.Errorf("PGTEST_BINDIR=%s has no initdb and pg_ctl", dir)
		}
		return dir, nil
	}
	dirs, _ := filepath.Glob(debianBinGlob) // the pattern is valid
	if dir := newestDir(dirs); dir != "" {
		return dir, nil
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
		if dir := filepath.Dir(path); hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w in %s or on $PATH", errMissing, debianBinGlob)
}

// newestDir returns the directory of dirs (…/<version>/bin) with the
// highest numeric version that holds the server binaries, or "".
func newestDir(dirs []string) string {
	type cand struct {
		dir string
		ver []int
	}
	var cands []cand
	for _, d := range dirs {
		if hasServerBinaries(d) {
			cands = append(cands, cand{d, parseVersion(filepath.Base(filepath.Dir(d)))})
		}
	}
	if len(cands) == 0 {
		return ""
	}
	best := slices.MaxFunc(cands, func(a, b cand) int { return slices.Compare(a.ver, b.ver) })
	return best.dir
}

// parseVersion splits "15" or "9.6" into numbers; a part that is not a
// number counts as -1.
func parseVersion(v string) []int {
	var out []int
	for p := range strings.SplitSeq(v, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			n = -1
		}
		out = append(out, n)
	}
	return out
}

// hasServerBinaries reports whether dir holds initdb, pg_ctl and postgres
// as executable files.
func hasServerBinaries(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}
