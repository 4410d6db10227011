package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ibkrweb/ibkr-go/wire"
)

func TestDecodeCallback(t *testing.T) {
	tests := []struct {
		name string
		body string
		want CallbackEvent // Raw is not compared
	}{
		{"account opening accepted", `{"request_type":"ACCT_OPENING","accountId":"U1234567","status":"O","description":"Open","requestId":9001}`,
			CallbackEvent{Kind: CallbackAccountOpening, AccountID: "U1234567", Status: "O", AccountStatus: StatusOpen, Description: "Open", RequestID: NewID(9001)}},
		{"account opening rejected", `{"request_type":"ACCT_OPENING","accountId":"U1234567","status":"R","message":"compliance"}`,
			CallbackEvent{Kind: CallbackAccountOpening, AccountID: "U1234567", Status: "R", AccountStatus: StatusRejected, Message: "compliance"}},
		{"add trading camelCase", `{"requestType":"ADD_TRADING","acctId":"U7","status":"Accepted","requestId":"12345678901234567890"}`,
			CallbackEvent{Kind: CallbackAddTradingPermissions, AccountID: "U7", Status: "Accepted", RequestID: wire.MustID("12345678901234567890")}},
		{"remove trading", `{"request_type":"REMOVE_TRADING","account_id":"U7","status":"Rejected","request_id":5}`,
			CallbackEvent{Kind: CallbackRemoveTradingPermissions, AccountID: "U7", Status: "Rejected", RequestID: NewID(5)}},
		{"clp", `{"request_type":"ADD_CLP","accountId":"U7","status":"Accepted"}`, CallbackEvent{Kind: CallbackAddCLP, AccountID: "U7", Status: "Accepted"}},
		{"levfx", `{"request_type":"ADD_LEVFX","accountId":"U7","status":"Accepted"}`, CallbackEvent{Kind: CallbackAddLeveragedFX, AccountID: "U7", Status: "Accepted"}},
		{"fin info", `{"request_type":"CHANGE_FIN_INFO","accountId":"U7","status":"Accepted"}`, CallbackEvent{Kind: CallbackChangeFinancialInfo, AccountID: "U7", Status: "Accepted"}},
		{"margin", `{"request_type":"CHANGE_MARGIN","accountId":"U7","status":"Accepted"}`, CallbackEvent{Kind: CallbackChangeMargin, AccountID: "U7", Status: "Accepted"}},
		{"documents", `{"request_type":"DOC_SUBMISSION","referenceAccountId":"U7","status":"Rejected","state":"Rejected .. blurry"}`,
			CallbackEvent{Kind: CallbackDocumentSubmission, AccountID: "U7", Status: "Rejected", State: "Rejected .. blurry"}},
		{"future request type", `{"request_type":"CHANGE_ALIAS","accountId":"U7","status":"Accepted"}`,
			CallbackEvent{Kind: "CHANGE_ALIAS", AccountID: "U7", Status: "Accepted"}},
		{"status shape", `{"accountId":"U7","status":"P","state":"Under Review with IBKR","masterAccountId":"I1234567","dateOpened":null,"timestamp":"2024-05-01 10:00:00"}`,
			CallbackEvent{Kind: CallbackAccountStatus, AccountID: "U7", Status: "P", AccountStatus: StatusPending, State: "Under Review with IBKR", Timestamp: "2024-05-01 10:00:00"}},
		{"status shape unknown letter", `{"accountId":"U7","status":"W"}`, CallbackEvent{Kind: CallbackAccountStatus, AccountID: "U7", Status: "W"}},
		{"funding nested", `{"status":202,"instructionSetId":3001,"instructionResult":{"clientInstructionId":7013045,"instructionType":"DEPOSIT","instructionStatus":"PROCESSED","instructionId":43085477,"ibReferenceId":206603050,"description":"done"}}`,
			CallbackEvent{Kind: CallbackFunding, Status: "PROCESSED", Description: "done", Instruction: &InstructionEvent{
				InstructionSetID: NewID(3001), ClientInstructionID: NewID(7013045), InstructionID: InstructionID{ID: NewID(43085477)}, IBReferenceID: NewID(206603050),
				InstructionType: "DEPOSIT", InstructionStatus: "PROCESSED", Description: "done"}}},
		{"funding rejected", `{"instructionResult":{"clientInstructionId":"99999999999999999999","instructionType":"ACH_INSTRUCTION","instructionStatus":"REJECTED","instructionId":1,"error":{"errorCode":"ERR_EWS","errorMessage":"cannot verify"}},"accountId":"U7"}`,
			CallbackEvent{Kind: CallbackFunding, AccountID: "U7", Status: "REJECTED", Instruction: &InstructionEvent{
				ClientInstructionID: wire.MustID("99999999999999999999"), InstructionID: InstructionID{ID: NewID(1)}, InstructionType: "ACH_INSTRUCTION",
				InstructionStatus: "REJECTED", ErrorCode: "ERR_EWS", ErrorMessage: "cannot verify"}}},
		{"funding flat", `{"clientInstructionId":12,"instructionStatus":"PENDING_VERIFICATION","instructionType":"ACH_INSTRUCTION","accountId":"U7"}`,
			CallbackEvent{Kind: CallbackFunding, AccountID: "U7", Status: "PENDING_VERIFICATION", Instruction: &InstructionEvent{
				ClientInstructionID: NewID(12), InstructionType: "ACH_INSTRUCTION", InstructionStatus: "PENDING_VERIFICATION"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := DecodeCallback([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d events", len(evs))
			}
			got := evs[0]
			if string(got.Raw) != tt.body {
				t.Errorf("Raw = %s", got.Raw)
			}
			got.Raw = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v %+v\nwant %+v %+v", got, got.Instruction, tt.want, tt.want.Instruction)
			}
			if !got.Kind.Known() && got.Kind != "CHANGE_ALIAS" {
				t.Errorf("Kind %q not known", got.Kind)
			}
		})
	}
	evs, err := DecodeCallback([]byte(` [` + tests[0].body + `,` + tests[12].body + `] `))
	if err != nil || len(evs) != 2 || evs[0].Kind != CallbackAccountOpening || evs[1].Kind != CallbackFunding {
		t.Fatalf("batch: %+v, %v", evs, err)
	}
}

func TestDecodeCallbackMalformed(t *testing.T) {
	tests := map[string]string{
		"empty":                    ``,
		"null":                     `null`,
		"number":                   `42`,
		"string":                   `"ACCT_OPENING"`,
		"not json":                 `request_type=ACCT_OPENING`,
		"truncated":                `{"request_type":"ACCT_OPENING","accountId":"U7"`,
		"empty array":              `[]`,
		"array of junk":            `[1]`,
		"array with bad element":   `[{"accountId":"U7","status":"O"},{}]`,
		"empty object":             `{}`,
		"unrelated object":         `{"hello":"world"}`,
		"no account":               `{"request_type":"ADD_TRADING","status":"Accepted"}`,
		"no status":                `{"request_type":"ADD_TRADING","accountId":"U7"}`,
		"empty request type":       `{"request_type":"","accountId":"U7","status":"Accepted"}`,
		"request type number":      `{"request_type":7,"accountId":"U7","status":"Accepted"}`,
		"account number":           `{"accountId":7,"status":"O"}`,
		"status object":            `{"accountId":"U7","status":{}}`,
		"request id fraction":      `{"request_type":"ADD_TRADING","accountId":"U7","status":"A","requestId":1.5}`,
		"request id negative":      `{"request_type":"ADD_TRADING","accountId":"U7","status":"A","requestId":-1}`,
		"request id 21 digits":     `{"request_type":"ADD_TRADING","accountId":"U7","status":"A","requestId":123456789012345678901}`,
		"funding no status":        `{"instructionResult":{"clientInstructionId":1}}`,
		"funding no ids":           `{"instructionResult":{"instructionStatus":"PROCESSED"}}`,
		"funding result array":     `{"instructionResult":[1]}`,
		"funding result string":    `{"instructionResult":"PROCESSED"}`,
		"funding bad id":           `{"instructionResult":{"clientInstructionId":"abc","instructionStatus":"PROCESSED"}}`,
		"funding bad error":        `{"instructionResult":{"clientInstructionId":1,"instructionStatus":"REJECTED","error":"x"}}`,
		"funding bad set id":       `{"instructionSetId":true,"instructionResult":{"clientInstructionId":1,"instructionStatus":"PROCESSED"}}`,
		"funding status number":    `{"instructionStatus":3,"clientInstructionId":1}`,
		"description not a string": `{"accountId":"U7","status":"O","description":5}`,
		"trailing data":            `{"accountId":"U7","status":"O"} {}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			evs, err := DecodeCallback([]byte(body))
			if !errors.Is(err, ErrCallbackFormat) {
				t.Fatalf("DecodeCallback = %+v, %v; want ErrCallbackFormat", evs, err)
			}
		})
	}
}

type callbackRecorder struct {
	mu     sync.Mutex
	events []CallbackEvent
	fail   map[string]int // Key → failures left
}

func (r *callbackRecorder) handle(_ context.Context, ev CallbackEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[ev.Key()] > 0 {
		r.fail[ev.Key()]--
		return errors.New("database down")
	}
	r.events = append(r.events, ev)
	return nil
}

func postCallback(h http.Handler, method, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/ibkr/callback", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCallbackHandler(t *testing.T) {
	const opened = `{"request_type":"ACCT_OPENING","accountId":"U1234567","status":"O"}`
	rec := &callbackRecorder{}
	h := NewCallbackHandler(rec.handle, WithCallbackMaxBody(512))

	if r := postCallback(h, http.MethodPost, opened); r.Code != http.StatusOK {
		t.Fatalf("valid notification: %d %s", r.Code, r.Body)
	}
	if len(rec.events) != 1 || rec.events[0].AccountStatus != StatusOpen {
		t.Fatalf("events = %+v", rec.events)
	}
	if r := postCallback(h, http.MethodGet, ""); r.Code != http.StatusMethodNotAllowed || r.Header().Get("Allow") != "POST" {
		t.Errorf("GET: %d, Allow %q", r.Code, r.Header().Get("Allow"))
	}
	for _, bad := range []string{`{`, `{}`, `[]`, `{"accountId":"U7"}`} {
		if r := postCallback(h, http.MethodPost, bad); r.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, r.Code)
		}
	}
	big := `{"accountId":"U7","status":"O","description":"` + strings.Repeat("x", 600) + `"}`
	if r := postCallback(h, http.MethodPost, big); r.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", r.Code)
	}
	if len(rec.events) != 1 {
		t.Fatalf("refused bodies reached the handler: %+v", rec.events)
	}
	// A failing handler answers 500 so that IBKR redelivers.
	ev, _ := DecodeCallback([]byte(opened))
	rec.fail = map[string]int{ev[0].Key(): 1}
	if r := postCallback(h, http.MethodPost, opened); r.Code != http.StatusInternalServerError || strings.Contains(r.Body.String(), "database") {
		t.Errorf("failing handler: %d %q", r.Code, r.Body)
	}
}

func TestCallbackHandlerDedup(t *testing.T) {
	const (
		pending   = `{"clientInstructionId":12,"instructionId":77,"instructionStatus":"PENDING_VERIFICATION","instructionType":"ACH_INSTRUCTION"}`
		processed = `{"clientInstructionId":12,"instructionId":77,"instructionStatus":"PROCESSED","instructionType":"ACH_INSTRUCTION"}`
	)
	rec := &callbackRecorder{}
	dd := NewCallbackDeduper(8)
	h := NewCallbackHandler(rec.handle, WithCallbackDeduper(dd))
	ev, _ := DecodeCallback([]byte(processed))
	rec.fail = map[string]int{ev[0].Key(): 1}

	codes := []int{}
	for _, body := range []string{pending, pending, processed, processed, processed, pending} {
		codes = append(codes, postCallback(h, http.MethodPost, body).Code)
	}
	// The first PROCESSED fails (500, not remembered), its redelivery is
	// handled, the third copy is dropped.
	if fmt.Sprint(codes) != "[200 200 500 200 200 200]" {
		t.Errorf("codes = %v", codes)
	}
	var got []string
	for _, e := range rec.events {
		got = append(got, e.Status)
	}
	if fmt.Sprint(got) != "[PENDING_VERIFICATION PROCESSED]" {
		t.Errorf("handled %v", got)
	}
	if dd.Len() != 2 {
		t.Errorf("Len = %d", dd.Len())
	}
}

func TestCallbackDeduperBounded(t *testing.T) {
	dd := NewCallbackDeduper(100)
	dd.SetRetention(0) // a ring: the oldest gives way at once
	var mu sync.Mutex
	handled := map[string]int{}
	fn := dd.Wrap(func(_ context.Context, ev CallbackEvent) error {
		mu.Lock()
		defer mu.Unlock()
		handled[ev.AccountID]++
		return nil
	})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				// Every worker delivers the same 1000 events, each twice.
				ev := CallbackEvent{Kind: CallbackAccountStatus, AccountID: fmt.Sprintf("U%07d", i), Status: "O"}
				_ = fn(context.Background(), ev)
				_ = fn(context.Background(), ev)
			}
		}()
	}
	wg.Wait()
	if n := dd.Len(); n > 100 {
		t.Errorf("deduper holds %d keys, capacity 100", n)
	}
	// Workers run in lockstep-ish order, so most repeats fall within the
	// window; every event is handled at least once and the immediate
	// repeats never.
	total := 0
	for id, n := range handled {
		if n < 1 {
			t.Errorf("%s handled %d times", id, n)
		}
		total += n
	}
	if len(handled) != 1000 || total >= 16000 {
		t.Errorf("handled %d distinct, %d total", len(handled), total)
	}
	// Evicted keys are handled again: capacity 2, three keys, no
	// retention.
	small := NewCallbackDeduper(2)
	small.SetRetention(0)
	count := 0
	f := small.Wrap(func(context.Context, CallbackEvent) error { count++; return nil })
	for _, a := range []string{"U1", "U2", "U3", "U1", "U3"} {
		_ = f(context.Background(), CallbackEvent{Kind: CallbackAccountStatus, AccountID: a, Status: "O"})
	}
	if count != 4 || small.Len() != 2 {
		t.Errorf("count = %d, Len = %d; want 4, 2", count, small.Len())
	}
	// With the default retention a full deduper keeps its young keys: the
	// third key is handled but not remembered, so U1 stays a repeat.
	kept := NewCallbackDeduper(2)
	count = 0
	f = kept.Wrap(func(context.Context, CallbackEvent) error { count++; return nil })
	for _, a := range []string{"U1", "U2", "U3", "U1", "U3"} {
		_ = f(context.Background(), CallbackEvent{Kind: CallbackAccountStatus, AccountID: a, Status: "O"})
	}
	if count != 4 || kept.Len() != 2 {
		t.Errorf("count = %d, Len = %d; want 4, 2 (U1 U2 U3 U3)", count, kept.Len())
	}
}

func FuzzCallbackDecode(f *testing.F) {
	for _, s := range []string{
		`{"request_type":"ACCT_OPENING","accountId":"U1234567","status":"O"}`,
		`{"requestType":"DOC_SUBMISSION","acctId":"U7","status":"Rejected","requestId":"5"}`,
		`{"instructionSetId":1,"instructionResult":{"clientInstructionId":7,"instructionStatus":"REJECTED","error":{"errorCode":"X"}}}`,
		`[{"accountId":"U7","status":"P"},{"clientInstructionId":1,"instructionStatus":"PENDING"}]`,
		`{"accountId":"U7","status":"O","requestId":1e3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := DecodeCallback(body)
		if err != nil {
			if !errors.Is(err, ErrCallbackFormat) {
				t.Fatalf("error does not match ErrCallbackFormat: %v", err)
			}
			return
		}
		if len(evs) == 0 {
			t.Fatal("no events and no error")
		}
		for _, ev := range evs {
			if ev.Kind == "" || ev.Status == "" {
				t.Fatalf("event without kind or status: %+v", ev)
			}
			if (ev.Kind == CallbackFunding) != (ev.Instruction != nil) {
				t.Fatalf("funding kind and instruction disagree: %+v", ev)
			}
			if ev.Kind != CallbackFunding && ev.AccountID == "" {
				t.Fatalf("account event without account: %+v", ev)
			}
			if ev.AccountStatus != "" && (!ev.AccountStatus.Known() || string(ev.AccountStatus) != ev.Status) {
				t.Fatalf("AccountStatus %q for status %q", ev.AccountStatus, ev.Status)
			}
			if !json.Valid(ev.Raw) {
				t.Fatal("Raw is not JSON")
			}
			again, err := DecodeCallback(ev.Raw)
			if err != nil || len(again) != 1 || again[0].Key() != ev.Key() {
				t.Fatalf("Raw does not decode to the same event: %v", err)
			}
		}
		// The handler answers 200 to what decodes (with a handler that
		// accepts everything).
		h := NewCallbackHandler(func(context.Context, CallbackEvent) error { return nil })
		if r := postCallback(h, http.MethodPost, string(body)); r.Code != http.StatusOK && len(body) <= DefaultCallbackMaxBody {
			t.Fatalf("handler answered %d to a decodable body", r.Code)
		}
	})
}
