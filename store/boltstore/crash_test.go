package boltstore

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/store/memstore"
)

// The crash test: a child process (this test binary, running
// TestCrashChild) applies the writes of a seeded sequence (see opAt) to a
// store, printing "ack <i>" after write i returns; the parent kills it
// with SIGKILL at a random moment, reopens the file, runs Check, and
// compares the whole state with store/memstore after the acknowledged
// writes (or after one more: the write in flight may have committed
// without its acknowledgement). The next child goes on from there.

const (
	crashEnvPath  = "BOLTSTORE_CRASH_PATH"
	crashEnvSeed  = "BOLTSTORE_CRASH_SEED"
	crashEnvStart = "BOLTSTORE_CRASH_START"
)

// TestCrashChild is the writing child of TestCrash; it skips unless
// TestCrash runs it.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnvPath)
	if path == "" {
		t.Skip("the child process of TestCrash; runs only under it")
	}
	seed, err1 := strconv.ParseUint(os.Getenv(crashEnvSeed), 10, 64)
	start, err2 := strconv.Atoi(os.Getenv(crashEnvStart))
	if err1 != nil || err2 != nil {
		fmt.Printf("fail bad environment: %v %v\n", err1, err2)
		t.FailNow()
	}
	s, err := Open(path, &Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Printf("fail open: %v\n", err)
		t.FailNow()
	}
	ctx := context.Background()
	// The parent kills the child long before; the deadline only bounds an
	// orphan.
	for i, deadline := start, time.Now().Add(30*time.Second); time.Now().Before(deadline); i++ {
		o := opAt(seed, i)
		if c := errClass(o.run(ctx, s)); strings.HasPrefix(c, "unexpected") {
			fmt.Printf("fail write %d %v: %s\n", i, o, c)
			t.FailNow()
		}
		fmt.Printf("ack %d\n", i)
	}
}

// TestCrash kills writing children at random moments and checks that every
// acknowledged write survives and the file stays consistent. It stops
// after 6 rounds or about 6 seconds.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	ctx := context.Background()
	path := tempPath(t)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1<<63))
	model := memstore.New()
	done, rounds := 0, 0
	for budget := time.Now().Add(6 * time.Second); rounds < 6 && time.Now().Before(budget); rounds++ {
		acked := crashRound(t, exe, path, seed, done, rng)
		for i := done; i < acked; i++ {
			_ = opAt(seed, i).run(ctx, model)
		}

		s, err := Open(path, &Options{Timeout: 5 * time.Second})
		require.NoError(t, err, "round %d: reopening after the kill", rounds)
		require.NoError(t, s.Check(ctx), "round %d: consistency after the kill", rounds)
		got, err := takeSnapshot(ctx, s)
		require.NoError(t, err)
		want, err := takeSnapshot(ctx, model)
		require.NoError(t, err)
		if !equalSnapshots(got, want) {
			// The write after the last acknowledged one may have committed.
			_ = opAt(seed, acked).run(ctx, model)
			want, err = takeSnapshot(ctx, model)
			require.NoError(t, err)
			require.Equal(t, want, got, "round %d: state after %d acknowledged writes (seed %d)", rounds, acked, seed)
			t.Logf("round %d: write %d committed without its acknowledgement", rounds, acked)
			acked++
		}
		require.NoError(t, s.Close())
		t.Logf("round %d: %d writes acknowledged, all found (%d in total)", rounds, acked-done, acked)
		done = acked
	}
	require.Positive(t, done, "no write was acknowledged in %d rounds", rounds)
}

// crashRound runs one child from write start, kills it, and returns the
// index after its last acknowledged write.
func crashRound(t *testing.T, exe, path string, seed uint64, start int, rng *rand.Rand) int {
	t.Helper()
	cmd := exec.Command(exe, "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=60s")
	cmd.Env = append(os.Environ(),
		crashEnvPath+"="+path,
		crashEnvSeed+"="+strconv.FormatUint(seed, 10),
		crashEnvStart+"="+strconv.Itoa(start))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())

	var (
		mu      sync.Mutex
		next    = start // index after the last acknowledged write
		fails   []string
		firstAk = make(chan struct{})
		readEnd = make(chan struct{})
	)
	go func() {
		defer close(readEnd)
		sc := bufio.NewScanner(stdout)
		var once sync.Once
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			switch {
			case strings.HasPrefix(line, "ack "):
				i, err := strconv.Atoi(strings.TrimPrefix(line, "ack "))
				if err != nil || i != next {
					fails = append(fails, fmt.Sprintf("acknowledgement %q out of sequence, want %d", line, next))
				} else {
					next++
				}
				once.Do(func() { close(firstAk) })
			case strings.HasPrefix(line, "fail "):
				fails = append(fails, line)
			}
			mu.Unlock()
		}
	}()

	if rng.IntN(4) == 0 {
		// Sometimes kill early: during Open, or the first writes.
		time.Sleep(time.Duration(rng.IntN(80)) * time.Millisecond)
	} else {
		select {
		case <-firstAk:
		case <-readEnd:
		case <-time.After(20 * time.Second):
			t.Fatalf("the child acknowledged nothing in 20s; stderr:\n%s", stderr.String())
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
	}
	_ = cmd.Process.Kill() // SIGKILL
	<-readEnd
	waitErr := cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(fails) > 0 {
		t.Fatalf("child failed: %s\nwait: %v\nstderr:\n%s", strings.Join(fails, "\n"), waitErr, stderr.String())
	}
	return next
}

// equalSnapshots reports whether two snapshots are equal.
func equalSnapshots(a, b snapshot) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }
