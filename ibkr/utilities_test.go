package ibkr

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestFormsSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	forms, err := c.Forms(ctx, FormsQuery{Numbers: []FormNumber{FormProofOfIdentity, FormProofOfAddress}, Projection: FormsWithDocs, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 2 || forms[0].Number != FormProofOfIdentity || forms[0].Name == "" || !forms[0].APISupported {
		t.Fatalf("forms %+v", forms)
	}
	q := srv.RequestsFor("listForms")[0].Query
	if !slices.Equal(q["formNo"], []string{"8001", "8002"}) || q.Get("projection") != "DOCS" {
		t.Fatalf("query %v", q)
	}
	for _, bad := range []FormsQuery{
		{Numbers: []FormNumber{12}},
		{Projection: "ALL"},
		{Language: "english language"},
		{From: harnessStart, To: harnessStart.AddDate(0, 0, -1)},
	} {
		_, err := c.Forms(ctx, bad)
		wantErr(t, err, ErrInvalidInput)
	}

	req, err := c.RequiredForms(ctx, RequiredFormsQuery{ResidenceCountry: "USA", AccountType: "INDIVIDUAL", SYEP: true,
		TradingPermissions: []string{"STK"}})
	if err != nil || !slices.Equal(req, []FormNumber{FormProofOfIdentity, FormProofOfAddress}) {
		t.Fatalf("required forms %v %v", req, err)
	}
	q = srv.RequestsFor("listFormsRequiredForms")[0].Query
	if q.Get("residenceCountry") != "USA" || q.Get("requestedSYEP") != "true" || q.Has("ira") {
		t.Fatalf("query %v", q)
	}
	_, err = c.RequiredForms(ctx, RequiredFormsQuery{ResidenceCountry: "US"})
	wantErr(t, err, ErrApplication)
	_, err = c.RequiredForms(ctx, RequiredFormsQuery{AccountType: "SOLO"})
	wantErr(t, err, ErrInvalidInput)
}

func TestParticipatingBanksSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	banks, err := c.ParticipatingBanks(context.Background(), "")
	if err != nil || len(banks) == 0 || banks[0].ClearingCode == "" || banks[0].BIC == "" || banks[0].Name == "" {
		t.Fatalf("%+v %v", banks, err)
	}
	if got := srv.RequestsFor("listParticipatingBanks")[0].Query.Get("type"); got != "eDDA" {
		t.Fatalf("type %q", got)
	}
	_, err = c.ParticipatingBanks(context.Background(), "e DDA")
	wantErr(t, err, ErrInvalidInput)
}

func TestValidateUserNameSandbox(t *testing.T) {
	c, _ := amSandbox(t)
	ctx := context.Background()
	a, err := c.ValidateUserName(ctx, "freshname42")
	if err != nil || !a.Valid || !a.Available {
		t.Fatalf("free name: %+v %v", a, err)
	}
	a, err = c.ValidateUserName(ctx, ibkrtest.DemoUserName)
	if err != nil || a.Available || len(a.Suggestions) == 0 {
		t.Fatalf("taken name: %+v %v", a, err)
	}
	_, err = c.ValidateUserName(ctx, "Jane.Doe")
	wantErr(t, err, ErrApplication)
}

func TestRequestsSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	day := sandboxDay(srv)
	var ids []ID
	for i := range 3 {
		app := hybridJane()
		app.ExternalID = fmt.Sprintf("cust-%04d", i+1)
		reg, err := c.Register(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, reg.RequestID)
	}
	res, err := c.UpdateAccount(ctx, AddLeveragedFX{AccountID: ibkrtest.DemoAccountID}, UpdateAccountAlias{AccountID: ibkrtest.DemoAccountID, Alias: "Main"})
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, res.Results[0].RequestID, res.Results[1].RequestID)

	st, err := c.RequestStatus(ctx, ids[0], RequestResponse)
	if err != nil || st.Type != "ACCT_OPENING" || st.Status != "Processed" || st.AccountID == "" {
		t.Fatalf("status %+v %v", st, err)
	}
	st, err = c.RequestStatus(ctx, res.Results[0].RequestID, "")
	if err != nil || st.Type != "ADD_LEVFX" || st.Status != "Pending" || st.AccountID != ibkrtest.DemoAccountID {
		t.Fatalf("status %+v %v", st, err)
	}
	if got := srv.RequestsFor("getRequestsStatus")[1].Query.Get("type"); got != "update" {
		t.Fatalf("type %q", got)
	}
	_, err = c.RequestStatus(ctx, ID{}, "")
	wantErr(t, err, ErrInvalidInput)
	_, err = c.RequestStatus(ctx, ids[0], "other")
	wantErr(t, err, ErrInvalidInput)
	_, err = c.RequestStatus(ctx, NewID(999), "")
	wantErr(t, err, ErrBadRequest)

	var got []ID
	for r, err := range c.Requests(ctx, RequestQuery{ListWindow: ListWindow{From: day, To: day, PageSize: 2}}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Submitted.IsZero() {
			t.Fatalf("request %+v", r)
		}
		got = append(got, r.RequestID)
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("requests %v, want %v", got, ids)
	}
	if n := len(srv.RequestsFor("listRequests")); n != 3 {
		t.Fatalf("%d pages", n)
	}
	srv.FailNext("listRequests", 1, http.StatusNotFound)
	n := 0
	for _, err := range c.Requests(ctx, RequestQuery{ListWindow: ListWindow{From: day, To: day}}) {
		wantErr(t, err, ErrNotFound)
		n++
	}
	if n != 1 {
		t.Fatalf("%d results after a failed page", n)
	}
	for _, err := range c.Requests(ctx, RequestQuery{ListWindow: ListWindow{From: day, To: day}, Status: "Z"}) {
		wantErr(t, err, ErrInvalidInput)
	}
}

func TestEnumerationsSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	e, err := c.Enumeration(ctx, EnumerationProhibitedCountry, EnumerationOptions{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	var pc struct {
		Countries []string `json:"prohibitedCountries"`
	}
	if err := e.Decode(&pc); err != nil || e.Type != EnumerationProhibitedCountry || !slices.Contains(pc.Countries, "PRK") {
		t.Fatalf("%+v %v %v", e, pc, err)
	}
	e, err = c.Enumeration(ctx, EnumerationEddAvt, EnumerationOptions{FormNumber: 8540})
	if err != nil || e.FormNumber != "8540" {
		t.Fatalf("%+v %v", e, err)
	}
	if got := srv.RequestsFor("getEnumerations")[1].Query.Get("form-number"); got != "8540" {
		t.Fatalf("form-number %q", got)
	}
	if _, err := c.Enumeration(ctx, EnumerationFinInfoRanges, EnumerationOptions{Currency: USD}); err != nil {
		t.Fatal(err)
	}
	before := len(srv.Requests())
	for _, tc := range []struct {
		typ EnumerationType
		o   EnumerationOptions
	}{
		{"countries", EnumerationOptions{}},
		{EnumerationFinInfoRanges, EnumerationOptions{}},
		{EnumerationFinInfoRanges, EnumerationOptions{Currency: "CNH"}},
		{EnumerationEddAvt, EnumerationOptions{}},
		{EnumerationEddAvt, EnumerationOptions{FormNumber: 85}},
		{EnumerationMarketData, EnumerationOptions{Language: "klingon"}},
		{EnumerationMarketData, EnumerationOptions{AccountID: "x"}},
	} {
		_, err := c.Enumeration(ctx, tc.typ, tc.o)
		wantErr(t, err, ErrInvalidInput)
	}
	if len(srv.Requests()) != before {
		t.Fatal("a refused enumeration request reached the server")
	}
	brokers, err := c.ComplexAssetTransferBrokers(ctx, "")
	if err != nil || len(brokers) == 0 {
		t.Fatalf("%v %v", brokers, err)
	}
	_, err = c.ComplexAssetTransferBrokers(ctx, "complex")
	wantErr(t, err, ErrInvalidInput)
	var empty Enumeration
	if empty.Decode(&pc) == nil {
		t.Fatal("decoding no data succeeded")
	}
}
