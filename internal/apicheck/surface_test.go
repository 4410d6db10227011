package apicheck

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// publicPackages are the packages a user imports.
var publicPackages = []string{
	"github.com/ibkrweb/ibkr-go/ibkr",
	"github.com/ibkrweb/ibkr-go/ibkrtest",
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox",
	"github.com/ibkrweb/ibkr-go/wire",
	"github.com/ibkrweb/ibkr-go/flex",
}

// internalName matches a qualified name from one of the module's internal
// packages as go doc prints it (clock.Fake, optable.Operation, ...).
var internalName = regexp.MustCompile(`\b(clock|optable|gencheck|specfacts)\.[A-Z]\w*`)

// TestGoDocShowsNoInternalType reads "go doc -all" of every public
// package: no declaration may name a type or value of an internal
// package, which a user could neither name nor construct.
func TestGoDocShowsNoInternalType(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	for _, pkg := range publicPackages {
		out, err := exec.Command(goBin, "doc", "-all", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go doc %s: %v\n%s", pkg, err, out)
		}
		for i, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "/internal/") || internalName.MatchString(line) {
				t.Errorf("go doc %s, line %d names an internal package: %s", pkg, i+1, strings.TrimSpace(line))
			}
		}
	}
}
