package ibkr

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
	openapi_types "github.com/oapi-codegen/runtime/types"
)

// Paging of IBKR's bulk listings (account statuses, login messages,
// account requests). IBKR answers one page of at most MaxPageSize results
// per request, chosen with limit and offset, and times out a query whose
// filter matches more than MaxQueryResults results, whatever the page.
// The iterators therefore split the creation-date range into windows:
// where IBKR reports a total (statuses, requests), a window matching more
// than MaxQueryResults is halved before anything of it is yielded; where it
// does not (login messages), a window that fills MaxQueryResults is an
// error matching ErrQueryTooLarge, and a smaller Window is the remedy.
const (
	// MaxPageSize is the largest page IBKR serves (limit).
	MaxPageSize = 1000
	// MaxQueryResults is the most results one query may match before
	// IBKR times out.
	MaxQueryResults = 10_000
	// DefaultQueryWindow is the date window of a listing without Window:
	// 31 days.
	DefaultQueryWindow = 31
)

// ErrQueryTooLarge is the cause (InputError.Err) when a listing cannot be
// cut into queries IBKR answers: more than MaxQueryResults results in one
// window that cannot be narrowed further.
var ErrQueryTooLarge = errors.New("ibkr: query matches too many results")

// ListWindow is the part of a bulk listing query that pages: the range of
// creation dates and how to cut it.
type ListWindow struct {
	// From and To are the first and last creation dates included (their
	// calendar dates, in their own locations). Both are required; To must
	// not be before From.
	From, To time.Time
	// PageSize is the limit of each request, 1 to MaxPageSize; 0 means
	// MaxPageSize.
	PageSize int
	// Window is the number of days queried at once, 0 for
	// DefaultQueryWindow.
	Window int

	// maxResults replaces MaxQueryResults (tests).
	maxResults int
}

func (w ListWindow) check() error {
	if w.From.IsZero() {
		return inputErr("startDate", ErrDate, "is required (the first creation date)")
	}
	if w.To.IsZero() {
		return inputErr("endDate", ErrDate, "is required (the last creation date)")
	}
	if civil(w.To).Before(civil(w.From)) {
		return inputErr("endDate", ErrDateRange, "%s is before startDate %s", FormatDate(civil(w.To)), FormatDate(civil(w.From)))
	}
	if w.PageSize < 0 || w.PageSize > MaxPageSize {
		return invalid("limit", "page size must be 1 to %d (got %d)", MaxPageSize, w.PageSize)
	}
	if w.Window < 0 {
		return invalid("window", "must not be negative")
	}
	return nil
}

func (w ListWindow) limit() int {
	if w.PageSize == 0 {
		return MaxPageSize
	}
	return w.PageSize
}

func (w ListWindow) cap() int {
	if w.maxResults > 0 {
		return w.maxResults
	}
	return MaxQueryResults
}

// dayRange is an inclusive range of calendar dates (midnight UTC).
type dayRange struct{ from, to time.Time }

func (d dayRange) days() int { return int(d.to.Sub(d.from).Hours()/24) + 1 }

func (d dayRange) halves() (dayRange, dayRange) {
	mid := d.from.AddDate(0, 0, d.days()/2-1)
	return dayRange{d.from, mid}, dayRange{mid.AddDate(0, 0, 1), d.to}
}

// windows cuts the range into windows of at most n days.
func (w ListWindow) windows() []dayRange {
	n := w.Window
	if n == 0 {
		n = DefaultQueryWindow
	}
	var out []dayRange
	for from, last := civil(w.From), civil(w.To); !from.After(last); from = from.AddDate(0, 0, n) {
		to := from.AddDate(0, 0, n-1)
		if to.After(last) {
			to = last
		}
		out = append(out, dayRange{from, to})
	}
	return out
}

func apiDate(t time.Time) openapi_types.Date { return openapi_types.Date{Time: t} }

func i32(n int) *int32 { v := int32(n); return &v }

// page is one page of a listing: its items and IBKR's total, when given
// (-1 otherwise).
type page[T any] struct {
	items []T
	total int
}

