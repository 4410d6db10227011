package ibkr

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

const depositBody = `{"instructionType":"DEPOSIT","instruction":{"clientInstructionId":%s,"accountId":"U1234567","currency":"USD","amount":500.00,"bankInstructionMethod":"ACH","bankInstructionName":"checking","sendingInstitution":"Bank","identifier":"` + secretAccountNumber + `"}}`

func depositJSON(id string) string { return strings.Replace(depositBody, "%s", id, 1) }

func deposit(c *Client, ctx context.Context, id string, opts ...CallOption) (*gen.CreateExternalCashTransfersResponse, error) {
	return c.Raw(opts...).CreateExternalCashTransfersWithBodyWithResponse(ctx, "application/json", jsonReader(depositJSON(id)))
}

// postIDs returns the clientInstructionIds of every POST seen for opID.
func postIDs(f *fakeIBKR, opID string) []string {
	var out []string
	for _, r := range f.requests(opID) {
		out = append(out, r.instructionID())
	}
	return out
}

func sameID(t *testing.T, ids []string, want string) {
	t.Helper()
	for i, id := range ids {
		if id != want {
			t.Fatalf("POST %d carried id %q, want %q (never a second POST with a new id)", i, id, want)
		}
	}
}

// lookupFound answers the lookup with the instruction.
func lookupFound(status string, instructionID int) func(http.ResponseWriter, *http.Request, received) {
	return func(w http.ResponseWriter, r *http.Request, rec received) {
		id := rec.path[len("/gw/api/v1/client-instructions/"):]
		writeJSON(w, 200, instructionAnswer(id, status, instructionID))
	}
}

func lookupNotFound(w http.ResponseWriter, r *http.Request, rec received) {
	problem(w, http.StatusNotFound, "", "no such instruction")
}

// refusedResend sets f up for a resend that IBKR refuses as a duplicate: the
// first POST's connection drops, every later POST gets a 409, the first lookup
// finds nothing (the first copy was still in flight) and later lookups are
// answered by later. It returns the counts of POSTs and lookups answered.
func refusedResend(f *fakeIBKR, later func(http.ResponseWriter, *http.Request, received)) (posts, lookups *int) {
	posts, lookups = new(int), new(int)
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
		*posts++
		if *posts == 1 {
			dropConnection(w)
			return
		}
		problem(w, http.StatusConflict, "DUPLICATE_CLIENT_INSTRUCTION_ID", "duplicate")
	})
	f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		*lookups++
		if *lookups == 1 {
			lookupNotFound(w, r, rec)
			return
		}
		later(w, r, rec)
	})
	return posts, lookups
}

func TestReconcileFoundAfterLostAnswer(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) { dropConnection(w) })
	f.handle("getClientInstructions", lookupFound("PENDING", 4242))
	id, _ := c.NewInstructionID(bg)
	r, err := deposit(c, bg, id.String())
	if err != nil {
		noteErr(err)
		t.Fatal(err)
	}
	if r.JSON202 == nil || r.JSON202.InstructionResult == nil {
		t.Fatalf("no typed 202 answer: %d %s", r.StatusCode(), r.Body)
	}
	res := r.JSON202.InstructionResult
	if res.ClientInstructionId != id || res.InstructionId != NewID(4242) || res.InstructionStatus != "PENDING" {
		t.Fatalf("result %+v", res)
	}
	if !Reconciled(r.HTTPResponse) {
		t.Fatal("a reconciled answer must be marked")
	}
	sameID(t, postIDs(f, "createExternalCashTransfers"), id.String())
	if n := len(f.requests("createExternalCashTransfers")); n != 1 {
		t.Fatalf("%d POSTs, want 1", n)
	}
	if got := f.requests("getClientInstructions"); len(got) != 1 || got[0].path != "/gw/api/v1/client-instructions/"+id.String() {
		t.Fatalf("lookups %v", got)
	}
}

