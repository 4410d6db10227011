package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStatementCommand(t *testing.T) {
	_, _, res, run, fake := fundedClock(t)
	fake.Advance(48 * time.Hour)
	dir := t.TempDir()
	out := filepath.Join(dir, "stmt.pdf")

	// The deposit settled on 5 March (sandbox time); two days later that
	// day's statement exists.
	r := run(nil, "statement", res.AccountID, "--available")
	wantExit(t, r, 0, "statements available for "+res.AccountID)

	r = run(nil, "statement", res.AccountID, "--from", "20250305", "--out", out)
	wantExit(t, r, 0, "wrote "+out+": custom statement of "+res.AccountID+" for 20250305", "application/pdf")
	pdf, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %v %q", err, pdf[:min(len(pdf), 20)])
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o", st.Mode().Perm())
	}

	// An existing file is kept; --force replaces it, here with a gzip
	// transfer that must yield the same PDF.
	wantExit(t, run(nil, "statement", res.AccountID, "--from", "20250305", "--out", out), exitFailure, "exists (--force replaces it)")
	r = run(nil, "statement", "--json", "--gzip", "--force", res.AccountID, "--from", "20250305", "--out", out)
	wantExit(t, r, 0)
	var sj statementJSON
	if err := json.Unmarshal([]byte(r.stdout), &sj); err != nil || !sj.Compressed || sj.Bytes != int64(len(pdf)) || sj.Period != "custom" {
		t.Fatalf("statement %+v %v", sj, err)
	}

	// IBKR refuses a day before the account was funded: exit 5, no file.
	gone := filepath.Join(dir, "early.pdf")
	r = run(nil, "statement", res.AccountID, "--from", "20250101", "--out", gone)
	wantExit(t, r, exitAPI)
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		t.Fatal("a failed download left a file")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".part-") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}

	wantExit(t, run(nil, "statement", res.AccountID, "--from", "2025-03-05", "--out", out), exitUsage, "--from")
	wantExit(t, run(nil, "statement", res.AccountID, "--from", "20250305", "--to", "202503", "--out", out), exitUsage, "--to")
	wantExit(t, run(nil, "statement", res.AccountID, "--from", "20250305"), exitUsage, "--out FILE is required")
	wantExit(t, run(nil, "statement", res.AccountID, "--out", out), exitUsage, "--from is required")
}
