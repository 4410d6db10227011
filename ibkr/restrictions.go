package ibkr

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// ErrRestriction is the cause (InputError.Err) of a refused restriction
// list: no rows, a malformed row, or a file that is empty, too large or
// not UTF-8 text.
var ErrRestriction = errors.New("ibkr: invalid restriction list")

// RestrictionAction says what a row of a restriction list does.
type RestrictionAction string

// Restriction actions.
const (
	// RestrictionAdd places the restriction on the account.
	RestrictionAdd RestrictionAction = "ADD"
	// RestrictionRemove lifts a restriction the account has.
	RestrictionRemove RestrictionAction = "REMOVE"
)

// RestrictionRow is one row of a restriction list: a restriction placed on
// or lifted from one account.
type RestrictionRow struct {
	// AccountID is the account, such as U1234567.
	AccountID string
	// Action is RestrictionAdd or RestrictionRemove.
	Action RestrictionAction
	// Restriction names the restriction: 1 to 64 letters, digits,
	// spaces, '_', '-' or '.', such as "NO_OPENING_TRADES".
	Restriction string
}

// RestrictionHeader is the header row of the CSV that RestrictionList.CSV
// writes: the columns of a RestrictionRow.
const RestrictionHeader = "accountId,action,restriction"

// MaxRestrictionFile is the largest restriction file the client sends (1
// MiB before base64).
const MaxRestrictionFile = 1 << 20

// RestrictionList is a trading-restriction list for VerifyRestrictions
// and ApplyRestrictions (IBKR's PreTrade Compliance restrictions).
type RestrictionList struct {
	// UserName is the IBKR user name the list is submitted under.
	UserName string
	// RequestID is the caller's id of the upload, echoed in the answer;
	// zero lets the client allocate one from its instruction id
	// allocator. Sending the same list again with the same RequestID is
	// how an upload whose answer was lost is retried.
	RequestID ID
	// Rows are the restrictions, written as CSV with RestrictionHeader.
	Rows []RestrictionRow
	// File is a ready CSV file (in the layout IBKR agreed with you),
	// sent as it is instead of Rows; set one of the two.
	File []byte
}

// CSV returns the file the list sends: File if set, else Rows written
// as CSV under RestrictionHeader. Every row is checked first; errors name
// the row as payload[i].field (i indexes Rows).
func (l RestrictionList) CSV() ([]byte, error) {
	if len(l.File) > 0 {
		if len(l.Rows) > 0 {
			return nil, inputErr("payload", ErrRestriction, "set Rows or File, not both")
		}
		if len(l.File) > MaxRestrictionFile {
			return nil, inputErr("payload", ErrRestriction, "the file is larger than %d bytes", MaxRestrictionFile)
		}
		if !utf8.Valid(l.File) || bytes.IndexByte(l.File, 0) >= 0 {
			return nil, inputErr("payload", ErrRestriction, "the file is not UTF-8 text")
		}
		return l.File, nil
	}
	if len(l.Rows) == 0 {
		return nil, inputErr("payload", ErrRestriction, "the list has no rows")
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(strings.Split(RestrictionHeader, ","))
	for i, r := range l.Rows {
		if err := r.validate(i); err != nil {
			return nil, err
		}
		_ = w.Write([]string{r.AccountID, string(r.Action), r.Restriction})
	}
	w.Flush()
	if b.Len() > MaxRestrictionFile {
		return nil, inputErr("payload", ErrRestriction, "the list is larger than %d bytes", MaxRestrictionFile)
	}
	return b.Bytes(), nil
}

// validate checks row i of a list.
func (r RestrictionRow) validate(i int) error {
	field := func(name string) string { return "payload[" + strconv.Itoa(i) + "]." + name }
	if err := ValidateAccountID(field("accountId"), r.AccountID); err != nil {
		return err
	}
	if r.Action != RestrictionAdd && r.Action != RestrictionRemove {
		return inputErr(field("action"), ErrRestriction, "must be ADD or REMOVE")
	}
	if !ValidRestrictionName(r.Restriction) {
		return inputErr(field("restriction"), ErrRestriction, "must be 1 to 64 letters, digits, spaces, '_', '-' or '.', not starting or ending with a space")
	}
	return nil
}

// ValidRestrictionName reports whether name is a restriction name the
// client accepts in a row (see RestrictionRow.Restriction).
func ValidRestrictionName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == ' ' || name[len(name)-1] == ' ' {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == ' ', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// RestrictionResult is IBKR's answer to a restriction list.
type RestrictionResult struct {
	// RequestID is the list's id.
	RequestID ID
	// Success says the list passed the check (VerifyRestrictions) or
	// was applied (ApplyRestrictions).
	Success bool
	// Message is IBKR's explanation, naming the rows it refused.
	Message string
}

// VerifyRestrictions checks a restriction list without applying it (POST
// /gw/api/v1/restrictions/verify, signed, scope restrictions.write). A
// list IBKR refuses is answered with Success false and its reasons in
// Message, not with an error. The list is checked before anything is
// sent (RestrictionList.CSV, and UserName).
func (c *Client) VerifyRestrictions(ctx context.Context, l RestrictionList) (*RestrictionResult, error) {
	body, err := c.restrictionBody(ctx, l)
	if err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpVerifyCSV, body: body, build: func(server string) (*http.Request, error) {
		return gen.NewVerifyCSVRequestWithBody(server, contentTypeJSON, nil)
	}}, gen.ParseVerifyCSVResponse)
	return restrictionAnswer(typedAnswer(r, err, (*gen.VerifyCSVResponse).GetJSON200))
}

