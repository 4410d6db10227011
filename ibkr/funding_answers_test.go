package ibkr

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// Answers IBKR might send that the facade must not take at face value.
func TestFundingOddAnswers(t *testing.T) {
	dep := ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("10")}

	t.Run("unreadable answer settled by lookup", func(t *testing.T) {
		f := newFake(t)
		f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
			writeJSON(w, 202, map[string]any{"status": 202, "instructionResult": map[string]any{"instructionStatus": "SOMETHING_NEW"}})
		})
		f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
			id := r.URL.Path[len("/gw/api/v1/client-instructions/"):]
			writeJSON(w, 200, instructionAnswer(id, "PENDING", 777))
		})
		in, err := f.newClient().DepositACH(bg, dep)
		if err != nil || !in.Reconciled || in.InstructionID.ID != NewID(777) || in.Status != InstructionPending {
			t.Fatalf("DepositACH = %v, %v", in, err)
		}
		if n := len(f.requests("createExternalCashTransfers")); n != 1 {
			t.Fatalf("sent %d times", n)
		}
	})

	t.Run("answer about another id", func(t *testing.T) {
		f := newFake(t)
		f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
			writeJSON(w, 202, instructionAnswer("12345", "PENDING", 1))
		})
		f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
			problem(w, 500, "", "down")
		})
		_, err := f.newClient().DepositACH(bg, dep)
		wantErr(t, err, ErrOutcomeUnknown)
		var ou *OutcomeUnknownError
		if !errors.As(err, &ou) || ou.LookupErr == nil || ou.ClientInstructionID.IsZero() || ou.ClientInstructionID == NewID(12345) {
			t.Fatalf("error = %#v", err)
		}
	})

	t.Run("accepted as REJECTED", func(t *testing.T) {
		f := newFake(t)
		f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
			a := instructionAnswer(rec.instructionID(), "REJECTED", 5)
			a["instructionResult"].(map[string]any)["error"] = map[string]any{"errorCode": "ERROR_X", "errorMessage": "no"}
			writeJSON(w, 202, a)
		})
		_, err := f.newClient().DepositACH(bg, dep)
		wantErr(t, err, ErrRejected)
		var rj *RejectedError
		if !errors.As(err, &rj) || rj.Code != "ERROR_X" || rj.Message != "no" || rj.AttemptsLeft != -1 || errors.Is(err, ErrMicroDepositMismatch) {
			t.Fatalf("error = %#v", err)
		}
	})

	t.Run("query answered REJECTED or malformed", func(t *testing.T) {
		f := newFake(t)
		f.handle("createBalancesQuery", func(w http.ResponseWriter, r *http.Request, rec received) {
			writeJSON(w, 201, instructionAnswer(rec.instructionID(), "REJECTED", 6))
		})
		f.handle("createExternalCashTransfersQuery", func(w http.ResponseWriter, r *http.Request, rec received) {
			writeJSON(w, 201, map[string]any{"status": 201})
		})
		f.handle("createBankInstructionsQuery", func(w http.ResponseWriter, r *http.Request, rec received) {
			a := instructionAnswer(rec.instructionID(), "PROCESSED", 7)
			a["instructionResult"].(map[string]any)["bankInstructionDetails"] = "not a list"
			writeJSON(w, 201, a)
		})
		c := f.newClient()
		_, err := c.Balance(bg, demo, USD)
		wantErr(t, err, ErrRejected)
		_, err = c.WithdrawableCash(bg, demo, USD)
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 201 {
			t.Fatalf("answer without result: %#v", err)
		}
		noteErr(err)
		_, err = c.BankInstructions(bg, demo, BankMethodACH)
		if !errors.As(err, &ae) || ae.ClientInstructionID.IsZero() {
			t.Fatalf("answer of the wrong shape: %#v", err)
		}
		noteErr(err)
	})

	t.Run("history polled until it arrives", func(t *testing.T) {
		f := newFake(t)
		var cid string
		f.handle("createInstructionsQuery", func(w http.ResponseWriter, r *http.Request, rec received) {
			cid = rec.instructionID()
			writeJSON(w, 202, instructionAnswer(cid, "PENDING", 8))
		})
		polls := 0
		f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
			polls++
			a := instructionAnswer(cid, "PENDING", 8)
			if polls == 3 {
				a = instructionAnswer(cid, "PROCESSED", 8)
				a["instructionResult"].(map[string]any)["instructionHistory"] = map[string]any{"result": []any{
					map[string]any{"clientInstructionId": 5, "ibInstructionId": 6, "instructionSetId": 7, "instructionType": "DEPOSIT", "requestDate": "2025-03-11", "status": "PROCESSED"},
				}}
			}
			writeJSON(w, 200, a)
		})
		got, err := f.newClient().RecentInstructions(bg, RecentQuery{AccountID: demo, Days: 1})
		if err != nil || len(got) != 1 || got[0].InstructionID.ID != NewID(6) || got[0].Status != InstructionProcessed || polls != 3 {
			t.Fatalf("RecentInstructions = %+v, %v after %d polls", got, err, polls)
		}
	})

	t.Run("instruction by id", func(t *testing.T) {
		f := newFake(t)
		f.handle("getInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
			writeJSON(w, 200, instructionAnswer("99", "PROCESSED", 123))
		})
		c := f.newClient()
		in, err := c.InstructionByID(bg, InstructionID{ID: NewID(123)})
		if err != nil || in.ClientInstructionID != NewID(99) || !in.Status.Final() || InstructionPending.Final() {
			t.Fatalf("InstructionByID = %v, %v", in, err)
		}
		_, err = c.InstructionByID(bg, InstructionID{ID: ID{}})
		wantErr(t, err, ErrInvalidInput)
	})
}

func TestAttemptsLeftParsing(t *testing.T) {
	cases := map[string]int{
		"micro-deposit amounts do not match; 2 attempt(s) left": 2,
		"1 attempt remaining":                           1,
		"no attempts left, the instruction is rejected": 0,
		"amounts do not match":                          -1,
	}
	for text, want := range cases {
		if got := attemptsLeft(text); got != want {
			t.Errorf("attemptsLeft(%q) = %d, want %d", text, got, want)
		}
	}
	e := rejection(&Instruction{Type: "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION", ErrorCode: codeAttemptsExceeded, ErrorMessage: "failed"})
	if e.AttemptsLeft != 0 || !errors.Is(e, ErrMicroDepositMismatch) {
		t.Fatalf("rejection = %#v", e)
	}
}

func TestInstructionIDOfEveryErrorKind(t *testing.T) {
	id := NewID(4242)
	errs := []error{
		&RequestError{CallInfo: CallInfo{OperationID: "x", ClientInstructionID: id}, Err: errors.New("no")},
		&OutcomeUnknownError{CallInfo: CallInfo{OperationID: "x", ClientInstructionID: id}},
		&RejectedError{Instruction: &Instruction{ClientInstructionID: id}},
		&APIError{CallInfo: CallInfo{ClientInstructionID: id}, StatusCode: 422},
		&WaitTimeoutError{CallInfo: CallInfo{ClientInstructionID: id}, What: "x", MaxWait: time.Second},
	}
	for _, err := range errs {
		if got, ok := InstructionIDOf(errors.Join(errors.New("context"), err)); !ok || got != id {
			t.Errorf("%T: %v, %v", err, got, ok)
		}
		noteErr(err)
	}
	if _, ok := InstructionIDOf(errors.New("plain")); ok {
		t.Error("plain error has an id")
	}
}
