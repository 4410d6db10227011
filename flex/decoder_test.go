package flex

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// twoAccounts is a statement of two accounts, the second with three
// currencies, an unknown section and unknown attributes.
const twoAccounts = `<FlexQueryResponse queryName="Balances" type="AF">
<FlexStatements count="2">
<FlexStatement accountId="U7654321" fromDate="20260304" toDate="20260304" period="LastBusinessDay" whenGenerated="20260305;091502">
<AccountInformation accountId="U7654321" currency="USD" name="Ada Lovelace" accountType="Individual" dateOpened="20200102" dateClosed="" accountCapabilities="Cash,IBPrime" />
<EquitySummaryInBase>
<EquitySummaryByReportDateInBase accountId="U7654321" currency="USD" reportDate="20260304" cash="1520.5" stock="8400" total="9920.5" />
</EquitySummaryInBase>
<CashReport>
<CashReportCurrency accountId="U7654321" currency="BASE_SUMMARY" fromDate="20260304" toDate="20260304" startingCash="1520.5" deposits="0" withdrawals="0" endingCash="1520.5" endingSettledCash="1520.5" />
<CashReportCurrency accountId="U7654321" currency="USD" fromDate="20260304" toDate="20260304" startingCash="1520.5" deposits="0" withdrawals="0" endingCash="1520.5" endingSettledCash="1520.5" />
</CashReport>
<TradeConfirms>
</TradeConfirms>
</FlexStatement>
<FlexStatement accountId="U1111111" fromDate="20260301" toDate="20260304" period="" whenGenerated="20260305;091502" newHeaderAttr="x">
<EquitySummaryInBase>
<EquitySummaryByReportDateInBase accountId="U1111111" currency="EUR" reportDate="20260303" cash="10" total="10" />
<EquitySummaryByReportDateInBase accountId="U1111111" currency="EUR" reportDate="20260304" cash="1,210.25" stock="-" crypto="N/A" total="2,000.75" futureColumn="7" />
</EquitySummaryInBase>
<CashReport>
<CashReportCurrency accountId="U1111111" currency="BASE_SUMMARY" endingCash="1210.25" />
<CashReportCurrency accountId="U1111111" currency="EUR" endingCash="1000.00" />
<CashReportCurrency accountId="U1111111" currency="USD" endingCash="200" />
<CashReportCurrency accountId="U1111111" currency="GBP" endingCash="--" />
</CashReport>
<CashTransactions>
<CashTransaction accountId="U1111111" currency="USD" fxRateToBase="0.92" type="Deposits &amp; Withdrawals" amount="250.00" dateTime="20260303;101500" description="ACH CREDIT" transactionID="901" levelOfDetail="DETAIL" />
<CashTransaction accountId="U1111111" currency="EUR" type="Dividends" amount="1.5" dateTime="20260302" description="S&amp;P FUND DIVIDEND" transactionID="902" />
</CashTransactions>
<FxPositions>
<FxLots>
<FxLot accountId="U1111111" functionalCurrency="EUR" quantity="12" />
</FxLots>
</FxPositions>
<MysterySection>
<MysteryRow a="1" />
</MysterySection>
</FlexStatement>
</FlexStatements>
</FlexQueryResponse>
`

func TestParseTwoAccounts(t *testing.T) {
	rep, err := Parse(strings.NewReader(twoAccounts))
	if err != nil {
		t.Fatal(err)
	}
	if rep.QueryName != "Balances" || rep.Type != "AF" || len(rep.Statements) != 2 {
		t.Fatalf("report %q %q with %d statements", rep.QueryName, rep.Type, len(rep.Statements))
	}
	a, b := rep.Statements[0], rep.Statements[1]
	if a.AccountID != "U7654321" || a.ToDate != (Date{2026, 3, 4}) || a.WhenGenerated.String() != "2026-03-05T09:15:02" {
		t.Errorf("header %+v", a.StatementInfo)
	}
	ai := a.AccountInformation
	if ai == nil || ai.Currency != "USD" || ai.Name != "Ada Lovelace" || !ai.DateClosed.IsZero() || ai.DateOpened != (Date{2020, 1, 2}) ||
		!slices.Equal(ai.Capabilities, []string{"Cash", "IBPrime"}) {
		t.Errorf("account information %+v", ai)
	}
	if got := a.Sections; !slices.Equal(got, []string{"AccountInformation", "EquitySummaryInBase", "CashReport", "TradeConfirms"}) {
		t.Errorf("sections %v", got)
	}
	if a.CashReportBase == nil || len(a.CashReport) != 1 || a.CashReport[0].Currency != "USD" {
		t.Errorf("cash report: base %+v, rows %+v", a.CashReportBase, a.CashReport)
	}
	// The second account: thousands separators, markers, unknown columns.
	last := b.EquitySummary[1]
	if last.Total.String() != "2000.75" || last.Cash.String() != "1210.25" || !last.Stock.IsZero() || !last.Crypto.IsZero() {
		t.Errorf("equity %+v", last)
	}
	if v, ok := last.Extra.Get("futureColumn"); !ok || v != "7" {
		t.Errorf("unknown attribute not kept: %v", last.Extra)
	}
	if v, _ := b.Extra.Get("newHeaderAttr"); v != "x" {
		t.Errorf("unknown header attribute not kept: %v", b.Extra)
	}
	if len(b.CashReport) != 3 || b.CashReport[2].HasEndingCash || !b.CashReport[1].HasEndingCash {
		t.Errorf("cash rows %+v", b.CashReport)
	}
	tx := b.CashTransactions[0]
	if !tx.IsDepositOrWithdrawal() || tx.Amount.String() != "250.00" || tx.DateTime.String() != "2026-03-03T10:15:00" || tx.FXRateToBase.String() != "0.92" {
		t.Errorf("cash transaction %+v", tx)
	}
	if d := b.CashTransactions[1]; d.Description != "S&P FUND DIVIDEND" || d.DateTime.HasTime || d.Date() != (Date{2026, 3, 2}) {
		t.Errorf("dividend %+v", d)
	}
	if got := b.Other["MysterySection"]; len(got) != 1 || got[0].Name != "MysteryRow" {
		t.Errorf("unknown section not kept: %+v", b.Other)
	}
	if got := b.Other["FxPositions"]; len(got) != 1 || got[0].Name != "FxLot" {
		t.Errorf("doubly nested rows: %+v", b.Other)
	}
}

