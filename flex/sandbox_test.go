package flex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/flex"
	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// flexSandbox starts a sandbox on an auto-advancing fake clock, with a
// Flex token and a query; the Flex client shares the clock.
func flexSandbox(t *testing.T, q ibkrtest.FlexQuery, opts ...ibkrtest.Option) (*ibkrtest.Server, *flex.Client, string, string) {
	t.Helper()
	srv := ibkrtest.NewServer(t, opts...)
	srv.Clock().SetAutoAdvance(true)
	tok, err := srv.NewFlexToken(ibkrtest.FlexToken{Lifetime: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	qid, err := srv.AddFlexQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return srv, flexClient(t, srv, tok), tok, qid
}

func flexClient(t *testing.T, srv *ibkrtest.Server, tok string, opts ...flex.Option) *flex.Client {
	t.Helper()
	c, err := flex.New(tok, append([]flex.Option{flex.WithBaseURL(srv.URL + ibkrtest.FlexPath), flex.WithClock(srv.Clock())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func today(srv *ibkrtest.Server) flex.Date {
	et, _ := time.LoadLocation("America/New_York")
	return flex.DateOf(srv.Now().In(et))
}

func usd(s string) flex.Expected { return flex.Expected{Amount: wire.MustDecimal(s), Currency: "USD"} }

// TestSandboxDepositAndPushedCredit: a deposit made through DepositACH
// and an ACH credit pushed from outside both show in the next statement.
func TestSandboxDepositAndPushedCredit(t *testing.T) {
	srv, fc, _, qid := flexSandbox(t, ibkrtest.FlexQuery{Accounts: []string{ibkrtest.DemoAccountID}})
	ctx := context.Background()
	am, err := ibkr.New(ibkr.WithBaseURL(srv.URL), ibkr.WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
		ibkr.WithClock(srv.Clock()), ibkr.WithAudience(srv.TokenURL()), ibkr.WithoutMaintenanceWindows())
	if err != nil {
		t.Fatal(err)
	}
	start := today(srv)
	before, err := fc.Balances(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	link, err := am.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Demo Bank"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := am.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour); err != nil {
		t.Fatal(err)
	}
	dep, err := am.DepositACH(ctx, ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: wire.MustDecimal("500.00")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := am.WaitForInstruction(ctx, dep.ClientInstructionID, 72*time.Hour); err != nil {
		t.Fatal(err)
	}
	txs, err := fc.Deposits(ctx, qid, start)
	if err != nil {
		t.Fatal(err)
	}
	if m := flex.MatchDeposit(txs, usd("500")); m.Status != flex.Arrived || m.Matches[0].Description != "ACH DEPOSIT FROM Checking" {
		t.Fatalf("the DepositACH deposit: %+v in %+v", m, txs)
	}
	if m := flex.MatchDeposit(txs, usd("250")); m.Status != flex.NotYet {
		t.Fatalf("250 before the push: %+v", m)
	}

	dd, err := srv.DirectDeposit(ibkrtest.DemoAccountID)
	if err != nil {
		t.Fatal(err)
	}
	credit, err := srv.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber,
		Amount: wire.MustDecimal("250.00"), Originator: "Sequence"})
	if err != nil {
		t.Fatal(err)
	}
	txs, err = fc.Deposits(ctx, qid, start)
	if err != nil {
		t.Fatal(err)
	}
	m := flex.MatchDeposit(txs, usd("250"))
	if m.Status != flex.Arrived || m.Matches[0].TransactionID != credit.TransactionID || m.Matches[0].AccountID != ibkrtest.DemoAccountID {
		t.Fatalf("the pushed credit: %+v in %+v", m, txs)
	}
	after, err := fc.Balances(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := before[0].NAV.Add(wire.MustDecimal("750"))
	if len(after) != 1 || after[0].NAV.Cmp(want) != 0 || after[0].Cash.Cmp(want) != 0 || after[0].CashByCurrency["USD"].Cmp(want) != 0 {
		t.Fatalf("balance %+v, want NAV %s", after, want)
	}
	if got := srv.Balance(ibkrtest.DemoAccountID, "USD"); got.Cmp(want) != 0 {
		t.Errorf("the Account Management balance is %s, want %s", got, want)
	}
	// Wrong numbers bounce, without repeating the account number.
	_, err = srv.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: "599999999999", Amount: wire.MustDecimal("1")})
	if err == nil || strings.Contains(err.Error(), "599999999999") {
		t.Errorf("unknown account number: %v", err)
	}
	push := ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber, Amount: wire.MustDecimal("1")}
	j1, _ := json.Marshal(dd)
	j2, _ := json.Marshal(push)
	if s := fmt.Sprintf("%v %+v %#v %v %+v %#v %s %s", dd, dd, dd, push, push, push, j1, j2); strings.Contains(s, dd.AccountNumber) {
		t.Errorf("the account number is printed: %s", s)
	}
}

func TestSandboxEveryErrorCode(t *testing.T) {
	srv, fc, _, qid := flexSandbox(t, ibkrtest.FlexQuery{})
	codes := []struct {
		code  int
		class error
	}{
		{1001, flex.ErrRetryLater}, {1003, flex.ErrNoStatement}, {1004, flex.ErrRetryLater}, {1005, flex.ErrRetryLater},
		{1006, flex.ErrRetryLater}, {1007, flex.ErrRetryLater}, {1008, flex.ErrRetryLater}, {1009, flex.ErrRetryLater},
		{1010, flex.ErrQueryInvalid}, {1011, flex.ErrServiceDisabled}, {1012, flex.ErrTokenExpired}, {1013, flex.ErrIPRestricted},
		{1014, flex.ErrQueryInvalid}, {1015, flex.ErrTokenInvalid}, {1016, flex.ErrQueryInvalid}, {1017, flex.ErrReferenceInvalid},
		{1018, flex.ErrThrottled}, {1019, flex.ErrNotReady}, {1020, flex.ErrQueryInvalid}, {1021, flex.ErrRetryLater},
		{1025, flex.ErrLockedOut},
	}
	for _, tc := range codes {
		srv.FailFlexNext("SendRequest", tc.code, 2)
		_, err := fc.Balances(context.Background(), qid)
		var se *flex.ServiceError
		if !errors.As(err, &se) || se.Code != tc.code || !errors.Is(err, tc.class) || se.Message == "" {
			t.Errorf("%d: %v", tc.code, err)
		}
		// A code the client does not retry leaves its second fault
		// queued: a good call consumes it first (and fails).
		if se != nil && !se.Retryable() && tc.code != 1018 {
			_, _ = fc.Balances(context.Background(), qid)
		}
	}
	// Codes on GetStatement: the ones to wait out are polled through.
	srv.FailFlexNext("GetStatement", 1009, 1)
	srv.FailFlexNext("GetStatement", 1021, 1)
	if _, err := fc.Balances(context.Background(), qid); err != nil {
		t.Errorf("transient GetStatement codes: %v", err)
	}
	srv.FailFlexNext("GetStatement", 1017, 1)
	if _, err := fc.Balances(context.Background(), qid); !errors.Is(err, flex.ErrReferenceInvalid) {
		t.Errorf("1017 on GetStatement: %v", err)
	}
}

func TestSandboxNotReadyPolling(t *testing.T) {
	srv, fc, _, qid := flexSandbox(t, ibkrtest.FlexQuery{})
	srv.SetFlexGenerationDelay(90 * time.Second)
	if _, err := fc.Balances(context.Background(), qid); err != nil {
		t.Fatal(err)
	}
	var notReady, ok int
	for _, r := range srv.FlexRequests() {
		switch {
		case r.Endpoint == "GetStatement" && r.Code == 1019:
			notReady++
		case r.Endpoint == "GetStatement" && r.Code == 0:
			ok++
		}
		if r.UserAgent != flex.DefaultUserAgent {
			t.Errorf("User-Agent %q", r.UserAgent)
		}
	}
	if notReady < 3 || ok != 1 {
		t.Errorf("%d not-ready answers and %d statements", notReady, ok)
	}
	// A shorter maximum wait gives up with ErrTimeout.
	_, err := fc.Balances(context.Background(), qid, flex.MaxWait(30*time.Second))
	if !errors.Is(err, flex.ErrTimeout) || !errors.Is(err, flex.ErrNotReady) {
		t.Errorf("err = %v", err)
	}
}

// TestSandboxThrottleBurst: 20 concurrent callers on one token never get
// the throttling error, while the same burst without the client's
// spacing does.
func TestSandboxThrottleBurst(t *testing.T) {
	srv, fc, tok, qid := flexSandbox(t, ibkrtest.FlexQuery{})
	other := flexClient(t, srv, tok) // a second client on the same token
	for _, err := range flex.RunConcurrently(20, func(i int) error {
		c := fc
		if i%2 == 1 {
			c = other
		}
		_, err := c.Balances(context.Background(), qid, flex.MaxWait(time.Hour))
		return err
	}) {
		if err != nil {
			t.Error(err)
		}
	}
	reqs := srv.FlexRequests()
	for _, r := range reqs {
		if r.Code == 1018 {
			t.Fatalf("throttled: %+v", r)
		}
	}
	if len(reqs) < 40 {
		t.Errorf("only %d requests", len(reqs))
	}
	// The sandbox does enforce the limit: two requests in the same second.
	raw := func() string { return rawFlex(t, srv, "/SendRequest?v=3&t="+tok+"&q="+qid, "test") }
	srv.Clock().Advance(time.Hour)
	if a, b := raw(), raw(); !strings.Contains(a, "<Status>Success</Status>") || !strings.Contains(b, "<ErrorCode>1018</ErrorCode>") {
		t.Errorf("burst answers %q and %q", a, b)
	}
}

func TestSandboxTokens(t *testing.T) {
	srv, _, _, qid := flexSandbox(t, ibkrtest.FlexQuery{})
	short, _ := srv.NewFlexToken(ibkrtest.FlexToken{Lifetime: time.Hour})
	c := flexClient(t, srv, short)
	if _, err := c.Balances(context.Background(), qid); err != nil {
		t.Fatal(err)
	}
	srv.Clock().Advance(2 * time.Hour)
	_, err := c.Balances(context.Background(), qid)
	if !errors.Is(err, flex.ErrTokenExpired) || !errors.Is(err, flex.ErrAuth) || !strings.Contains(err.Error(), "generate a new one") {
		t.Errorf("expired: %v", err)
	}
	bound, _ := srv.NewFlexToken(ibkrtest.FlexToken{IP: "192.0.2.7"})
	if _, err := flexClient(t, srv, bound).Balances(context.Background(), qid); !errors.Is(err, flex.ErrIPRestricted) {
		t.Errorf("IP bound: %v", err)
	}
	gone, _ := srv.NewFlexToken(ibkrtest.FlexToken{})
	srv.RevokeFlexToken(gone)
	if _, err := flexClient(t, srv, gone).Balances(context.Background(), qid); !errors.Is(err, flex.ErrTokenInvalid) {
		t.Errorf("revoked: %v", err)
	}
	good, _ := srv.NewFlexToken(ibkrtest.FlexToken{})
	if _, err := flexClient(t, srv, good).Balances(context.Background(), "999999"); !errors.Is(err, flex.ErrQueryInvalid) {
		t.Errorf("unknown query: %v", err)
	}
}

func TestSandboxMultiAccountMultiCurrency(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	srv.Clock().SetAutoAdvance(true)
	if err := srv.AddAccount("U2000002", ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	_ = srv.SetBalance(ibkrtest.DemoAccountID, "USD", wire.MustDecimal("100.00"))
	_ = srv.SetBalance("U2000002", "USD", wire.MustDecimal("10.00"))
	_ = srv.SetBalance("U2000002", "EUR", wire.MustDecimal("200.00"))
	tok, _ := srv.NewFlexToken(ibkrtest.FlexToken{})
	qid, _ := srv.AddFlexQuery(ibkrtest.FlexQuery{Accounts: []string{ibkrtest.DemoAccountID, "U2000002"}})
	bal, err := flexClient(t, srv, tok).Balances(context.Background(), qid)
	if err != nil {
		t.Fatal(err)
	}
	if len(bal) != 2 || bal[0].AccountID != ibkrtest.DemoAccountID || bal[1].AccountID != "U2000002" {
		t.Fatalf("%+v", bal)
	}
	b := bal[1]
	// 200 EUR at the sandbox's 1.0825 is 216.50 USD.
	if b.Currency != "USD" || b.NAV.String() != "226.50" || b.Cash.String() != "226.50" || b.AsOf != today(srv) ||
		b.CashByCurrency["EUR"].String() != "200.00" || b.CashByCurrency["USD"].String() != "10.00" || len(b.CashByCurrency) != 2 {
		t.Errorf("%+v", b)
	}
	if bal[0].NAV.String() != "100.00" {
		t.Errorf("%+v", bal[0])
	}
}

func TestSandboxDateFormats(t *testing.T) {
	for _, df := range ibkrtest.FlexDateFormats {
		for _, sep := range []string{";", ",", " ", "none"} {
			for _, tf := range []string{"HHmmss", "HH:mm:ss"} {
				name := fmt.Sprintf("%s%s%s", df, sep, tf)
				t.Run(name, func(t *testing.T) {
					srv := ibkrtest.NewServer(t)
					srv.Clock().SetAutoAdvance(true)
					tok, _ := srv.NewFlexToken(ibkrtest.FlexToken{Lifetime: 48 * time.Hour})
					qid, err := srv.AddFlexQuery(ibkrtest.FlexQuery{DateFormat: df, Separator: sep, TimeFormat: tf, Accounts: []string{ibkrtest.DemoAccountID}})
					if err != nil {
						t.Fatal(err)
					}
					srv.Clock().Advance(26 * time.Hour) // a day whose date has day > 12: 5 March
					dd, _ := srv.DirectDeposit(ibkrtest.DemoAccountID)
					if _, err := srv.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber, Amount: wire.MustDecimal("12.34")}); err != nil {
						t.Fatal(err)
					}
					order := flex.MonthFirst
					if strings.HasPrefix(df, "dd/") {
						order = flex.DayFirst
					}
					c := flexClient(t, srv, tok, flex.WithStatementDateOrder(order))
					rep, err := c.Fetch(context.Background(), qid)
					if err != nil {
						t.Fatal(err)
					}
					st := rep.Statements[0]
					if st.ToDate != today(srv) || len(st.CashTransactions) != 1 {
						t.Fatalf("statement to %v with %d transactions", st.ToDate, len(st.CashTransactions))
					}
					tx := st.CashTransactions[0]
					if tx.Date() != today(srv) || !tx.DateTime.HasTime || tx.DateTime.Hour != 12 || tx.Amount.String() != "12.34" {
						t.Errorf("transaction %+v", tx)
					}
				})
			}
		}
	}
}

func TestSandboxDateRangeAndPeriod(t *testing.T) {
	srv, fc, tok, qid := flexSandbox(t, ibkrtest.FlexQuery{Accounts: []string{ibkrtest.DemoAccountID}, PeriodDays: 1})
	dd, _ := srv.DirectDeposit(ibkrtest.DemoAccountID)
	push := func(amt string) {
		if _, err := srv.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber, Amount: wire.MustDecimal(amt)}); err != nil {
			t.Fatal(err)
		}
	}
	first := today(srv)
	push("1.00")
	srv.Clock().Advance(3 * 24 * time.Hour)
	push("2.00")
	count := func(opts ...flex.RequestOption) int {
		rep, err := fc.Fetch(context.Background(), qid, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return len(rep.Statements[0].CashTransactions)
	}
	if n := count(); n != 1 {
		t.Errorf("saved one-day period: %d transactions", n)
	}
	if n := count(flex.Period(5)); n != 2 {
		t.Errorf("p=5: %d transactions", n)
	}
	if n := count(flex.DateRange(first, first)); n != 1 {
		t.Errorf("fd=td=first day: %d transactions", n)
	}
	// Deposits asks for since..today itself.
	txs, err := fc.Deposits(context.Background(), qid, first)
	if err != nil || len(txs) != 2 {
		t.Errorf("%v %v", txs, err)
	}
	// The sandbox refuses a window IBKR would refuse (the client never
	// sends one).
	srv.Clock().Advance(time.Hour)
	b := rawFlex(t, srv, "/SendRequest?v=3&t="+tok+"&q="+qid+"&fd=20250101&td=20260301", "test")
	if !strings.Contains(b, "<ErrorCode>1020</ErrorCode>") {
		t.Errorf("over 365 days: %s", b)
	}
}

func TestSandboxOddAnswers(t *testing.T) {
	srv, fc, tok, _ := flexSandbox(t, ibkrtest.FlexQuery{})
	csvQuery, _ := srv.AddFlexQuery(ibkrtest.FlexQuery{CSV: true})
	if _, err := fc.Balances(context.Background(), csvQuery); !errors.Is(err, flex.ErrNotXML) {
		t.Errorf("CSV: %v", err)
	}
	qid, _ := srv.AddFlexQuery(ibkrtest.FlexQuery{})
	srv.FlexAnswerNext("GetStatement", http.StatusNotFound, "text/html", "<html><body>404 Page Not Found</body></html>")
	if _, err := fc.Balances(context.Background(), qid); !errors.Is(err, flex.ErrBadResponse) {
		t.Errorf("HTML: %v", err)
	}
	// Without a User-Agent the sandbox refuses the request.
	srv.Clock().Advance(time.Hour)
	b := rawFlex(t, srv, "/SendRequest?v=3&t="+tok+"&q="+qid, "")
	if !strings.Contains(b, "<ErrorCode>1020</ErrorCode>") {
		t.Errorf("no User-Agent: %s", b)
	}
	// A query missing a section the helpers need says how to add it.
	narrow, _ := srv.AddFlexQuery(ibkrtest.FlexQuery{Sections: []string{"AccountInformation", "EquitySummaryInBase"}})
	miss, err := fc.CheckQuery(context.Background(), narrow)
	if err != nil || len(miss) == 0 {
		t.Fatalf("%+v %v", miss, err)
	}
	if _, err := fc.Deposits(context.Background(), narrow, today(srv)); !errors.Is(err, flex.ErrQueryInvalid) || !strings.Contains(err.Error(), "Cash Transactions") {
		t.Errorf("deposits without the section: %v", err)
	}
}

// rawFlex sends one GET to the sandbox's Flex service by hand, without
// the client's checks and spacing, and returns the answer.
func rawFlex(t *testing.T, srv *ibkrtest.Server, pathAndQuery, userAgent string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+ibkrtest.FlexPath+pathAndQuery, nil)
	req.Header.Set("User-Agent", userAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestSandboxThrottledByAnotherProgram: a 1018 (another program used the
// token) makes the client wait a minute before it polls again.
func TestSandboxThrottledByAnotherProgram(t *testing.T) {
	srv, fc, _, qid := flexSandbox(t, ibkrtest.FlexQuery{})
	srv.FailFlexNext("GetStatement", 1018, 1)
	if _, err := fc.Balances(context.Background(), qid); err != nil {
		t.Fatal(err)
	}
	reqs := srv.FlexRequests()
	for i, r := range reqs {
		if r.Code == 1018 {
			if i+1 >= len(reqs) || reqs[i+1].Time.Sub(r.Time) < time.Minute {
				t.Fatalf("polled again too soon: %+v", reqs)
			}
			return
		}
	}
	t.Fatalf("no 1018 answered: %+v", reqs)
}

// TestSandboxOddValues: markers for empty values, thousands separators,
// unknown columns and sections, as real statements carry them, change
// nothing the helpers answer.
func TestSandboxOddValues(t *testing.T) {
	srv, fc, _, qid := flexSandbox(t, ibkrtest.FlexQuery{Accounts: []string{ibkrtest.DemoAccountID}, OddValues: true})
	_ = srv.SetBalance(ibkrtest.DemoAccountID, "EUR", wire.MustDecimal("1234567.89"))
	dd, _ := srv.DirectDeposit(ibkrtest.DemoAccountID)
	if _, err := srv.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber, Amount: wire.MustDecimal("12345.67")}); err != nil {
		t.Fatal(err)
	}
	rep, err := fc.Fetch(context.Background(), qid)
	if err != nil {
		t.Fatal(err)
	}
	st := rep.Statements[0]
	if len(st.Other["FutureSection"]) != 1 || st.AccountInformation == nil || st.AccountInformation.Alias != "" {
		t.Fatalf("statement %+v", st)
	}
	if v, _ := st.AccountInformation.Extra.Get("futureColumn"); v != "7" {
		t.Errorf("unknown column %v", st.AccountInformation.Extra)
	}
	bal, err := fc.Balances(context.Background(), qid)
	if err != nil {
		t.Fatal(err)
	}
	// 1,234,567.89 EUR at 1.0825 is 1,336,419.74 USD; plus 12,345.67 USD.
	if b := bal[0]; b.NAV.String() != "1348765.41" || b.CashByCurrency["EUR"].String() != "1234567.89" || b.CashByCurrency["USD"].String() != "12345.67" {
		t.Errorf("balance %+v", b)
	}
	txs, err := fc.Deposits(context.Background(), qid, today(srv))
	if err != nil || len(txs) != 1 || txs[0].Amount.String() != "12345.67" || txs[0].Symbol != "" {
		t.Fatalf("%+v %v", txs, err)
	}
}

// TestSandboxWithdrawalAndInternalTransfer: withdrawals and internal
// transfers made through the Account Management API show in the Flex
// statement: a negative deposit row, Transfer rows on both sides, and the
// cash report's sums.
func TestSandboxWithdrawalAndInternalTransfer(t *testing.T) {
	srv, _, tok, _ := flexSandbox(t, ibkrtest.FlexQuery{})
	ctx := context.Background()
	if err := srv.AddAccount("U2000002", ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	qid, _ := srv.AddFlexQuery(ibkrtest.FlexQuery{Accounts: []string{ibkrtest.DemoAccountID, "U2000002"}})
	fc := flexClient(t, srv, tok)
	am, err := ibkr.New(ibkr.WithBaseURL(srv.URL), ibkr.WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
		ibkr.WithClock(srv.Clock()), ibkr.WithAudience(srv.TokenURL()), ibkr.WithoutMaintenanceWindows())
	if err != nil {
		t.Fatal(err)
	}
	start := today(srv)
	_ = srv.SetBalance(ibkrtest.DemoAccountID, "USD", wire.MustDecimal("1000.00"))
	link, err := am.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Demo Bank"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := am.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour); err != nil {
		t.Fatal(err)
	}
	w, err := am.Withdraw(ctx, ibkr.Withdrawal{AccountID: ibkrtest.DemoAccountID, Method: ibkr.MethodACH, InstructionName: "Checking", Amount: wire.MustDecimal("100.00")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := am.WaitForInstruction(ctx, w.ClientInstructionID, 72*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := am.TransferCash(ctx, ibkr.CashTransfer{From: ibkrtest.DemoAccountID, To: "U2000002", Amount: wire.MustDecimal("50.00"), Currency: ibkr.USD}); err != nil {
		t.Fatal(err)
	}
	rep, err := fc.Fetch(ctx, qid, flex.DateRange(start, today(srv)))
	if err != nil {
		t.Fatal(err)
	}
	demo, other := rep.Statements[0], rep.Statements[1]
	if len(demo.CashTransactions) != 1 || demo.CashTransactions[0].Amount.String() != "-100.00" || !demo.CashTransactions[0].IsDepositOrWithdrawal() {
		t.Errorf("demo cash transactions %+v", demo.CashTransactions)
	}
	if len(demo.Transfers) != 1 || demo.Transfers[0].Direction != "OUT" || demo.Transfers[0].CashTransfer.String() != "-50.00" || demo.Transfers[0].Account != "U2000002" {
		t.Errorf("demo transfers %+v", demo.Transfers)
	}
	if len(other.Transfers) != 1 || other.Transfers[0].Direction != "IN" || other.Transfers[0].CashTransfer.String() != "50.00" {
		t.Errorf("other transfers %+v", other.Transfers)
	}
	base := demo.CashReportBase
	if base == nil || base.StartingCash.String() != "1000.00" || base.Withdrawals.String() != "-100.00" || base.InternalTransfers.String() != "-50.00" || base.EndingCash.String() != "850.00" {
		t.Errorf("cash report %+v", base)
	}
	if demo.ChangeInNAV == nil || demo.ChangeInNAV.DepositsWithdrawals.String() != "-100.00" || demo.ChangeInNAV.EndingValue.String() != "850.00" {
		t.Errorf("change in NAV %+v", demo.ChangeInNAV)
	}
	bal, err := fc.Balances(ctx, qid)
	if err != nil || bal[0].NAV.String() != "850.00" || bal[1].NAV.String() != "50.00" {
		t.Errorf("%+v %v", bal, err)
	}
}
