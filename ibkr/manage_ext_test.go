package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// TestUpdateAccountNewKindsSandbox sends every newly typed kind to the
// sandbox and checks the body it recorded and the state it changed.
func TestUpdateAccountNewKindsSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	msgID, err := srv.AddLoginMessage(acct, "W8INFO", "renew your W-8BEN", 5001)
	if err != nil {
		t.Fatal(err)
	}
	changes := newKindChanges(t, acct, srv.Now())
	x := changes["completeLoginMessage"]
	x.change = CompleteLoginMessages{AccountID: acct, MessageIDs: []int{msgID}}
	x.want = `"loginMessageIds":[` + itoa(msgID) + `]`
	changes["completeLoginMessage"] = x
	// updateExternalId first: processDocuments finds the account by it.
	sendKinds(t, c, srv, acct, []string{"updateExternalId"}, changes)

	// completeLoginMessage completed the message.
	lm, err := c.AccountLoginMessages(ctx, acct, "")
	if err != nil || len(lm.Messages) != 1 || lm.Messages[0].State != "COMPLETED" {
		t.Fatalf("login messages %+v %v", lm, err)
	}
	// updateExternalId: the account is found under its new id.
	reg, err := c.FindApplication(ctx, "ext-demo")
	if err != nil || reg.AccountID != acct {
		t.Fatalf("find by new external id: %+v %v", reg, err)
	}
	// changeAccountHolderDetail: the new email shows in the details.
	d, err := c.AccountDetails(ctx, acct)
	if err != nil || d.Email != "jane.smith@example.com" {
		t.Fatalf("details after holder change: %+v %v", d, err)
	}
	// allocateVan: for USD, the account's direct deposit numbers; the
	// same on a second request; other currencies get their own number.
	dd, err := srv.DirectDeposit(acct)
	if err != nil {
		t.Fatal(err)
	}
	vans := srv.VirtualAccounts(acct)
	if len(vans) != 1 || vans[0].Currency != "USD" || ValidateRoutingNumber(vans[0].RoutingNumber) != nil ||
		vans[0].RoutingNumber != dd.RoutingNumber || vans[0].AccountNumber != dd.AccountNumber {
		t.Fatalf("virtual accounts %v, direct deposit %v", vans, dd)
	}
	if _, err := c.UpdateAccount(ctx, AllocateVAN{AccountID: acct, Currency: USD}, AllocateVAN{AccountID: acct, Currency: EUR}); err == nil {
		t.Fatal("two allocateVan in one call accepted")
	}
	if _, err := c.UpdateAccount(ctx, AllocateVAN{AccountID: acct, Currency: USD}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAccount(ctx, AllocateVAN{AccountID: acct, Currency: EUR}); err != nil {
		t.Fatal(err)
	}
	again := srv.VirtualAccounts(acct)
	if len(again) != 2 || again[1] != vans[0] || again[0].Currency != "EUR" || again[0].AccountNumber == vans[0].AccountNumber || again[0].RoutingNumber != "" {
		t.Fatalf("after a second allocation: %v", again)
	}
	if strings.Contains(fmtAll(again), dd.AccountNumber) {
		t.Fatal("printing virtual accounts shows the account number")
	}
	// The Direct Deposit page shows them, as IBKR's portal does; a
	// money-routing app pushes an ACH credit to what it shows.
	const userIP = "206.106.137.230"
	s, err := c.OpenDirectDepositPage(ctx, ibkrtest.DemoUserName, userIP, acct)
	if err != nil || !strings.Contains(s.URL, "ACTION=DirectDeposit") || !strings.Contains(s.URL, "autoSelect="+acct) {
		t.Fatalf("%+v %v", s, err)
	}
	page := openSSOFrom(t, srv, s.URL, userIP)
	if !strings.Contains(page, "<td>"+dd.RoutingNumber+"</td><td>"+dd.AccountNumber+"</td>") || !strings.Contains(page, again[0].AccountNumber) {
		t.Fatalf("direct deposit page: %s", page)
	}
	in, err := srv.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: vans[0].RoutingNumber, AccountNumber: vans[0].AccountNumber,
		Amount: MustDecimal("250.00"), Originator: "SEQUENCE"})
	if err != nil || in.AccountID != acct {
		t.Fatalf("pushed credit: %+v %v", in, err)
	}
}