func TestReconcileFoundAfter5xx(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusBadGateway, "", "upstream")
	})
	f.handle("getClientInstructions", lookupFound("PROCESSED", 77))
	r, err := deposit(c, bg, "0") // the client fills in the id
	if err != nil {
		t.Fatal(err)
	}
	if !Reconciled(r.HTTPResponse) || r.JSON202 == nil || r.JSON202.InstructionResult.InstructionStatus != "PROCESSED" {
		t.Fatalf("answer %s", r.Body)
	}
	ids := postIDs(f, "createExternalCashTransfers")
	if len(ids) != 1 || ids[0] == "" || ids[0] == "0" {
		t.Fatalf("ids %v", ids)
	}
}

func TestReconcileNotFoundResendsSameID(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	posts := 0
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
		posts++
		if posts == 1 {
			dropConnection(w)
			return
		}
		writeJSON(w, 202, instructionAnswer(rec.instructionID(), "PENDING", 9))
	})
	f.handle("getClientInstructions", lookupNotFound)
	id, _ := c.NewInstructionID(bg)
	r, err := deposit(c, bg, id.String())
	if err != nil {
		t.Fatal(err)
	}
	if Reconciled(r.HTTPResponse) || r.JSON202 == nil || r.JSON202.InstructionResult.InstructionId != NewID(9) {
		t.Fatalf("answer %s", r.Body)
	}
	ids := postIDs(f, "createExternalCashTransfers")
	if len(ids) != 2 {
		t.Fatalf("%d POSTs, want 2", len(ids))
	}
	sameID(t, ids, id.String())
	if n := len(f.requests("getClientInstructions")); n != 1 {
		t.Fatalf("%d lookups", n)
	}
}

func TestReconcileStillUnknown(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 3, Jitter: maxJitter}))
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusInternalServerError, "", "boom for "+secretAccountNumber)
	})
	f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusServiceUnavailable, "", "down")
	})
	id, _ := c.NewInstructionID(bg)
	_, err := deposit(c, bg, id.String())
	wantErr(t, err, ErrOutcomeUnknown)
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || ou.ClientInstructionID != id || ou.OperationID != "createExternalCashTransfers" {
		t.Fatalf("error %#v", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 500 || ae.ClientInstructionID != id {
		t.Fatalf("cause %#v", ae)
	}
	if n := len(f.requests("createExternalCashTransfers")); n != 1 {
		t.Fatalf("%d POSTs, want 1", n)
	}
	// The lookup is read-only and retried per policy.
	if n := len(f.requests("getClientInstructions")); n != 3 {
		t.Fatalf("%d lookups, want 3", n)
	}
}

func TestReconcileResendsBounded(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{MaxResends: 2}))
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) { dropConnection(w) })
	f.handle("getClientInstructions", lookupNotFound)
	id, _ := c.NewInstructionID(bg)
	_, err := deposit(c, bg, id.String())
	wantErr(t, err, ErrOutcomeUnknown)
	ids := postIDs(f, "createExternalCashTransfers")
	if len(ids) != 3 {
		t.Fatalf("%d POSTs, want 1 + 2 resends", len(ids))
	}
	sameID(t, ids, id.String())
	if n := len(f.requests("getClientInstructions")); n != 3 {
		t.Fatalf("%d lookups, want 3", n)
	}
}

func TestReconcileRefusedResendFoundAfterAll(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	refusedResend(f, lookupFound("PENDING", 31))
	id, _ := c.NewInstructionID(bg)
	r, err := deposit(c, bg, id.String())
	if err != nil {
		t.Fatal(err)
	}
	if !Reconciled(r.HTTPResponse) || r.JSON202.InstructionResult.InstructionId != NewID(31) {
		t.Fatalf("answer %s", r.Body)
	}
	sameID(t, postIDs(f, "createExternalCashTransfers"), id.String())
}

