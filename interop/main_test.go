package interop

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cassauth/cassauth/interop/harness"
)

// fx is the fixture TestMain prepares: the cassauth binary and the test
// certificates, shared read-only by every test.
var fx fixture

// fixture holds paths made once per test run.
type fixture struct {
	bin string // the cassauth program
	dir string // certificates live here

	caCert    string // the CA that signed the server and client certificates
	otherCA   string // a CA that signed nothing the server uses
	ca        *harness.CA
	srvCert   string // CN cassauth, IP SAN 127.0.0.1, DNS SAN cassauth.test
	srvKey    string
	cliCert   string // CN client, signed by ca
	cliKey    string
	rogueCert string // CN client, signed by otherCA
	rogueKey  string
}

// Timeouts of the server's life cycle.
const (
	buildTimeout = 5 * time.Minute
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "cassauth-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := fx.setup(dir); err != nil {
		fmt.Fprintln(os.Stderr, "interop setup:", err)
		return 1
	}
	return m.Run()
}

// setup builds ../cmd/cassauth and writes the certificates into dir.
func (f *fixture) setup(dir string) error {
	f.dir = dir
	f.bin = filepath.Join(dir, "cassauth")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	var flags []string
	if os.Getenv("CASSAUTH_INTEROP_RACE") != "" {
		flags = append(flags, "-race") // the server too runs under the race detector
	}
	if err := harness.Build(ctx, "..", "./cmd/cassauth", f.bin, flags...); err != nil {
		return err
	}
	var err error
	if f.ca, err = harness.NewCA("cassauth interop CA"); err != nil {
		return err
	}
	if f.caCert, err = f.ca.WriteFile(dir, "ca"); err != nil {
		return err
	}
	other, err := harness.NewCA("some other CA")
	if err != nil {
		return err
	}
	if f.otherCA, err = other.WriteFile(dir, "other-ca"); err != nil {
		return err
	}
	srv, err := f.ca.Issue(harness.LeafOptions{CommonName: "cassauth", Server: true,
		IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"cassauth.test"}})
	if err != nil {
		return err
	}
	if f.srvCert, f.srvKey, err = srv.WriteFiles(dir, "server"); err != nil {
		return err
	}
	cli, err := f.ca.Issue(harness.LeafOptions{CommonName: "client", Client: true})
	if err != nil {
		return err
	}
	if f.cliCert, f.cliKey, err = cli.WriteFiles(dir, "client"); err != nil {
		return err
	}
	rogue, err := other.Issue(harness.LeafOptions{CommonName: "client", Client: true})
	if err != nil {
		return err
	}
	f.rogueCert, f.rogueKey, err = rogue.WriteFiles(dir, "rogue")
	return err
}

