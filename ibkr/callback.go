package ibkr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// ErrCallbackFormat reports a callback notification body that is not one
// of the shapes IBKR sends.
var ErrCallbackFormat = errors.New("ibkr: malformed callback notification")

// CallbackKind says what a callback notification is about. For account
// requests it is IBKR's request_type; the funding and plain status kinds
// are the facade's own names for notifications that carry no request_type.
type CallbackKind string

// Kinds of callback notifications.
const (
	// CallbackAccountOpening: an application (POST /gw/api/v1/accounts)
	// changed status.
	CallbackAccountOpening CallbackKind = "ACCT_OPENING"
	// CallbackAddCLP: a request to add the CLP capability was decided.
	CallbackAddCLP CallbackKind = "ADD_CLP"
	// CallbackAddLeveragedFX: a request to add leveraged FX was decided.
	CallbackAddLeveragedFX CallbackKind = "ADD_LEVFX"
	// CallbackAddTradingPermissions: trading permissions were added (or
	// the request was rejected).
	CallbackAddTradingPermissions CallbackKind = "ADD_TRADING"
	// CallbackRemoveTradingPermissions: trading permissions were removed.
	CallbackRemoveTradingPermissions CallbackKind = "REMOVE_TRADING"
	// CallbackChangeFinancialInfo: a financial information change was
	// decided.
	CallbackChangeFinancialInfo CallbackKind = "CHANGE_FIN_INFO"
	// CallbackChangeMargin: a margin type change was decided.
	CallbackChangeMargin CallbackKind = "CHANGE_MARGIN"
	// CallbackDocumentSubmission: submitted documents were accepted or
	// rejected.
	CallbackDocumentSubmission CallbackKind = "DOC_SUBMISSION"
	// CallbackAccountStatus: an account status notification without a
	// request type (the shape of GET /gw/api/v1/accounts/{id}/status).
	CallbackAccountStatus CallbackKind = "ACCOUNT_STATUS"
	// CallbackFunding: a banking or transfer instruction changed status
	// (the shape of GET /gw/api/v1/client-instructions/{id}); see
	// CallbackEvent.Instruction.
	CallbackFunding CallbackKind = "FUNDING"
)

// Known reports whether k is one of the kinds listed above. Notifications
// of other request types are still delivered, with their request_type as
// the kind.
func (k CallbackKind) Known() bool {
	switch k {
	case CallbackAccountOpening, CallbackAddCLP, CallbackAddLeveragedFX, CallbackAddTradingPermissions,
		CallbackRemoveTradingPermissions, CallbackChangeFinancialInfo, CallbackChangeMargin,
		CallbackDocumentSubmission, CallbackAccountStatus, CallbackFunding:
		return true
	}
	return false
}

// CallbackEvent is one decoded callback notification.
type CallbackEvent struct {
	// Kind says what the notification is about.
	Kind CallbackKind
	// AccountID is the account concerned (empty for some funding
	// notifications).
	AccountID string
	// Status is the status as IBKR sent it: an account status letter, a
	// request status such as "Accepted" or "Rejected", or an instruction
	// status.
	Status string
	// AccountStatus is Status as a documented account status, for account
	// opening and account status notifications; empty otherwise.
	AccountStatus AccountStatus
	// RequestID is IBKR's id of the account request, when sent.
	RequestID ID
	// State, Description and Message carry IBKR's explanations, when sent.
	State, Description, Message string
	// Timestamp is the notification's timestamp as sent, if any.
	Timestamp string
	// Instruction holds the instruction result of a CallbackFunding
	// notification; nil otherwise.
	Instruction *InstructionEvent
	// Raw is the notification's JSON object as received.
	Raw json.RawMessage
	// Confirmed is true when the handler re-read the state from IBKR
	// before calling the application (Client.NewCallbackHandler, or
	// WithCallbackConfirmation): Status and the state fields then come from
	// IBKR's answer to a query, not from the notification, which is kept
	// in Raw. False means the event is only what the notification claims.
	Confirmed bool
}

// InstructionEvent is the instruction result of a funding notification.
type InstructionEvent struct {
	InstructionSetID    ID
	ClientInstructionID ID
	InstructionID       InstructionID
	IBReferenceID       ID
	// InstructionType is e.g. "ACH_INSTRUCTION" or "DEPOSIT".
	InstructionType string
	// InstructionStatus is PENDING, PROCESSED, REJECTED or
	// PENDING_VERIFICATION.
	InstructionStatus string
	Description       string
	// ErrorCode and ErrorMessage explain a rejection.
	ErrorCode, ErrorMessage string
}