func TestDecoderRecordsInOrder(t *testing.T) {
	d := NewDecoder(strings.NewReader(twoAccounts))
	var kinds []string
	for rec, err := range d.All() {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Statement == nil {
			t.Fatalf("record %+v without its statement", rec)
		}
		if rec.Kind == KindStatement || rec.Kind == KindStatementEnd {
			kinds = append(kinds, rec.Statement.AccountID)
		}
	}
	if want := []string{"U7654321", "U7654321", "U1111111", "U1111111"}; !slices.Equal(kinds, want) {
		t.Errorf("statement records %v, want %v", kinds, want)
	}
}

func TestSectionIterators(t *testing.T) {
	var ids []string
	for tx, err := range CashTransactions(strings.NewReader(twoAccounts)) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tx.TransactionID)
	}
	if !slices.Equal(ids, []string{"901", "902"}) {
		t.Errorf("ids %v", ids)
	}
	n := 0
	for row, err := range CashReportRows(strings.NewReader(twoAccounts)) {
		if err != nil {
			t.Fatal(err)
		}
		if row.IsBaseSummary() {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d BASE_SUMMARY rows, want 2", n)
	}
	// Breaking out early stops the decoder.
	for range EquitySummaries(strings.NewReader(twoAccounts)) {
		break
	}
}

