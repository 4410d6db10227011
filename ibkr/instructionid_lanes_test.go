package ibkr

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

const laneChildEnv = "IBKR_LANE_TEST_CLIENT"

// TestLaneChild draws ids with the default allocator and prints them; it
// does nothing in a normal test run.
func TestLaneChild(t *testing.T) {
	clientID := os.Getenv(laneChildEnv)
	if clientID == "" {
		t.Skip("helper process for TestDefaultAllocatorAcrossProcesses")
	}
	a := newLaneAllocator(clock.Real{}, clientID, "https://example.test")
	w := bufio.NewWriter(os.Stdout)
	for range 400 {
		id, err := a.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(w, "ID", id)
	}
	_ = w.Flush()
}

func randomClientID(t *testing.T) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "test-" + hex.EncodeToString(b[:])
}

// Four processes drawing ids at once for one client id with the default
// allocator never get the same id.
func TestDefaultAllocatorAcrossProcesses(t *testing.T) {
	clientID := randomClientID(t)
	const procs = 4
	outs := make([]*strings.Builder, procs)
	cmds := make([]*exec.Cmd, procs)
	for i := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLaneChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), laneChildEnv+"="+clientID)
		outs[i] = &strings.Builder{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	seen := map[string]int{}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i])
		}
		for _, l := range strings.Split(outs[i].String(), "\n") {
			if id, ok := strings.CutPrefix(l, "ID "); ok {
				if prev, dup := seen[id]; dup {
					t.Fatalf("id %s drawn by processes %d and %d", id, prev, i)
				}
				seen[id] = i
			}
		}
	}
	if len(seen) != procs*400 {
		t.Fatalf("%d ids, want %d", len(seen), procs*400)
	}
}

// With every lane taken, the default allocator refuses instead of risking
// a collision.
func TestDefaultAllocatorRefusesWhenLanesAreTaken(t *testing.T) {
	clientID := randomClientID(t)
	probe := newLaneAllocator(clock.Real{}, clientID, "u")
	for k := range laneCount {
		path := filepath.Join(os.TempDir(), "ibkr-go-"+strconv.Itoa(os.Getuid())+"-"+probe.key+".lane"+strconv.Itoa(k))
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if err := tryLockFile(f); err != nil {
			t.Skipf("file locking: %v", err)
		}
		t.Cleanup(func() { unlockFile(f); _ = f.Close(); _ = os.Remove(path) })
	}
	_, err := probe.Next(context.Background())
	if err == nil || !strings.Contains(err.Error(), "shared store") {
		t.Fatalf("Next with every lane taken: %v", err)
	}
}

func TestLaneSlot(t *testing.T) {
	cases := []struct {
		n    uint64
		lane int
		want uint64
	}{
		{5000, 0, 5000}, {5099, 0, 5099}, {5100, 0, 6000}, {5000, 3, 5300}, {5399, 3, 5399}, {5400, 3, 6300}, {5950, 9, 5950}, {5999, 9, 5999},
	}
	for _, c := range cases {
		if got := laneSlot(c.n, c.lane); got != c.want {
			t.Errorf("laneSlot(%d, %d) = %d, want %d", c.n, c.lane, got, c.want)
		}
	}
}
