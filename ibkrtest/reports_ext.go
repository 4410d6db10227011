package ibkrtest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/gen/genserver"
)

// Tax documents and trade confirmations.
//
// An account funded in a year has a 1099 (format pdf) for that year and
// each later year before the current one. Trade confirmations exist for
// the days tests add them (AddTradeConfirmation). Both are generated as
// small real PDFs, answered like statements: base64 in JSON (gzip first
// if asked) or raw with Accept: application/pdf.

// TaxFormName is the one tax document the sandbox generates.
const TaxFormName = "1099"

type tradeConfirmation struct {
	Account string   `json:"account"`
	Day     string   `json:"day"` // YYYYMMDD
	Lines   []string `json:"lines"`
}

// AddTradeConfirmation records a trade confirmation for an account on
// day (its US Eastern date), with the lines its PDF shows.
func (s *Sandbox) AddTradeConfirmation(accountID string, day time.Time, lines ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Accounts[accountID] == nil {
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	list := s.tradeConfirmations()
	list = append(list, tradeConfirmation{Account: accountID, Day: etDay(day).Format("20060102"), Lines: lines})
	s.saveExtra("tradeConfirmations", list)
	return nil
}

// tradeConfirmations reads the recorded confirmations. Called with s.mu
// held.
func (s *Sandbox) tradeConfirmations() []tradeConfirmation {
	var out []tradeConfirmation
	s.loadExtra("tradeConfirmations", &out)
	return out
}

func taxYears(a *account, now time.Time) (int, int, bool) {
	if a.Funded.IsZero() {
		return 0, 0, false
	}
	first, last := etDay(a.Funded).Year(), etDay(now).Year()-1
	return first, last, first <= last
}

func (s *Sandbox) listTaxDocuments(p gen.ListTaxDocumentsAvailableParams) (genserver.ListTaxDocumentsAvailableResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[p.AccountId]
	if a == nil {
		return nil, fail(badArg("accountId", "unknown account").problem(idZero, ""))
	}
	forms := []gen.TaxFormType{}
	if first, last, ok := taxYears(a, s.clk.Now()); ok && int(p.Year) >= first && int(p.Year) <= last {
		forms = append(forms, gen.TaxFormType{TaxFormName: ptr(TaxFormName), Formats: &[]string{"pdf"}, IsForm: ptr(true)})
	}
	return genserver.ListTaxDocumentsAvailable200JSONResponse{Data: &gen.AvailableTaxFormsData{DataType: ptr("String"),
		Value: &struct {
			Forms *[]gen.TaxFormType `json:"forms,omitempty"`
		}{Forms: &forms}}}, nil
}

// documentAnswer is a generated document's JSON data: base64, gzip first
// if asked. It is an alias of the unnamed struct the generated responses
// declare for their data, so it is assigned to them as it is.
type documentAnswer = struct {
	Accept   *string `json:"accept,omitempty"`
	DataType *string `json:"dataType,omitempty"`
	Encoding *string `json:"encoding,omitempty"`
	Gzip     *bool   `json:"gzip,omitempty"`
	MimeType *string `json:"mimeType,omitempty"`
	Value    *string `json:"value,omitempty"`
}

func encodeDocument(pdf []byte, zip bool) *documentAnswer {
	payload := pdf
	if zip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(pdf)
		_ = zw.Close()
		payload = buf.Bytes()
	}
	return &documentAnswer{DataType: ptr("String"), Encoding: ptr("base64"), Gzip: ptr(zip), MimeType: ptr("application/pdf"),
		Value: ptr(base64.StdEncoding.EncodeToString(payload))}
}

func wantsRawPDF(ri *reqInfo) bool {
	return strings.Contains(ri.accept, "application/pdf") && !strings.Contains(ri.accept, "json")
}