func TestReconcileAfterCallerGaveUp(t *testing.T) {
	for _, found := range []bool{true, false} {
		f := newFake(t)
		c := f.newClient()
		ctx, cancel := context.WithCancel(bg)
		f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
			cancel()             // the caller gives up while IBKR works
			<-r.Context().Done() // the client hangs up
		})
		if found {
			f.handle("getClientInstructions", lookupFound("PENDING", 5))
		} else {
			f.handle("getClientInstructions", lookupNotFound)
		}
		id, _ := c.NewInstructionID(bg)
		r, err := deposit(c, ctx, id.String())
		if found {
			if err != nil || !Reconciled(r.HTTPResponse) {
				noteErr(err)
				t.Fatalf("found: %v", err)
			}
		} else {
			wantErr(t, err, ErrOutcomeUnknown)
			wantErr(t, err, context.Canceled)
		}
		if n := len(f.requests("createExternalCashTransfers")); n != 1 {
			t.Fatalf("%d POSTs after the caller gave up, want 1 (no resend)", n)
		}
		if n := len(f.requests("getClientInstructions")); n != 1 {
			t.Fatalf("%d lookups, want 1", n)
		}
	}
}

func TestWriteDefiniteErrorsNotReconciled(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("createBankInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("X-Request-Id", "req-77")
		w.WriteHeader(422)
		_, _ = w.Write([]byte(`{"type":"about:blank","title":"Unprocessable","status":422,"instructionSetId":1,"instructionResult":{"clientInstructionId":` + rec.instructionID() + `,"instructionType":"ACH_INSTRUCTION","instructionStatus":"REJECTED","instructionId":3,"error":{"errorCode":"ERROR_INVALID_ROUTING_NUMBER","errorMessage":"routing number invalid for account ` + secretAccountNumber + `"}}}`))
	})
	id, _ := c.NewInstructionID(bg)
	body := `{"instructionType":"ACH_INSTRUCTION","instruction":{"clientInstructionId":` + id.String() + `,"clientAccountInfo":{"bankAccountNumber":"` + secretAccountNumber + `","bankRoutingNumber":"021000021"}}}`
	_, err := c.Raw().CreateBankInstructionsWithBodyWithResponse(bg, "application/json", jsonReader(body))
	wantErr(t, err, ErrRejected)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "ERROR_INVALID_ROUTING_NUMBER" || ae.ClientInstructionID != id || ae.RequestID != "req-77" {
		t.Fatalf("error %#v", err)
	}
	if len(f.requests("getClientInstructions")) != 0 || len(f.requests("createBankInstructions")) != 1 {
		t.Fatal("a 422 is definite: no lookup, no resend")
	}
}

func TestWriteRateLimitedNotResent(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("createBankInstructions", failThen(1, http.StatusTooManyRequests, "5"))
	_, err := c.Raw().CreateBankInstructionsWithBodyWithResponse(bg, "application/json",
		jsonReader(`{"instructionType":"ACH_INSTRUCTION","instruction":{}}`))
	wantErr(t, err, ErrRateLimited)
	if n := len(f.requests("createBankInstructions")); n != 1 {
		t.Fatalf("%d POSTs", n)
	}
	// The endpoint pauses until Retry-After, for every caller.
	t0 := f.clk.Now()
	if _, err := c.Raw().CreateBankInstructionsWithBodyWithResponse(bg, "application/json",
		jsonReader(`{"instructionType":"ACH_INSTRUCTION","instruction":{}}`)); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests("createBankInstructions")
	if got := reqs[1].at.Sub(reqs[0].at); got < 5*time.Second {
		t.Fatalf("second POST %v after the 429, want ≥ 5s (t0 %v)", got, t0)
	}
}

func TestBulkUnknownOutcomeCarriesAllIDs(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("bulkExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) { dropConnection(w) })
	_, err := c.Raw().BulkExternalCashTransfersWithBodyWithResponse(bg, "application/json", jsonReader(
		`{"instructionType":"DEPOSIT","instructions":[{"clientInstructionId":0,"amount":1.00},{"amount":2.00}]}`))
	wantErr(t, err, ErrOutcomeUnknown)
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || len(ou.ClientInstructionIDs) != 2 || ou.ClientInstructionIDs[0] == ou.ClientInstructionIDs[1] {
		t.Fatalf("error %#v", err)
	}
	if len(f.requests("bulkExternalCashTransfers")) != 1 || len(f.requests("getClientInstructions")) != 0 {
		t.Fatal("bulk requests are sent once and not looked up")
	}
}

func TestWriteNotSentIsNotUnknown(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	// Get a token first, then take the server away: the dial fails.
	if _, err := c.TokenSource(bg).Token(); err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	_, err := deposit(c, bg, "0")
	noteErr(err)
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("a request that never left is not an unknown outcome: %v", err)
	}
}

