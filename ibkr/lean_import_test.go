package ibkr_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeanImport guards what importing ibkr links: not the sandbox's
// server, the embedded spec, nor the libraries that load them.
func TestLeanImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"kin-openapi", "yaml", "jsonschema", "ibkr-go/gen/genserver"} {
			if strings.Contains(pkg, banned) {
				t.Errorf("ibkr links %s", pkg)
			}
		}
	}
}
