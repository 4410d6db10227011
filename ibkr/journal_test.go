package ibkr

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func openJournal(t testing.TB, path string) *FileJournal {
	t.Helper()
	j, err := OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func TestFileJournalPersistsAndRepairs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "funding.journal")
	ctx := context.Background()
	j := openJournal(t, path)
	for i := uint64(1); i <= 3; i++ {
		if err := j.Begin(ctx, JournalEntry{ClientInstructionID: NewID(i), Operation: opExternalCash.op.ID, InstructionType: "DEPOSIT",
			Amount: MustDecimal("10.50"), Currency: "USD", Body: []byte(`{"instructionType":"DEPOSIT"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Finish(ctx, NewID(1), JournalOutcome{State: JournalAccepted, Status: InstructionPending, InstructionID: InstructionID{ID: NewID(99)}}); err != nil {
		t.Fatal(err)
	}
	if err := j.Finish(ctx, NewID(2), JournalOutcome{State: JournalUnknown}); err != nil {
		t.Fatal(err)
	}
	if err := j.Finish(ctx, NewID(7), JournalOutcome{State: JournalAccepted}); err == nil {
		t.Fatal("Finish of an unknown id accepted")
	}
	// A body with a bank account number is never written.
	if err := j.Begin(ctx, JournalEntry{ClientInstructionID: NewID(4), Operation: opBankInstructions.op.ID,
		Body: []byte(`{"instruction":{"clientAccountInfo":{"bankAccountNumber":"` + fundingAccountNumber + `"}}}`)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Begin(ctx, JournalEntry{}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("entry without id: %v", err)
	}
	_ = j.Close()
	if err := j.Begin(ctx, JournalEntry{ClientInstructionID: NewID(5)}); err == nil {
		t.Fatal("Begin on a closed journal accepted")
	}

	// A crash in mid-write leaves a torn line: it is dropped on reopen.
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(fundingAccountNumber)) {
		t.Fatal("journal file holds a bank account number")
	}
	if err := os.WriteFile(path, append(raw, []byte(`{"begin":{"clientInstructionId":5,"oper`)...), 0o600); err != nil {
		t.Fatal(err)
	}
	j2 := openJournal(t, path)
	pending, _ := j2.Pending(ctx)
	var ids []string
	for _, e := range pending {
		ids = append(ids, e.ClientInstructionID.String())
	}
	if strings.Join(ids, ",") != "2,3,4" {
		t.Fatalf("pending after reopen = %v", ids)
	}
	e1, o1, ok := j2.Outcome(NewID(1))
	if !ok || o1 == nil || o1.State != JournalAccepted || o1.InstructionID.ID != NewID(99) || !e1.Amount.Equal(MustDecimal("10.5")) || len(e1.Body) == 0 {
		t.Fatalf("entry 1 = %+v, %+v", e1, o1)
	}
	if e4, _, _ := j2.Outcome(NewID(4)); len(e4.Body) != 0 {
		t.Fatalf("entry 4 kept its body: %s", e4.Body)
	}
	// The torn tail was cut off: the next append starts on a line of its own.
	if err := j2.Finish(ctx, NewID(3), JournalOutcome{State: JournalNotSent}); err != nil {
		t.Fatal(err)
	}
	_ = j2.Close()
	j3 := openJournal(t, path)
	if p, _ := j3.Pending(ctx); len(p) != 2 || j3.Len() != 4 {
		t.Fatalf("pending %d of %d after second reopen", len(p), j3.Len())
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal file mode: %v, %v", fi, err)
	}
	// A second open, while this one holds the lock, is refused.
	if _, err := OpenFileJournal(path); !errors.Is(err, ErrJournalLocked) {
		t.Fatalf("second open: %v, want ErrJournalLocked", err)
	}
	_ = j3.Close()
	// A corrupt line in the middle is skipped and reported, never fatal
	// for the lines after it.
	if err := os.WriteFile(path, []byte("{\"begin\":{\"clientInstructionId\":1}}\nnot json\n{}\n{\"begin\":{\"clientInstructionId\":2}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	j4 := openJournal(t, path)
	if d := j4.Damage(); len(d) != 2 || d[0].Line != 2 || d[1].Line != 3 {
		t.Fatalf("damage = %+v, want lines 2 and 3", d)
	}
	if p, _ := j4.Pending(ctx); len(p) != 2 {
		t.Fatalf("pending = %+v, want entries 1 and 2", p)
	}
}

func TestJournalRecordsOutcomes(t *testing.T) {
	e := newFundingEnv(t, nil)
	e.linkVerified(t, "Checking")
	j := openJournal(t, filepath.Join(t.TempDir(), "j"))
	ctx := fctx(t)

	ok, err := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("10")}, WithCallJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	_, refused := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "No such bank", Amount: MustDecimal("10")}, WithCallJournal(j))
	wantErr(t, refused, ErrRejected)
	e.srv.DropAfterCommit("createExternalCashTransfers", 1)
	// A settling lookup is retried after a 500, as reads are: fail every
	// attempt to leave the outcome unknown.
	e.srv.FailNext("getClientInstructions", DefaultRetryPolicy().MaxAttempts, 500)
	_, unknown := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("20")}, WithCallJournal(j))
	wantErr(t, unknown, ErrOutcomeUnknown)
	_, local := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("-1")}, WithCallJournal(j))
	wantErr(t, local, ErrInvalidInput)
	if j.Len() != 3 {
		t.Fatalf("journal holds %d entries; a locally refused request must not be journaled", j.Len())
	}

	entry, o, _ := j.Outcome(ok.ClientInstructionID)
	if o == nil || o.State != JournalAccepted || o.Status != InstructionPending || o.InstructionID != ok.InstructionID ||
		entry.InstructionType != "DEPOSIT" || entry.AccountID != demo || !entry.Amount.Equal(MustDecimal("10")) || len(entry.Body) == 0 {
		t.Fatalf("accepted deposit: %+v %+v", entry, o)
	}
	rid, _ := InstructionIDOf(refused)
	if _, o, _ := j.Outcome(rid); o == nil || o.State != JournalRejected || o.Code != ibkrtest.CodeBankInstructionNotFound {
		t.Fatalf("refused deposit: %+v", o)
	}
	uid, _ := InstructionIDOf(unknown)
	if _, o, _ := j.Outcome(uid); o == nil || o.State != JournalUnknown {
		t.Fatalf("unknown deposit: %+v", o)
	}
	pending, _ := j.Pending(ctx)
	if len(pending) != 1 || pending[0].ClientInstructionID != uid {
		t.Fatalf("pending = %+v", pending)
	}
	// Reconciling finds the committed deposit and sends nothing.
	sent := len(e.srv.RequestsFor("createExternalCashTransfers"))
	res, err := e.c.ReconcileJournal(ctx, j)
	if err != nil || len(res) != 1 || res[0].Resent || res[0].Err != nil || res[0].Instruction == nil ||
		res[0].Instruction.ClientInstructionID != uid || res[0].Outcome.State != JournalAccepted {
		t.Fatalf("ReconcileJournal = %+v, %v", res, err)
	}
	if n := len(e.srv.RequestsFor("createExternalCashTransfers")); n != sent {
		t.Fatalf("reconciling sent %d deposits", n-sent)
	}
	if p, _ := j.Pending(ctx); len(p) != 0 {
		t.Fatalf("still pending: %+v", p)
	}
}

