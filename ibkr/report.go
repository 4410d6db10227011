package ibkr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// ErrReport is the cause (InputError.Err) when a statement, tax document
// or trade confirmation request breaks a documented rule (other than its
// dates, which are ErrDate or ErrDateRange).
var ErrReport = errors.New("ibkr: invalid report request")

func reportErr(field, format string, args ...any) *InputError {
	return inputErr(field, ErrReport, format, args...)
}

// StatementAvailability lists the statements IBKR can generate for an
// account: up to two years back and the current year, from the day the
// account was funded. A day's statement is available around midnight US
// Eastern.
type StatementAvailability struct {
	// Daily is the range of days with daily statements (YYYYMMDD); zero
	// when there is none.
	Daily StatementRange
	// Months are the months with monthly statements (YYYYMM), Years the
	// years with annual statements (YYYY), oldest first.
	Months, Years []string
}

// AvailableStatements lists the statements available for an account (GET
// /gw/api/v1/statements/available).
func (c *Client) AvailableStatements(ctx context.Context, accountID string) (*StatementAvailability, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpListStatementsAvailable, build: func(server string) (*http.Request, error) {
		return gen.NewListStatementsAvailableRequest(server, &gen.ListStatementsAvailableParams{AccountId: accountID})
	}}, gen.ParseListStatementsAvailableResponse)
	res, err := typedAnswer(r, err, (*gen.ListStatementsAvailableResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	out := &StatementAvailability{}
	if res.Data != nil && res.Data.Value != nil {
		v := res.Data.Value
		if d := v.Daily; d != nil {
			out.Daily = StatementRange{Start: unptr(d.StartDate), End: unptr(d.EndDate)}
		}
		out.Months, out.Years = unptrSlice(v.Monthly), unptrSlice(v.Annual)
	}
	return out, nil
}

// MultiAccountFormat is how a statement of several accounts is laid out.
type MultiAccountFormat string

// Layouts of multi-account statements.
const (
	// MultiAccountConsolidate merges all accounts into one statement.
	MultiAccountConsolidate MultiAccountFormat = "consolidate"
	// MultiAccountConcatenate puts each account in its own section.
	MultiAccountConcatenate MultiAccountFormat = "concatenate"
	// MultiAccountCustomConsolidate is IBKR's custom consolidation.
	MultiAccountCustomConsolidate MultiAccountFormat = "customConsolidate"
)

// statementLanguages are the documented statement languages (tw is
// traditional Chinese, cn simplified).
var statementLanguages = map[string]bool{"en": true, "tw": true, "cn": true, "fr": true, "de": true,
	"es": true, "it": true, "ru": true, "ja": true, "pt": true}

// StatementRequest asks for an activity statement in PDF.
type StatementRequest struct {
	// AccountID is the account; with AccountIDs, the statement covers
	// several accounts laid out as MultiAccountFormat says.
	AccountID          string
	AccountIDs         []string
	MultiAccountFormat MultiAccountFormat
	// Range is the period: AnnualStatement, MonthlyStatements,
	// DailyStatement or CustomStatementRange (at most MaxStatementDays).
	Range StatementRange
	// Language is a two-letter code: en (default), tw, cn, fr, de, es,
	// it, ru, ja or pt.
	Language string
	// Gzip asks IBKR to compress the document; it is decompressed on the
	// way to the writer.
	Gzip bool
	// CryptoConsolidated asks for a crypto-consolidated statement when an
	// account has a crypto segment.
	CryptoConsolidated bool
	// RawPDF asks for the PDF itself (Accept: application/pdf) rather
	// than IBKR's documented base64 JSON answer. Either way the writer
	// receives the PDF.
	RawPDF bool
}

// Validate checks the request: account ids, the range (see
// StatementRange.Validate), the language and the multi-account layout.
func (r StatementRequest) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	seen := map[string]bool{r.AccountID: true}
	for i, id := range r.AccountIDs {
		if err := ValidateAccountID(fmt.Sprintf("accountIds[%d]", i), id); err != nil {
			return err
		}
		if seen[id] && id != r.AccountID {
			return reportErr(fmt.Sprintf("accountIds[%d]", i), "repeats %s", id)
		}
		seen[id] = true
	}
	switch r.MultiAccountFormat {
	case "":
	case MultiAccountConsolidate, MultiAccountConcatenate, MultiAccountCustomConsolidate:
		if len(r.AccountIDs) == 0 {
			return reportErr("multiAccountFormat", "applies to statements of several accounts (AccountIDs)")
		}
	default:
		return reportErr("multiAccountFormat", "must be consolidate, concatenate or customConsolidate")
	}
	if r.Language != "" && !statementLanguages[r.Language] {
		return reportErr("language", "must be one of en, tw, cn, fr, de, es, it, ru, ja, pt")
	}
	return r.Range.Validate()
}

