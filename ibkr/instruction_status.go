package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// InstructionStatus is the state IBKR reports for a banking or transfer
// instruction.
type InstructionStatus string

// The instruction statuses.
const (
	// InstructionPending: accepted, not final yet (ACH verification in
	// progress, a deposit on its way, an active recurring transfer).
	InstructionPending InstructionStatus = "PENDING"
	// InstructionProcessed: carried out.
	InstructionProcessed InstructionStatus = "PROCESSED"
	// InstructionRejected: refused or cancelled; see the error code.
	InstructionRejected InstructionStatus = "REJECTED"
	// InstructionPendingVerification: an ACH instruction waiting for its
	// micro-deposit amounts (see VerifyMicroDeposits).
	InstructionPendingVerification InstructionStatus = "PENDING_VERIFICATION"
)

// Final reports whether the status can no longer change: PROCESSED or
// REJECTED.
func (s InstructionStatus) Final() bool {
	return s == InstructionProcessed || s == InstructionRejected
}

// Instruction is IBKR's account of one banking or transfer instruction:
// the answer to submitting it, or its status looked up later.
type Instruction struct {
	// ClientInstructionID is the id the request was sent with: persist it
	// to look the instruction up later (InstructionStatus).
	ClientInstructionID ID
	// InstructionID is IBKR's id of the instruction: cancel it, or verify
	// an ACH instruction's micro-deposits, with this id.
	InstructionID ID
	// InstructionSetID is the set the instruction belongs to.
	InstructionSetID ID
	// IBReferenceID is IBKR's reference, when given; for a recurring
	// transfer, the id its executions are listed by.
	IBReferenceID ID
	// Type is the instruction type, e.g. "ACH_INSTRUCTION" or "DEPOSIT".
	Type string
	// Status is the instruction's state.
	Status InstructionStatus
	// Description is IBKR's comment.
	Description string
	// ErrorCode and ErrorMessage explain a REJECTED status.
	ErrorCode, ErrorMessage string
	// Amount and Currency are reported for deposits looked up later.
	Amount   Decimal
	Currency string
	// WhenAvailable is when a deposit's funds can be used (yyyy-MM-dd),
	// when reported.
	WhenAvailable string
	// Reconciled reports that the request's own answer was lost and this
	// account comes from looking its clientInstructionId up (see
	// the function Reconciled).
	Reconciled bool
}

// String describes the instruction for logs and errors.
func (in *Instruction) String() string {
	if in == nil {
		return "<nil instruction>"
	}
	var b strings.Builder
	b.WriteString(in.Type)
	if b.Len() == 0 {
		b.WriteString("instruction")
	}
	if !in.InstructionID.IsZero() {
		b.WriteString(" " + in.InstructionID.String())
	}
	b.WriteString(" " + string(in.Status))
	if in.ErrorCode != "" {
		b.WriteString(" (" + in.ErrorCode + ")")
	}
	b.WriteString(" [clientInstructionId " + in.ClientInstructionID.String() + "]")
	return b.String()
}

// ErrMicroDepositMismatch is the cause (RejectedError.Err) when the two
// micro-deposit amounts did not match what IBKR sent.
var ErrMicroDepositMismatch = errors.New("ibkr: micro-deposit amounts do not match")

// Error codes IBKR (and the sandbox) use around micro-deposit
// verification.
const (
	codeMicroMismatch    = "ERROR_MICRO_AMOUNTS_MISMATCH"
	codeAttemptsExceeded = "ERROR_VERIFICATION_ATTEMPTS_EXCEEDED"
)

var attemptsLeftPattern = regexp.MustCompile(`(?i)\b(\d+|no)\s+attempts?(\(s\))?\s+(left|remaining)`)

// attemptsLeft reads "2 attempt(s) left" / "no attempts left" from IBKR's
// text; -1 when the text says nothing about it.
func attemptsLeft(texts ...string) int {
	for _, t := range texts {
		m := attemptsLeftPattern.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		if strings.EqualFold(m[1], "no") {
			return 0
		}
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n
		}
	}
	return -1
}

// rejection builds the error for a REJECTED instruction.
func rejection(in *Instruction) *RejectedError {
	e := &RejectedError{CallInfo: CallInfo{ClientInstructionID: in.ClientInstructionID}, Instruction: in, Code: in.ErrorCode, Message: in.ErrorMessage, AttemptsLeft: -1}
	if e.Message == "" {
		e.Message = in.Description
	}
	if in.Type == "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION" {
		e.AttemptsLeft = attemptsLeft(in.ErrorMessage, in.Description)
		if in.ErrorCode == codeAttemptsExceeded {
			e.AttemptsLeft = 0
		}
		if in.ErrorCode == codeMicroMismatch || in.ErrorCode == codeAttemptsExceeded || e.AttemptsLeft >= 0 {
			e.Err = ErrMicroDepositMismatch
		}
	}
	return e
}