func (s *Sandbox) createTaxDocument(ri *reqInfo) (genserver.CreateTaxDocumentsResponseObject, error) {
	var x gen.TaxFormRequest
	if err := json.Unmarshal(ri.claims, &x); err != nil {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters", Detail: shortErr(err)})
	}
	s.mu.Lock()
	a := s.st.Accounts[x.AccountId]
	if a == nil {
		s.mu.Unlock()
		return nil, fail(badArg("accountId", "unknown account").problem(idZero, ""))
	}
	first, last, ok := taxYears(a, s.clk.Now())
	if !ok || int(x.Year) < first || int(x.Year) > last {
		s.mu.Unlock()
		return nil, fail(badArg("year", fmt.Sprintf("no tax documents for %d", x.Year)).problem(idZero, ""))
	}
	if x.Type != TaxFormName {
		s.mu.Unlock()
		return nil, fail(badArg("type", "the sandbox generates the "+TaxFormName+" only").problem(idZero, ""))
	}
	if !strings.EqualFold(x.Format, "pdf") {
		s.mu.Unlock()
		return nil, fail(badArg("format", "the "+TaxFormName+" comes as pdf").problem(idZero, ""))
	}
	pdf := renderPDF("Form "+TaxFormName+" "+fmt.Sprint(x.Year), []string{
		"Account: " + a.ID + " (" + a.First + " " + a.Last + ")",
		"Tax year: " + fmt.Sprint(x.Year),
		"", "Produced by the ibkr-go sandbox (ibkrtest). Not an IBKR document.",
	})
	s.mu.Unlock()
	if wantsRawPDF(ri) {
		return genserver.CreateTaxDocuments200ApplicationpdfResponse{Body: bytes.NewReader(pdf), ContentLength: int64(len(pdf))}, nil
	}
	r := genserver.CreateTaxDocuments200JSONResponse{}
	r.Data = encodeDocument(pdf, x.Gzip != nil && *x.Gzip)
	return r, nil
}

func (s *Sandbox) listTradeConfirmations(p gen.ListTradeConfirmationsAvailableParams) (genserver.ListTradeConfirmationsAvailableResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Accounts[p.AccountId] == nil {
		return nil, fail(badArg("accountId", "unknown account").problem(idZero, ""))
	}
	set := map[string]bool{}
	for _, tc := range s.tradeConfirmations() {
		if tc.Account == p.AccountId {
			set[tc.Day] = true
		}
	}
	days := []string{}
	for d := range set {
		days = append(days, d)
	}
	sort.Strings(days)
	r := genserver.ListTradeConfirmationsAvailable200JSONResponse{}
	r.Data = &struct {
		DataType *string   `json:"dataType,omitempty"`
		Value    *[]string `json:"value,omitempty"`
	}{DataType: ptr("String"), Value: &days}
	return r, nil
}

func (s *Sandbox) createTradeConfirmations(ri *reqInfo) (genserver.CreateTradeConfirmationsResponseObject, error) {
	var x gen.TradeConfirmationRequest
	if err := json.Unmarshal(ri.claims, &x); err != nil {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters", Detail: shortErr(err)})
	}
	if len(x.StartDate) != 8 || len(x.EndDate) != 8 {
		return nil, fail(badArg("startDate", "trade confirmations take YYYYMMDD dates").problem(idZero, ""))
	}
	if _, _, rj := statementPeriod(x.StartDate, x.EndDate); rj != nil {
		return nil, fail(rj.problem(idZero, ""))
	}
	s.mu.Lock()
	a := s.st.Accounts[x.AccountId]
	if a == nil {
		s.mu.Unlock()
		return nil, fail(badArg("accountId", "unknown account").problem(idZero, ""))
	}
	lines := []string{"Account: " + a.ID + " (" + a.First + " " + a.Last + ")", "Period: " + x.StartDate + " to " + x.EndDate, ""}
	n := 0
	for _, tc := range s.tradeConfirmations() {
		if tc.Account == a.ID && tc.Day >= x.StartDate && tc.Day <= x.EndDate {
			for _, l := range tc.Lines {
				lines = append(lines, tc.Day+"  "+l)
			}
			n++
		}
	}
	s.mu.Unlock()
	if n == 0 {
		return nil, fail(badArg("startDate", "no trade confirmations in "+x.StartDate+" to "+x.EndDate).problem(idZero, ""))
	}
	pdf := renderPDF("Trade Confirmations", append(lines, "", "Produced by the ibkr-go sandbox (ibkrtest). Not an IBKR document."))
	if wantsRawPDF(ri) {
		return genserver.CreateTradeConfirmations200ApplicationpdfResponse{Body: bytes.NewReader(pdf), ContentLength: int64(len(pdf))}, nil
	}
	r := genserver.CreateTradeConfirmations200JSONResponse{}
	r.Data = encodeDocument(pdf, false)
	return r, nil
}