// hangingTransport stalls one armed request to path, either before it
// reaches the server or after the server committed it, until released:
// the process "dies" while the request is in flight.
type hangingTransport struct {
	base http.RoundTripper
	path string

	mu       sync.Mutex
	mode     string // "before" or "after"
	inFlight chan struct{}
	release  chan struct{}
}

func (h *hangingTransport) arm(path, mode string) (inFlight, release chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.path, h.mode, h.inFlight, h.release = path, mode, make(chan struct{}), make(chan struct{})
	return h.inFlight, h.release
}

func (h *hangingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	mode, inFlight, release := h.mode, h.inFlight, h.release
	if req.URL.Path == h.path {
		h.mode = ""
	} else {
		mode = ""
	}
	h.mu.Unlock()
	switch mode {
	case "before":
		close(inFlight)
		<-release
		return nil, timeoutErr()
	case "after":
		resp, err := h.base.RoundTrip(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		close(inFlight)
		<-release
		return nil, timeoutErr()
	}
	return h.base.RoundTrip(req)
}

// TestJournalCrashBetweenSendAndAnswer kills a process while its deposits
// are in flight (one committed by IBKR, one that never reached it, and an
// ACH link that never reached it), restarts from the journal file and
// reconciles to the right state: the committed deposit found, the lost
// one sent again with its same id, the link reported for resubmission;
// nothing recorded twice.
func TestJournalCrashBetweenSendAndAnswer(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	srv.Clock().SetAutoAdvance(true)
	path := filepath.Join(t.TempDir(), "funding.journal")
	hang := &hangingTransport{base: srv.HTTP.Client().Transport}
	first := fundingClient(t, srv, WithHTTPClient(&http.Client{Transport: hang}))
	(&fundingEnv{srv: srv, c: first}).linkVerified(t, "Checking")

	j1, err := OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var releases []chan struct{}
	inFlight := func(p, mode string, call func(ctx context.Context) error) {
		started, release := hang.arm(p, mode)
		releases = append(releases, release)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = call(context.Background())
		}()
		<-started
	}
	transfers, banks := "/gw/api/v1/external-cash-transfers", "/gw/api/v1/bank-instructions"
	inFlight(transfers, "after", func(ctx context.Context) error {
		_, err := first.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("111.11")}, WithCallJournal(j1))
		return err
	})
	inFlight(transfers, "before", func(ctx context.Context) error {
		_, err := first.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("222.22")}, WithCallJournal(j1))
		return err
	})
	inFlight(banks, "before", func(ctx context.Context) error {
		_, err := first.LinkBankAccount(ctx, BankAccountLink{AccountID: demo, InstructionName: "Savings", RoutingNumber: ibkrtest.RoutingNumberVerified,
			AccountNumber: NewSecret(fundingAccountNumber), AccountType: Savings, BankName: "Example Bank"}, WithCallJournal(j1))
		return err
	})
	// The process dies: its journal file is all that is left.
	_ = j1.Close()
	defer func() {
		for _, r := range releases {
			close(r)
		}
		wg.Wait()
		// The dead process's stalled calls, released, changed nothing.
		if n := len(srv.RequestsFor("createExternalCashTransfers")); n != 2 {
			t.Errorf("%d deposit requests reached the sandbox after the release", n)
		}
	}()
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(fundingAccountNumber)) {
		t.Fatal("journal file holds the bank account number")
	}
	if n := len(srv.RequestsFor("createExternalCashTransfers")); n != 1 {
		t.Fatalf("%d deposit requests reached the sandbox before the restart, want 1", n)
	}

	// Restart: a new client (new allocator) and the journal from disk.
	second := fundingClient(t, srv)
	j2 := openJournal(t, path)
	ctx := fctx(t)
	res, err := second.ReconcileJournal(ctx, j2)
	if err != nil || len(res) != 3 {
		t.Fatalf("ReconcileJournal = %+v, %v", res, err)
	}
	byAmount := map[string]JournalResolution{}
	for _, r := range res {
		byAmount[r.Entry.Amount.String()] = r
	}
	committed, lost, link := byAmount["111.11"], byAmount["222.22"], byAmount["0"]
	if committed.Err != nil || committed.Resent || committed.Instruction == nil || !committed.Instruction.Reconciled || committed.Outcome.State != JournalAccepted {
		t.Fatalf("committed deposit: %+v", committed)
	}
	if lost.Err != nil || !lost.Resent || lost.Instruction == nil || lost.Instruction.ClientInstructionID != lost.Entry.ClientInstructionID || lost.Outcome.State != JournalAccepted {
		t.Fatalf("lost deposit: %+v", lost)
	}
	var re *RequestError
	if link.Entry.InstructionType != "ACH_INSTRUCTION" || len(link.Entry.Body) != 0 || !errors.As(link.Err, &re) ||
		re.ClientInstructionID != link.Entry.ClientInstructionID || link.Outcome.State != JournalNotSent ||
		strings.Contains(link.Entry.Summary, fundingAccountNumber) || !strings.Contains(link.Entry.Summary, "****") {
		t.Fatalf("lost link: %+v", link)
	}
	if p, _ := j2.Pending(ctx); len(p) != 0 {
		t.Fatalf("still pending: %+v", p)
	}
	// The link can be resubmitted under its journaled id.
	relinked, err := second.LinkBankAccount(ctx, BankAccountLink{ClientInstructionID: link.Entry.ClientInstructionID,
		AccountID: demo, InstructionName: "Savings", RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: NewSecret(fundingAccountNumber),
		AccountType: Savings, BankName: "Example Bank"}, WithResume())
	if err != nil || relinked.ClientInstructionID != link.Entry.ClientInstructionID {
		t.Fatalf("relink = %v, %v", relinked, err)
	}

	// Exactly once each, and the money adds up.
	for _, r := range []JournalResolution{committed, lost} {
		if _, err := second.WaitForInstruction(ctx, r.Entry.ClientInstructionID, 48*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.RequestsFor("createExternalCashTransfers")); n != 2 {
		t.Fatalf("%d deposit requests reached the sandbox, want 2", n)
	}
	if bal := srv.Balance(demo, "USD"); !bal.Equal(MustDecimal("333.33")) {
		t.Fatalf("balance %s, want 333.33", bal)
	}
}