// Key identifies the event for de-duplication: its kind, account, request
// or instruction ids and status. Repeats of a notification share a key; a
// later status of the same request does not. Each field is written with
// its length first, so no choice of field values can make two different
// events share a key.
func (e CallbackEvent) Key() string {
	var b []byte
	field := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	for _, s := range []string{string(e.Kind), e.AccountID, e.RequestID.String(), e.Status, e.State} {
		field(s)
	}
	if in := e.Instruction; in != nil {
		b = append(b, 'I')
		for _, s := range []string{in.InstructionSetID.String(), in.ClientInstructionID.String(), in.InstructionID.String(),
			in.InstructionType, in.InstructionStatus, in.ErrorCode} {
			field(s)
		}
	}
	return string(b)
}

// DecodeCallback decodes a callback notification body: one notification
// object, or an array of them. IBKR's notifications have the shape of the
// matching status answer: an account request's status with its
// request_type, an account's status, or an instruction result. Field names
// are accepted in IBKR's camelCase and snake_case spellings. Anything else
// is an error matching ErrCallbackFormat; nothing of the body is echoed.
func DecodeCallback(body []byte) ([]CallbackEvent, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, callbackErr("not a JSON array of notifications")
		}
		if len(items) == 0 {
			return nil, callbackErr("empty array")
		}
		events := make([]CallbackEvent, 0, len(items))
		for i, item := range items {
			ev, err := decodeNotification(item)
			if err != nil {
				return nil, fmt.Errorf("notification %d: %w", i, err)
			}
			events = append(events, ev)
		}
		return events, nil
	}
	ev, err := decodeNotification(body)
	if err != nil {
		return nil, err
	}
	return []CallbackEvent{ev}, nil
}

func callbackErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCallbackFormat, fmt.Sprintf(format, args...))
}

// callbackFields is a JSON object's fields, looked up by any of a name's
// spellings.
type callbackFields map[string]json.RawMessage

func (n callbackFields) raw(names ...string) json.RawMessage {
	for _, name := range names {
		if v, ok := n[name]; ok && string(v) != "null" {
			return v
		}
	}
	return nil
}

func (n callbackFields) has(names ...string) bool { return n.raw(names...) != nil }

// str reads a string field; absent and null read as "".
func (n callbackFields) str(names ...string) (string, error) {
	v := n.raw(names...)
	if v == nil {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", callbackErr("%s is not a string", names[0])
	}
	return s, nil
}

// id reads an identifier sent as a JSON number or string.
func (n callbackFields) id(names ...string) (ID, error) {
	v := n.raw(names...)
	if v == nil {
		return ID{}, nil
	}
	var id ID
	if err := json.Unmarshal(v, &id); err != nil {
		return ID{}, callbackErr("%s is not an identifier", names[0])
	}
	return id, nil
}

func decodeNotification(raw json.RawMessage) (CallbackEvent, error) {
	var n callbackFields
	if err := json.Unmarshal(raw, &n); err != nil || n == nil {
		return CallbackEvent{}, callbackErr("not a JSON object")
	}
	ev := CallbackEvent{Raw: append(json.RawMessage(nil), raw...)}
	var err error
	str := func(dst *string, names ...string) {
		if err == nil {
			*dst, err = n.str(names...)
		}
	}
	str(&ev.Timestamp, "timestamp")
	str(&ev.Description, "description")
	str(&ev.Message, "message")
	if err != nil {
		return CallbackEvent{}, err
	}

	switch {
	case n.has("instructionResult", "instruction_result", "instructionStatus", "instruction_status"):
		return decodeFunding(n, ev)
	case n.has("request_type", "requestType"):
		var rt string
		str(&rt, "request_type", "requestType")
		if err == nil && rt == "" {
			err = callbackErr("request_type is empty")
		}
		ev.Kind = CallbackKind(rt)
	case n.has("accountId", "acctId", "account_id"):
		ev.Kind = CallbackAccountStatus
	default:
		return CallbackEvent{}, callbackErr("neither an account nor an instruction notification")
	}
	str(&ev.AccountID, "accountId", "acctId", "account_id", "referenceAccountId")
	str(&ev.Status, "status")
	str(&ev.State, "state")
	if err != nil {
		return CallbackEvent{}, err
	}
	if ev.RequestID, err = n.id("requestId", "request_id"); err != nil {
		return CallbackEvent{}, err
	}
	if ev.AccountID == "" {
		return CallbackEvent{}, callbackErr("no account id")
	}
	if ev.Status == "" {
		return CallbackEvent{}, callbackErr("no status")
	}
	if ev.Kind == CallbackAccountOpening || ev.Kind == CallbackAccountStatus {
		if s := AccountStatus(ev.Status); s.Known() {
			ev.AccountStatus = s
		}
	}
	return ev, nil
}

