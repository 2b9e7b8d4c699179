package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pythonBin is the interpreter the Debian packages python3-cassandra and
// python3-pure-sasl install for; the one first on PATH may be another.
const pythonBin = "/usr/bin/python3"

// pythonTimeout bounds one run of the client script.
const pythonTimeout = 60 * time.Second

// pySpec is the SPEC argument of testdata/py/cqlclient.py.
type pySpec struct {
	Host       string   `json:"host"`
	Port       int      `json:"port"`
	Protocol   *int     `json:"protocol"` // nil: the driver's negotiation
	Auth       pyAuth   `json:"auth"`
	SSL        pySSL    `json:"ssl"`
	Statements []pyStmt `json:"statements,omitempty"`
}

type pyAuth struct {
	Kind     string  `json:"kind"` // none, plain, sasl, v1
	Username string  `json:"username,omitempty"`
	Password string  `json:"password,omitempty"`
	AuthzID  *string `json:"authzid,omitempty"`
}

type pySSL struct {
	Mode           string `json:"mode"` // none, context, legacy
	Verify         bool   `json:"verify,omitempty"`
	CheckHostname  bool   `json:"check_hostname,omitempty"`
	ServerHostname string `json:"server_hostname,omitempty"`
	CA             string `json:"ca,omitempty"`
	Cert           string `json:"cert,omitempty"`
	Key            string `json:"key,omitempty"`
}

type pyStmt struct {
	CQL     string `json:"cql"`
	Prepare bool   `json:"prepare,omitempty"`
	Params  []any  `json:"params,omitempty"`
}

// pyResult is the script's JSON line.
type pyResult struct {
	OK              bool           `json:"ok"`
	ProtocolVersion int            `json:"protocol_version"`
	Results         []pyStmtResult `json:"results"`
	Error           *pyError       `json:"error"`
}

type pyStmtResult struct {
	Rows  []map[string]any `json:"rows"`
	Error *pyError         `json:"error"`
}

// pyError is a Python exception: class name, module, str(e), and for
// NoHostAvailable the error of each host.
type pyError struct {
	Class   string             `json:"class"`
	Module  string             `json:"module"`
	Message string             `json:"message"`
	Errors  map[string]pyError `json:"errors"`
}

// hostError returns the only per-host error of a NoHostAvailable.
func (e *pyError) hostError(t *testing.T) pyError {
	t.Helper()
	require.NotNil(t, e)
	require.Equal(t, "NoHostAvailable", e.Class, "message: %s", e.Message)
	require.Len(t, e.Errors, 1, "%+v", e.Errors)
	for _, v := range e.Errors {
		return v
	}
	t.Fatal("NoHostAvailable without host errors")
	return pyError{}
}

var (
	pythonOnce sync.Once
	pythonErr  error
)

// requirePython skips the test (fails it with CI=true) when /usr/bin/python3
// cannot import the driver and pure-sasl.
func requirePython(t *testing.T) {
	t.Helper()
	pythonOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, pythonBin, "-c", "import cassandra.cluster, puresasl").CombinedOutput()
		if err != nil {
			pythonErr = &missingClientError{what: "the DataStax Python driver", err: err, out: string(out),
				install: "apt-get install python3-cassandra python3-pure-sasl"}
		}
	})
	if pythonErr != nil {
		missingClient(t, pythonErr)
	}
}

// missingClientError says which client is missing and how to install it.
type missingClientError struct {
	what, install, out string
	err                error
}

func (e *missingClientError) Error() string {
	return e.what + " is not usable (" + e.err.Error() + ": " + strings.TrimSpace(e.out) +
		"); install it with: " + e.install
}

// missingClient fails the test under CI=true and skips it otherwise.
func missingClient(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	t.Skip(err)
}

// runPython runs the client script with spec and returns its result line;
// a crash of the script fails the test with its output.
func runPython(t *testing.T, spec pySpec) pyResult {
	t.Helper()
	requirePython(t)
	if spec.Host == "" {
		spec.Host = "127.0.0.1"
	}
	if spec.SSL.Mode == "" {
		spec.SSL.Mode = "none"
	}
	if spec.Auth.Kind == "" {
		spec.Auth.Kind = "none"
	}
	arg, err := json.Marshal(spec)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), pythonTimeout)
	defer cancel()
	script, err := filepath.Abs(filepath.Join("testdata", "py", "cqlclient.py"))
	require.NoError(t, err)
	cmd := exec.CommandContext(ctx, pythonBin, script, string(arg))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	require.NoError(t, err, "python client failed\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var res pyResult
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &res),
		"stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	if res.OK {
		require.Len(t, res.Results, len(spec.Statements))
	} else {
		require.NotNil(t, res.Error, "stdout: %s", stdout.String())
	}
	return res
}

// mustConnect asserts that the client connected and returns its results.
func mustConnect(t *testing.T, spec pySpec) pyResult {
	t.Helper()
	res := runPython(t, spec)
	require.True(t, res.OK, "connect failed: %+v", res.Error)
	return res
}

// rowsOf asserts that statement i returned rows (not an error).
func (r pyResult) rowsOf(t *testing.T, i int) []map[string]any {
	t.Helper()
	require.Less(t, i, len(r.Results))
	require.Nil(t, r.Results[i].Error, "statement %d failed: %+v", i, r.Results[i].Error)
	return r.Results[i].Rows
}

// column returns the values of column col in rows.
func column(rows []map[string]any, col string) []any {
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, r[col])
	}
	return out
}

// intPtr returns &v.
func intPtr(v int) *int { return &v }

// strPtr returns &v.
func strPtr(v string) *string { return &v }