// wireAnswer is every instruction answer's common shape: the 201/202
// answer to a submitted instruction and the polling answers of
// GET client-instructions/{id} and GET instructions/{id}.
type wireAnswer struct {
	Status            json.RawMessage `json:"status"`
	InstructionSetID  ID              `json:"instructionSetId"`
	InstructionResult *wireResult     `json:"instructionResult"`
}

type wireResult struct {
	ClientInstructionID ID      `json:"clientInstructionId"`
	InstructionID       ID      `json:"instructionId"`
	InstructionStatus   string  `json:"instructionStatus"`
	InstructionType     string  `json:"instructionType"`
	Description         *string `json:"description"`
	IBReferenceID       *ID     `json:"ibReferenceId"`
	Error               *struct {
		ErrorCode    string `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"error"`
	DepositDetails *struct {
		Amount        *Decimal `json:"amount"`
		Currency      *string  `json:"currency"`
		WhenAvailable *string  `json:"whenAvailable"`
	} `json:"depositDetails"`
}

// errNoResult: a 2xx answer without a usable instructionResult.
var errNoResult = errors.New("answer carries no instructionResult")

// decodeInstruction reads an instruction answer. The result must name a
// known status.
func decodeInstruction(body []byte) (*Instruction, error) {
	var a wireAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("undecodable answer: %w", err)
	}
	r := a.InstructionResult
	if r == nil {
		return nil, errNoResult
	}
	in := &Instruction{
		ClientInstructionID: r.ClientInstructionID,
		InstructionID:       r.InstructionID,
		InstructionSetID:    a.InstructionSetID,
		Type:                r.InstructionType,
		Status:              InstructionStatus(r.InstructionStatus),
	}
	switch in.Status {
	case InstructionPending, InstructionProcessed, InstructionRejected, InstructionPendingVerification:
	default:
		return nil, fmt.Errorf("answer has unknown instructionStatus %q", clip(r.InstructionStatus, 40))
	}
	r.explain(in)
	if d := r.DepositDetails; d != nil {
		if d.Amount != nil {
			in.Amount = *d.Amount
		}
		if d.Currency != nil {
			in.Currency = *d.Currency
		}
		if d.WhenAvailable != nil {
			in.WhenAvailable = *d.WhenAvailable
		}
	}
	return in, nil
}

// readAnswer reads and closes a 2xx response of the pipeline, whose body
// the pipeline bounds (ResponseLimits): an answer over the limit is a
// *ResponseTooLargeError, never a silently truncated document.
func readAnswer(resp *http.Response) ([]byte, bool, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, Reconciled(resp), err
}

// InstructionStatus looks an instruction up by the clientInstructionId it
// was sent with (GET /gw/api/v1/client-instructions/{id}). An id IBKR
// never received is an error matching ErrNotFound. A REJECTED
// instruction is returned as it is, not as an error.
func (c *Client) InstructionStatus(ctx context.Context, clientInstructionID ID, opts ...CallOption) (*Instruction, error) {
	if err := ValidateClientInstructionID("clientInstructionId", clientInstructionID); err != nil {
		return nil, err
	}
	k := clientInstructionsCall(clientInstructionID, opts)
	resp, err := c.invoke(ctx, &k)
	if err != nil {
		return nil, err
	}
	return c.pollAnswer(resp, "getClientInstructions", clientInstructionID)
}

// InstructionByID looks an instruction up by IBKR's instruction id
// (GET /gw/api/v1/instructions/{id}).
func (c *Client) InstructionByID(ctx context.Context, instructionID ID) (*Instruction, error) {
	if instructionID.IsZero() {
		return nil, inputErr("instructionId", ErrClientInstructionID, "is required")
	}
	resp, err := c.invoke(ctx, &call{
		op: optable.OpGetInstructions,
		build: func(server string) (*http.Request, error) {
			return gen.NewGetInstructionsRequest(server, instructionID)
		},
	})
	if err != nil {
		return nil, err
	}
	return c.pollAnswer(resp, "getInstructions", ID{})
}

func (c *Client) pollAnswer(resp *http.Response, op string, cid ID) (*Instruction, error) {
	body, _, err := readAnswer(resp)
	if err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: op, ClientInstructionID: cid}, StatusCode: resp.StatusCode, Message: "reading answer: " + err.Error()}
	}
	in, err := decodeInstruction(body)
	if err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: op, ClientInstructionID: cid}, StatusCode: resp.StatusCode, Message: err.Error()}
	}
	return in, nil
}