// pageAll yields the items of every page of every window. fetch asks for
// one page of a window. A window whose reported total exceeds the cap is
// halved before anything of it is yielded; without totals, a window whose
// pages reach the cap is an error.
func pageAll[T any](ctx context.Context, w ListWindow, what string,
	fetch func(ctx context.Context, win dayRange, offset, limit int) (page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := w.check(); err != nil {
			yield(zero, err)
			return
		}
		limit, maxN := w.limit(), w.cap()
		queue := w.windows()
		for len(queue) > 0 {
			win := queue[0]
			queue = queue[1:]
			offset := 0
			for {
				if err := ctx.Err(); err != nil {
					yield(zero, err)
					return
				}
				n := min(limit, maxN-offset)
				p, err := fetch(ctx, win, offset, n)
				if err != nil {
					yield(zero, err)
					return
				}
				if offset == 0 && p.total > maxN {
					if win.days() > 1 {
						a, b := win.halves()
						queue = append([]dayRange{a, b}, queue...)
						break
					}
					yield(zero, inputErr("startDate", ErrQueryTooLarge,
						"%d %s on %s, more than the %d one IBKR query may match; narrow the query (status or type)",
						p.total, what, FormatDate(win.from), maxN))
					return
				}
				for _, it := range p.items {
					if !yield(it, nil) {
						return
					}
				}
				offset += len(p.items)
				if len(p.items) == 0 || (p.total >= 0 && offset >= p.total) || (p.total < 0 && len(p.items) < n) {
					break
				}
				if offset >= maxN {
					if p.total < 0 {
						yield(zero, inputErr("window", ErrQueryTooLarge,
							"%s %s to %s reached the %d results one IBKR query may match; use a smaller Window",
							what, FormatDate(win.from), FormatDate(win.to), maxN))
						return
					}
					break
				}
			}
		}
	}
}

// AccountStatusQuery selects accounts by creation date and, optionally,
// status, for AccountStatuses.
type AccountStatusQuery struct {
	ListWindow
	// Status keeps only accounts in this status; empty for all.
	Status AccountStatus
}

// AccountStatuses lists the statuses of the accounts under the master
// account created between q.From and q.To (GET
// /gw/api/v1/accounts/status), oldest windows first, paging with limit and
// offset and keeping every query within IBKR's MaxQueryResults. The
// iterator stops at the first error, which it yields; bad queries are
// refused before any request.
func (c *Client) AccountStatuses(ctx context.Context, q AccountStatusQuery) iter.Seq2[AccountStatusInfo, error] {
	if q.Status != "" && !q.Status.Known() {
		return failedSeq[AccountStatusInfo](inputErr("status", ErrAccountStatus, "must be one of A, N, O, C, P, R, E, Q"))
	}
	return pageAll(ctx, q.ListWindow, "accounts", func(ctx context.Context, win dayRange, offset, limit int) (page[AccountStatusInfo], error) {
		params := &gen.ListAccountsStatusParams{StartDate: apiDate(win.from), EndDate: apiDate(win.to),
			Offset: i32(offset), Limit: i32(limit)}
		if q.Status != "" {
			st := gen.ListAccountsStatusParamsStatus(q.Status)
			params.Status = &st
		}
		r, err := invokeAs(ctx, c, call{
			op: optable.OpListAccountsStatus,
			build: func(server string) (*http.Request, error) {
				return gen.NewListAccountsStatusRequest(server, params)
			},
		}, gen.ParseListAccountsStatusResponse)
		res, err := typedAnswer(r, err, (*gen.ListAccountsStatusResponse).GetJSON200)
		if err != nil {
			return page[AccountStatusInfo]{}, err
		}
		p := page[AccountStatusInfo]{total: -1}
		if res.Total != nil {
			p.total = int(*res.Total)
		}
		for _, a := range unptrSlice(res.Accounts) {
			p.items = append(p.items, accountStatusInfo(a))
		}
		return p, nil
	})
}

// failedSeq yields err once.
func failedSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// LoginMessageType is the kind of a login message.
type LoginMessageType string

// Documented login message types.
const (
	// LoginMessageW8Info: the tax form expired.
	LoginMessageW8Info LoginMessageType = "W8INFO"
	// LoginMessageMiFIRInfo: MiFIR data is required.
	LoginMessageMiFIRInfo LoginMessageType = "MIFIR_INFO"
)

// LoginMessage is a message a user must act on at their next portal login
// (an expired tax form, CRS update, information to verify, a bounced
// email). Except for tax forms, they can only be completed in the portal.
type LoginMessage struct {
	// AccountID is the account of the answer the message came in, when
	// IBKR names it.
	AccountID string
	ID        int
	Type      LoginMessageType
	UserName  string
	// State is e.g. "PENDING" or "COMPLETED"; Description IBKR's text.
	State, Description string
	ContentID          int
	// Tasks are the forms the message asks for.
	Tasks []FormNumber
	// Recorded is when the message was assigned.
	Recorded time.Time
}

