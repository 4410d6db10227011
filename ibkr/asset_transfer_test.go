package ibkr

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

const assetTarget = "U7654321"

// newAssetEnv is a funding environment with a second open account
// (same holder) and 100 IBM (conid 8314) in the demo account.
func newAssetEnv(t *testing.T, copts ...Option) *fundingEnv {
	t.Helper()
	e := newFundingEnv(t, []ibkrtest.Option{ibkrtest.WithMaintenance(false)}, copts...)
	if err := e.srv.AddAccount(assetTarget, ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetPosition(demo, 8314, MustDecimal("100")); err != nil {
		t.Fatal(err)
	}
	return e
}

// rejectCode is the errorCode of a business reject or a REJECTED
// instruction.
func rejectCode(t *testing.T, err error) string {
	t.Helper()
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	var rj *RejectedError
	if errors.As(err, &rj) {
		return rj.Code
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	t.Fatalf("err %T carries no code", err)
	return ""
}

// wait lets d of sandbox time pass, then reads the instruction's final
// state (a *RejectedError if it ended REJECTED).
func (e *fundingEnv) wait(t *testing.T, in *Instruction, d time.Duration) (*Instruction, error) {
	t.Helper()
	e.srv.Advance(d)
	return e.c.WaitForInstruction(fctx(t), in.ClientInstructionID, time.Minute)
}

func TestInternalPositionTransferLifecycle(t *testing.T) {
	e := newAssetEnv(t)
	ctx := fctx(t)
	r := goodPositionTransfer()
	r.Quantity = MustDecimal("40")
	in, err := e.c.TransferPosition(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != InstructionPending || in.Type != "INTERNAL_POSITION_TRANSFER" {
		t.Fatalf("first answer %s %s, want PENDING INTERNAL_POSITION_TRANSFER", in.Type, in.Status)
	}
	// Held while pending: 60 are free, so 70 more are refused.
	r2 := r
	r2.Quantity = MustDecimal("70")
	_, err = e.c.TransferPosition(ctx, r2)
	if code := rejectCode(t, err); code != ibkrtest.CodeInsufficientPosition {
		t.Fatalf("code %s, want %s", code, ibkrtest.CodeInsufficientPosition)
	}
	done, err := e.wait(t, in, time.Hour)
	if err != nil || done.Status != InstructionProcessed {
		t.Fatalf("wait = %v, %v", done, err)
	}
	if got := e.srv.Position(demo, 8314); got.String() != "60" {
		t.Fatalf("source holds %s, want 60", got)
	}
	if got := e.srv.Position(assetTarget, 8314); got.String() != "40" {
		t.Fatalf("target holds %s, want 40", got)
	}
	// By ISIN, back again.
	back := PositionTransfer{From: assetTarget, To: demo, Instrument: ByISIN("US4592001014", AssetStock, USD), Quantity: MustDecimal("15")}
	in, err = e.c.TransferPosition(ctx, back)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wait(t, in, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Position(demo, 8314); got.String() != "75" {
		t.Fatalf("source holds %s, want 75", got)
	}
}

func TestInternalPositionTransferRefusals(t *testing.T) {
	e := newAssetEnv(t)
	ctx := fctx(t)
	if err := e.srv.AddAccount("U5550001", ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		r    PositionTransfer
		code string
	}{
		{"unknown conid", PositionTransfer{From: demo, To: assetTarget, Instrument: ByConid(999999999, USD), Quantity: MustDecimal("1")}, ibkrtest.CodeUnknownInstrument},
		{"unknown ISIN", PositionTransfer{From: demo, To: assetTarget, Instrument: ByISIN("US0231351067", AssetStock, USD), Quantity: MustDecimal("1")}, ibkrtest.CodeUnknownInstrument},
		{"wrong currency", PositionTransfer{From: demo, To: assetTarget, Instrument: ByConid(8314, EUR), Quantity: MustDecimal("1")}, ibkrtest.CodeCurrencyMismatch},
		{"insufficient", PositionTransfer{From: demo, To: assetTarget, Instrument: ByConid(8314, USD), Quantity: MustDecimal("100.5")}, ibkrtest.CodeInsufficientPosition},
		{"no position", PositionTransfer{From: demo, To: assetTarget, Instrument: ByConid(265598, USD), Quantity: MustDecimal("1")}, ibkrtest.CodeInsufficientPosition},
		{"unknown target", PositionTransfer{From: demo, To: "U9999999", Instrument: ByConid(8314, USD), Quantity: MustDecimal("1")}, ibkrtest.CodeAccountNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := e.c.TransferPosition(ctx, tc.r)
			if in != nil {
				t.Fatalf("accepted: %+v", in)
			}
			if code := rejectCode(t, err); code != tc.code {
				t.Fatalf("code %s, want %s (%v)", code, tc.code, err)
			}
			// The refusal is recorded under the id: a lookup tells.
			id, ok := InstructionIDOf(err)
			if !ok {
				t.Fatalf("no clientInstructionId in %v", err)
			}
			st, err := e.c.InstructionStatus(ctx, id)
			if err != nil || st.Status != InstructionRejected {
				t.Fatalf("status = %v, %v; want REJECTED", st, err)
			}
		})
	}
	if got := e.srv.Position(demo, 8314); got.String() != "100" {
		t.Fatalf("refusals moved positions: %s", got)
	}
}

// A cancelled transfer frees what it held; one whose source no longer
// holds the quantity at settlement ends REJECTED.
func TestInternalPositionTransferCancelAndShortfall(t *testing.T) {
	e := newAssetEnv(t)
	ctx := fctx(t)
	r := goodPositionTransfer()
	r.Quantity = MustDecimal("100")
	in, err := e.c.TransferPosition(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CancelInstruction(ctx, Cancellation{InstructionID: in.InstructionID, Reason: "changed my mind"}); err != nil {
		t.Fatal(err)
	}
	in2, err := e.c.TransferPosition(ctx, r)
	if err != nil {
		t.Fatalf("after cancel, the 100 are free again: %v", err)
	}
	// The position shrinks behind the transfer's back.
	if err := e.srv.SetPosition(demo, 8314, MustDecimal("10")); err != nil {
		t.Fatal(err)
	}
	_, err = e.wait(t, in2, time.Hour)
	if code := rejectCode(t, err); code != ibkrtest.CodeInsufficientPosition {
		t.Fatalf("code %s", code)
	}
	if got := e.srv.Position(assetTarget, 8314); !got.IsZero() {
		t.Fatalf("target received %s", got)
	}
}

func TestFOPTransferLifecycle(t *testing.T) {
	e := newAssetEnv(t)
	ctx := fctx(t)
	in, err := e.c.TransferFOP(ctx, goodFOP())
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != InstructionPending || in.Type != "FOP" {
		t.Fatalf("first answer %s %s", in.Type, in.Status)
	}
	if _, err := e.wait(t, in, 25*time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Position(demo, 8314); got.String() != "200" {
		t.Fatalf("after FOP IN of 100: %s, want 200", got)
	}
	out := goodFOP()
	out.Direction, out.Quantity = TransferOut, MustDecimal("250")
	_, err = e.c.TransferFOP(ctx, out)
	if code := rejectCode(t, err); code != ibkrtest.CodeInsufficientPosition {
		t.Fatalf("code %s", code)
	}
	out.Quantity = MustDecimal("150")
	in, err = e.c.TransferFOP(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wait(t, in, 25*time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Position(demo, 8314); got.String() != "50" {
		t.Fatalf("after FOP OUT of 150: %s, want 50", got)
	}
	bad := goodFOP()
	bad.ContraDTC = "1234"
	_, err = e.c.TransferFOP(ctx, bad)
	if code := rejectCode(t, err); code != ibkrtest.CodeUnknownBroker {
		t.Fatalf("code %s", code)
	}
}

// An inbound notice whose securities never arrive expires after 5
// business days.
func TestFOPNoticeExpires(t *testing.T) {
	e := newAssetEnv(t)
	r := goodFOP()
	r.ContraAccount = NewSecret(ibkrtest.ContraAccountNeverDelivers + "1")
	in, err := e.c.TransferFOP(fctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	// Sent on a Tuesday: still open the next Monday (4 business days),
	// expired on Tuesday (5).
	if wd := e.srv.Now().Weekday(); wd != time.Tuesday {
		t.Fatalf("the sandbox starts on %s; adjust the test", wd)
	}
	e.srv.Advance(6 * 24 * time.Hour)
	st, err := e.c.InstructionStatus(fctx(t), in.ClientInstructionID)
	if err != nil || st.Status != InstructionPending {
		t.Fatalf("after 4 business days: %v, %v; want PENDING", st, err)
	}
	got, err := e.wait(t, in, 24*time.Hour)
	if code := rejectCode(t, err); code != ibkrtest.CodeTransferNoticeExpired {
		t.Fatalf("wait = %v, %v", got, err)
	}
	if got := e.srv.Position(demo, 8314); got.String() != "100" {
		t.Fatalf("position changed: %s", got)
	}
}

func TestDWACTransfer(t *testing.T) {
	e := newAssetEnv(t)
	in, err := e.c.TransferDWAC(fctx(t), goodDWAC())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wait(t, in, 25*time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Position(demo, 8314); got.String() != "105" {
		t.Fatalf("after DWAC IN of 5 by CUSIP: %s, want 105", got)
	}
}

func TestAccountTransferACATS(t *testing.T) {
	e := newAssetEnv(t)
	ctx := fctx(t)
	b, err := e.c.FindTransferBroker(ctx, ACATS, strings.ToLower(ibkrtest.ACATSBrokerName))
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != ibkrtest.ACATSBrokerID || b.Name != ibkrtest.ACATSBrokerName {
		t.Fatalf("broker %+v", b)
	}
	if err := e.srv.SetBrokerHoldings(b.ID, assetBrokerAccount, map[uint64]Decimal{265598: MustDecimal("12"), 8314: MustDecimal("3")}); err != nil {
		t.Fatal(err)
	}
	r := goodAccountTransfer()
	r.Broker, r.Signature, r.IRAType = b, "Demo User", IRARollover
	in, err := e.c.TransferAccount(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wait(t, in, 10*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if a, i := e.srv.Position(demo, 265598), e.srv.Position(demo, 8314); a.String() != "12" || i.String() != "103" {
		t.Fatalf("after ACATS: AAPL %s IBM %s", a, i)
	}

	// Refusals: a broker not on the list, a signature not the holder's,
	// a broker that rejects.
	r.ClientInstructionID = ID{}
	r.Broker = TransferBroker{ID: "0226", Name: "Somebody Else"}
	_, err = e.c.TransferAccount(ctx, r)
	if code := rejectCode(t, err); code != ibkrtest.CodeUnknownBroker {
		t.Fatalf("code %s", code)
	}
	r.Broker, r.Signature = b, "demo user"
	_, err = e.c.TransferAccount(ctx, r)
	if code := rejectCode(t, err); code != ibkrtest.CodeSignatureMismatch {
		t.Fatalf("code %s", code)
	}
	r.Signature, r.AccountAtBroker = "Demo User", NewSecret(ibkrtest.AccountAtBrokerRejects+"77")
	in, err = e.c.TransferAccount(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.wait(t, in, 10*24*time.Hour)
	if code := rejectCode(t, err); code != ibkrtest.CodeContraBrokerRejected {
		t.Fatalf("code %s", code)
	}
}

// A broker not on IBKR's list is refused by the Find methods: only the
// enumeration is read, nothing is transferred.
func TestFindBrokersRefuseUnknown(t *testing.T) {
	e := newAssetEnv(t)
	ctx := fctx(t)
	list, err := e.c.TransferBrokers(ctx, ATON)
	if err != nil || len(list) != 1 || list[0].ID != ibkrtest.ATONBrokerID {
		t.Fatalf("ATON brokers = %v, %v", list, err)
	}
	_, err = e.c.FindTransferBroker(ctx, ACATS, "Nobody Securities")
	if !errors.Is(err, ErrBroker) {
		t.Fatalf("err = %v, want ErrBroker", err)
	}
	_, err = e.c.FindComplexAssetTransferBroker(ctx, "Nobody Securities")
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "contraBrokerInfo.brokerName" || !errors.Is(err, ErrBroker) {
		t.Fatalf("err = %v", err)
	}
	name, err := e.c.FindComplexAssetTransferBroker(ctx, "sandbox brokerage b")
	if err != nil || name != "Sandbox Brokerage B" {
		t.Fatalf("find = %q, %v", name, err)
	}
	for _, r := range e.srv.Requests() {
		if strings.Contains(r.Path, "asset-transfers") {
			t.Fatalf("a transfer was sent: %s", r.Path)
		}
	}
}

func TestComplexAssetTransfer(t *testing.T) {
	e := newAssetEnv(t)
	ctx := fctx(t)
	r := goodComplex(e.srv.Now())
	r.Direction, r.Quantity = TransferOut, MustDecimal("30")
	in, err := e.c.TransferComplexAsset(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wait(t, in, 25*time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Position(demo, 8314); got.String() != "70" {
		t.Fatalf("after complex OUT of 30: %s", got)
	}
	r.ContraBroker.Name = "Not Listed Bank"
	r.Settlement = goodComplex(e.srv.Now()).Settlement
	_, err = e.c.TransferComplexAsset(ctx, r)
	if code := rejectCode(t, err); code != ibkrtest.CodeUnknownBroker {
		t.Fatalf("code %s", code)
	}
}

// A transfer whose answer is lost is settled by looking its id up: the
// sandbox records it exactly once, and the journal never holds the
// account at the other broker.
func TestPositionTransferLostAnswer(t *testing.T) {
	j, err := OpenFileJournal(filepath.Join(t.TempDir(), "journal"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	e := newAssetEnv(t, WithJournal(j))
	ctx := fctx(t)
	e.srv.DropAfterCommit("createExternalAssetTransfers", 1)
	in, err := e.c.TransferFOP(ctx, goodFOP())
	if err != nil {
		t.Fatal(err)
	}
	if !in.Reconciled {
		t.Fatalf("not reconciled: %+v", in)
	}
	n := 0
	for _, x := range e.srv.Instructions() {
		if x.Type == "FOP" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d FOP instructions at the sandbox, want 1", n)
	}
	entries, err := j.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].State() != JournalAccepted {
		t.Fatalf("journal %+v", entries)
	}
	if en := entries[0].Entry; len(en.Body) != 0 || strings.Contains(en.Summary, assetBrokerAccount) {
		t.Fatalf("journal holds the contra account: %+v", en)
	}
	e.srv.DropAfterCommit("createInternalAssetTransfers", 1)
	in, err = e.c.TransferPosition(ctx, goodPositionTransfer())
	if err != nil || !in.Reconciled {
		t.Fatalf("internal: %+v, %v", in, err)
	}
}

// The bodies of external transfers name accounts (and a tax id) at other
// institutions: never journaled, whoever journals them; an internal
// transfer's body names only IBKR accounts and is kept for replay.
func TestPositionTransferBodiesAndTheJournal(t *testing.T) {
	now := time.Now()
	for _, r := range []interface {
		instruction(time.Time) (instructionCall, error)
	}{goodAccountTransfer(), goodFOP(), goodDWAC(), goodComplex(now), goodPositionTransfer()} {
		ic, err := r.instruction(now)
		if err != nil {
			t.Fatal(err)
		}
		body, err := marshalJSON(map[string]any{"instructionType": ic.itype, "instruction": ic.body(NewID(7))})
		if err != nil {
			t.Fatal(err)
		}
		kept := JournalEntry{Body: body}.WithoutSecrets().Body
		switch internal := ic.itype == "INTERNAL_POSITION_TRANSFER"; {
		case internal && (len(kept) == 0 || ic.secret):
			t.Errorf("%s: body dropped", ic.itype)
		case !internal && (len(kept) != 0 || !ic.secret):
			t.Errorf("%s: body with a contra account kept", ic.itype)
		}
		if strings.Contains(ic.summary, assetBrokerAccount) || strings.Contains(ic.summary, assetTaxID) {
			t.Errorf("%s: summary %q names a secret", ic.itype, ic.summary)
		}
	}
}
