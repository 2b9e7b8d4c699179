package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// ErrExited is matched (errors.Is) by the error of [Start] when the
// program ends before its port accepts connections.
var ErrExited = errors.New("harness: program exited before it was ready")

// Build compiles the Go package pkg (such as "./cmd/cassauth") of the
// module in moduleDir into the binary out. extra are further `go build`
// flags (for example "-race"). The error carries the compiler's output.
func Build(ctx context.Context, moduleDir, pkg, out string, extra ...string) error {
	args := append([]string{"build", "-o", out}, extra...)
	args = append(args, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("harness: go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago: it
// listens on port 0 and closes the listener. Another process may take the
// port before the caller does; [Start] then fails and the caller may retry.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("harness: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Process is a program started by [Start]. Its methods are safe for
// concurrent use.
type Process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when the process has been waited for
	err  error         // Wait's result, valid after done
	addr string        // set by Start before it returns

	stopOnce sync.Once
}

// Command says what [Start] runs and how it knows the program is ready.
type Command struct {
	// Binary and Args are the program and its arguments.
	Binary string
	Args   []string
	// Env is the environment; nil means the current process's.
	Env []string
	// Addr is the TCP address to wait for, when known in advance.
	Addr string
	// AddrPattern finds the address in the program's output instead (its
	// first submatch), for programs that listen on port 0 and log the
	// bound address.
	AddrPattern *regexp.Regexp
}

// Start runs c.Binary, its standard output and error collected for
// [Process.Output], and waits until a TCP connection to its address (c.Addr,
// or the first match of c.AddrPattern in its output) succeeds. It fails
// with an error matching [ErrExited] (and carrying the output) if the
// program ends first, and with ctx's error, after stopping the program, if
// ctx ends first. Setting neither Addr nor AddrPattern is an error.
func Start(ctx context.Context, c Command) (*Process, error) {
	if c.Addr == "" && c.AddrPattern == nil {
		return nil, errors.New("harness: Command needs Addr or AddrPattern")
	}
	p := &Process{out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(c.Binary, c.Args...)
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	p.cmd.Env = c.Env
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("harness: start %s: %w", c.Binary, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(ctx, c); err != nil {
		_ = p.Stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// waitReady waits for the address, then dials it until it accepts a
// connection.
func (p *Process) waitReady(ctx context.Context, c Command) error {
	var d net.Dialer
	for {
		addr := c.Addr
		if addr == "" {
			if m := c.AddrPattern.FindStringSubmatch(p.Output()); len(m) > 1 {
				addr = m[1]
			}
		}
		if addr != "" {
			conn, err := d.DialContext(ctx, "tcp", addr)
			if err == nil {
				_ = conn.Close()
				p.addr = addr
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("%w (%v); output:\n%s", ErrExited, p.err, p.Output())
		case <-ctx.Done():
			return fmt.Errorf("harness: waiting for %s to be ready: %w; output:\n%s", c.Binary, ctx.Err(), p.Output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Addr returns the address the program was found listening on.
func (p *Process) Addr() string { return p.addr }

// Pid returns the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Output returns what the program wrote to standard output and error so
// far.
func (p *Process) Output() string { return p.out.String() }

// Exited reports whether the program has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM to the process (by pid) and waits for it to end; if
// it is still running after timeout it sends SIGKILL. It returns the
// program's exit error (nil for a clean exit, an *exec.ExitError
// otherwise), or an error saying it had to be killed. Later calls signal
// nothing; they wait for the end and return the exit error.
func (p *Process) Stop(timeout time.Duration) error {
	killed := false
	p.stopOnce.Do(func() {
		if p.Exited() {
			return
		}
		_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(timeout):
			_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
			killed = true
		}
	})
	<-p.done
	if killed {
		return fmt.Errorf("harness: pid %d ignored SIGTERM for %v and was killed", p.Pid(), timeout)
	}
	return p.err
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// HostPort joins 127.0.0.1 and port.
func HostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
