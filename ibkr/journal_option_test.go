package ibkr

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// WithJournal records money-moving calls without a journal in the context;
// a journal in the context wins for that call.
func TestWithJournalOption(t *testing.T) {
	clientJ := openJournal(t, filepath.Join(t.TempDir(), "client"))
	e := newFundingEnv(t, nil, WithJournal(clientJ))
	e.linkVerified(t, "Checking")

	res, err := e.c.DepositACH(fctx(t), ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("12.34")})
	if err != nil {
		t.Fatal(err)
	}
	entry, o, ok := clientJ.Outcome(res.ClientInstructionID)
	if !ok || o == nil || o.State != JournalAccepted || !entry.Amount.Equal(MustDecimal("12.34")) {
		t.Fatalf("client journal: %+v %+v %v", entry, o, ok)
	}

	callJ := openJournal(t, filepath.Join(t.TempDir(), "call"))
	before := clientJ.Len()
	res2, err := e.c.DepositACH(fctx(t), ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("1.00")}, WithCallJournal(callJ))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := callJ.Outcome(res2.ClientInstructionID); !ok {
		t.Fatal("the call's journal did not record the call")
	}
	if clientJ.Len() != before {
		t.Fatal("the client's journal recorded a call that carried its own journal")
	}

	if _, err := New(WithJournal(nil)); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("WithJournal(nil): %v", err)
	}
}

// The attempts left are said once, whether or not IBKR's text says them.
func TestRejectedErrorSaysAttemptsOnce(t *testing.T) {
	for _, msg := range []string{"Amounts do not match, 2 attempt(s) left", "Amounts do not match"} {
		e := &RejectedError{Code: codeMicroMismatch, Message: msg, AttemptsLeft: 2}
		if n := strings.Count(strings.ToLower(e.Error()), "left"); n != 1 {
			t.Errorf("%q: %q says the attempts %d times", msg, e.Error(), n)
		}
	}
}
