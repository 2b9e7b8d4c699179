package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// server is a running throwaway PostgreSQL server.
type server struct {
	bin      string              // directory of initdb, pg_ctl and postgres
	dir      string              // temporary root: data/, the socket, server.log
	port     int                 // TCP port on 127.0.0.1
	cred     *syscall.Credential // user to run the server as; nil: this process's
	pid      int                 // the postmaster's pid
	watchdog *os.Process         // stops the server if this process dies first
}

// startTimeout bounds initdb and pg_ctl start.
const startTimeout = 2 * time.Minute

// startServer creates a data directory and starts a server on a free
// loopback port.
func startServer() (_ *server, err error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	s := &server{bin: bin, dir: dir, cred: cred}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("chown %s to the postgres user: %w", dir, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if out, err := s.run(ctx, "initdb", "-D", s.dataDir(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// The port is free when we ask; another process may take it before
	// the server binds it, so try a few.
	for attempt := 1; ; attempt++ {
		if s.port, err = freePort(); err != nil {
			return nil, err
		}
		out, err := s.run(ctx, "pg_ctl", "-D", s.dataDir(), "-l", s.logFile(), "-w", "-t", "60", "-s",
			"-o", s.serverOptions(), "start")
		if err == nil {
			break
		}
		if attempt == 3 || ctx.Err() != nil {
			return nil, fmt.Errorf("pg_ctl start: %w\n%s\nserver log:\n%s", err, out, s.logTail())
		}
	}
	if s.pid, err = s.readPID(); err != nil {
		_, _ = s.run(context.Background(), "pg_ctl", "-D", s.dataDir(), "-m", "immediate", "-w", "stop")
		return nil, err
	}
	if err := s.startWatchdog(); err != nil {
		_, _ = s.run(context.Background(), "pg_ctl", "-D", s.dataDir(), "-m", "immediate", "-w", "stop")
		return nil, err
	}
	return s, nil
}

func (s *server) dataDir() string { return filepath.Join(s.dir, "data") }
func (s *server) logFile() string { return filepath.Join(s.dir, "server.log") }

// serverOptions returns the postgres command-line options: loopback only,
// the socket in the temporary directory, durability off for speed.
func (s *server) serverOptions() string {
	return strings.Join([]string{
		"-c listen_addresses=127.0.0.1",
		"-p " + strconv.Itoa(s.port),
		"-k '" + s.dir + "'",
		"-c fsync=off",
		"-c synchronous_commit=off",
		"-c full_page_writes=off",
		"-c max_connections=300",
		"-c shared_buffers=32MB",
	}, " ")
}

// dsn returns the connection string of database db.
func (s *server) dsn(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// admin runs one statement in the postgres database.
func (s *server) admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.dsn("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// stop shuts the server down at once (it holds nothing worth keeping),
// ends the watchdog and removes the temporary directory.
func (s *server) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := s.run(ctx, "pg_ctl", "-D", s.dataDir(), "-m", "immediate", "-w", "-s", "stop")
	if s.watchdog != nil {
		_ = s.watchdog.Kill()
		_, _ = s.watchdog.Wait()
	}
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return os.RemoveAll(s.dir)
}

// run runs one of the server's binaries as the server's user, in its
// directory, and returns its combined output.
func (s *server) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// readPID returns the postmaster's pid from its pid file.
func (s *server) readPID() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.dataDir(), "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("postmaster.pid: bad pid %q", first)
	}
	return pid, nil
}

// startWatchdog starts a shell, in a session of its own, that waits for
// this process to exit and then stops the server it started (SIGQUIT to
// the postmaster, if its pid file still names it) and removes the
// temporary directory. Main kills it after a clean stop.
func (s *server) startWatchdog() error {
	pidFile := filepath.Join(s.dataDir(), "postmaster.pid")
	script := fmt.Sprintf(`while kill -0 %d 2>/dev/null; do sleep 1; done
if [ -f '%s' ] && [ "$(head -n 1 '%s')" = "%d" ]; then kill -QUIT %d; sleep 2; fi
rm -rf '%s'`, os.Getpid(), pidFile, pidFile, s.pid, s.pid, s.dir)
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("watchdog: %w", err)
	}
	s.watchdog = cmd.Process
	return nil
}

// logTail returns the end of the server log, for failure messages.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logFile())
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// freePort returns a TCP port that is free on 127.0.0.1 right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverUser returns the credential to run the server with: nil unless
// this process runs as root, which PostgreSQL refuses; then the
// "postgres" user's.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses to: need the postgres user to run it as: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres user: uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres user: gid %q: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// errMissing marks the error of binaries that are not installed.
var errMissing = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found")

func isMissing(err error) bool { return errors.Is(err, errMissing) }
