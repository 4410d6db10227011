package ibkr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The file journal's fragilities, one test each. Child processes are this
// test binary run again with journalChildEnv set.

const journalChildEnv = "IBKR_JOURNAL_TEST_CHILD"

func depositEntry(id uint64, body string) JournalEntry {
	return JournalEntry{ClientInstructionID: NewID(id), Operation: opExternalCash.op.ID, InstructionType: "DEPOSIT",
		AccountID: "U1234567", Amount: MustDecimal("100.00"), Currency: "USD", Body: []byte(body)}
}

// runJournalChild runs TestJournalChild in a child process doing what.
func runJournalChild(t *testing.T, what, path string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), journalChildEnv+"="+what, "IBKR_JOURNAL_TEST_PATH="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %s: %v\n%s", what, err, out)
	}
	return string(out)
}

// TestJournalChild is the child process's side; it does nothing in a
// normal test run.
func TestJournalChild(t *testing.T) {
	what := os.Getenv(journalChildEnv)
	if what == "" {
		t.Skip("helper process for the file journal tests")
	}
	path := os.Getenv("IBKR_JOURNAL_TEST_PATH")
	ctx := context.Background()
	switch what {
	case "fsize":
		// Disk full, simulated: a file-size limit just above what the
		// journal holds, and SIGXFSZ ignored so that the write fails
		// with EFBIG instead of killing the process.
		j, err := OpenFileJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Begin(ctx, depositEntry(1, `{"n":1}`)); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(path)
		if err := limitFileSize(fi.Size() + 1024); err != nil {
			t.Skipf("cannot limit the file size: %v", err)
		}
		big := depositEntry(2, `{"pad":"`+strings.Repeat("x", 8192)+`"}`)
		err = j.Begin(ctx, big)
		fmt.Printf("big begin: %v\n", err)
		if err == nil {
			t.Fatal("a write beyond the file-size limit succeeded")
		}
		if err := j.Begin(ctx, depositEntry(3, `{"n":3}`)); err != nil {
			t.Fatalf("small begin after the rolled-back one: %v", err)
		}
		if err := j.Finish(ctx, NewID(1), JournalOutcome{State: JournalAccepted, Status: InstructionPending}); err != nil {
			t.Fatalf("finish after the rolled-back write: %v", err)
		}
		fmt.Println("child done")
	case "open":
		_, err := OpenFileJournal(path)
		fmt.Printf("open: %v\n", err)
		if !errors.Is(err, ErrJournalLocked) {
			t.Fatalf("second process opened a locked journal: %v", err)
		}
	}
}

// One failed append (disk full) followed by a successful one: the failed
// one is rolled back, the file reopens with every entry whose write
// succeeded, nothing corrupt.
func TestFileJournalFailedWriteRolledBack(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("file-size limits are simulated on Linux")
	}
	path := filepath.Join(t.TempDir(), "journal")
	out := runJournalChild(t, "fsize", path)
	if !strings.Contains(out, "child done") || !strings.Contains(out, "rolled back") {
		t.Fatalf("child output:\n%s", out)
	}
	j := openJournal(t, path)
	if d := j.Damage(); len(d) != 0 {
		t.Fatalf("damage after a rolled-back write: %+v", d)
	}
	p, _ := j.Pending(context.Background())
	if len(p) != 1 || p[0].ClientInstructionID != NewID(3) {
		t.Fatalf("pending = %+v, want only entry 3", p)
	}
	if _, o, ok := j.Outcome(NewID(1)); !ok || o == nil || o.State != JournalAccepted {
		t.Fatalf("entry 1: %v %+v", ok, o)
	}
	if _, _, ok := j.Outcome(NewID(2)); ok {
		t.Fatal("the failed write's entry is in the journal")
	}
}

