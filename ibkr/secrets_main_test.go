package ibkr

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestMain runs the suite, then checks that no secret the suite used
// (private keys, access tokens, client assertions, bank account numbers,
// tax ids) appears in any log line the clients wrote or any error string
// the tests recorded.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		full := flag.Lookup("test.run").Value.String() == ""
		if full && (len(suiteLogs.String()) == 0 || len(errTexts) == 0) {
			fmt.Fprintln(os.Stderr, "secret check: the suite captured no logs or errors; the check would be vacuous")
			code = 1
		}
		if leaks := findLeaks(); len(leaks) > 0 {
			for _, l := range leaks {
				fmt.Fprintln(os.Stderr, "SECRET LEAK:", l)
			}
			code = 1
		}
	}
	os.Exit(code)
}

func findLeaks() []string {
	logs := suiteLogs.String()
	secretsMu.Lock()
	defer secretsMu.Unlock()
	var leaks []string
	texts := append([]string{logs}, errTexts...)
	for s := range secrets {
		for _, t := range texts {
			if strings.Contains(t, s) {
				leaks = append(leaks, fmt.Sprintf("secret %s found in %q", redact(s), clip(t, 300)))
				break
			}
		}
	}
	return leaks
}

func TestSecretsCheckWorks(t *testing.T) {
	// The leak detector itself must catch a leak.
	noteSecret("canary-secret-value-123")
	defer func() {
		secretsMu.Lock()
		delete(secrets, "canary-secret-value-123")
		secretsMu.Unlock()
	}()
	secretsMu.Lock()
	errTexts = append(errTexts, "oops canary-secret-value-123")
	secretsMu.Unlock()
	leaks := findLeaks()
	secretsMu.Lock()
	errTexts = errTexts[:len(errTexts)-1]
	secretsMu.Unlock()
	if len(leaks) == 0 {
		t.Fatal("leak detector missed a planted secret")
	}
}