// ApplyRestrictions uploads a restriction list and applies it to the
// accounts it names (POST /gw/api/v1/restrictions, signed, scope
// restrictions.write): all rows or none. A list IBKR refuses returns the
// answer and a *RejectedError (errors.Is ErrRejected) carrying its
// message. The request is not retried blindly; send it again with the
// same RequestID to retry it. The list is checked before anything is
// sent, as for VerifyRestrictions.
func (c *Client) ApplyRestrictions(ctx context.Context, l RestrictionList) (*RestrictionResult, error) {
	body, err := c.restrictionBody(ctx, l)
	if err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpApplyCSV, body: body, build: func(server string) (*http.Request, error) {
		return gen.NewApplyCSVRequestWithBody(server, contentTypeJSON, nil)
	}}, gen.ParseApplyCSVResponse)
	res, err := restrictionAnswer(typedAnswer(r, err, (*gen.ApplyCSVResponse).GetJSON200))
	if err == nil && !res.Success {
		return res, &RejectedError{CallInfo: CallInfo{OperationID: optable.OpApplyCSV.ID}, Message: clipText(res.Message), AttemptsLeft: -1}
	}
	return res, err
}

// restrictionBody checks a list and encodes its claims.
func (c *Client) restrictionBody(ctx context.Context, l RestrictionList) ([]byte, error) {
	if err := validateUserName("userName", l.UserName); err != nil {
		return nil, err
	}
	file, err := l.CSV()
	if err != nil {
		return nil, err
	}
	id := l.RequestID
	if id.IsZero() {
		if id, err = c.ids.next(ctx); err != nil {
			return nil, err
		}
	}
	return jsonBody(gen.VerifyRequest{UserName: l.UserName, RequestId: id, Payload: file})
}

// restrictionAnswer converts IBKR's answer to a restriction list.
func restrictionAnswer(res *gen.CSVResponse, err error) (*RestrictionResult, error) {
	if err != nil {
		return nil, err
	}
	return &RestrictionResult{RequestID: res.RequestId, Success: res.Success, Message: res.Message}, nil
}

// validateUserName checks an IBKR user name sent in a body: printable
// ASCII without spaces, 1 to 64 characters.
func validateUserName(field, name string) error {
	if name == "" {
		return inputErr(field, ErrName, "the IBKR user name is required")
	}
	if len(name) > 64 {
		return inputErr(field, ErrName, "at most 64 characters")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= 0x20 || c > 0x7e {
			return inputErr(field, ErrName, "an IBKR user name is printable ASCII without spaces")
		}
	}
	return nil
}

// restrictionsOf converts the restrictions of an account's details.
func restrictionsOf(in []gen.RestrictionInfo) []Restriction {
	var out []Restriction
	for _, r := range in {
		out = append(out, Restriction{ID: int(unptr(r.Id)), Name: unptr(r.Name), ByIBKR: unptr(r.ByIB)})
	}
	return out
}
