package flex

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/wire"
)

func TestBalancesMultiAccountMultiCurrency(t *testing.T) {
	got, err := Balances(strings.NewReader(twoAccounts))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d balances", len(got))
	}
	a, b := got[0], got[1]
	if a.AccountID != "U7654321" || a.Currency != "USD" || a.AsOf != (Date{2026, 3, 4}) || a.NAV.String() != "9920.5" || a.Cash.String() != "1520.5" ||
		len(a.CashByCurrency) != 1 || a.CashByCurrency["USD"].String() != "1520.5" {
		t.Errorf("first %+v", a)
	}
	// The second: the latest NAV row, BASE_SUMMARY as the cash total and
	// kept out of the per-currency rows, an empty GBP value left out.
	if b.AccountID != "U1111111" || b.Currency != "EUR" || b.AsOf != (Date{2026, 3, 4}) || b.NAV.String() != "2000.75" || b.Cash.String() != "1210.25" {
		t.Errorf("second %+v", b)
	}
	if len(b.CashByCurrency) != 2 || b.CashByCurrency["EUR"].String() != "1000.00" || b.CashByCurrency["USD"].String() != "200" {
		t.Errorf("second by currency %v", b.CashByCurrency)
	}
}

func TestBalancesBreakoutByDayKeepsLatest(t *testing.T) {
	day := func(d, total string) string {
		return `<FlexStatement accountId="U1" fromDate="` + d + `" toDate="` + d + `"><EquitySummaryInBase><EquitySummaryByReportDateInBase reportDate="` + d + `" currency="USD" cash="1" total="` + total + `" /></EquitySummaryInBase></FlexStatement>`
	}
	doc := `<FlexQueryResponse><FlexStatements count="3">` + day("20260303", "3") + day("20260305", "5") + day("20260304", "4") + `</FlexStatements></FlexQueryResponse>`
	got, err := Balances(strings.NewReader(doc))
	if err != nil || len(got) != 1 || got[0].NAV.String() != "5" || got[0].AsOf != (Date{2026, 3, 5}) || got[0].Cash.String() != "1" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestBalancesWithoutNAVSection(t *testing.T) {
	doc := `<FlexQueryResponse><FlexStatements count="1"><FlexStatement accountId="U1"><CashReport><CashReportCurrency currency="USD" endingCash="1"/></CashReport></FlexStatement></FlexStatements></FlexQueryResponse>`
	_, err := Balances(strings.NewReader(doc))
	var me *MissingSectionsError
	if !errors.As(err, &me) || !errors.Is(err, ErrQueryInvalid) || me.Missing[0].Section != SectionEquitySummary || !strings.Contains(err.Error(), "Net Asset Value (NAV) in Base") {
		t.Fatalf("err = %v", err)
	}
}

const depositsDoc = `<FlexQueryResponse queryName="Q" type="AF"><FlexStatements count="2">
<FlexStatement accountId="U1" fromDate="2026-03-01" toDate="2026-03-05">
<CashTransactions>
<CashTransaction accountId="U1" currency="USD" type="Deposits &amp; Withdrawals" amount="250.00" dateTime="2026-03-04;09:00:00" description="ACH CREDIT SEQUENCE" transactionID="11" levelOfDetail="DETAIL" />
<CashTransaction accountId="U1" currency="USD" type="Deposits &amp; Withdrawals" amount="250.00" dateTime="2026-03-04" description="summary" transactionID="" levelOfDetail="SUMMARY" />
<CashTransaction accountId="U1" currency="USD" type="Deposits/Withdrawals" amount="-100" dateTime="2026-03-02;12:00:00" description="DISBURSEMENT" transactionID="12" />
<CashTransaction accountId="U1" currency="USD" type="Dividends" amount="3.2" dateTime="2026-03-03" transactionID="13" />
<CashTransaction accountId="U1" currency="USD" type="Deposits &amp; Withdrawals" amount="500" dateTime="2026-02-27;08:00:00" transactionID="10" />
</CashTransactions>
</FlexStatement>
<FlexStatement accountId="U2" fromDate="2026-03-01" toDate="2026-03-05">
<CashTransactions>
</CashTransactions>
</FlexStatement>
</FlexStatements></FlexQueryResponse>`

func TestDepositsSince(t *testing.T) {
	got, err := Deposits(strings.NewReader(depositsDoc), Date{2026, 3, 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].TransactionID != "12" || got[0].Amount.String() != "-100" || got[1].TransactionID != "11" {
		t.Fatalf("%+v", got)
	}
	// An empty section is an empty list, not an error.
	none, err := Deposits(strings.NewReader(depositsDoc), Date{2026, 3, 5})
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("%v %v", none, err)
	}
	// Without the section the answer would be a lie.
	_, err = Deposits(strings.NewReader(twoAccounts), Date{2026, 3, 1})
	var me *MissingSectionsError
	if !errors.As(err, &me) || me.Missing[0].AccountID != "U7654321" || !strings.Contains(err.Error(), "Cash Transactions") {
		t.Fatalf("err = %v", err)
	}
}

func TestMatchDeposit(t *testing.T) {
	txs, err := Deposits(strings.NewReader(depositsDoc), Date{2026, 2, 1})
	if err != nil {
		t.Fatal(err)
	}
	usd := func(s string) Expected { return Expected{Amount: wire.MustDecimal(s), Currency: "USD"} }
	if m := MatchDeposit(txs, usd("250")); m.Status != Arrived || m.Matches[0].TransactionID != "11" {
		t.Errorf("250: %+v", m)
	}
	if m := MatchDeposit(txs, usd("100")); m.Status != NotYet {
		t.Errorf("a withdrawal matched a deposit: %+v", m)
	}
	if m := MatchDeposit(txs, Expected{Amount: wire.MustDecimal("250"), Currency: "EUR"}); m.Status != NotYet {
		t.Errorf("currency ignored: %+v", m)
	}
	w := usd("250")
	w.From = Date{2026, 3, 5}
	if m := MatchDeposit(txs, w); m.Status != NotYet {
		t.Errorf("window ignored: %+v", m)
	}
	w = usd("250")
	w.AccountID = "U2"
	if m := MatchDeposit(txs, w); m.Status != NotYet {
		t.Errorf("account ignored: %+v", m)
	}
	twice := append(txs, CashTransaction{AccountID: "U1", Currency: "USD", Type: TypeDepositsWithdrawals, Amount: wire.MustDecimal("250.0"), TransactionID: "14", ReportDate: Date{2026, 3, 5}})
	m := MatchDeposit(twice, usd("250"))
	if m.Status != Ambiguous || len(m.Matches) != 2 {
		t.Errorf("two of a kind: %+v", m)
	}
	w = usd("250")
	w.Exclude = []string{"11"}
	if m := MatchDeposit(twice, w); m.Status != Arrived || m.Matches[0].TransactionID != "14" {
		t.Errorf("exclude: %+v", m)
	}
}

func TestCheckQuery(t *testing.T) {
	got, err := CheckQuery(strings.NewReader(twoAccounts))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"U7654321/CashTransactions": true, "U1111111/AccountInformation": true}
	for _, m := range got {
		k := m.AccountID + "/" + m.Section
		if !want[k] {
			t.Errorf("unexpected %+v", m)
		}
		delete(want, k)
		if !strings.Contains(m.HowTo, "Flex Queries") {
			t.Errorf("no portal hint: %q", m.HowTo)
		}
	}
	if len(want) > 0 {
		t.Errorf("not reported: %v", want)
	}
	// Missing columns of a present section are named.
	doc := `<FlexQueryResponse><FlexStatements count="1"><FlexStatement accountId="U1">
<AccountInformation accountId="U1" currency="USD"/>
<EquitySummaryInBase><EquitySummaryByReportDateInBase accountId="U1" reportDate="20260304" cash="1"/></EquitySummaryInBase>
<CashReport/><CashTransactions/></FlexStatement></FlexStatements></FlexQueryResponse>`
	got, err = CheckQuery(strings.NewReader(doc))
	if err != nil || len(got) != 1 || got[0].Section != SectionEquitySummary || len(got[0].Fields) != 1 || got[0].Fields[0] != "total" {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := CheckQuery(strings.NewReader("\"BOF\",\"U1\"\n")); !errors.Is(err, ErrNotXML) || !strings.Contains(err.Error(), "XML") {
		t.Errorf("csv: %v", err)
	}
}

func TestClientHelpers(t *testing.T) {
	f := newFakeFlex(t)
	f.body = depositsDoc
	c := f.client(t)
	// Today is 2026-03-05 on the fake clock.
	txs, err := c.Deposits(context.Background(), "123456", Date{2026, 3, 1})
	if err != nil || len(txs) != 2 {
		t.Fatalf("%+v %v", txs, err)
	}
	for _, bad := range []Date{{}, {2026, 3, 6}, {2025, 3, 4}} {
		if _, err := c.Deposits(context.Background(), "123456", bad); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("since %v: %v", bad, err)
		}
	}
	f.body = twoAccounts
	bal, err := c.Balances(context.Background(), "123456")
	if err != nil || len(bal) != 2 {
		t.Fatalf("%+v %v", bal, err)
	}
	miss, err := c.CheckQuery(context.Background(), "123456")
	if err != nil || len(miss) != 2 {
		t.Fatalf("%+v %v", miss, err)
	}
}