// A write that fails and cannot be rolled back makes the journal refuse
// every further write until it is reopened; the reopened file holds what
// was written before.
func TestFileJournalRefusesWritesAfterUnrecoverableFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	j, err := OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := j.Begin(ctx, depositEntry(1, `{}`)); err != nil {
		t.Fatal(err)
	}
	// Swap the file for a read-only handle: the write and the rollback
	// (truncate) both fail.
	ro, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	j.mu.Lock()
	rw := j.f
	j.f = ro
	j.mu.Unlock()
	err = j.Begin(ctx, depositEntry(2, `{}`))
	if !errors.Is(err, ErrJournalBroken) {
		t.Fatalf("failed write: %v, want ErrJournalBroken", err)
	}
	j.mu.Lock()
	j.f = rw
	j.mu.Unlock()
	_ = ro.Close()
	// Even with a working file again, it refuses until reopened.
	if err := j.Begin(ctx, depositEntry(3, `{}`)); !errors.Is(err, ErrJournalBroken) {
		t.Fatalf("write after the failure: %v, want ErrJournalBroken", err)
	}
	if err := j.Finish(ctx, NewID(1), JournalOutcome{State: JournalAccepted}); !errors.Is(err, ErrJournalBroken) {
		t.Fatalf("finish after the failure: %v, want ErrJournalBroken", err)
	}
	_ = j.Close()
	j2 := openJournal(t, path)
	p, _ := j2.Pending(ctx)
	if len(p) != 1 || p[0].ClientInstructionID != NewID(1) {
		t.Fatalf("pending after reopen = %+v", p)
	}
	if err := j2.Begin(ctx, depositEntry(4, `{}`)); err != nil {
		t.Fatalf("reopened journal refuses writes: %v", err)
	}
}

// A failed write followed by a good one, as older versions left it (a
// partial record glued to a whole one): the whole one is salvaged, the
// damage reported, the lines after it read.
func TestFileJournalCorruptMiddleLineSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	lines := string(journalMagic) +
		`{"begin":{"clientInstructionId":1,"operation":"createExternalCashTransfers","time":"2026-01-01T00:00:00Z"}}` + "\n" +
		`{"begin":{"clientInstructionId":2,"operation":"createExt` + `{"begin":{"clientInstructionId":3,"operation":"createExternalCashTransfers","time":"2026-01-01T00:00:01Z"}}` + "\n" +
		"\x00\x00garbage\n" +
		`{"finish":{"clientInstructionId":1,"state":"accepted","time":"2026-01-01T00:00:02Z"}}` + "\n" +
		`{"begin":{"clientInstructionId":4,"operation":"createExternalCashTransfers","time":"2026-01-01T00:00:03Z"}}` + "\n"
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	j := openJournal(t, path)
	d := j.Damage()
	if len(d) != 2 || d[0].Line != 3 || !d[0].Salvaged || d[1].Line != 4 || d[1].Salvaged || d[0].Err == nil {
		t.Fatalf("damage = %+v, want line 3 (salvaged) and line 4", d)
	}
	p, _ := j.Pending(context.Background())
	var got []string
	for _, e := range p {
		got = append(got, e.ClientInstructionID.String())
	}
	if strings.Join(got, ",") != "3,4" {
		t.Fatalf("pending = %v, want 3,4", got)
	}
	if _, o, _ := j.Outcome(NewID(1)); o == nil || o.State != JournalAccepted {
		t.Fatalf("entry 1's outcome after the damaged lines: %+v", o)
	}
	if err := j.Begin(context.Background(), depositEntry(5, `{}`)); err != nil {
		t.Fatal(err)
	}
}

// Something that is not a journal, or a symbolic link, is refused and left
// exactly as it was.
func TestFileJournalRefusesForeignFilesAndSymlinks(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "notes.txt")
	content := []byte("precious data\nnot a journal\n")
	if err := os.WriteFile(foreign, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFileJournal(foreign); err == nil || !strings.Contains(err.Error(), "not an ibkr-go journal") {
		t.Fatalf("opening a foreign file: %v", err)
	}
	if b, _ := os.ReadFile(foreign); !bytes.Equal(b, content) {
		t.Fatalf("foreign file changed to %q", b)
	}
	// A torn-looking foreign file (no newline) is not truncated either.
	torn := filepath.Join(dir, "torn")
	if err := os.WriteFile(torn, []byte("no newline here"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFileJournal(torn); err == nil {
		t.Fatal("opened a file without a header")
	}
	if b, _ := os.ReadFile(torn); string(b) != "no newline here" {
		t.Fatalf("torn foreign file changed to %q", b)
	}
	// A symbolic link to a real journal, and one to a foreign file.
	real := filepath.Join(dir, "real.journal")
	j := openJournal(t, real)
	if err := j.Begin(context.Background(), depositEntry(1, `{}`)); err != nil {
		t.Fatal(err)
	}
	_ = j.Close()
	before, _ := os.ReadFile(real)
	for _, target := range []string{real, foreign} {
		link := filepath.Join(dir, "link-"+filepath.Base(target))
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("symlinks: %v", err)
		}
		if _, err := OpenFileJournal(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Fatalf("opening a symlink to %s: %v", target, err)
		}
	}
	if after, _ := os.ReadFile(real); !bytes.Equal(before, after) {
		t.Fatal("journal behind a symlink changed")
	}
	if b, _ := os.ReadFile(foreign); !bytes.Equal(b, content) {
		t.Fatal("foreign file behind a symlink changed")
	}
}

// Another process cannot open a journal this one has open.
func TestFileJournalExclusiveAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	j := openJournal(t, path)
	out := runJournalChild(t, "open", path)
	if !strings.Contains(out, "locked") {
		t.Fatalf("child output:\n%s", out)
	}
	_ = j.Close()
	j2 := openJournal(t, path) // free again once closed
	_ = j2
}

