package ibkr_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// A callback endpoint: IBKR's notifications arrive as typed events,
// repeats are dropped, malformed bodies are answered 400 and a failing
// handler 500 (so IBKR delivers again). These events are unconfirmed:
// anyone can POST a forged one, so treat each as a hint and confirm with
// a query before acting, or use Client.NewCallbackHandler, which does.
func ExampleNewCallbackHandler() {
	handler := ibkr.NewCallbackHandler(func(ctx context.Context, ev ibkr.CallbackEvent) error {
		switch ev.Kind {
		case ibkr.CallbackAccountOpening:
			fmt.Println("account", ev.AccountID, "is now", ev.AccountStatus)
		case ibkr.CallbackFunding:
			in := ev.Instruction
			fmt.Println("instruction", in.ClientInstructionID, in.InstructionType, in.InstructionStatus)
		default:
			fmt.Println(ev.Kind, ev.AccountID, ev.Status)
		}
		return nil
	}, ibkr.WithCallbackDeduper(ibkr.NewCallbackDeduper(0)))

	mux := http.NewServeMux()
	mux.Handle("POST /ibkr/callback", handler)

	for _, body := range []string{
		`{"request_type":"ACCT_OPENING","accountId":"U1234567","status":"O"}`,
		`{"instructionSetId":3001,"instructionResult":{"clientInstructionId":7013045,"instructionId":43085477,"instructionType":"ACH_INSTRUCTION","instructionStatus":"PENDING_VERIFICATION"}}`,
		`{"instructionSetId":3001,"instructionResult":{"clientInstructionId":7013045,"instructionId":43085477,"instructionType":"ACH_INSTRUCTION","instructionStatus":"PENDING_VERIFICATION"}}`,
		`{"request_type":"ADD_TRADING","accountId":"U1234567","status":"Accepted"}`,
		`{"unexpected":true}`,
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/ibkr/callback", strings.NewReader(body)))
		fmt.Println("->", rec.Code)
	}
	// Output:
	// account U1234567 is now open (O)
	// -> 200
	// instruction 7013045 ACH_INSTRUCTION PENDING_VERIFICATION
	// -> 200
	// -> 200
	// ADD_TRADING U1234567 Accepted
	// -> 200
	// -> 400
}