// Resubmitting a journaled request with its id but without
// WithResume is refused locally as a reused id. That refusal must not
// settle the journal entry as not sent: the first attempt's outcome is
// still unknown, and the entry stays pending for ReconcileJournal.
func TestJournalReusedIDRefusalKeepsEntryPending(t *testing.T) {
	f := newFake(t)
	j := openJournal(t, filepath.Join(t.TempDir(), "journal"))
	c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 1}), WithJournal(j))
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) { dropConnection(w) })
	f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusInternalServerError, "", "lookup broke")
	})
	dep := ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("500.00")}
	_, err := c.DepositACH(bg, dep)
	wantErr(t, err, ErrOutcomeUnknown)
	id, _ := InstructionIDOf(err)

	dep.ClientInstructionID = id // forgot WithResume
	_, err = c.DepositACH(bg, dep)
	wantErr(t, err, ErrInstructionIDReused)
	if n := len(f.requests("createExternalCashTransfers")); n != 1 {
		t.Fatalf("%d POSTs, want 1", n)
	}
	if _, o, _ := j.Outcome(id); o == nil || o.Settled() {
		t.Fatalf("journal outcome %+v, want unsettled", o)
	}
	pending, err := j.Pending(bg)
	if err != nil || len(pending) != 1 || pending[0].ClientInstructionID != id {
		t.Fatalf("pending %+v, %v", pending, err)
	}
}
