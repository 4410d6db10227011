package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file that appears at the destination while a download runs is never
// clobbered without --force; with --force, a symlink planted at the
// destination is replaced, never followed, and its target stays intact.
func TestPublishFileNeverClobbersOrFollows(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.txt")
	if err := os.WriteFile(foreign, []byte("not yours"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpFile := func() string {
		f, err := os.CreateTemp(dir, ".part-*")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.WriteString("%PDF-1.4 statement")
		_ = f.Close()
		return f.Name()
	}
	unchanged := func() {
		t.Helper()
		if b, _ := os.ReadFile(foreign); string(b) != "not yours" {
			t.Fatalf("foreign file now holds %q", b)
		}
	}

	// Appeared meanwhile (the caller's check saw nothing): kept.
	raced := filepath.Join(dir, "raced.pdf")
	if err := os.WriteFile(raced, []byte("someone else's"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := tmpFile()
	if err := publishFile(tmp, raced, false); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("publish over a file that appeared: %v", err)
	}
	if b, _ := os.ReadFile(raced); string(b) != "someone else's" {
		t.Fatalf("clobbered: %q", b)
	}
	_ = os.Remove(tmp)

	// A planted symlink without --force: refused, target intact.
	link := filepath.Join(dir, "stmt.pdf")
	if err := os.Symlink(foreign, link); err != nil {
		t.Fatal(err)
	}
	tmp = tmpFile()
	if err := publishFile(tmp, link, false); err == nil {
		t.Fatal("published through a planted symlink")
	}
	unchanged()
	// With --force: the link itself is replaced by the statement.
	if err := publishFile(tmp, link, true); err != nil {
		t.Fatal(err)
	}
	unchanged()
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Fatalf("destination is still a symlink: %v", err)
	}
	// A dangling symlink (to a file that does not exist yet) is not
	// followed either.
	target := filepath.Join(dir, "created-through-link")
	dangling := filepath.Join(dir, "dangling.pdf")
	_ = os.Symlink(target, dangling)
	tmp = tmpFile()
	if err := publishFile(tmp, dangling, false); err == nil {
		t.Fatal("published through a dangling symlink")
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatal("a file was created through the symlink")
	}
	// The normal case: the file lands, the temporary is gone.
	fresh := filepath.Join(dir, "fresh.pdf")
	if err := publishFile(tmp, fresh, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatal("temporary file left behind")
	}
}