func (r StatementRequest) body() gen.StmtRequest {
	b := gen.StmtRequest{AccountId: r.AccountID, StartDate: r.Range.Start, EndDate: r.Range.End}
	pdf := "application/pdf"
	b.MimeType = &pdf
	if len(r.AccountIDs) > 0 {
		ids := append([]string(nil), r.AccountIDs...)
		b.AccountIds = &ids
	}
	if r.MultiAccountFormat != "" {
		f := string(r.MultiAccountFormat)
		b.MultiAccountFormat = &f
	}
	if r.Language != "" {
		b.Language = &r.Language
	}
	if r.Gzip {
		b.Gzip = &r.Gzip
	}
	if r.CryptoConsolidated {
		b.CryptoConsolIfAvailable = &r.CryptoConsolidated
	}
	return b
}

// Statement generates an activity statement (POST /gw/api/v1/statements,
// signed) and streams the PDF to w: IBKR's base64 (and, with Gzip,
// compressed) answer is decoded on the fly, so neither the answer nor the
// PDF is ever held in memory whole (BenchmarkStatementStream). If the
// answer breaks off or is malformed after some bytes were written, w holds
// a partial document and the error matches ErrStatementFormat.
func (c *Client) Statement(ctx context.Context, w io.Writer, r StatementRequest) (StatementInfo, error) {
	if err := r.Validate(); err != nil {
		return StatementInfo{}, err
	}
	if err := r.Range.ValidateAt(c.clock.Now()); err != nil {
		return StatementInfo{}, err
	}
	if w == nil {
		return StatementInfo{}, invalid("w", "nil writer")
	}
	body, err := jsonBody(r.body())
	if err != nil {
		return StatementInfo{}, err
	}
	resp, err := c.invoke(ctx, &call{op: optable.OpCreateStatements, body: body, build: func(server string) (*http.Request, error) {
		return acceptPDF(gen.NewCreateStatementsRequestWithBody(server, contentTypeJSON, nil))(r.RawPDF)
	}})
	return streamReport(w, resp, err)
}

// acceptPDF asks for a raw PDF answer when raw is set.
func acceptPDF(req *http.Request, err error) func(raw bool) (*http.Request, error) {
	return func(raw bool) (*http.Request, error) {
		if err == nil && raw {
			req.Header.Set("Accept", "application/pdf")
		}
		return req, err
	}
}

// streamReport writes a document answer to w: a raw PDF (or other binary
// type) is copied, a JSON answer decoded by DecodeStatement.
func streamReport(w io.Writer, resp *http.Response, err error) (StatementInfo, error) {
	if err != nil {
		return StatementInfo{}, err
	}
	defer resp.Body.Close()
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "" || mt == "application/json" || strings.HasSuffix(mt, "+json") {
		return DecodeStatement(w, resp.Body)
	}
	n, err := io.Copy(w, resp.Body)
	info := StatementInfo{MimeType: mt, Written: n}
	if err != nil {
		return info, err
	}
	if n == 0 {
		return info, statementErr("the answer is empty")
	}
	return info, nil
}

// TaxDocumentType is a tax document IBKR can generate for an account and
// year.
type TaxDocumentType struct {
	// Name is the document's name, such as "1099"; pass it as
	// TaxDocumentRequest.Type.
	Name string
	// Formats are the formats it comes in, such as "pdf".
	Formats []string
	// IsForm says it is a tax form (as opposed to a report).
	IsForm bool
}

