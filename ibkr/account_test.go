package ibkr

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestAccountStatusSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	st, err := c.AccountStatus(ctx, ibkrtest.DemoAccountID)
	if err != nil {
		t.Fatal(err)
	}
	if st.AccountID != ibkrtest.DemoAccountID || st.Status != StatusOpen || !st.Status.Open() || st.Opened.IsZero() || st.State != "" {
		t.Fatalf("demo account status: %+v", st)
	}
	if st.MasterAccountID != ibkrtest.MasterAccountID {
		t.Fatalf("master account %q", st.MasterAccountID)
	}

	// A malformed id is refused before anything is sent.
	before := len(srv.Requests())
	_, err = c.AccountStatus(ctx, "u123")
	wantErr(t, err, ErrInvalidInput)
	wantErr(t, err, ErrAccountID)
	if len(srv.Requests()) != before {
		t.Fatal("a malformed account id reached the server")
	}
	// An unknown account is IBKR's 400.
	_, err = c.AccountStatus(ctx, "U7654321")
	wantErr(t, err, ErrBadRequest)
}

func TestTasksSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	reg, err := c.Register(ctx, HybridRegistration{
		FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com", Country: "USA",
	})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := c.PendingTasks(ctx, reg.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if got := pending.Forms(); !slices.Equal(got, []FormNumber{FormProofOfIdentity, FormProofOfAddress}) {
		t.Fatalf("pending forms %v", got)
	}
	if pending.Status != StatusNew || pending.State != StateDocumentsRequired || !pending.State.ClientActionNeeded() {
		t.Fatalf("pending: %+v", pending)
	}
	for _, tk := range pending.Tasks {
		if !tk.RequiredForApproval || tk.Action != "to be sent" || tk.StartedAt.IsZero() {
			t.Fatalf("task %+v", tk)
		}
	}
	if len(pending.Outstanding()) != 2 {
		t.Fatalf("outstanding %+v", pending.Outstanding())
	}

	if err := srv.CompleteTasks(reg.AccountID); err != nil {
		t.Fatal(err)
	}
	all, err := c.RegistrationTasks(ctx, reg.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Tasks) != 2 || len(all.Outstanding()) != 0 || all.State != StateUnderReview {
		t.Fatalf("registration tasks: %+v", all)
	}
	for _, tk := range all.Tasks {
		if !tk.Completed || tk.CompletedAt.IsZero() || tk.Form.Name() == "" {
			t.Fatalf("task %+v", tk)
		}
	}
	pending, err = c.PendingTasks(ctx, reg.AccountID)
	if err != nil || len(pending.Tasks) != 0 {
		t.Fatalf("pending after completion: %+v, %v", pending, err)
	}
	if got := srv.RequestsFor("getAccountsTasks"); len(got) != 3 || got[0].Query.Get("type") != "pending" || got[1].Query.Get("type") != "registration" {
		t.Fatalf("task requests: %+v", got)
	}
	_, err = c.PendingTasks(ctx, "X1")
	wantErr(t, err, ErrInvalidInput)
}

func TestFormNumber(t *testing.T) {
	if FormProofOfIdentity.String() != "8001 (Proof of Identity and Date of Birth)" {
		t.Fatal(FormProofOfIdentity.String())
	}
	if FormNumber(1234).String() != "1234" || FormNumber(1234).Name() != "" {
		t.Fatal(FormNumber(1234).String())
	}
	if !FormNumber(1000).Valid() || FormNumber(999).Valid() || FormNumber(10000).Valid() {
		t.Fatal("Valid")
	}
}

