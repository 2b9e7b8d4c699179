package conformance

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The harness runs each check of a suite on its own goroutine under a
// watchdog. The check never touches the *testing.T: it reports to a checker,
// which records what it is told; the test goroutine replays the record into
// the *testing.T when the check ends, or reports a timeout (with every
// goroutine's stack) and abandons the check when it does not end in time.
// So t.FailNow is only ever called on the test goroutine, a hung
// implementation fails instead of hanging, and the suite's own tests can run
// checks against deliberately broken implementations and read the record.

// checker is what a check reports to. It implements rapid.TB so that a
// check can call rapid.Check. Fatal and Skip end the check's goroutine with
// runtime.Goexit. Safe for concurrent use, so a check may report from
// goroutines it starts, as long as they end before the check does.
type checker struct {
	name string
	ctx  context.Context // cancelled when the check ends or times out

	mu       sync.Mutex
	entries  []entry
	failed   bool
	skipped  bool
	detached bool                // the watchdog gave up: ignore further reports
	helpers  map[string]struct{} // functions marked by Helper
}

// entry is one recorded report.
type entry struct {
	fail bool
	msg  string
}

var _ rapid.TB = (*checker)(nil)

func newChecker(ctx context.Context, name string) *checker {
	return &checker{name: name, ctx: ctx, helpers: make(map[string]struct{})}
}

// Helper marks the calling function as a helper: failure locations skip it.
func (c *checker) Helper() {
	var pc [1]uintptr
	if runtime.Callers(2, pc[:]) == 0 {
		return
	}
	f, _ := runtime.CallersFrames(pc[:]).Next()
	c.mu.Lock()
	c.helpers[f.Function] = struct{}{}
	c.mu.Unlock()
}

// location returns "file:line: " of the first caller outside the checker,
// rapid and the functions marked as helpers. c.mu held.
func (c *checker) location() string {
	var pcs [64]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		_, helper := c.helpers[f.Function]
		internal := strings.Contains(f.Function, ".(*checker).") || strings.HasPrefix(f.Function, "pgregory.net/rapid.")
		if !helper && !internal && f.File != "" {
			return fmt.Sprintf("%s:%d: ", filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}

func (c *checker) record(fail bool, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.detached {
		return
	}
	if fail {
		c.failed = true
		msg = c.location() + msg
	}
	c.entries = append(c.entries, entry{fail: fail, msg: msg})
}

// Name returns the check's name.
func (c *checker) Name() string { return c.name }

// Logf records a message.
func (c *checker) Logf(format string, args ...any) { c.record(false, fmt.Sprintf(format, args...)) }

// Log records a message.
func (c *checker) Log(args ...any) { c.record(false, strings.TrimSuffix(fmt.Sprintln(args...), "\n")) }

// Errorf records a failure and goes on.
func (c *checker) Errorf(format string, args ...any) { c.record(true, fmt.Sprintf(format, args...)) }

// Error records a failure and goes on.
func (c *checker) Error(args ...any) {
	c.record(true, strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}

// Fatalf records a failure and ends the check.
func (c *checker) Fatalf(format string, args ...any) {
	c.record(true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// Fatal records a failure and ends the check.
func (c *checker) Fatal(args ...any) {
	c.record(true, strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
	runtime.Goexit()
}

// Fail marks the check failed.
func (c *checker) Fail() {
	c.mu.Lock()
	if !c.detached {
		c.failed = true
	}
	c.mu.Unlock()
}

// FailNow marks the check failed and ends it.
func (c *checker) FailNow() {
	c.Fail()
	runtime.Goexit()
}

// Failed reports whether the check has failed.
func (c *checker) Failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}

// Skipf records why the check is skipped and ends it.
func (c *checker) Skipf(format string, args ...any) {
	c.Logf(format, args...)
	c.SkipNow()
}

// Skip records why the check is skipped and ends it.
func (c *checker) Skip(args ...any) {
	c.Log(args...)
	c.SkipNow()
}

// SkipNow ends the check as skipped.
func (c *checker) SkipNow() {
	c.mu.Lock()
	if !c.detached {
		c.skipped = true
	}
	c.mu.Unlock()
	runtime.Goexit()
}

// result is the outcome of one check, as the suite's own tests see it.
type result struct {
	name     string
	failed   bool
	skipped  bool
	timedOut bool
	entries  []entry
}

// log returns the recorded messages, one per line.
func (r result) log() string {
	var b strings.Builder
	for _, e := range r.entries {
		b.WriteString(e.msg)
		b.WriteByte('\n')
	}
	return b.String()
}

// runCheck runs body on a new goroutine with a checker named name and waits
// at most timeout for it. A panic in body is recorded as a failure. On
// timeout it records a failure with every goroutine's stack, cancels the
// checker's context, and detaches the checker, so that the abandoned
// goroutine can no longer report.
func runCheck(name string, timeout time.Duration, body func(c *checker)) result {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newChecker(ctx, name)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				c.record(true, fmt.Sprintf("panic: %v\n%s", r, stack(false)))
			}
		}()
		body(c)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	timedOut := false
	select {
	case <-done:
	case <-timer.C:
		timedOut = true
		c.record(true, fmt.Sprintf("check did not finish within %v: the implementation hangs or ignores ctx; goroutines:\n%s", timeout, stack(true)))
		c.mu.Lock()
		c.detached = true
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return result{name: name, failed: c.failed, skipped: c.skipped && !c.failed, timedOut: timedOut, entries: c.entries}
}

// stack returns the current goroutine's stack, or every goroutine's.
func stack(all bool) string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, all)
		if n < len(buf) || len(buf) >= 8<<20 {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// replay reports r into t, on t's goroutine: messages in order, then the
// failure or skip.
func replay(t *testing.T, r result) {
	t.Helper()
	out := t.Output()
	for _, e := range r.entries {
		fmt.Fprintf(out, "%s\n", strings.ReplaceAll(strings.TrimSuffix(e.msg, "\n"), "\n", "\n    "))
	}
	switch {
	case r.failed:
		t.FailNow()
	case r.skipped:
		t.SkipNow()
	}
}

// checkTimeout returns the watchdog's limit for a check in t: want, or less
// when the test binary's deadline (go test -timeout) comes sooner, so the
// watchdog fires first and says which check hung.
func checkTimeout(t *testing.T, want time.Duration) time.Duration {
	if d, ok := t.Deadline(); ok {
		left := time.Until(d) - 5*time.Second
		if left < want {
			want = max(left, time.Second)
		}
	}
	return want
}