func decodeFunding(n callbackFields, ev CallbackEvent) (CallbackEvent, error) {
	ev.Kind = CallbackFunding
	in := &InstructionEvent{}
	var err error
	if in.InstructionSetID, err = n.id("instructionSetId", "instruction_set_id"); err != nil {
		return CallbackEvent{}, err
	}
	res := n
	if r := n.raw("instructionResult", "instruction_result"); r != nil {
		res = nil
		if json.Unmarshal(r, &res) != nil || res == nil {
			return CallbackEvent{}, callbackErr("instructionResult is not an object")
		}
	}
	ids := []struct {
		dst   *ID
		names []string
	}{
		{&in.ClientInstructionID, []string{"clientInstructionId", "client_instruction_id"}},
		{&in.InstructionID.ID, []string{"instructionId", "instruction_id"}},
		{&in.IBReferenceID, []string{"ibReferenceId", "ib_reference_id"}},
	}
	for _, f := range ids {
		if *f.dst, err = res.id(f.names...); err != nil {
			return CallbackEvent{}, err
		}
	}
	strs := []struct {
		dst   *string
		names []string
	}{
		{&in.InstructionType, []string{"instructionType", "instruction_type"}},
		{&in.InstructionStatus, []string{"instructionStatus", "instruction_status"}},
		{&in.Description, []string{"description"}},
		{&ev.AccountID, []string{"accountId", "acctId", "account_id"}},
	}
	for _, f := range strs {
		if *f.dst, err = res.str(f.names...); err != nil {
			return CallbackEvent{}, err
		}
	}
	if e := res.raw("error"); e != nil {
		var ie callbackFields
		if json.Unmarshal(e, &ie) != nil {
			return CallbackEvent{}, callbackErr("error is not an object")
		}
		if in.ErrorCode, err = ie.str("errorCode", "error_code"); err != nil {
			return CallbackEvent{}, err
		}
		if in.ErrorMessage, err = ie.str("errorMessage", "error_message"); err != nil {
			return CallbackEvent{}, err
		}
	}
	if ev.AccountID == "" {
		if ev.AccountID, err = n.str("accountId", "acctId", "account_id"); err != nil {
			return CallbackEvent{}, err
		}
	}
	if in.InstructionStatus == "" {
		return CallbackEvent{}, callbackErr("no instructionStatus")
	}
	if in.ClientInstructionID.IsZero() && in.InstructionID.IsZero() {
		return CallbackEvent{}, callbackErr("neither clientInstructionId nor instructionId")
	}
	ev.Status = in.InstructionStatus
	if ev.Description == "" {
		ev.Description = in.Description
	}
	ev.Instruction = in
	return ev, nil
}

// jsonMediaType reports application/json or a +json type.
func jsonMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// DefaultCallbackMaxBody is the largest notification body the callback
// handler reads unless told otherwise: 1 MiB, far above any notification.
const DefaultCallbackMaxBody = 1 << 20

// CallbackOption configures NewCallbackHandler.
type CallbackOption func(*callbackHandler)

