package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperEnv makes the test binary act as the child program of the
// process tests (see TestMain).
const helperEnv = "HARNESS_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode, os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

// helper is the child program: "listen" serves addr until SIGTERM,
// "stubborn" serves addr and ignores SIGTERM, "exit" fails at once.
func helper(mode, addr string) int {
	switch mode {
	case "exit":
		fmt.Println("helper: giving up")
		return 3
	}
	term := make(chan os.Signal, 1)
	if mode == "stubborn" {
		// Ignore SIGTERM for good: a Notify after Ignore would enable it
		// again, so the stubborn helper never subscribes.
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(term, syscall.SIGTERM)
	}
	time.Sleep(100 * time.Millisecond) // the harness must wait, not assume
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Println("helper:", err)
		return 1
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	fmt.Println("helper: listening on", ln.Addr())
	<-term
	fmt.Println("helper: terminated")
	return 0
}

// startHelper runs the test binary as the child program in mode.
func startHelper(t *testing.T, ctx context.Context, mode string) (*Process, string, error) {
	t.Helper()
	port, err := FreePort()
	require.NoError(t, err)
	addr := HostPort(port)
	t.Setenv(helperEnv, mode)
	p, err := Start(ctx, Command{Binary: os.Args[0], Args: []string{"-test.run=^$", addr}, Addr: addr})
	return p, addr, err
}

func TestStartWaitsAndStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, addr, err := startHelper(t, ctx, "listen")
	require.NoError(t, err)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err, "Start returned before the port accepted connections")
	_ = c.Close()
	assert.Positive(t, p.Pid())
	assert.Equal(t, addr, p.Addr())
	assert.False(t, p.Exited())
	require.NoError(t, p.Stop(5*time.Second))
	assert.True(t, p.Exited())
	assert.Contains(t, p.Output(), "helper: terminated")
	require.NoError(t, p.Stop(time.Second), "a second Stop returns the same result")
}

func TestStartProgramExits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := startHelper(t, ctx, "exit")
	require.ErrorIs(t, err, ErrExited)
	assert.Contains(t, err.Error(), "helper: giving up")
}

func TestStopKillsStubbornProgram(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, _, err := startHelper(t, ctx, "stubborn")
	require.NoError(t, err)
	start := time.Now()
	err = p.Stop(300 * time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "was killed")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.True(t, p.Exited())
}

func TestStartContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	port, err := FreePort()
	require.NoError(t, err)
	t.Setenv(helperEnv, "listen")
	short, cancelShort := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancelShort()
	// The helper listens on another port than the one waited for.
	other, err := FreePort()
	require.NoError(t, err)
	_, err = Start(short, Command{Binary: os.Args[0], Args: []string{"-test.run=^$", HostPort(other)}, Addr: HostPort(port)})
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestStartMissingBinary(t *testing.T) {
	_, err := Start(context.Background(), Command{Binary: "/nonexistent/cassauth", Addr: "127.0.0.1:1"})
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrExited))
	_, err = Start(context.Background(), Command{Binary: os.Args[0]})
	require.Error(t, err, "neither Addr nor AddrPattern")
}

func TestStartAddrFromOutput(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t.Setenv(helperEnv, "listen")
	p, err := Start(ctx, Command{Binary: os.Args[0], Args: []string{"-test.run=^$", "127.0.0.1:0"},
		AddrPattern: regexp.MustCompile(`listening on (\S+)`)})
	require.NoError(t, err)
	assert.Regexp(t, `^127\.0\.0\.1:[1-9][0-9]*$`, p.Addr())
	assert.Contains(t, p.Output(), "listening on "+p.Addr())
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	_ = c.Close()
	require.NoError(t, p.Stop(5*time.Second))
}

func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a program")
	}
	dir := t.TempDir()
	src := t.TempDir()
	require.NoError(t, os.WriteFile(src+"/go.mod", []byte("module example.test/hello\n\ngo 1.26\n"), 0o644))
	require.NoError(t, os.WriteFile(src+"/main.go", []byte("package main\n\nfunc main() { println(\"hello\") }\n"), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := filepath.Join(dir, "hello")
	require.NoError(t, Build(ctx, src, ".", bin))
	out, err := exec.Command(bin).CombinedOutput()
	require.NoError(t, err)
	assert.Equal(t, "hello\n", string(out))

	require.NoError(t, os.WriteFile(src+"/main.go", []byte("package main\n\nfunc main() { x }\n"), 0o644))
	err = Build(ctx, src, ".", bin)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "undefined: x")
}
