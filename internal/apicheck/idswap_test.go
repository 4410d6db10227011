package apicheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSwappingInstructionIDsDoesNotCompile builds small programs against
// the public API (as a package inside this module, added with go build
// -overlay, so nothing is written into the tree): the right ids compile,
// every swap of a clientInstructionId (ibkr.ID) and IBKR's instruction id
// (ibkr.InstructionID) is a type error.
func TestSwappingInstructionIDsDoesNotCompile(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const header = `package swapcheck

import (
	"context"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

var _ = ibkrtest.DemoAccountID

func use(ctx context.Context, c *ibkr.Client, link *ibkr.Instruction, srv *ibkrtest.Sandbox) {
`
	build := func(body string) (string, error) {
		t.Helper()
		dir := t.TempDir()
		src := filepath.Join(dir, "swap.go")
		if err := os.WriteFile(src, []byte(header+body+"\n}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{
			filepath.Join(root, "internal", "apicheck", "swapcheck", "swap.go"): src,
		}})
		ov := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(ov, overlay, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(goBin, "build", "-overlay", ov, "./internal/apicheck/swapcheck")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	right := `	_, _ = c.InstructionStatus(ctx, link.ClientInstructionID)
	_, _ = c.InstructionByID(ctx, link.InstructionID)
	_, _, _ = srv.MicroDeposits(link.InstructionID)
	_ = ibkr.MicroDepositVerification{InstructionID: link.InstructionID}
	_ = ibkr.Cancellation{ClientInstructionID: link.ClientInstructionID, InstructionID: link.InstructionID}`
	if out, err := build(right); err != nil {
		t.Fatalf("the right ids do not compile (the check would prove nothing): %v\n%s", err, out)
	}
	for name, body := range map[string]string{
		"IBKR's id as a clientInstructionId": `	_, _ = c.InstructionStatus(ctx, link.InstructionID)`,
		"a clientInstructionId as IBKR's id": `	_, _ = c.InstructionByID(ctx, link.ClientInstructionID)`,
		"verification of the wrong id":       `	_ = ibkr.MicroDepositVerification{InstructionID: link.ClientInstructionID}`,
		"micro-deposits of the wrong id":     `	_, _, _ = srv.MicroDeposits(link.ClientInstructionID)`,
		"cancel with the ids swapped":        `	_ = ibkr.Cancellation{ClientInstructionID: link.InstructionID, InstructionID: link.ClientInstructionID}`,
		"waiting on IBKR's id":               `	_, _ = c.WaitForInstruction(ctx, link.InstructionID, 0)`,
	} {
		out, err := build(body)
		if err == nil {
			t.Errorf("%s compiles", name)
			continue
		}
		if !strings.Contains(out, "cannot use") {
			t.Errorf("%s: fails for another reason than the id types:\n%s", name, out)
		}
	}
}