// WithCallbackMaxBody sets the largest body accepted, in bytes; larger
// bodies are answered 413.
func WithCallbackMaxBody(n int64) CallbackOption {
	return func(h *callbackHandler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// WithCallbackLogger logs refused notifications and handler failures
// (kinds and statuses only, never bodies). The handler is silent without
// it.
func WithCallbackLogger(l *slog.Logger) CallbackOption {
	return func(h *callbackHandler) { h.log = l }
}

// WithCallbackDeduper drops repeated notifications through d before they
// reach the handler function.
func WithCallbackDeduper(d *CallbackDeduper) CallbackOption {
	return func(h *callbackHandler) { h.dedup = d }
}

// WithCallbackConfirmation makes the handler confirm every notification
// through c before calling the handler function: it queries the
// instruction (InstructionStatus, or InstructionByID), the account request
// (RequestStatus) or the account (AccountStatus) the notification names
// and hands over the state IBKR answers with (CallbackEvent.Confirmed). A
// notification about something IBKR does not know (404), or whose ids do
// not belong together, is dropped with a 200 and never reaches the
// handler function or the deduper; a failed query answers 500 so that
// IBKR delivers again. Client.NewCallbackHandler sets this.
func WithCallbackConfirmation(c *Client) CallbackOption {
	return func(h *callbackHandler) {
		if c != nil {
			h.confirm = c.confirmCallback
		}
	}
}

type callbackHandler struct {
	handle  func(context.Context, CallbackEvent) error
	maxBody int64
	log     *slog.Logger
	dedup   *CallbackDeduper
	confirm func(context.Context, CallbackEvent) (CallbackEvent, bool, error)
}

// NewCallbackHandler returns an http.Handler for IBKR's callback
// notifications that hands each notification to handle as it was
// received, unconfirmed.
//
// IBKR documents no authentication for callbacks: anyone who finds the
// URL can POST a well-formed, forged notification. A callback is
// therefore a hint that something changed, never proof of what changed:
// confirm the outcome with a query (InstructionStatus, RequestStatus,
// AccountStatus) before acting on it. Client.NewCallbackHandler (or the
// option WithCallbackConfirmation) does that for you and is the path to
// use; this unconfirmed handler suits only code that treats every event as
// "go and look".
//
// The handler accepts POST only (405 otherwise) with a JSON body
// (Content-Type application/json or any +json type; 415 otherwise; a
// missing Content-Type is tolerated), reads at most
// DefaultCallbackMaxBody bytes (413 above), answers 400 to a body
// DecodeCallback refuses, and calls handle once per event in order. When
// handle fails, the answer is 500 so that IBKR delivers the notification
// again; when all events are handled, it is 200, which tells IBKR not to.
// A redelivered batch repeats the events handled before the failure, so
// handle must be idempotent or the handler given a CallbackDeduper.
// Register the handler at the URL configured with IBKR.
func NewCallbackHandler(handle func(ctx context.Context, ev CallbackEvent) error, opts ...CallbackOption) http.Handler {
	if handle == nil {
		panic("ibkr: NewCallbackHandler needs a function to handle events")
	}
	h := &callbackHandler{handle: handle, maxBody: DefaultCallbackMaxBody}
	for _, o := range opts {
		o(h)
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "callback notifications are POSTed", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !jsonMediaType(ct) {
		h.log.WarnContext(r.Context(), "ibkr callback: not JSON", "contentType", clipText(ct))
		http.Error(w, "notifications are JSON", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.WarnContext(r.Context(), "ibkr callback: body too large", "limit", h.maxBody)
			http.Error(w, "notification too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read the notification", http.StatusBadRequest)
		return
	}
	events, err := DecodeCallback(body)
	if err != nil {
		h.log.WarnContext(r.Context(), "ibkr callback: malformed notification", "error", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	handle := h.handle
	if h.dedup != nil {
		handle = h.dedup.Wrap(handle)
	}
	for _, ev := range events {
		if h.confirm != nil {
			confirmed, ok, err := h.confirm(r.Context(), ev)
			if err != nil {
				h.log.ErrorContext(r.Context(), "ibkr callback: confirming query failed; IBKR will redeliver",
					"kind", string(ev.Kind), "error", err)
				http.Error(w, "notification not processed", http.StatusInternalServerError)
				return
			}
			if !ok {
				h.log.WarnContext(r.Context(), "ibkr callback: IBKR does not confirm the notification; dropped",
					"kind", string(ev.Kind), "status", clipText(ev.Status))
				continue
			}
			ev = confirmed
		}
		if err := handle(r.Context(), ev); err != nil {
			h.log.ErrorContext(r.Context(), "ibkr callback: handler failed; IBKR will redeliver",
				"kind", string(ev.Kind), "status", ev.Status, "error", err)
			http.Error(w, "notification not processed", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}
