package ibkrtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/gen/genserver"
)

// etDay is the US Eastern calendar date of t, at midnight UTC (for date
// arithmetic only).
func etDay(t time.Time) time.Time {
	lt := t.In(eastern())
	return time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)
}

// statementWindow is the range of dates statements exist for: from the
// day the account was funded (or two years back) to yesterday (IBKR
// publishes a day's statement around midnight ET).
func statementWindow(a *account, now time.Time) (time.Time, time.Time, bool) {
	if a.Funded.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	first, last := etDay(a.Funded), etDay(now).AddDate(0, 0, -1)
	if floor := time.Date(etDay(now).Year()-2, 1, 1, 0, 0, 0, 0, time.UTC); first.Before(floor) {
		first = floor
	}
	return first, last, !first.After(last)
}

func (a *api) ListStatementsAvailable(ctx contextT, req genserver.ListStatementsAvailableRequestObject) (genserver.ListStatementsAvailableResponseObject, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.st.Accounts[req.Params.AccountId]
	if acct == nil {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters",
			Detail: "no account " + req.Params.AccountId, Invalid: []invalidArg{{"accountId", "unknown account"}}})
	}
	monthly, annual := []string{}, []string{}
	data := gen.AvailableStatementDatesData{DataType: ptr("String")}
	val := &struct {
		Annual *[]string `json:"annual,omitempty"`
		Daily  *struct {
			EndDate   *string `json:"endDate,omitempty"`
			StartDate *string `json:"startDate,omitempty"`
		} `json:"daily,omitempty"`
		Monthly *[]string `json:"monthly,omitempty"`
	}{Annual: &annual, Monthly: &monthly}
	if first, last, ok := statementWindow(acct, s.clk.Now()); ok {
		val.Daily = &struct {
			EndDate   *string `json:"endDate,omitempty"`
			StartDate *string `json:"startDate,omitempty"`
		}{EndDate: ptr(last.Format("20060102")), StartDate: ptr(first.Format("20060102"))}
		for m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC); !m.AddDate(0, 1, -1).After(last); m = m.AddDate(0, 1, 0) {
			monthly = append(monthly, m.Format("200601"))
		}
		for y := first.Year(); !time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).After(last); y++ {
			annual = append(annual, fmt.Sprint(y))
		}
	}
	data.Value = val
	return genserver.ListStatementsAvailable200JSONResponse{Data: &data}, nil
}

// statementPeriod reads IBKR's period notation: YYYY, YYYYMM or YYYYMMDD
// for both ends.
func statementPeriod(start, end string) (time.Time, time.Time, *reject) {
	if len(start) != len(end) {
		return time.Time{}, time.Time{}, badArg("endDate", "must use the same format as startDate")
	}
	layouts := map[int]string{4: "2006", 6: "200601", 8: "20060102"}
	layout, ok := layouts[len(start)]
	if !ok {
		return time.Time{}, time.Time{}, badArg("startDate", "must be YYYY, YYYYMM or YYYYMMDD")
	}
	from, err1 := time.Parse(layout, start)
	to, err2 := time.Parse(layout, end)
	if err1 != nil {
		return time.Time{}, time.Time{}, badArg("startDate", "must be YYYY, YYYYMM or YYYYMMDD")
	}
	if err2 != nil {
		return time.Time{}, time.Time{}, badArg("endDate", "must be YYYY, YYYYMM or YYYYMMDD")
	}
	switch len(start) {
	case 4:
		to = to.AddDate(1, 0, -1)
	case 6:
		to = to.AddDate(0, 1, -1)
	}
	if to.Before(from) {
		return time.Time{}, time.Time{}, badArg("endDate", "must not be before startDate")
	}
	if to.Sub(from) > 365*24*time.Hour {
		return time.Time{}, time.Time{}, badArg("endDate", "the range is limited to 365 days")
	}
	return from, to, nil
}

func (a *api) CreateStatements(ctx contextT, req genserver.CreateStatementsRequestObject) (genserver.CreateStatementsResponseObject, error) {
	s, ri := a.s, info(ctx)
	var x gen.StmtRequest
	if err := json.Unmarshal(ri.claims, &x); err != nil {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters", Detail: shortErr(err)})
	}
	if x.MimeType != nil && *x.MimeType != "" && *x.MimeType != "application/pdf" {
		return nil, fail(badArg("mimeType", "the API generates application/pdf only").problem(idZero, ""))
	}
	from, to, rj := statementPeriod(x.StartDate, x.EndDate)
	if rj != nil {
		return nil, fail(rj.problem(idZero, ""))
	}
	s.mu.Lock()
	acct := s.st.Accounts[x.AccountId]
	if acct == nil {
		s.mu.Unlock()
		return nil, fail(badArg("accountId", "unknown account").problem(idZero, ""))
	}
	first, last, ok := statementWindow(acct, s.clk.Now())
	if !ok || to.Before(first) || from.After(last) {
		s.mu.Unlock()
		avail := "none yet (the account has not been funded, or was funded today)"
		if ok {
			avail = first.Format("20060102") + " to " + last.Format("20060102")
		}
		return nil, fail(badArg("startDate", "statements are available for "+avail).problem(idZero, ""))
	}
	if from.Before(first) {
		from = first
	}
	if to.After(last) {
		to = last
	}
	pdf := s.statementPDF(ri.client, acct, from, to)
	s.mu.Unlock()

	if strings.Contains(ri.accept, "application/pdf") && !strings.Contains(ri.accept, "json") {
		return genserver.CreateStatements200ApplicationpdfResponse{Body: bytes.NewReader(pdf), ContentLength: int64(len(pdf))}, nil
	}
	resp := genserver.CreateStatements200JSONResponse{}
	resp.Data = encodeDocument(pdf, x.Gzip != nil && *x.Gzip)
	return resp, nil
}

// statementPDF renders an activity statement of the instructions that
// moved the account's cash in [from, to]. Called with s.mu held.
func (s *Sandbox) statementPDF(client string, a *account, from, to time.Time) []byte {
	lines := []string{
		"Account: " + a.ID + " (" + a.First + " " + a.Last + ")",
		"Period: " + from.Format("2006-01-02") + " to " + to.Format("2006-01-02"),
		"",
		"Cash transactions",
	}
	n := 0
	for _, in := range s.sortedInstructions(client) {
		if in.Status != StatusProcessed || in.Amount.IsZero() || (in.Account != a.ID && in.Target != a.ID) {
			continue
		}
		d := etDay(in.Updated)
		if d.Before(from) || d.After(to) {
			continue
		}
		amt := in.Amount
		if in.Type == "WITHDRAWAL" || (in.Type == "INTERNAL_CASH_TRANSFER" && in.Account == a.ID) {
			amt = amt.Neg()
		}
		lines = append(lines, fmt.Sprintf("  %s  %-24s %14s %s  (instruction %d)", d.Format("2006-01-02"), in.Type, amt.String(), in.Currency, in.ID))
		n++
	}
	if n == 0 {
		lines = append(lines, "  none")
	}
	lines = append(lines, "", "Cash balances now")
	ccys := make([]string, 0, len(a.Cash))
	for c := range a.Cash {
		ccys = append(ccys, c)
	}
	sort.Strings(ccys)
	for _, c := range ccys {
		lines = append(lines, fmt.Sprintf("  %s %s", a.Cash[c].String(), c))
	}
	lines = append(lines, "", "Produced by the ibkr-go sandbox (ibkrtest). Not an IBKR document.")
	return renderPDF("Activity Statement", lines)
}
