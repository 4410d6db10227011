package ibkrtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

func flexGet(t *testing.T, base, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+FlexPath+path, nil)
	req.Header.Set("User-Agent", "test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestFlexStateSurvivesSaveLoad: tokens, queries and pushed credits are
// part of the saved state.
func TestFlexStateSurvivesSaveLoad(t *testing.T) {
	sb, err := NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := sb.NewFlexToken(FlexToken{Lifetime: 24 * time.Hour})
	qid, _ := sb.AddFlexQuery(FlexQuery{Accounts: []string{DemoAccountID}, DateFormat: "yyyy-MM-dd"})
	dd, _ := sb.DirectDeposit(DemoAccountID)
	if _, err := sb.PushACHCredit(ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber, Amount: wire.MustDecimal("42.00"), Originator: "Sequence"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := sb.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	again, err := NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	if err := again.LoadState(&buf); err != nil {
		t.Fatal(err)
	}
	again.SetFlexGenerationDelay(0)
	hs := httptest.NewServer(again)
	defer hs.Close()
	sent := flexGet(t, hs.URL, "/SendRequest?v=3&t="+tok+"&q="+qid)
	i, j := strings.Index(sent, "<ReferenceCode>"), strings.Index(sent, "</ReferenceCode>")
	if i < 0 || j < i {
		t.Fatalf("SendRequest: %s", sent)
	}
	again.Clock().Advance(2 * time.Second)
	stmt := flexGet(t, hs.URL, "/GetStatement?v=3&t="+tok+"&q="+sent[i+len("<ReferenceCode>"):j])
	for _, want := range []string{`amount="42.00"`, `description="ACH CREDIT FROM SEQUENCE"`, `type="Deposits &amp; Withdrawals"`, `dateTime="2025-03-04;100000"`, `currency="BASE_SUMMARY"`} {
		if !strings.Contains(stmt, want) {
			t.Errorf("statement lacks %s:\n%s", want, stmt)
		}
	}
	if got := again.Balance(DemoAccountID, "USD"); got.String() != "42.00" {
		t.Errorf("balance %s", got)
	}
	if r := again.FlexRequests(); len(r) != 2 || r[0].Code != 0 || r[1].Code != 0 {
		t.Errorf("requests %+v", r)
	}
}

func TestFlexUnknownPath(t *testing.T) {
	sb, _ := NewHandler()
	hs := httptest.NewServer(sb)
	defer hs.Close()
	if got := flexGet(t, hs.URL, "/portal.flexweb/api/v1/flexQuery"); !strings.Contains(got, "Page Not Found") {
		t.Errorf("%s", got)
	}
}

func TestFlexQueryValidation(t *testing.T) {
	sb, _ := NewHandler()
	for _, q := range []FlexQuery{{DateFormat: "yyyy.MM.dd"}, {PeriodDays: 400}, {Sections: []string{"Trades"}}, {Accounts: []string{"U9"}}, {Separator: "|"}, {TimeFormat: "HHmm"}} {
		if _, err := sb.AddFlexQuery(q); err == nil {
			t.Errorf("%+v accepted", q)
		}
	}
}

func TestFlexOddValuesStatement(t *testing.T) {
	sb, _ := NewHandler()
	sb.SetFlexGenerationDelay(0)
	_ = sb.SetBalance(DemoAccountID, "USD", wire.MustDecimal("1234567.5"))
	tok, _ := sb.NewFlexToken(FlexToken{})
	qid, _ := sb.AddFlexQuery(FlexQuery{Accounts: []string{DemoAccountID}, OddValues: true})
	hs := httptest.NewServer(sb)
	defer hs.Close()
	sent := flexGet(t, hs.URL, "/SendRequest?v=3&t="+tok+"&q="+qid)
	ref := sent[strings.Index(sent, "<ReferenceCode>")+len("<ReferenceCode>") : strings.Index(sent, "</ReferenceCode>")]
	sb.Clock().Advance(2 * time.Second)
	stmt := flexGet(t, hs.URL, "/GetStatement?v=3&t="+tok+"&q="+ref)
	for _, want := range []string{`="-"`, `="--"`, `="N/A"`, `endingCash="1,234,567.5"`, `futureColumn="7"`, "<FutureSection>"} {
		if !strings.Contains(stmt, want) {
			t.Errorf("statement lacks %s", want)
		}
	}
}
