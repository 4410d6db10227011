package ibkrtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/optable"
	"github.com/ibkrweb/ibkr-go/wire"
)

// Titles of the sandbox's gateway-level problems.
const (
	TitleSignedJWT   = "Invalid payload for security policy: SIGNED_JWT"
	TitleMaintenance = "Service unavailable: scheduled maintenance"
	TitleRateLimited = "Too many requests"
)

// problem is an error answer before or instead of the business handler.
type problem struct {
	Status     int
	Title      string
	Detail     string
	Invalid    []invalidArg
	Code       string  // errorCode inside instructionResult, when the shape has one
	CID        wire.ID // clientInstructionId, when known
	IType      string  // instructionType, when known
	RetryAfter time.Duration
	// SetID and InstructionID identify the recorded (rejected)
	// instruction, when there is one.
	SetID, InstructionID uint64
}

// defaultInstructionType is what an operation's error results name when the
// request did not say (instructionType must be one of the spec's enum).
var defaultInstructionType = map[string]string{
	"createBankInstructions":           "ACH_INSTRUCTION",
	"bulkBankInstructions":             "ACH_INSTRUCTION",
	"createBankInstructionsQuery":      "QUERY_BANK_INSTRUCTION",
	"createExternalCashTransfers":      "DEPOSIT",
	"bulkExternalCashTransfers":        "DEPOSIT",
	"createExternalCashTransfersQuery": "QUERY_WITHDRAWABLE_FUNDS",
	"createBalancesQuery":              "QUERY_WITHDRAWABLE_CASH_EQUITY",
	"createInstructionsCancel":         "CANCEL_INSTRUCTION",
	"bulkInstructionsCancel":           "CANCEL_INSTRUCTION",
	"createInstructionsQuery":          "QUERY_RECENT_INSTRUCTIONS",
	"createInternalCashTransfers":      "INTERNAL_CASH_TRANSFER",
	"bulkInternalCashTransfers":        "INTERNAL_CASH_TRANSFER",
	"createExternalAssetTransfers":     "EXTERNAL_POSITION_TRANSFER",
	"bulkExternalAssetTransfers":       "EXTERNAL_POSITION_TRANSFER",
	"createInternalAssetTransfers":     "INTERNAL_POSITION_TRANSFER",
	"bulkInternalAssetTransfers":       "INTERNAL_POSITION_TRANSFER",
}

var instructionTypes = map[string]bool{}

func init() {
	for _, t := range []string{"ACH_INSTRUCTION", "CANCEL_INSTRUCTION", "COMPLEX_ASSET_TRANSFER", "DELETE_BANK_INSTRUCTION",
		"DEPOSIT", "DWAC", "EXTERNAL_POSITION_TRANSFER", "FOP", "QUERY_RECENT_INSTRUCTIONS", "QUERY_WITHDRAWABLE_FUNDS",
		"INTERNAL_POSITION_TRANSFER", "INTERNAL_CASH_TRANSFER", "MICRO_AMOUNT", "PREDEFINED_DESTINATION_INSTRUCTION",
		"TRADITIONAL_BANK_INSTRUCTION_VERIFICATION", "WITHDRAWAL", "QUERY_IRA_CONTRIBUTIONS", "EDDA_INSTRUCTION",
		"QUERY_RECENT_RECURRING_EVENTS", "QUERY_RECURRING_INSTRUCTIONS", "QUERY_ACCOUNT_BALANCES",
		"QUERY_BANK_INSTRUCTION", "QUERY_WITHDRAWABLE_CASH_EQUITY"} {
		instructionTypes[t] = true
	}
}

// problemBody shapes p as the schema the spec declares for op and p.Status
// (filling the fields that schema requires), and returns the content type
// to send it with.
func problemBody(op optable.Operation, p problem) (string, []byte) {
	ct, sch := declaredResponse(op, p.Status)
	if ct == "" {
		ct = "application/problem+json"
	}
	body := map[string]any{
		"type":   "about:blank",
		"title":  p.Title,
		"status": p.Status,
	}
	if p.Detail != "" {
		body["detail"] = p.Detail
	}
	if len(p.Invalid) > 0 {
		args := make([]map[string]string, 0, len(p.Invalid))
		for _, a := range p.Invalid {
			args = append(args, map[string]string{"field": a.Field, "description": a.Reason})
		}
		body["invalidArguments"] = args
	}
	if sch != nil {
		required := map[string]bool{}
		for _, r := range sch.Required {
			required[r] = true
		}
		if required["detail"] && p.Detail == "" {
			body["detail"] = p.Title
		}
		_, hasSet := sch.Properties["instructionSetId"]
		if required["instructionSetId"] || required["instructionResult"] || (hasSet && p.SetID != 0) {
			body["instructionSetId"] = p.SetID
		}
		_, hasResult := sch.Properties["instructionResult"]
		if required["instructionResult"] || (hasResult && p.Code != "") {
			it := p.IType
			if !instructionTypes[it] {
				it = defaultInstructionType[op.ID]
			}
			if it == "" {
				it = "ACH_INSTRUCTION"
			}
			code := p.Code
			if code == "" {
				code = "ERROR_" + strconv.Itoa(p.Status)
			}
			msg := p.Detail
			if msg == "" {
				msg = p.Title
			}
			body["instructionResult"] = map[string]any{
				"clientInstructionId": p.CID,
				"instructionId":       p.InstructionID,
				"instructionStatus":   StatusRejected,
				"instructionType":     it,
				"error":               map[string]string{"errorCode": code, "errorMessage": msg},
			}
		}
	}
	b, _ := json.Marshal(body)
	return ct, append(b, '\n')
}

func writeProblem(w http.ResponseWriter, op optable.Operation, p problem) {
	ct, b := problemBody(op, p)
	w.Header().Set("Content-Type", ct)
	if p.RetryAfter > 0 {
		secs := int((p.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}

// writePlainProblem answers outside any operation (unknown paths).
func writePlainProblem(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"type": "about:blank", "title": title, "status": status})
	_, _ = w.Write(append(b, '\n'))
}