// spiffeCert issues a client certificate whose only URI SAN is id and
// returns its certificate and key paths.
func spiffeCert(t testing.TB, id string) (certPath, keyPath string) {
	t.Helper()
	leaf, err := fx.ca.Issue(harness.LeafOptions{CommonName: "spiffe client", Client: true, URIs: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	name := strings.NewReplacer(":", "_", "/", "_").Replace(id)
	certPath, keyPath, err = leaf.WriteFiles(t.TempDir(), name)
	if err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

// serverConfig is one configuration of `cassauth serve`.
type serverConfig struct {
	// authenticator is a Cassandra class name (short form); "" means
	// PasswordAuthenticator.
	authenticator string
	// validator is the mutual-TLS authenticators' validator_class_name.
	validator string
	// tls turns client encryption on with the fixture's server
	// certificate and CA, and require_client_auth as clientAuth ("false",
	// "optional", "true").
	tls        bool
	clientAuth string
	// v1 serves protocol v1 (CREDENTIALS).
	v1 bool
	// verifiedCache turns the verified-credentials cache on.
	verifiedCache bool
	// bcryptRounds is the bcrypt cost; 0 means 4, the lowest Cassandra
	// accepts, so that the tests' logins are cheap.
	bcryptRounds int
	// dataDir reuses a data directory (a restarted server); "" means a
	// fresh temporary one.
	dataDir string
}

// configYAML is the --config file of cfg: cassandra.yaml's auth keys.
func (cfg serverConfig) configYAML() string {
	class := cfg.authenticator
	if class == "" {
		class = "PasswordAuthenticator"
	}
	rounds := cfg.bcryptRounds
	if rounds == 0 {
		rounds = 4
	}
	var b strings.Builder
	if cfg.validator != "" {
		fmt.Fprintf(&b, "authenticator:\n  class_name: %s\n  parameters:\n    validator_class_name: %s\n", class, cfg.validator)
	} else {
		fmt.Fprintf(&b, "authenticator: %s\n", class)
	}
	b.WriteString("authorizer: CassandraAuthorizer\n")
	fmt.Fprintf(&b, "cassandra.auth_bcrypt_gensalt_log2_rounds: %d\n", rounds)
	fmt.Fprintf(&b, "verified_credentials_cache_enabled: %t\n", cfg.verifiedCache)
	return b.String()
}

// args are the command line of `cassauth serve` for cfg: both listeners
// on free loopback ports (the server logs the bound addresses).
func (cfg serverConfig) args(configPath string) []string {
	a := []string{"serve", "--config", configPath, "--data", cfg.dataDir,
		"--listen", "127.0.0.1:0", "--cql", "127.0.0.1:0", "--log-level", "debug"}
	if cfg.tls {
		a = append(a, "--cql-tls-cert", fx.srvCert, "--cql-tls-key", fx.srvKey, "--cql-tls-ca", fx.caCert,
			"--cql-tls-client-auth", cfg.clientAuth)
	}
	if cfg.v1 {
		a = append(a, "--cql-protocol-v1")
	}
	return a
}

// cqlListening finds the CQL address in the server's "listening" log line.
var cqlListening = regexp.MustCompile(`msg=listening api=cql addr=(\S+)`)

// server is a running `cassauth serve`.
type server struct {
	port    int
	dataDir string
	proc    *harness.Process
}

// addr is the CQL address.
func (s *server) addr() string { return s.proc.Addr() }

// startServer starts `cassauth serve` with cfg and stops it when the test
// ends, logging its output if the test failed.
func startServer(t testing.TB, cfg serverConfig) *server {
	t.Helper()
	if cfg.dataDir == "" {
		cfg.dataDir = t.TempDir()
	}
	configPath := filepath.Join(t.TempDir(), "cassauth.yaml")
	if err := os.WriteFile(configPath, []byte(cfg.configYAML()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := cfg.args(configPath)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	proc, err := harness.Start(ctx, harness.Command{Binary: fx.bin, Args: args, Env: serverEnv(),
		AddrPattern: cqlListening})
	if err != nil {
		t.Fatalf("cassauth %s: %v", strings.Join(args, " "), err)
	}
	_, port, err := net.SplitHostPort(proc.Addr())
	if err != nil {
		t.Fatal(err)
	}
	s := &server{dataDir: cfg.dataDir, proc: proc}
	if s.port, err = strconv.Atoi(port); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// serverEnv is the environment without $CASSAUTH_* variables, which would
// set flags the tests do not give.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CASSAUTH_") {
			env = append(env, kv)
		}
	}
	return env
}

// stop stops the server by pid (SIGTERM, then SIGKILL) and fails the test
// if it did not exit cleanly; the output is logged when the test failed.
func (s *server) stop(t testing.TB) {
	t.Helper()
	err := s.proc.Stop(stopTimeout)
	if t.Failed() || err != nil {
		t.Logf("cassauth serve output (pid %d):\n%s", s.proc.Pid(), s.proc.Output())
	}
	if err != nil {
		t.Errorf("cassauth serve did not stop cleanly: %v", err)
	}
}