// AccountLoginMessages is the login messages of one account with its
// status.
type AccountLoginMessages struct {
	AccountID         string
	Status            AccountStatus
	StatusDescription string
	Messages          []LoginMessage
}

func loginMessages(r *gen.LoginMessageResponse) []LoginMessage {
	var out []LoginMessage
	for _, m := range unptrSlice(r.LoginMessages) {
		lm := LoginMessage{
			AccountID: unptr(r.AccountId), ID: int(unptr(m.Id)), Type: LoginMessageType(unptr(m.MessageType)),
			UserName: unptr(m.Username), State: unptr(m.State), Description: unptr(m.Description),
			ContentID: int(unptr(m.ContentId)), Recorded: unptr(m.RecordDate),
		}
		for _, t := range unptrSlice(m.Tasks) {
			lm.Tasks = append(lm.Tasks, FormNumber(t))
		}
		out = append(out, lm)
	}
	return out
}

func checkLoginMessageType(t LoginMessageType) error {
	for i := 0; i < len(t); i++ {
		if c := t[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return invalid("type", "a login message type is upper-case letters, digits and underscores, like W8INFO")
		}
	}
	return nil
}

// AccountLoginMessages returns the login messages of one account (GET
// /gw/api/v1/accounts/{accountId}/login-messages), optionally of one type.
func (c *Client) AccountLoginMessages(ctx context.Context, accountID string, typ LoginMessageType) (*AccountLoginMessages, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	if err := checkLoginMessageType(typ); err != nil {
		return nil, err
	}
	params := &gen.GetAccountsLoginMessagesParams{}
	if typ != "" {
		s := string(typ)
		params.Type = &s
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpGetAccountsLoginMessages, build: func(server string) (*http.Request, error) {
		return gen.NewGetAccountsLoginMessagesRequest(server, accountID, params)
	}}, gen.ParseGetAccountsLoginMessagesResponse)
	res, err := typedAnswer(r, err, (*gen.GetAccountsLoginMessagesResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	out := &AccountLoginMessages{AccountID: unptr(res.AccountId), Status: AccountStatus(unptr(res.ClearingStatus)),
		StatusDescription: unptr(res.ClearingStatusDescription), Messages: loginMessages(res)}
	if out.AccountID == "" {
		out.AccountID = accountID
	}
	for i := range out.Messages {
		out.Messages[i].AccountID = out.AccountID
	}
	return out, nil
}

// LoginMessageQuery selects login messages of accounts by the accounts'
// creation dates and, optionally, account status and message type.
type LoginMessageQuery struct {
	ListWindow
	// Status keeps only accounts in this status; empty for all.
	Status AccountStatus
	// Type keeps only messages of this type; empty for all.
	Type LoginMessageType
}

// LoginMessages lists the login messages of the accounts created between
// q.From and q.To (GET /gw/api/v1/accounts/login-messages), paging with
// limit and offset. IBKR reports no total for this listing, so a window
// (q.Window days) that reaches MaxQueryResults stops the iterator with an
// error matching ErrQueryTooLarge: use a smaller Window. The iterator stops
// at the first error, which it yields.
func (c *Client) LoginMessages(ctx context.Context, q LoginMessageQuery) iter.Seq2[LoginMessage, error] {
	if q.Status != "" && !q.Status.Known() {
		return failedSeq[LoginMessage](inputErr("status", ErrAccountStatus, "must be one of A, N, O, C, P, R, E, Q"))
	}
	if err := checkLoginMessageType(q.Type); err != nil {
		return failedSeq[LoginMessage](err)
	}
	return pageAll(ctx, q.ListWindow, "login messages", func(ctx context.Context, win dayRange, offset, limit int) (page[LoginMessage], error) {
		params := &gen.ListAccountsLoginMessagesParams{StartDate: apiDate(win.from), EndDate: apiDate(win.to),
			Offset: i32(offset), Limit: i32(limit)}
		if q.Status != "" {
			st := gen.ListAccountsLoginMessagesParamsStatus(q.Status)
			params.Status = &st
		}
		if q.Type != "" {
			s := string(q.Type)
			params.Type = &s
		}
		r, err := invokeAs(ctx, c, call{op: optable.OpListAccountsLoginMessages, build: func(server string) (*http.Request, error) {
			return gen.NewListAccountsLoginMessagesRequest(server, params)
		}}, gen.ParseListAccountsLoginMessagesResponse)
		res, err := typedAnswer(r, err, (*gen.ListAccountsLoginMessagesResponse).GetJSON200)
		if err != nil {
			return page[LoginMessage]{}, err
		}
		return page[LoginMessage]{items: loginMessages(res), total: -1}, nil
	})
}
