package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompletionScriptsListCommandsAndFlags(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := runT(t, nil, "completion", shell)
		wantExit(t, r, exitOK, "demo", "sandbox", "completion", "amount", "base-url", "micro")
		if r.stderr != "" {
			t.Fatalf("%s: stderr not empty\n%s", shell, r)
		}
	}
	wantExit(t, runT(t, nil, "completion", "powershell"), exitUsage, `unknown shell "powershell"`)
	wantExit(t, runT(t, nil, "completion"), exitUsage, "give one shell")
}

// The bash script, loaded into bash, completes commands and each
// command's own flags.
func TestCompletionBashCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	r := runT(t, nil, "completion", "bash")
	wantExit(t, r, exitOK)
	script := filepath.Join(t.TempDir(), "ibkr.bash")
	if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) []string {
		t.Helper()
		line := `source "$1"; COMP_WORDS=(` + strings.Join(words, " ") + `); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _ibkr; printf '%s\n' "${COMPREPLY[@]}"`
		out, err := exec.Command(bash, "--norc", "--noprofile", "-c", line, "bash", script).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	if got := complete("ibkr", "de"); strings.Join(got, " ") != "demo" {
		t.Fatalf("ibkr de<TAB> = %v, want demo", got)
	}
	if got := complete("ibkr", "demo", "--am"); strings.Join(got, " ") != "--amount" {
		t.Fatalf("ibkr demo --am<TAB> = %v, want --amount", got)
	}
	if got := complete("ibkr", "sandbox", "--fa"); strings.Join(got, " ") != "--fast" {
		t.Fatalf("ibkr sandbox --fa<TAB> = %v, want --fast", got)
	}
	if got := complete("ibkr", "completion", "z"); strings.Join(got, " ") != "zsh" {
		t.Fatalf("ibkr completion z<TAB> = %v, want zsh", got)
	}
	// zsh and fish check their scripts' syntax where installed.
	for shell, args := range map[string][]string{"zsh": {"-n"}, "fish": {"--no-execute"}} {
		bin, err := exec.LookPath(shell)
		if err != nil {
			continue
		}
		r := runT(t, nil, "completion", shell)
		p := filepath.Join(t.TempDir(), "ibkr."+shell)
		if err := os.WriteFile(p, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, append(args, p)...).CombinedOutput(); err != nil {
			t.Fatalf("%s syntax: %v\n%s", shell, err, out)
		}
	}
}