func TestDateFormats(t *testing.T) {
	want := Date{2026, 3, 14}
	for _, s := range []string{"20260314", "2026-03-14", "03/14/2026", "03/14/26", "14/03/2026", "14/03/26", "14-Mar-26", "14-MAR-26"} {
		got, ok := parseDateValue(s, MonthFirst)
		if !ok || got != want {
			t.Errorf("%q: %v %v, want %v", s, got, ok, want)
		}
	}
	// Ambiguous slash dates follow the order asked for.
	if d, _ := parseDateValue("03/04/2026", MonthFirst); d != (Date{2026, 3, 4}) {
		t.Errorf("month first: %v", d)
	}
	if d, _ := parseDateValue("03/04/26", DayFirst); d != (Date{2026, 4, 3}) {
		t.Errorf("day first: %v", d)
	}
	for _, s := range []string{"", "-", "--", "N/A", "MULTI"} {
		if d, ok := parseDateValue(s, MonthFirst); !ok || !d.IsZero() {
			t.Errorf("%q: %v %v, want the zero date", s, d, ok)
		}
	}
	for _, s := range []string{"20260230", "2026-13-01", "14-Foo-26", "2026031", "13/13/2026", "20260314x", "tomorrow"} {
		if _, ok := parseDateValue(s, MonthFirst); ok {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestDateTimeFormats(t *testing.T) {
	want := DateTime{Date: Date{2026, 3, 14}, Hour: 16, Minute: 5, Second: 9, HasTime: true}
	for _, s := range []string{
		"20260314;160509", "20260314,160509", "20260314 160509", "20260314160509",
		"2026-03-14;16:05:09", "2026-03-14, 16:05:09", "2026-03-14T16:05:09", "03/14/2026;160509",
		"14/03/26 16:05:09", "14/03/26160509", "14/03/2616:05:09", "14/03/2026160509", "14-Mar-26;160509", "20260314;160509-0500", "2026-03-14T16:05:09 EST",
	} {
		got, ok := parseDateTimeValue(s, MonthFirst)
		if !ok || got != want {
			t.Errorf("%q: %+v %v", s, got, ok)
		}
	}
	if got, ok := parseDateTimeValue("2015-10-06", MonthFirst); !ok || got.HasTime || got.Date != (Date{2015, 10, 6}) {
		t.Errorf("bare date: %+v %v", got, ok)
	}
	for _, s := range []string{"20260314;25:00:00", "20260314;1605", "20260314;160509 PST x"} {
		if _, ok := parseDateTimeValue(s, MonthFirst); ok {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestOddValues(t *testing.T) {
	for in, want := range map[string]string{"": "0", "-": "0", "--": "0", "N/A": "0", "1,234,567.891": "1234567.891", "-0.00680792": "-0.00680792"} {
		d, ok := parseAmount(in)
		if !ok || d.String() != want {
			t.Errorf("%q: %v %v, want %s", in, d, ok, want)
		}
	}
	if _, ok := parseAmount("12abc"); ok {
		t.Error("12abc accepted")
	}
}

func TestBadValueNamesItsField(t *testing.T) {
	doc := `<FlexQueryResponse><FlexStatements count="1"><FlexStatement accountId="U1">
<CashTransactions>
<CashTransaction amount="twelve" /></CashTransactions></FlexStatement></FlexStatements></FlexQueryResponse>`
	_, err := Parse(strings.NewReader(doc))
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Element != "CashTransaction" || ve.Attr != "amount" || ve.Value != "twelve" || ve.Line != 3 || !errors.Is(err, ErrBadValue) {
		t.Fatalf("err = %v (%#v)", err, err)
	}
}

func TestDocumentsThatAreNotStatements(t *testing.T) {
	for name, tc := range map[string]struct {
		doc  string
		want error
	}{
		"csv":          {`"BOF","U1","Balances","3"` + "\n", ErrNotXML},
		"csv unquoted": {"ClientAccountID,CurrencyPrimary,EndingCash\nU1,USD,5\n", ErrNotXML},
		"html":         {"<!DOCTYPE html><html><body>404 Page Not Found</body></html>", ErrBadResponse},
		"empty":        {"  \n", ErrBadResponse},
		"other root":   {"<Foo/>", ErrBadResponse},
		"cut short":    {twoAccounts[:len(twoAccounts)/2], ErrBadResponse},
		"bad nesting":  {`<FlexQueryResponse><FlexStatements></FlexQueryResponse>`, ErrBadResponse},
		"count":        {`<FlexQueryResponse><FlexStatements count="2"><FlexStatement accountId="U1"></FlexStatement></FlexStatements></FlexQueryResponse>`, ErrBadResponse},
		"two roots":    {`<FlexQueryResponse></FlexQueryResponse><FlexQueryResponse></FlexQueryResponse>`, ErrBadResponse},
		"not ready": {`<FlexStatementResponse timestamp='05 March, 2026 09:15 AM EST'>
<Status>Warn</Status>
<ErrorCode>1019</ErrorCode>
<ErrorMessage>Statement generation in progress. Please try again shortly.</ErrorMessage>
</FlexStatementResponse>`, ErrNotReady},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDeclarationsAndEncodings(t *testing.T) {
	body := `<FlexQueryResponse queryName="Q" type="AF"><FlexStatements count="1"><FlexStatement accountId="U1">` +
		"<AccountInformation accountId=\"U1\" name=\"Jos\xe9 M\xfcller\" city=\"Z\xc3\xbcrich\" currency=\"CHF\" />" +
		`</FlexStatement></FlexStatements></FlexQueryResponse>`
	for _, decl := range []string{"", `<?xml version="1.0" encoding="UTF-8"?>` + "\n", `<?xml version="1.0" encoding="ISO-8859-1"?>`, "\xef\xbb\xbf"} {
		rep, err := Parse(strings.NewReader(decl + body))
		if err != nil {
			t.Fatalf("%q: %v", decl, err)
		}
		ai := rep.Statements[0].AccountInformation
		if ai.Name != "José Müller" {
			t.Errorf("%q: name %q", decl, ai.Name)
		}
		if v, _ := ai.Extra.Get("city"); v != "Zürich" {
			t.Errorf("%q: city %q", decl, v)
		}
	}
	if _, err := Parse(strings.NewReader(`<?xml version="1.0" encoding="UTF-16"?>` + body)); !errors.Is(err, ErrBadResponse) {
		t.Errorf("UTF-16: %v", err)
	}
}

func TestTextReaderSplitsSequences(t *testing.T) {
	// A two-byte sequence split across reads, and Latin-1 bytes, read
	// through a one-byte reader.
	in := "a\xc3\xa9b\xe9c"
	got, err := io.ReadAll(newTextReader(&oneByte{s: in}))
	if err != nil || string(got) != "aébéc" {
		t.Fatalf("%q %v", got, err)
	}
}

type oneByte struct{ s string }

func (o *oneByte) Read(p []byte) (int, error) {
	if o.s == "" {
		return 0, io.EOF
	}
	p[0] = o.s[0]
	o.s = o.s[1:]
	return 1, nil
}

func TestEmptyStatementList(t *testing.T) {
	rep, err := Parse(strings.NewReader(`<FlexQueryResponse queryName="Q" type="AF"><FlexStatements count="0"></FlexStatements></FlexQueryResponse>`))
	if err != nil || len(rep.Statements) != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
}
