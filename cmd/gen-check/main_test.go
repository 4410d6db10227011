package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ibkrweb/ibkr-go/internal/gencheck"
)

// copyTree copies the files gen-check reads and writes into a fresh root.
func copyTree(t *testing.T) string {
	t.Helper()
	src, dst := "../..", t.TempDir()
	var files []string
	for _, pattern := range []string{"go.mod", gencheck.SpecPath, gencheck.ConfigDir + "/*.yaml", "gen/*.go", "gen/genserver/*.go", gencheck.OpTablePath} {
		m, err := filepath.Glob(filepath.Join(src, pattern))
		if err != nil || len(m) == 0 {
			t.Fatalf("no files for %s: %v", pattern, err)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		rel, err := filepath.Rel(src, f)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func editSpec(t *testing.T, root string, edit func([]byte) []byte) {
	t.Helper()
	p := filepath.Join(root, gencheck.SpecPath)
	spec, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	changed := edit(spec)
	if bytes.Equal(changed, spec) {
		t.Fatal("edit changed nothing")
	}
	if err := os.WriteFile(p, changed, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunExitCodes(t *testing.T) {
	root := copyTree(t)

	// A spec that does not parse is an error: exit 2.
	broken := t.TempDir()
	if err := os.MkdirAll(filepath.Join(broken, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, gencheck.SpecPath), []byte("openapi: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(broken, false); code != 2 {
		t.Fatalf("unparsable spec: exit %d, want 2", code)
	}
	if code := run(t.TempDir(), false); code != 2 {
		t.Fatalf("missing spec: exit %d, want 2", code)
	}

	// Rename one field without regenerating: drift, exit 1.
	editSpec(t, root, func(b []byte) []byte {
		return bytes.Replace(b, []byte("\n        bankRoutingNumber:\n"), []byte("\n        bankRoutingNumbez:\n"), 1)
	})
	if code := run(root, false); code != 1 {
		t.Fatalf("stale gen/: exit %d, want 1", code)
	}

	// -write regenerates from the edited spec.
	if code := run(root, true); code != 0 {
		t.Fatalf("-write: exit %d, want 0", code)
	}
	models, err := os.ReadFile(filepath.Join(root, "gen/models.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(models, []byte(`json:"bankRoutingNumbez`)) {
		t.Fatal("-write did not regenerate gen/models.gen.go from the edited spec")
	}
	// (That a fresh -write then checks clean is internal/gencheck's
	// TestCleanTreeHasNoDrift; one generation less keeps this test fast.)
}
