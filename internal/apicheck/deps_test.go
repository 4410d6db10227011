package apicheck

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOpenTelemetryLinkedOnlyByIbkrotel: a program that does not import
// ibkrotel does not link OpenTelemetry (the core logs through log/slog).
func TestOpenTelemetryLinkedOnlyByIbkrotel(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	deps := func(pkg string) string {
		t.Helper()
		out, err := exec.Command(goBin, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		return string(out)
	}
	for _, pkg := range append(publicPackages, "github.com/ibkrweb/ibkr-go/cmd/ibkr") {
		if d := deps(pkg); strings.Contains(d, "go.opentelemetry.io/") {
			t.Errorf("%s links OpenTelemetry", pkg)
		}
	}
	if d := deps("github.com/ibkrweb/ibkr-go/ibkrotel"); !strings.Contains(d, "go.opentelemetry.io/otel/trace") {
		t.Error("ibkrotel does not link OpenTelemetry: the check above proves nothing")
	}
}
