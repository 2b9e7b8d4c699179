package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// progBinary is the cassauth program built once by TestMain.
var progBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cassauth-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	progBinary = filepath.Join(dir, "cassauth")
	build := exec.Command("go", "build", "-o", progBinary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cassauth:", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	// A PostgreSQL server started by internal/pgtest stops itself (its
	// watchdog) within a second of this process's exit.
	os.Exit(code)
}

// testConfig is a configuration file for the servers of the tests: a cheap
// bcrypt cost, so that logins take microseconds.
const testConfig = `cassandra.auth_bcrypt_gensalt_log2_rounds: 4
`

// writeConfig writes a YAML configuration file and returns its path.
func writeConfig(t testing.TB, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cassauth.yaml")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// lockedBuffer is a buffer written by one goroutine and read by another.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is a running `cassauth serve` started by a test.
type server struct {
	t       testing.TB
	cmd     *exec.Cmd
	url     string
	cqlAddr string
	logs    *lockedBuffer
	done    chan struct{}
	stopped bool
}

// startServer starts `cassauth serve` on a free loopback port with JSON
// logs and the test configuration, plus extra flags, and waits for its
// "listening" line. The server is stopped (SIGTERM, then SIGKILL by pid)
// when the test ends, if it still runs.
func startServer(t testing.TB, extra ...string) *server {
	t.Helper()
	return startServerConfig(t, testConfig, extra...)
}

// startServerConfig is startServer with config as the content of the
// configuration file in place of testConfig.
func startServerConfig(t testing.TB, config string, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--config", writeConfig(t, config)}, extra...)
	cmd := exec.Command(progBinary, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	s := &server{t: t, cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{})}
	require.NoError(t, cmd.Start())
	wantCQL := false
	for _, a := range extra {
		wantCQL = wantCQL || a == "--cql"
	}
	ready := make(chan struct{})
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.logs, line)
			var rec struct {
				Msg  string `json:"msg"`
				API  string `json:"api"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				if rec.API == "http" {
					s.url = "http://" + rec.Addr
				} else if rec.API == "cql" {
					s.cqlAddr = rec.Addr
				}
				if !signalled && s.url != "" && (!wantCQL || s.cqlAddr != "") {
					signalled = true
					close(ready)
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case <-ready:
	case <-s.done:
		_ = cmd.Wait()
		t.Fatalf("cassauth serve exited before listening:\n%s", s.logs)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("cassauth serve did not listen within 30s:\n%s", s.logs)
	}
	t.Cleanup(func() {
		if !s.stopped {
			s.stop(syscall.SIGTERM)
		}
	})
	return s
}

// stop sends sig to the server's pid and waits for it to exit; after 15s
// it kills that pid. It returns the exit code.
func (s *server) stop(sig syscall.Signal) int {
	s.t.Helper()
	s.stopped = true
	_ = s.cmd.Process.Signal(sig)
	exited := make(chan error, 1)
	go func() { <-s.done; exited <- s.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-exited
		s.t.Errorf("the server did not stop within 15s of %v:\n%s", sig, s.logs)
	}
	return s.cmd.ProcessState.ExitCode()
}

// call sends a JSON request; auth is a full Authorization header ("" for
// none). It returns the status and the body.
func (s *server) call(method, path, auth string, body any) (int, []byte) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(s.t, err)
		r = bytes.NewReader(b)
	}
	return s.raw(method, path, auth, "application/json", r)
}

// raw sends a request with any body and content type.
func (s *server) raw(method, path, auth, contentType string, body io.Reader) (int, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	require.NoError(s.t, err)
	if body != nil && contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp.StatusCode, b
}

// login authenticates and returns "Bearer <token>".
func (s *server) login(user, pass string) string {
	s.t.Helper()
	status, body := s.call(http.MethodPost, "/v1/authenticate", "", map[string]string{"username": user, "password": pass})
	require.Equal(s.t, http.StatusOK, status, "login %s: %s", user, body)
	var out struct{ Token string }
	require.NoError(s.t, json.Unmarshal(body, &out))
	return "Bearer " + out.Token
}

// exec runs a statement and requires a 200.
func (s *server) exec(auth, stmt string) []byte {
	s.t.Helper()
	status, body := s.call(http.MethodPost, "/v1/execute", auth, map[string]string{"statement": stmt})
	require.Equal(s.t, http.StatusOK, status, "%s: %s", stmt, body)
	return body
}

// cli runs the program with args and stdin, and returns its exit code,
// stdout and stderr.
func cli(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return cliEnv(t, nil, stdin, args...)
}

// cliEnv is cli with extra environment variables ("K=V").
func cliEnv(t testing.TB, vars []string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(progBinary, args...)
	cmd.Env = append(append(os.Environ(), "HOME="+t.TempDir()), vars...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running cassauth %v: %v", args, err)
		}
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// errorOf decodes an error body.
func errorOf(t testing.TB, body []byte) (int32, string) {
	t.Helper()
	var eb struct {
		Error struct {
			Code    int32  `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &eb), "%s", body)
	return eb.Error.Code, eb.Error.Message
}