// AvailableTaxDocuments lists the tax documents available for an account
// and tax year (GET /gw/api/v1/tax-documents/available).
func (c *Client) AvailableTaxDocuments(ctx context.Context, accountID string, year int) ([]TaxDocumentType, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	if err := c.checkTaxYear(year); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpListTaxDocumentsAvailable, build: func(server string) (*http.Request, error) {
		return gen.NewListTaxDocumentsAvailableRequest(server, &gen.ListTaxDocumentsAvailableParams{AccountId: accountID, Year: int32(year)})
	}}, gen.ParseListTaxDocumentsAvailableResponse)
	res, err := typedAnswer(r, err, (*gen.ListTaxDocumentsAvailableResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	var out []TaxDocumentType
	if res.Data != nil && res.Data.Value != nil {
		for _, f := range unptrSlice(res.Data.Value.Forms) {
			out = append(out, TaxDocumentType{Name: unptr(f.TaxFormName), Formats: unptrSlice(f.Formats), IsForm: unptr(f.IsForm)})
		}
	}
	return out, nil
}

// checkTaxYear checks a tax year: four digits, not after the current
// year.
func (c *Client) checkTaxYear(year int) error {
	if year < 1000 || year > 9999 {
		return inputErr("year", ErrDate, "must be a four-digit year")
	}
	if now := c.clock.Now().In(eastern()).Year(); year > now {
		return inputErr("year", ErrDateRange, "%d is after the current year %d", year, now)
	}
	return nil
}

// TaxDocumentRequest asks for one tax document.
type TaxDocumentRequest struct {
	AccountID string
	// Year is the tax year.
	Year int
	// Type is the document's name as listed by AvailableTaxDocuments.
	Type string
	// Format is one of the document's formats, as listed (such as "pdf").
	Format string
	// Gzip asks IBKR to compress the document; it is decompressed on the
	// way to the writer.
	Gzip bool
	// Raw asks for the file itself rather than base64 JSON.
	Raw bool
}

// TaxDocument generates a tax document (POST /gw/api/v1/tax-documents,
// signed) and streams it to w, like Statement.
func (c *Client) TaxDocument(ctx context.Context, w io.Writer, r TaxDocumentRequest) (StatementInfo, error) {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return StatementInfo{}, err
	}
	if err := c.checkTaxYear(r.Year); err != nil {
		return StatementInfo{}, err
	}
	if err := checkReportWord("type", r.Type); err != nil {
		return StatementInfo{}, err
	}
	if err := checkReportWord("format", r.Format); err != nil {
		return StatementInfo{}, err
	}
	if w == nil {
		return StatementInfo{}, invalid("w", "nil writer")
	}
	req := gen.TaxFormRequest{AccountId: r.AccountID, Year: int32(r.Year), Type: r.Type, Format: r.Format}
	if r.Gzip {
		req.Gzip = &r.Gzip
	}
	body, err := jsonBody(req)
	if err != nil {
		return StatementInfo{}, err
	}
	resp, err := c.invoke(ctx, &call{op: optable.OpCreateTaxDocuments, body: body, build: func(server string) (*http.Request, error) {
		return acceptPDF(gen.NewCreateTaxDocumentsRequestWithBody(server, contentTypeJSON, nil))(r.Raw)
	}})
	return streamReport(w, resp, err)
}

// checkReportWord checks a short identifier such as a tax form's name or
// format: 1 to 40 printable ASCII characters without spaces at the ends.
func checkReportWord(field, s string) error {
	if s == "" {
		return reportErr(field, "is required (see AvailableTaxDocuments)")
	}
	if len(s) > 40 {
		return reportErr(field, "must be at most 40 characters")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return reportErr(field, "must be printable ASCII")
		}
	}
	if strings.TrimSpace(s) != s {
		return reportErr(field, "must not start or end with a space")
	}
	return nil
}

// AvailableTradeConfirmations lists the days (YYYYMMDD) with trade
// confirmations for an account (GET
// /gw/api/v1/trade-confirmations/available).
func (c *Client) AvailableTradeConfirmations(ctx context.Context, accountID string) ([]string, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpListTradeConfirmationsAvailable, build: func(server string) (*http.Request, error) {
		return gen.NewListTradeConfirmationsAvailableRequest(server, &gen.ListTradeConfirmationsAvailableParams{AccountId: accountID})
	}}, gen.ParseListTradeConfirmationsAvailableResponse)
	res, err := typedAnswer(r, err, (*gen.ListTradeConfirmationsAvailableResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	if res.Data == nil {
		return nil, nil
	}
	return unptrSlice(res.Data.Value), nil
}

// TradeConfirmationRequest asks for the trade confirmations of a range of
// days.
type TradeConfirmationRequest struct {
	AccountID string
	// Range is a range of days (DailyStatement or CustomStatementRange,
	// YYYYMMDD), at most MaxStatementDays.
	Range StatementRange
	// Raw asks for the PDF itself rather than base64 JSON.
	Raw bool
}

// TradeConfirmations generates the trade confirmations of a range of
// days (POST /gw/api/v1/trade-confirmations, signed) as one PDF and
// streams it to w, like Statement.
func (c *Client) TradeConfirmations(ctx context.Context, w io.Writer, r TradeConfirmationRequest) (StatementInfo, error) {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return StatementInfo{}, err
	}
	if err := r.Range.ValidateAt(c.clock.Now()); err != nil {
		return StatementInfo{}, err
	}
	if r.Range.Period() != StatementCustom {
		return StatementInfo{}, inputErr("startDate", ErrDate, "trade confirmations take days, YYYYMMDD")
	}
	if w == nil {
		return StatementInfo{}, invalid("w", "nil writer")
	}
	pdf := "application/pdf"
	body, err := jsonBody(gen.TradeConfirmationRequest{AccountId: r.AccountID, StartDate: r.Range.Start, EndDate: r.Range.End, MimeType: &pdf})
	if err != nil {
		return StatementInfo{}, err
	}
	resp, err := c.invoke(ctx, &call{op: optable.OpCreateTradeConfirmations, body: body, build: func(server string) (*http.Request, error) {
		return acceptPDF(gen.NewCreateTradeConfirmationsRequestWithBody(server, contentTypeJSON, nil))(r.Raw)
	}})
	return streamReport(w, resp, err)
}