// addAccounts creates n open accounts on the sandbox's current day.
func addAccounts(t *testing.T, srv *ibkrtest.Server, first, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("U%07d", 2000000+first+i)
		if err := srv.AddAccount(id, ibkrtest.AccountOpen); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestAccountStatusesPaging(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	day := sandboxDay(srv)
	want := append([]string{ibkrtest.DemoAccountID}, addAccounts(t, srv, 0, 7)...)
	slices.Sort(want)

	var got []string
	for st, err := range c.AccountStatuses(ctx, AccountStatusQuery{ListWindow: ListWindow{From: day, To: day, PageSize: 3}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, st.AccountID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("accounts %v, want %v", got, want)
	}
	reqs := srv.RequestsFor("listAccountsStatus")
	if len(reqs) != 3 {
		t.Fatalf("%d page requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.Query.Get("offset") != fmt.Sprint(3*i) || r.Query.Get("limit") != "3" || r.Query.Get("startDate") != FormatDate(day) {
			t.Fatalf("page %d query %v", i, r.Query)
		}
	}

	// Status filter.
	if err := srv.SetAccountStatus(want[2], ibkrtest.AccountClosed); err != nil {
		t.Fatal(err)
	}
	got = nil
	for st, err := range c.AccountStatuses(ctx, AccountStatusQuery{ListWindow: ListWindow{From: day, To: day}, Status: StatusClosed}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, st.AccountID)
	}
	if !slices.Equal(got, want[2:3]) {
		t.Fatalf("closed accounts %v", got)
	}
}

func TestAccountStatusesStopOnError(t *testing.T) {
	c, srv := amSandbox(t, ibkrtest.WithoutDemoAccount())
	ctx := context.Background()
	day := sandboxDay(srv)
	addAccounts(t, srv, 0, 9)

	// The second page fails (a 400 is not retried): the iterator yields
	// the first page, then the error, and stops.
	n, errs := 0, 0
	pages := 0
	for _, err := range c.AccountStatuses(ctx, AccountStatusQuery{ListWindow: ListWindow{From: day, To: day, PageSize: 3}}) {
		if err != nil {
			errs++
			wantErr(t, err, ErrBadRequest)
			continue
		}
		n++
		if n == 3 && pages == 0 {
			pages++
			srv.FailNext("listAccountsStatus", 1, http.StatusBadRequest)
		}
	}
	if n != 3 || errs != 1 {
		t.Fatalf("yielded %d accounts and %d errors, want 3 and 1", n, errs)
	}

	// Breaking out of the loop stops paging.
	before := len(srv.RequestsFor("listAccountsStatus"))
	for range c.AccountStatuses(ctx, AccountStatusQuery{ListWindow: ListWindow{From: day, To: day, PageSize: 3}}) {
		break
	}
	if got := len(srv.RequestsFor("listAccountsStatus")) - before; got != 1 {
		t.Fatalf("%d requests after break, want 1", got)
	}

	// Bad queries are refused before any request.
	before = len(srv.Requests())
	for _, q := range []AccountStatusQuery{
		{},
		{ListWindow: ListWindow{From: day}},
		{ListWindow: ListWindow{From: day, To: day.AddDate(0, 0, -1)}},
		{ListWindow: ListWindow{From: day, To: day, PageSize: 1001}},
		{ListWindow: ListWindow{From: day, To: day}, Status: "Z"},
	} {
		for _, err := range c.AccountStatuses(ctx, q) {
			wantErr(t, err, ErrInvalidInput)
		}
	}
	if len(srv.Requests()) != before {
		t.Fatal("a bad query reached the server")
	}
}

// A window matching more than IBKR's per-query maximum is halved before
// anything of it is yielded; a single day over the maximum is an error.
func TestAccountStatusesSplitWindows(t *testing.T) {
	c, srv := amSandbox(t, ibkrtest.WithoutDemoAccount())
	ctx := context.Background()
	first := sandboxDay(srv)
	var want []string
	for d := range 4 { // 3 accounts a day over 4 days
		want = append(want, addAccounts(t, srv, 10*d, 3)...)
		srv.Advance(24 * time.Hour)
	}
	last := first.AddDate(0, 0, 3)
	q := AccountStatusQuery{ListWindow: ListWindow{From: first, To: last, PageSize: 2, maxResults: 5}}
	var got []string
	for st, err := range c.AccountStatuses(ctx, q) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, st.AccountID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("accounts %v, want %v", got, want)
	}
	for _, r := range srv.RequestsFor("listAccountsStatus") {
		if r.Query.Get("startDate") == FormatDate(first) && r.Query.Get("endDate") == FormatDate(last) && r.Query.Get("offset") != "0" {
			t.Fatalf("paged the oversized window: %v", r.Query)
		}
	}

	q.maxResults = 2
	var errs int
	for _, err := range c.AccountStatuses(ctx, q) {
		if err != nil {
			errs++
			wantErr(t, err, ErrQueryTooLarge)
		}
	}
	if errs != 1 {
		t.Fatalf("%d errors, want 1", errs)
	}
}

func TestLoginMessagesSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	day := sandboxDay(srv)
	ids := addAccounts(t, srv, 0, 4)
	var want []int
	for i, id := range ids {
		for j := range 2 {
			typ := "W8INFO"
			if j == 1 && i%2 == 1 {
				typ = "MIFIR_INFO"
			}
			n, err := srv.AddLoginMessage(id, typ, "tax form expired", int(FormW8BEN))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, n)
		}
	}

	one, err := c.AccountLoginMessages(ctx, ids[1], "")
	if err != nil {
		t.Fatal(err)
	}
	if one.AccountID != ids[1] || one.Status != StatusOpen || len(one.Messages) != 2 ||
		one.Messages[1].Type != LoginMessageMiFIRInfo || !slices.Equal(one.Messages[0].Tasks, []FormNumber{FormW8BEN}) {
		t.Fatalf("account messages %+v", one)
	}
	one, err = c.AccountLoginMessages(ctx, ids[1], LoginMessageW8Info)
	if err != nil || len(one.Messages) != 1 {
		t.Fatalf("W8INFO only: %+v %v", one, err)
	}

	var got []int
	for m, err := range c.LoginMessages(ctx, LoginMessageQuery{ListWindow: ListWindow{From: day, To: day, PageSize: 3}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("messages %v, want %v", got, want)
	}
	if n := len(srv.RequestsFor("listAccountsLoginMessages")); n != 3 {
		t.Fatalf("%d pages, want 3", n)
	}
	got = got[:0]
	for m, err := range c.LoginMessages(ctx, LoginMessageQuery{ListWindow: ListWindow{From: day, To: day}, Type: LoginMessageMiFIRInfo}) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Type != LoginMessageMiFIRInfo {
			t.Fatalf("type %q", m.Type)
		}
		got = append(got, m.ID)
	}
	if len(got) != 2 {
		t.Fatalf("MIFIR messages %v", got)
	}

	// Without totals, a window reaching the per-query maximum is an error.
	var n, errs int
	for _, err := range c.LoginMessages(ctx, LoginMessageQuery{ListWindow: ListWindow{From: day, To: day, PageSize: 2, maxResults: 4}}) {
		if err != nil {
			errs++
			wantErr(t, err, ErrQueryTooLarge)
			continue
		}
		n++
	}
	if n != 4 || errs != 1 {
		t.Fatalf("%d messages, %d errors", n, errs)
	}
	// A server error stops the iterator.
	srv.FailNext("listAccountsLoginMessages", 1, http.StatusForbidden)
	errs = 0
	for _, err := range c.LoginMessages(ctx, LoginMessageQuery{ListWindow: ListWindow{From: day, To: day}}) {
		if err != nil {
			errs++
			wantErr(t, err, ErrForbidden)
		}
	}
	if errs != 1 {
		t.Fatalf("%d errors", errs)
	}
	_, err = c.AccountLoginMessages(ctx, ids[0], "w8 info")
	wantErr(t, err, ErrInvalidInput)
}

func TestDayRangeHalves(t *testing.T) {
	w := ListWindow{From: harnessStart, To: harnessStart.AddDate(0, 0, 69), Window: 31}
	ws := w.windows()
	if len(ws) != 3 || ws[0].days() != 31 || ws[1].days() != 31 || ws[2].days() != 8 {
		t.Fatalf("windows %+v", ws)
	}
	for _, d := range []int{2, 3, 31} {
		r := dayRange{civil(harnessStart), civil(harnessStart).AddDate(0, 0, d-1)}
		a, b := r.halves()
		if a.days()+b.days() != d || !a.to.AddDate(0, 0, 1).Equal(b.from) || a.days() < 1 || b.days() < 1 {
			t.Fatalf("halves of %d days: %+v %+v", d, a, b)
		}
	}
}
