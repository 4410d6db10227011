package ibkr

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// Fields joined with a separator collide when a value holds the separator;
// length-prefixed fields cannot.
func TestCallbackKeyNoCollision(t *testing.T) {
	pairs := [][2]CallbackEvent{
		{{Kind: CallbackAccountStatus, AccountID: "U1", Status: "x\x00y"}, {Kind: CallbackAccountStatus, AccountID: "U1", Status: "x", State: "y\x00"}},
		{{Kind: CallbackAccountStatus, AccountID: "U1\x00O"}, {Kind: CallbackAccountStatus, AccountID: "U1", Status: "O\x00"}},
		{{Kind: "A\x00U1", Status: "O"}, {Kind: "A", AccountID: "U1", Status: "O"}},
		{{Kind: CallbackFunding, AccountID: "U1", Status: "PROCESSED", Instruction: &InstructionEvent{InstructionType: "DEPOSIT\x00PROCESSED"}},
			{Kind: CallbackFunding, AccountID: "U1", Status: "PROCESSED", Instruction: &InstructionEvent{InstructionType: "DEPOSIT", InstructionStatus: "PROCESSED\x00"}}},
	}
	for i, p := range pairs {
		if p[0].Key() == p[1].Key() {
			t.Errorf("pair %d: two different events share the key %q", i, p[0].Key())
		}
	}
	a := CallbackEvent{Kind: CallbackAccountStatus, AccountID: "U1", Status: "O", Raw: []byte(`{"x":1}`)}
	b := a
	b.Raw = []byte(`{"x":2}`)
	if a.Key() != b.Key() {
		t.Error("repeats of one notification must share a key")
	}
}

// Only JSON is accepted; a form or text post (what a browser can send
// cross-site without a preflight) is 415 and never reaches the handler.
func TestCallbackHandlerContentType(t *testing.T) {
	rec := &callbackRecorder{}
	h := NewCallbackHandler(rec.handle)
	const body = `{"accountId":"U1234567","status":"O"}`
	for ct, want := range map[string]int{
		"application/json":                  200,
		"application/json; charset=utf-8":   200,
		"application/vnd.ibkr+json":         200,
		"":                                  200,
		"text/plain":                        415,
		"application/x-www-form-urlencoded": 415,
		"multipart/form-data; boundary=x":   415,
		"application/jsonp":                 415,
		"garbage;;":                         415,
	} {
		req := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != want {
			t.Errorf("Content-Type %q: %d, want %d", ct, w.Code, want)
		}
	}
	if len(rec.events) != 4 {
		t.Errorf("%d events handled, want 4", len(rec.events))
	}
	// The body is bounded by default too.
	huge := `{"accountId":"U7","status":"O","description":"` + strings.Repeat("x", DefaultCallbackMaxBody) + `"}`
	if w := postCallback(h, http.MethodPost, huge); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("body over DefaultCallbackMaxBody: %d", w.Code)
	}
}

// 10,000 forged events do not push a real one out of the deduper: its
// replay is still dropped.
func TestCallbackDeduperFloodCannotEvict(t *testing.T) {
	dd := NewCallbackDeduper(0)
	now := harnessStart
	dd.now = func() time.Time { return now }
	handled := map[string]int{}
	fn := dd.Wrap(func(_ context.Context, ev CallbackEvent) error { handled[ev.AccountID]++; return nil })
	real := CallbackEvent{Kind: CallbackFunding, AccountID: "U1234567", Status: "PROCESSED",
		Instruction: &InstructionEvent{ClientInstructionID: NewID(42), InstructionStatus: "PROCESSED"}}
	_ = fn(context.Background(), real)
	for i := range DefaultCallbackDedupCapacity + 10 {
		now = now.Add(time.Millisecond)
		_ = fn(context.Background(), CallbackEvent{Kind: CallbackAccountStatus, AccountID: fmt.Sprintf("F%07d", i), Status: "O"})
	}
	_ = fn(context.Background(), real)
	if handled["U1234567"] != 1 {
		t.Fatalf("the real event was handled %d times after a flood", handled["U1234567"])
	}
	if dd.Len() > DefaultCallbackDedupCapacity {
		t.Fatalf("deduper holds %d keys", dd.Len())
	}
	// Past its retention the oldest entry gives way.
	now = now.Add(DefaultCallbackDedupRetention)
	_ = fn(context.Background(), CallbackEvent{Kind: CallbackAccountStatus, AccountID: "U7654321", Status: "O"})
	_ = fn(context.Background(), real)
	if handled["U1234567"] != 2 || dd.Len() != DefaultCallbackDedupCapacity {
		t.Fatalf("after retention: handled %d, Len %d", handled["U1234567"], dd.Len())
	}
}

// The client's handler confirms every notification with a query: forged
// ones about unknown ids are dropped, forged statuses of real ones are
// replaced by IBKR's, and a failed query asks IBKR to redeliver.
func TestClientCallbackHandlerConfirms(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	inst, err := c.NotifyWireDeposit(ctx, WireDeposit{AccountID: ibkrtest.DemoAccountID, Amount: MustDecimal("100"), Currency: USD})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []CallbackEvent
	h := c.NewCallbackHandler(func(_ context.Context, ev CallbackEvent) error {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		return nil
	}, WithCallbackDeduper(NewCallbackDeduper(0)))
	post := func(body string) int { return postCallback(h, http.MethodPost, body).Code }
	cid := inst.ClientInstructionID.String()

	if code := post(`{"instructionResult":{"clientInstructionId":99999999,"instructionType":"DEPOSIT","instructionStatus":"PROCESSED"}}`); code != 200 {
		t.Errorf("forged unknown instruction: %d", code)
	}
	if code := post(`{"accountId":"U9999999","status":"C"}`); code != 200 {
		t.Errorf("forged unknown account: %d", code)
	}
	if code := post(`{"instructionResult":{"clientInstructionId":` + cid + `,"instructionId":1,"instructionType":"DEPOSIT","instructionStatus":"PROCESSED"}}`); code != 200 {
		t.Errorf("forged id pairing: %d", code)
	}
	if len(got) != 0 {
		t.Fatalf("forged notifications reached the application: %+v", got)
	}
	// A forged PROCESSED for a real instruction: the application learns
	// the real status.
	if code := post(`{"instructionResult":{"clientInstructionId":` + cid + `,"instructionType":"DEPOSIT","instructionStatus":"PROCESSED"}}`); code != 200 {
		t.Fatalf("forged status: %d", code)
	}
	if len(got) != 1 || !got[0].Confirmed || got[0].Status != string(inst.Status) || got[0].Status == "PROCESSED" {
		t.Fatalf("confirmed event %+v, want status %s", got, inst.Status)
	}
	// An account notification carries the account's real status.
	if code := post(`{"accountId":"` + ibkrtest.DemoAccountID + `","status":"C"}`); code != 200 {
		t.Fatal(code)
	}
	if len(got) != 2 || !got[1].Confirmed || got[1].AccountStatus != StatusOpen {
		t.Fatalf("account event %+v", got[1:])
	}
	// The confirming query fails: 500, so IBKR delivers again.
	srv.FailNext("getClientInstructions", 5, http.StatusServiceUnavailable)
	if code := post(`{"instructionResult":{"clientInstructionId":` + cid + `,"instructionType":"DEPOSIT","instructionStatus":"REJECTED"}}`); code != http.StatusInternalServerError {
		t.Errorf("failed confirmation: %d, want 500", code)
	}
	if len(got) != 2 {
		t.Fatalf("an unconfirmed event reached the application: %+v", got[2:])
	}
}
