package ibkr

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Journal records money-moving requests around their sending, so that a
// process that crashed (or lost an answer) can find the requests whose
// outcome it never saw and settle them with ReconcileJournal. The facade
// calls Begin before a request leaves and Finish after its outcome is
// known; Pending lists what Begin recorded without a settled Finish.
//
// A journal never holds full bank account numbers: entries of requests
// that carry one (linking a bank account, wire destinations, eDDA, wire
// deposit notifications naming the sending account) keep only a redacted
// summary, not the body. FileJournal is an implementation on an
// append-only file; implementations must be safe for concurrent use.
type Journal interface {
	// Begin records the intent to send a request. An error stops the
	// request before it is sent.
	Begin(ctx context.Context, e JournalEntry) error
	// Finish records a request's outcome.
	Finish(ctx context.Context, clientInstructionID ID, o JournalOutcome) error
	// Pending returns the entries begun and not settled: without an
	// outcome, or whose last outcome is JournalUnknown. Oldest first.
	Pending(ctx context.Context) ([]JournalEntry, error)
}

// JournalEntry is the intent to send one request.
type JournalEntry struct {
	// ClientInstructionID is the request's id: the key to look it up.
	ClientInstructionID ID `json:"clientInstructionId"`
	// Operation is the operationId, e.g. "createExternalCashTransfers".
	Operation string `json:"operation"`
	// InstructionType is e.g. "DEPOSIT" or "ACH_INSTRUCTION".
	InstructionType string `json:"instructionType"`
	// AccountID is the IBKR account concerned.
	AccountID string `json:"accountId,omitempty"`
	// Amount and Currency, for transfers.
	Amount   Decimal  `json:"amount,omitzero"`
	Currency Currency `json:"currency,omitempty"`
	// Summary describes the request, secrets redacted.
	Summary string `json:"summary,omitempty"`
	// Body is the JSON request body, kept only when it holds no secret,
	// so that ReconcileJournal can send it again (with the same id) if
	// IBKR never received it.
	Body json.RawMessage `json:"body,omitempty"`
	// Time is when the intent was recorded (client clock, UTC).
	Time time.Time `json:"time"`
}

// WithoutSecrets returns e without its body if the body holds a bank
// account number or another secret (see Journal); every Journal
// implementation stores entries through it.
func (e JournalEntry) WithoutSecrets() JournalEntry {
	if bodyHasSecret(e.Body) {
		e.Body = nil
	}
	return e
}

// JournalState says how a journaled request ended.
type JournalState string

// Journal states.
const (
	// JournalAccepted: IBKR holds the instruction (in any status but
	// REJECTED).
	JournalAccepted JournalState = "accepted"
	// JournalRejected: IBKR refused the request or rejected the
	// instruction.
	JournalRejected JournalState = "rejected"
	// JournalNotSent: IBKR never received the request; it may be sent
	// again.
	JournalNotSent JournalState = "not_sent"
	// JournalUnknown: the outcome is unknown; ReconcileJournal will look
	// it up.
	JournalUnknown JournalState = "unknown"
)

// JournalOutcome is how one request ended.
type JournalOutcome struct {
	State JournalState `json:"state"`
	// Status and InstructionID are IBKR's, when known.
	Status        InstructionStatus `json:"status,omitempty"`
	InstructionID InstructionID     `json:"instructionId,omitzero"`
	// Code is IBKR's error code, or the HTTP status text, of a refusal.
	Code string `json:"code,omitempty"`
	// Message is the error's text, secrets scrubbed.
	Message string `json:"message,omitempty"`
	// Time is when the outcome was recorded (UTC).
	Time time.Time `json:"time"`
}

// Settled reports whether the outcome is final for the journal (anything
// but JournalUnknown).
func (o JournalOutcome) Settled() bool { return o.State != "" && o.State != JournalUnknown }

// secretKeys are instruction fields that hold bank account numbers or
// other secrets; bodies with any of them are never journaled. The second
// line: accounts and tax ids at other brokers (position transfers).
var secretKeys = []string{"bankAccountNumber", "clientAccountId", "identifier", "taxId", "ssn",
	"contraBrokerAccountId", "contraBrokerTaxId", "accountAtBroker", "brokerAccountId", "accountIdAtCurrentBroker"}

// bodyHasSecret reports a body holding one of secretKeys at any depth.
func bodyHasSecret(body []byte) bool {
	for _, k := range secretKeys {
		if bytes.Contains(body, []byte(`"`+k+`"`)) {
			return true
		}
	}
	return false
}

// replayable returns the operation of an entry whose journaled body can be
// sent again: a state-changing operation without path parameters.
func replayable(e JournalEntry) (*optable.Operation, bool) {
	if len(e.Body) == 0 {
		return nil, false
	}
	op, ok := optable.ByID(e.Operation)
	if !ok || op.ReadOnly || strings.Contains(op.Path, "{") {
		return nil, false
	}
	return &op, true
}
