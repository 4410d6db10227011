package ibkrtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// Linking a bank account by ACH against the sandbox, by hand: sign the
// body, post it, let verification time pass, read the micro-deposits the
// "bank statement" shows, confirm them.
func Example_microDeposits() {
	sb, err := ibkrtest.NewHandler()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	hs := httptest.NewServer(sb)
	defer hs.Close()

	tok, _ := sb.IssueToken(ibkrtest.DemoClientID) // or go through /oauth2/api/v1/token
	key, _ := ibkrtest.DemoPrivateKey()
	post := func(path string, body map[string]any) map[string]any {
		now := sb.Now() // sign on the sandbox's clock
		body["iss"], body["iat"], body["exp"] = ibkrtest.DemoClientID, now.Unix(), now.Add(time.Minute).Unix()
		payload, _ := json.Marshal(body)
		hdr := jws.NewHeaders()
		_ = hdr.Set(jws.KeyIDKey, ibkrtest.DemoKeyID)
		jwt, _ := jws.Sign(payload, jws.WithKey(jwa.RS256(), key, jws.WithProtectedHeaders(hdr)))
		req, _ := http.NewRequest(http.MethodPost, hs.URL+path, strings.NewReader(string(jwt)))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/jwt")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var out struct {
			InstructionResult map[string]any `json:"instructionResult"`
		}
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		_ = dec.Decode(&out)
		return out.InstructionResult
	}

	ach := post("/gw/api/v1/bank-instructions", map[string]any{
		"instructionType": "ACH_INSTRUCTION",
		"instruction": map[string]any{
			"clientInstructionId": 1, "bankInstructionCode": "USACH", "achType": "DEBIT_CREDIT",
			"bankInstructionName": "Checking", "currency": "USD", "accountId": ibkrtest.DemoAccountID,
			"clientAccountInfo": map[string]any{
				"bankRoutingNumber": ibkrtest.RoutingNumberMicroDeposits, "bankAccountNumber": "000123456789",
				"bankName": "Example Bank", "bankAccountTypeCode": 1,
			},
		},
	})
	fmt.Println("ACH:", ach["instructionStatus"])
	id := wire.MustID(ach["instructionId"].(json.Number).String())

	sb.Advance(ibkrtest.DefaultTimings.ACHVerification)
	info, _ := sb.Instruction(id)
	fmt.Println("after verification time:", info.Status)

	a1, a2, _ := sb.MicroDeposits(wire.InstructionID{ID: id})
	fmt.Println("micro-deposits:", a1, a2)
	v := post("/gw/api/v1/bank-instructions", map[string]any{
		"instructionType": "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION",
		"instruction": map[string]any{
			"clientInstructionId": 2, "bankInstructionCode": "USACH", "bankInstructionName": "Checking",
			"accountId": ibkrtest.DemoAccountID, "pendingInstructionId": json.Number(id.String()),
			"creditAmount1": json.Number(a1.String()), "creditAmount2": json.Number(a2.String()),
		},
	})
	fmt.Println("verification:", v["instructionStatus"])
	info, _ = sb.Instruction(id)
	fmt.Println("ACH now:", info.Status)
	// Output:
	// ACH: PENDING
	// after verification time: PENDING_VERIFICATION
	// micro-deposits: 0.87 0.66
	// verification: PROCESSED
	// ACH now: PROCESSED
}
