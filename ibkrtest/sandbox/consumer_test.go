package sandbox_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestFreshConsumerModule is what a new user does: a module of their own
// holding the README's quickstart test and copies of every Example file of
// ibkr and ibkrtest, requiring ibkr-go (replaced by this checkout), and
// "go test" in it. It runs offline (GOPROXY=off) on the shared module
// cache, so it needs nothing the repository's own build does not.
func TestFreshConsumerModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a separate module")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- quickstart:begin -->\n```go\n(.*?)```\n<!-- quickstart:end -->").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no quickstart block between <!-- quickstart:begin --> and <!-- quickstart:end -->")
	}

	mod := t.TempDir()
	write := func(rel string, data []byte) {
		t.Helper()
		p := filepath.Join(mod, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", []byte("module example.com/consumer\n\ngo 1.26.0\n\n"+
		"require github.com/ibkrweb/ibkr-go v0.0.0\n\n"+
		"replace github.com/ibkrweb/ibkr-go => "+root+"\n"))
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		write("go.sum", sum)
	}
	write("funding_test.go", m[1])

	// Every Example file, copied as is into a package of the consumer's:
	// only the package clause changes. An unexported helper of ours would
	// not compile here.
	copies := 0
	for dir, pattern := range map[string]string{
		"ibkrexamples":     filepath.Join(root, "ibkr", "*example_test.go"),
		"ibkrtestexamples": filepath.Join(root, "ibkrtest", "*example_test.go"),
		"sandboxexamples":  filepath.Join(root, "ibkrtest", "sandbox", "*example_test.go"),
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src = regexp.MustCompile(`(?m)^package \w+$`).ReplaceAll(src, []byte("package "+dir+"_test"))
			write(filepath.Join(dir, filepath.Base(f)), src)
			copies++
		}
	}
	if copies < 10 {
		t.Fatalf("copied only %d example files", copies)
	}

	cmd := exec.Command(goBin, "test", "-count=1", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go test in a fresh consumer module: %v\n%s", err, out.String())
	}
	for _, pkg := range []string{"example.com/consumer\t", "example.com/consumer/ibkrexamples", "example.com/consumer/ibkrtestexamples"} {
		if !strings.Contains(out.String(), "ok  \t"+pkg) {
			t.Errorf("package %s did not pass:\n%s", pkg, out.String())
		}
	}
}