// A symbolic link planted at the allocator's old fixed temporary name
// (<path>.tmp) is never written through.
func TestFileAllocatorIgnoresPlantedTempSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ids")
	if err := os.Symlink(victim, path+".tmp"); err != nil {
		t.Skipf("symlinks: %v", err)
	}
	a, err := NewFileAllocator(path)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := a.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
		t.Fatalf("victim overwritten: %q", b)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "ids.tmp-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

// Settled entries move out of the journal file: reopening reads only
// what is pending, and the settled ones are still listed.
func TestFileJournalCompactsSettledEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	j, err := OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	j.compactAt = 50
	ctx := context.Background()
	for i := uint64(1); i <= 120; i++ {
		if err := j.Begin(ctx, depositEntry(i, `{}`)); err != nil {
			t.Fatal(err)
		}
		if i%10 != 0 { // every tenth stays pending
			if err := j.Finish(ctx, NewID(i), JournalOutcome{State: JournalAccepted}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := j.Len(); n >= 50+12 {
		t.Fatalf("journal file holds %d entries; compaction did not run", n)
	}
	_ = j.Close()
	j2 := openJournal(t, path)
	if n := j2.Len(); n >= 50+12 {
		t.Fatalf("reopened journal read %d entries", n)
	}
	p, _ := j2.Pending(ctx)
	if len(p) != 12 {
		t.Fatalf("%d pending, want 12", len(p))
	}
	acc, err := j2.Entries(ctx, JournalAccepted)
	if err != nil || len(acc) != 108 {
		t.Fatalf("%d accepted entries listed, %v; want 108", len(acc), err)
	}
	// Finishing an entry already moved out still works and never
	// downgrades it.
	if err := j2.Finish(ctx, NewID(1), JournalOutcome{State: JournalRejected}); err != nil {
		t.Fatal(err)
	}
	if _, o, ok := j2.Outcome(NewID(1)); !ok || o.State != JournalAccepted {
		t.Fatalf("entry 1 after a late rejection: %+v", o)
	}
	n, err := j2.Compact(ctx, time.Now().Add(time.Second))
	if err != nil || n != 108 {
		t.Fatalf("Compact = %d, %v; want 108", n, err)
	}
	if acc, _ := j2.Entries(ctx, JournalAccepted); len(acc) != 0 {
		t.Fatalf("%d accepted entries after Compact", len(acc))
	}
	if p, _ := j2.Pending(ctx); len(p) != 12 {
		t.Fatalf("%d pending after Compact", len(p))
	}
	left, _ := filepath.Glob(path + ".tmp-*")
	if len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

// A journal written before the header existed opens and is upgraded.
func TestFileJournalUpgradesHeaderlessFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	old := `{"begin":{"clientInstructionId":7,"operation":"createExternalCashTransfers","time":"2026-01-01T00:00:00Z"}}` + "\n"
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	j := openJournal(t, path)
	if p, _ := j.Pending(context.Background()); len(p) != 1 || p[0].ClientInstructionID != NewID(7) {
		t.Fatalf("pending = %+v", p)
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, journalMagic) {
		t.Fatalf("not upgraded: %q", b)
	}
}