func fmtAll(v any) string {
	j, _ := json.Marshal(v)
	return fmt.Sprintf("%v %+v %#v %s", v, v, v, j)
}

// sendKinds sends each change alone, those named in first before the
// others (in kind order), and checks that the sandbox took it Pending for
// acct and recorded a body containing want.
func sendKinds(t *testing.T, c *Client, srv *ibkrtest.Server, acct string, first []string, changes map[string]struct {
	change AccountChange
	want   string
}) {
	t.Helper()
	kinds := append([]string(nil), first...)
	rest := make([]string, 0, len(changes))
	for k := range changes {
		if !slices.Contains(first, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, kind := range append(kinds, rest...) {
		x := changes[kind]
		if x.change.Kind() != kind {
			t.Fatalf("%T.Kind() = %q, want %q", x.change, x.change.Kind(), kind)
		}
		res, err := c.UpdateAccount(context.Background(), x.change)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if res.RequestID.IsZero() || len(res.Results) != 1 || res.Results[0].AccountID != acct || res.Results[0].Status != "Pending" {
			t.Fatalf("%s: result %+v", kind, res)
		}
	}
	got := map[string]string{}
	for _, m := range srv.MaintenanceRequests() {
		got[m.Kind] = string(m.Body)
	}
	for kind, x := range changes {
		if !strings.Contains(got[kind], x.want) {
			t.Errorf("%s sent %s, want it to contain %s", kind, got[kind], x.want)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// openSSOFrom opens an SSO URL as the browser at ip would.
func openSSOFrom(t *testing.T, srv *ibkrtest.Server, u, ip string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, u, nil)
	req.RemoteAddr = ip + ":50123"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != http.StatusOK {
		t.Fatalf("SSO page: %d %s", rec.Code, b)
	}
	return string(b)
}

// TestUpdateAccountStateFailures: the sandbox refuses what IBKR would.
func TestUpdateAccountStateFailures(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	reg, err := c.Register(ctx, hybridJane())
	if err != nil {
		t.Fatal(err)
	}
	mifirMsg, err := srv.AddLoginMessage(acct, "MIFIR_INFO", "MiFIR data required")
	if err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]AccountChange{
		"unknown login message": CompleteLoginMessages{AccountID: acct, MessageIDs: []int{999}},
		"portal login message":  CompleteLoginMessages{AccountID: acct, MessageIDs: []int{mifirMsg}},
		"external id taken":     UpdateExternalID{AccountID: acct, NewExternalID: reg.ExternalID},
		"pending account":       AllocateVAN{AccountID: reg.AccountID, Currency: USD},
		"no such account":       EnableInBrokerage{AccountID: "U9999999"},
		"no such user":          SetSecurityQuestions{UserName: "nobody1", Answers: []SecurityAnswer{{Question: "q?", Answer: NewSecret("a")}}},
		"documents of nobody": ProcessDocuments{Batch: DocumentBatch{Documents: []Document{func() Document {
			s := goodDocSpec()
			s.ExternalAccountID = "nobody"
			d, err := NewDocument(s, testPDF)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}()}}},
	} {
		if reg.ExternalID == "" && name == "external id taken" {
			continue
		}
		_, err := c.UpdateAccount(ctx, ch)
		wantErr(t, err, ErrBadRequest)
	}
	if vans := srv.VirtualAccounts(reg.AccountID); len(vans) != 0 {
		t.Fatalf("a pending account got %+v", vans)
	}
	if lm, err := c.AccountLoginMessages(ctx, acct, ""); err != nil || len(lm.Messages) != 1 || lm.Messages[0].State != "PENDING" {
		t.Fatalf("the portal's login message changed: %+v %v", lm, err)
	}
	// A pending application takes holder changes only with task 9974.
	change := ChangeHolderDetails{AccountID: reg.AccountID, Holders: []HolderDetails{{ExternalID: "ind-1", Email: "jane.new@example.com"}}}
	_, err = c.UpdateAccount(ctx, change)
	wantErr(t, err, ErrBadRequest)
	if err := srv.AssignTask(reg.AccountID, ibkrtest.FormHolderDetailChange, "Update account holder details"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAccount(ctx, change); err != nil {
		t.Fatalf("with task 9974: %v", err)
	}
	if d, err := c.AccountDetails(ctx, reg.AccountID); err != nil || d.Email != "jane.new@example.com" {
		t.Fatalf("details %+v %v", d, err)
	}
	// Other kinds still need an open account.
	_, err = c.UpdateAccount(ctx, UpdateAccountAlias{AccountID: reg.AccountID, Alias: "x"})
	wantErr(t, err, ErrBadRequest)

	// A fault on the wire: the request fails typed, nothing changes.
	srv.FailNext("updateAccounts", 1, http.StatusInternalServerError)
	_, err = c.UpdateAccount(ctx, AllocateVAN{AccountID: acct, Currency: USD})
	if err == nil {
		t.Fatal("injected failure not reported")
	}
	if vans := srv.VirtualAccounts(acct); len(vans) != 0 {
		t.Fatalf("allocated despite the failure: %+v", vans)
	}
}

// TestUpdateAccountDocumentationShape sends the documentation's shape
// (plural keys, arrays, referenceAccountId) raw: the sandbox accepts it
// like the document's shape, one round per array entry.
func TestUpdateAccountDocumentationShape(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	reg, err := c.Register(ctx, hybridJane())
	if err != nil {
		t.Fatal(err)
	}
	send := func(reqs map[string]any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"accountManagementRequests": reqs})
		r, err := c.Raw().UpdateAccountsWithBodyWithResponse(ctx, contentTypeJSON, strings.NewReader(string(b)))
		if errors.Is(err, ErrBadRequest) {
			return http.StatusBadRequest, map[string]any{"error": err.Error()}
		}
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.Unmarshal(r.Body, &out)
		return r.StatusCode(), out
	}
	code, out := send(map[string]any{
		"changeBaseCurrencies": []any{map[string]any{"referenceAccountId": acct, "newBaseCurrency": "EUR"}},
		"updateAccountAliases": []any{
			map[string]any{"referenceAccountId": acct, "accountAlias": "first"},
			map[string]any{"referenceAccountId": acct, "accountAlias": "second"},
		},
		"enrollInDRIP": map[string]any{"referenceAccountId": acct},
		"addTradingPermissions": []any{map[string]any{
			"tradingPermissions": []any{map[string]any{"exchangeGroup": "EU-IBET"}},
			"referenceAccountId": acct,
		}},
		"abandonAccount": []any{map[string]any{"referenceAccountId": reg.AccountID}},
	})
	if code != http.StatusOK {
		t.Fatalf("documentation shape: %d %v", code, out)
	}
	results, _ := out["fileData"].(map[string]any)["data"].(map[string]any)["results"].([]any)
	if len(results) != 6 {
		t.Fatalf("results %v", out)
	}
	bodies := map[string][]string{}
	for _, m := range srv.MaintenanceRequests() {
		bodies[m.Kind] = append(bodies[m.Kind], string(m.Body))
	}
	if len(bodies["updateAccountAlias"]) != 2 || !strings.Contains(bodies["updateAccountAlias"][1], `"accountAlias":"second"`) ||
		len(bodies["changeBaseCurrency"]) != 1 || len(bodies["enrollInDrip"]) != 1 || len(bodies["addTradingPermissions"]) != 1 {
		t.Fatalf("recorded %v", bodies)
	}
	for k, bs := range bodies {
		for _, b := range bs {
			if strings.Contains(b, "referenceAccountId") || !strings.Contains(b, `"accountId":"`+acct+`"`) {
				t.Errorf("%s recorded %s", k, b)
			}
		}
	}
	if st, err := c.AccountStatus(ctx, reg.AccountID); err != nil || st.Status != StatusAbandoned {
		t.Fatalf("abandon in the documentation's shape: %+v %v", st, err)
	}

	// Refused: an unknown kind, an empty list, two spellings of one
	// kind, referenceAccountId contradicting accountId, a list entry the
	// kind's schema refuses.
	for name, reqs := range map[string]map[string]any{
		"unknown kind":   {"frobnicateAccounts": []any{map[string]any{"referenceAccountId": acct}}},
		"empty list":     {"changeBaseCurrencies": []any{}},
		"two spellings":  {"changeBaseCurrency": map[string]any{"accountId": acct, "newBaseCurrency": "EUR"}, "changeBaseCurrencies": []any{map[string]any{"referenceAccountId": acct, "newBaseCurrency": "EUR"}}},
		"contradiction":  {"leaveDrip": []any{map[string]any{"referenceAccountId": acct, "accountId": "U7654321"}}},
		"schema refuses": {"updateBcan": []any{map[string]any{"referenceAccountId": acct, "bcan": 1125}}},
	} {
		before := len(srv.MaintenanceRequests())
		code, out := send(reqs)
		if code != http.StatusBadRequest {
			t.Errorf("%s: %d %v", name, code, out)
		}
		t.Logf("%s: %v", name, out["error"])
		if n := len(srv.MaintenanceRequests()); n != before {
			t.Errorf("%s: recorded anyway", name)
		}
	}
}

// TestNewAccountChangesRefused: bad input of every field type of the new
// kinds is refused with a typed error before any request is sent.
func TestNewAccountChangesRefused(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	now := srv.Now()
	id := func(mut func(*Identification)) Identification {
		x := Identification{Citizenship: "LIE", Passport: NewSecret("LI4711A11111"), ExpirationDate: now.AddDate(1, 0, 0)}
		mut(&x)
		return x
	}
	name := PersonName{First: "Jane", Last: "Roe"}
	details := func(mut func(*NewUserDetails)) NewUserDetails {
		d := NewUserDetails{Name: name, Email: "jane@example.com", DateOfBirth: "1980-02-03"}
		mut(&d)
		return d
	}
	doc, err := NewDocument(goodDocSpec(), testPDF)
	if err != nil {
		t.Fatal(err)
	}
	w8 := W8BEN{Name: "Jane Doe", Explanation: "TIN_NOT_REQUIRED", TreatyCountry: "CAN", Certified: true}
	bad := map[string]AccountChange{
		"external id account":       UpdateExternalID{AccountID: "X1", NewExternalID: "e"},
		"external id empty":         UpdateExternalID{AccountID: acct},
		"external id long":          UpdateExternalID{AccountID: acct, NewExternalID: strings.Repeat("e", 65)},
		"property profile empty":    SetPropertyProfile{AccountID: acct},
		"property profile spaces":   SetPropertyProfile{AccountID: acct, Profile: " Standard"},
		"holder nobody":             ChangeHolderDetails{Holders: []HolderDetails{{EntityID: "1", Email: "a@example.com"}}},
		"holder none":               ChangeHolderDetails{AccountID: acct},
		"holder unnamed":            ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{Email: "a@example.com"}}},
		"holder id letters":         ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "abc", Email: "a@example.com"}}},
		"holder nothing":            ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1"}}},
		"holder email":              ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", Email: "not-an-email"}}},
		"holder salutation":         ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", Name: &PersonName{Salutation: "Sir", First: "J", Last: "R"}}}},
		"holder last name":          ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", Name: &PersonName{First: "Jane"}}}},
		"holder phone type":         ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", Phones: []Phone{{Type: "Pager", Number: "1"}}}}},
		"holder phone long":         ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", Phones: []Phone{{Number: strings.Repeat("1", 19)}}}}},
		"holder po box":             ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", ResidenceAddress: &Address{Street1: "PO Box 12", Country: "USA"}}}},
		"holder twice":              ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", Email: "a@example.com"}, {EntityID: "1", Email: "b@example.com"}}},
		"holder language":           ChangeHolderDetails{AccountID: acct, InputLanguage: "xx", Holders: []HolderDetails{{EntityID: "1", Email: "a@example.com"}}},
		"mifir title":               AddMiFIRData{AccountID: acct, Title: "OWNER", Identifications: []Identification{id(func(*Identification) {})}},
		"mifir none":                AddMiFIRData{AccountID: acct, Title: MiFIRAccountHolder},
		"mifir no number":           AddMiFIRData{AccountID: acct, Title: MiFIRAccountHolder, Identifications: []Identification{id(func(x *Identification) { x.Passport = Secret{} })}},
		"mifir citizenship":         AddMiFIRData{AccountID: acct, Title: MiFIRAccountHolder, Identifications: []Identification{id(func(x *Identification) { x.Citizenship = "" })}},
		"mifir bad country code":    AddMiFIRData{AccountID: acct, Title: MiFIRAccountHolder, Identifications: []Identification{id(func(x *Identification) { x.IssuingCountry = "li" })}},
		"mifir expired":             AddMiFIRData{AccountID: acct, Title: MiFIRAccountHolder, Identifications: []Identification{id(func(x *Identification) { x.ExpirationDate = now.AddDate(-1, 0, 0) })}},
		"mifir no expiry date":      AddMiFIRData{AccountID: acct, Title: MiFIRAccountHolder, Identifications: []Identification{id(func(x *Identification) { x.ExpirationDate = time.Time{} })}},
		"mifir secret spaces":       AddMiFIRData{AccountID: acct, Title: MiFIRAccountHolder, Identifications: []Identification{id(func(x *Identification) { x.TaxID = NewSecret("12 34") })}},
		"new user both":             AddNewUser{AccountID: acct, Prefix: "janed", UserName: "janed1", Details: details(func(*NewUserDetails) {})},
		"new user prefix":           AddNewUser{AccountID: acct, Prefix: "JD", Details: details(func(*NewUserDetails) {})},
		"new user minor":            AddNewUser{AccountID: acct, Details: details(func(d *NewUserDetails) { d.DateOfBirth = now.AddDate(-10, 0, 0).Format(DateLayout) })},
		"new user email":            AddNewUser{AccountID: acct, Details: details(func(d *NewUserDetails) { d.Email = "" })},
		"new user country":          AddNewUser{AccountID: acct, Details: details(func(d *NewUserDetails) { d.CountryOfBirth = "US" })},
		"new user language":         AddNewUser{AccountID: acct, InputLanguage: "klingon", Details: details(func(*NewUserDetails) {})},
		"create user nobody":        CreateUser{AccountID: acct, UserName: "janed1"},
		"create user entity":        CreateUser{AccountID: acct, EntityID: "x1"},
		"access no rep":             UpdateUserAccessRights{SubAccounts: []string{acct}, Action: AccessAdd},
		"access no accounts":        UpdateUserAccessRights{RepID: "rep0001", Action: AccessAdd},
		"access bad account":        UpdateUserAccessRights{RepID: "rep0001", SubAccounts: []string{"u123"}, Action: AccessAdd},
		"access twice":              UpdateUserAccessRights{RepID: "rep0001", SubAccounts: []string{acct, acct}, Action: AccessAdd},
		"access action":             UpdateUserAccessRights{RepID: "rep0001", SubAccounts: []string{acct}, Action: "add"},
		"security none":             SetSecurityQuestions{UserName: "demouser1"},
		"security no answer":        SetSecurityQuestions{UserName: "demouser1", Answers: []SecurityAnswer{{Question: "Pet?"}}},
		"security twice":            SetSecurityQuestions{UserName: "demouser1", Answers: []SecurityAnswer{{Question: "Pet?", Answer: NewSecret("a")}, {Question: "Pet?", Answer: NewSecret("b")}}},
		"security control":          SetSecurityQuestions{UserName: "demouser1", Answers: []SecurityAnswer{{Question: "Pet?", Answer: NewSecret("Rex\x00the terrier")}}},
		"market data none":          ManageMarketData{UserName: "demouser1"},
		"market data id":            ManageMarketData{UserName: "demouser1", Changes: []MarketDataChange{{Service: 0}}},
		"market data twice":         ManageMarketData{UserName: "demouser1", Changes: []MarketDataChange{{Service: 3}, {Service: 3, Remove: true}}},
		"market data user":          ManageMarketData{UserName: "Demo User", Changes: []MarketDataChange{{Service: 3}}},
		"login messages none":       CompleteLoginMessages{AccountID: acct},
		"login messages id":         CompleteLoginMessages{AccountID: acct, MessageIDs: []int{-1}},
		"login messages twice":      CompleteLoginMessages{AccountID: acct, MessageIDs: []int{5, 5}},
		"w8 no documents":           UpdateW8BEN{AccountID: acct, Form: w8},
		"w8 uncertified":            UpdateW8BEN{AccountID: acct, Form: W8BEN{Name: "Jane Doe", Explanation: "TIN_NOT_REQUIRED", TreatyCountry: "CAN"}, Documents: []Document{doc}},
		"w8 treaty":                 UpdateW8BEN{AccountID: acct, Form: W8BEN{Name: "Jane Doe", Explanation: "TIN_NOT_REQUIRED", TreatyCountry: "Canada", Certified: true}, Documents: []Document{doc}},
		"w8 signer":                 UpdateW8BEN{AccountID: acct, Form: W8BEN{Name: "John Doe", Explanation: "TIN_NOT_REQUIRED", TreatyCountry: "CAN", Certified: true}, Documents: []Document{doc}},
		"w8 user":                   UpdateW8BEN{AccountID: acct, UserName: "Jane.Doe", Form: w8, Documents: []Document{doc}},
		"process no documents":      ProcessDocuments{},
		"process no account":        ProcessDocuments{Batch: DocumentBatch{Documents: []Document{doc}}},
		"quiz none":                 AnswerQuizzes{AccountID: acct},
		"quiz form":                 AnswerQuizzes{AccountID: acct, Quizzes: []Quiz{{Form: 12, Answers: []QuestionnaireAnswer{{QuestionID: 1, AnswerID: 1}}}}},
		"quiz twice":                AnswerQuizzes{AccountID: acct, Quizzes: []Quiz{{Form: 3089, Answers: []QuestionnaireAnswer{{QuestionID: 1, AnswerID: 1}}}, {Form: 3089, Answers: []QuestionnaireAnswer{{QuestionID: 1, AnswerID: 1}}}}},
		"quiz no answers":           AnswerQuizzes{AccountID: acct, Quizzes: []Quiz{{Form: 3089}}},
		"quiz task form":            AnswerQuizzes{AccountID: acct, Quizzes: []Quiz{{Form: 3089, Answers: []QuestionnaireAnswer{{QuestionID: 1, AnswerID: 1}}}}, Tasks: []QuizTask{{Form: 1}}},
		"brokerage enable":          EnableInBrokerage{AccountID: "12345"},
		"brokerage disable":         DisableInBrokerage{},
		"link duplicate":            LinkDuplicateAccount{AccountID: acct},
		"duplicate count":           DuplicateAccount{AccountID: acct},
		"additional currency":       AddAdditionalAccount{AccountID: acct, Account: NewAccount{BaseCurrency: "eur"}},
		"additional margin":         AddAdditionalAccount{AccountID: acct, Account: NewAccount{Margin: "Leverage"}},
		"additional alias":          AddAdditionalAccount{AccountID: acct, Account: NewAccount{Alias: strings.Repeat("a", 81)}},
		"additional user":           AddAdditionalAccount{AccountID: acct, Users: []NewAccountUser{{Prefix: "janed"}}},
		"additional user prefix":    AddAdditionalAccount{AccountID: acct, Users: []NewAccountUser{{ExternalIndividualID: "i", Prefix: "j"}}},
		"additional documents":      AddAdditionalAccount{AccountID: acct, Documents: []Document{doc, doc}},
		"entities nothing":          ChangeEntities{AccountID: acct},
		"entities add neither":      ChangeEntities{AccountID: acct, Add: []gen.AddEntity{{}}},
		"entities update no id":     ChangeEntities{AccountID: acct, Update: []gen.UpdateEntity{{}}},
		"entities delete id":        ChangeEntities{AccountID: acct, Delete: []int{0}},
		"entities delete twice":     ChangeEntities{AccountID: acct, Delete: []int{7, 7}},
		"entities relationship":     ChangeEntities{AccountID: acct, Add: []gen.AddEntity{{Individual: &gen.Individual{}, AddRelationships: &[]gen.AddRelationship{{}}}}},
		"entities gen documents":    ChangeEntities{AccountID: acct, Add: []gen.AddEntity{{Individual: &gen.Individual{}, Documents: &[]gen.Document{{}}}}},
		"van currency":              AllocateVAN{AccountID: acct, Currency: "XAU"},
		"van currency missing":      AllocateVAN{AccountID: acct},
		"van country":               AllocateVAN{AccountID: acct, Currency: USD, Country: "US"},
		"van account":               AllocateVAN{AccountID: "DU", Currency: USD},
		"entities ownership":        ChangeEntities{AccountID: acct, Add: []gen.AddEntity{{Individual: &gen.Individual{}, AddRelationships: &[]gen.AddRelationship{{Name: ptrTo(gen.AddRelationshipNameOwner), OwnershipPercentage: i32(101)}}}}},
		"additional external id":    AddAdditionalAccount{AccountID: acct, Account: NewAccount{ExternalID: strings.Repeat("x", 65)}},
		"holder expired identity":   ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", Identification: &Identification{Citizenship: "LIE", Passport: NewSecret("LI4711A11111"), ExpirationDate: now.AddDate(0, 0, -1)}}}},
		"holder mailing country":    ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "1", MailingAddress: &Address{Country: "Deutschland"}}}},
		"holder user name":          ChangeHolderDetails{UserName: "Jane Doe", Holders: []HolderDetails{{EntityID: "1", Email: "a@example.com"}}},
		"holder documents":          ChangeHolderDetails{AccountID: acct, Documents: &DocumentBatch{}, Holders: []HolderDetails{{EntityID: "1", Email: "a@example.com"}}},
		"new user identification":   AddNewUser{AccountID: acct, Details: details(func(d *NewUserDetails) { d.Identification = &Identification{Citizenship: "LIE"} })},
		"new user residence":        AddNewUser{AccountID: acct, Details: details(func(d *NewUserDetails) { d.ResidenceAddress = &Address{Street1: "In care of Bank", Country: "USA"} })},
		"new user phone":            AddNewUser{AccountID: acct, Details: details(func(d *NewUserDetails) { d.Phones = []Phone{{}} })},
		"new user external id":      AddNewUser{AccountID: acct, Details: details(func(d *NewUserDetails) { d.ExternalID = " x" })},
		"create user external id":   CreateUser{AccountID: acct, ExternalID: strings.Repeat("x", 65)},
		"create user prefix":        CreateUser{AccountID: acct, Prefix: "ab", ExternalID: "i"},
		"security question long":    SetSecurityQuestions{UserName: "demouser1", Answers: []SecurityAnswer{{Question: strings.Repeat("q", 257), Answer: NewSecret("a")}}},
		"security language":         SetSecurityQuestions{UserName: "demouser1", InputLanguage: "EN", Answers: []SecurityAnswer{{Question: "Pet?", Answer: NewSecret("a")}}},
		"link duplicate account id": LinkDuplicateAccount{AccountID: "U1", ExternalAccountID: "x"},
		"duplicate huge":            DuplicateAccount{AccountID: acct, Count: 1 << 40},
	}
	noteSecret("LI4711A11111")
	noteSecret("Rex\x00the terrier")
	spec, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	index := regexp.MustCompile(`\[\d+\]`)
	onWire := func(field string) bool {
		for _, part := range strings.Split(index.ReplaceAllString(field, ""), ".") {
			if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(part) + `:`).Match(spec) {
				return false
			}
		}
		return true
	}
	before := len(srv.Requests())
	for name, ch := range bad {
		_, err := c.UpdateAccount(ctx, ch)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantErr(t, err, ErrInvalidInput)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field == "" {
			t.Errorf("%s: %v is not a typed error naming its field", name, err)
		} else if !onWire(ie.Field) {
			t.Errorf("%s: field %q is not a wire name of api/openapi.yaml", name, ie.Field)
		}
		if strings.Contains(err.Error(), "LI4711A11111") || strings.Contains(err.Error(), "terrier") {
			t.Errorf("%s: error echoes a secret: %v", name, err)
		}
	}
	if n := len(srv.Requests()) - before; n != 0 {
		t.Fatalf("%d refused requests reached the sandbox", n)
	}
}

func ptrTo[T any](v T) *T { return &v }