func TestSynthesizedStatusFollowsSpec(t *testing.T) {
	cases := map[string]int{
		"createExternalCashTransfers":  202,
		"createBankInstructions":       202,
		"createInstructionsCancel":     201,
		"createInternalCashTransfers":  202,
		"createInternalAssetTransfers": 202,
		"createBalancesQuery":          201,
		"getAccountsDetails":           200,
	}
	for op, want := range cases {
		if got := successStatus(op); got != want {
			t.Errorf("%s: %d, want %d", op, got, want)
		}
	}
}

func TestResumeAfterUnknownOutcome(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	// First attempt: the answer is lost and the lookup fails too.
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) { dropConnection(w) })
	f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusInternalServerError, "", "lookup down")
	})
	id, _ := c.NewInstructionID(bg)
	_, err := deposit(c, bg, id.String())
	wantErr(t, err, ErrOutcomeUnknown)

	// Resending plainly is refused: the id was used.
	_, err = deposit(c, bg, id.String())
	wantErr(t, err, ErrInstructionIDReused)

	// Resuming: IBKR never got it, so it is sent again, same id.
	f.handle("getClientInstructions", lookupNotFound)
	f.handle("createExternalCashTransfers", nil)
	r, err := deposit(c, bg, id.String(), WithResume())
	if err != nil {
		t.Fatal(err)
	}
	if r.JSON202 == nil || r.JSON202.InstructionResult.ClientInstructionId != id {
		t.Fatalf("answer %s", r.Body)
	}
	ids := postIDs(f, "createExternalCashTransfers")
	if len(ids) != 2 {
		t.Fatalf("%d POSTs, want 2", len(ids))
	}
	sameID(t, ids, id.String())

	// Resuming again: IBKR has it now; nothing is sent.
	f.handle("getClientInstructions", lookupFound("PROCESSED", 8))
	r, err = deposit(c, bg, id.String(), WithResume())
	if err != nil || !Reconciled(r.HTTPResponse) || r.JSON202.InstructionResult.InstructionStatus != "PROCESSED" {
		noteErr(err)
		t.Fatalf("resume of a known instruction: %v", err)
	}
	if n := len(f.requests("createExternalCashTransfers")); n != 2 {
		t.Fatalf("%d POSTs, want still 2", n)
	}
}

// A resend refused with a 4xx is only a definite "no" if the lookup that
// follows says IBKR never received the first copy either. If that lookup
// fails, the first copy may have arrived: the outcome is unknown, not the
// resend's refusal.
func TestReconcileRefusedResendLookupFailsIsUnknown(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	posts, lookups := refusedResend(f, func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusInternalServerError, "", "lookup broke")
	})
	id, _ := c.NewInstructionID(bg)
	_, err := deposit(c, bg, id.String())
	wantErr(t, err, ErrOutcomeUnknown)
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || ou.ClientInstructionID != id || !errors.Is(ou.LookupErr, ErrServer) {
		t.Fatalf("error %#v", err)
	}
	if got, _ := InstructionIDOf(err); got != id {
		t.Fatalf("InstructionIDOf = %v, want %v", got, id)
	}
	sameID(t, postIDs(f, "createExternalCashTransfers"), id.String())
	// The first lookup (404) and the confirming one, which answers 500
	// and is retried as reads are (MaxAttempts in all).
	if want := 1 + DefaultRetryPolicy().MaxAttempts; *posts != 2 || *lookups != want {
		t.Fatalf("%d POSTs, %d lookups; want 2 and %d", *posts, *lookups, want)
	}
}
