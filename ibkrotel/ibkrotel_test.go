package ibkrotel_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrotel"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// telemetry is an Observer on in-memory providers.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	obs    *ibkrotel.Observer
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tm := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tm.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tm.reader))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	obs, err := ibkrotel.New(ibkrotel.WithTracerProvider(tp), ibkrotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	tm.obs = obs
	return tm
}

// spansOf returns the ended spans of an operation.
func (tm *telemetry) spansOf(op string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tm.spans.Ended() {
		if s.Name() == op {
			out = append(out, s)
		}
	}
	return out
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// counter sums a counter's points for an operation and outcome ("" for
// any outcome).
func (tm *telemetry) counter(t *testing.T, name, op, outcome string) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tm.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != ibkrotel.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			data, ok := m.Data.(metricdata.Sum[int64])
			if !ok || !data.IsMonotonic {
				t.Fatalf("%s is not a monotonic int64 counter: %T", name, m.Data)
			}
			for _, dp := range data.DataPoints {
				gotOp, _ := dp.Attributes.Value(ibkrotel.AttrOperationID)
				gotOutcome, _ := dp.Attributes.Value(ibkrotel.AttrOutcome)
				if gotOp.AsString() == op && (outcome == "" || gotOutcome.AsString() == outcome) {
					sum += dp.Value
				}
			}
		}
	}
	return sum
}

const deposit = "createExternalCashTransfers"

// A deposit answered 429 once, then accepted. The facade looks the id up
// (IBKR never received it) and resends it with the same id as a call of
// its own, so there are two deposit spans: the throttled one (429, an
// error status) and the resend (its lookup as a child, then 202, one
// resend, the Retry-After waited through the rate limiter). Both carry the
// clientInstructionId; the counters agree.
func TestDepositWithOneRetry(t *testing.T) {
	tm := newTelemetry(t)
	client, srv := sandbox.NewClient(t, ibkr.WithObserver(tm.obs))
	if err := srv.AddLinkedACH(ibkrtest.DemoAccountID, "Checking"); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(deposit, 1, 429)
	in, err := client.DepositACH(context.Background(), ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: ibkr.MustDecimal("500.00")})
	if err != nil {
		t.Fatal(err)
	}

	spans := tm.spansOf(deposit)
	if len(spans) != 2 {
		t.Fatalf("%d deposit spans, want 2 (the throttled call and its resend)", len(spans))
	}
	cid := attribute.StringValue(in.ClientInstructionID.String())
	for i, want := range []map[attribute.Key]attribute.Value{
		{
			ibkrotel.AttrOperationID: attribute.StringValue(deposit), ibkrotel.AttrStatusCode: attribute.IntValue(429),
			ibkrotel.AttrAttempts: attribute.IntValue(1), ibkrotel.AttrThrottled: attribute.IntValue(1), ibkrotel.AttrResends: attribute.IntValue(0),
			ibkrotel.AttrReconciled: attribute.BoolValue(false), ibkrotel.AttrOutcomeUnknown: attribute.BoolValue(false), ibkrotel.AttrClientInstructionID: cid,
		},
		{
			ibkrotel.AttrOperationID: attribute.StringValue(deposit), ibkrotel.AttrStatusCode: attribute.IntValue(202),
			ibkrotel.AttrAttempts: attribute.IntValue(1), ibkrotel.AttrThrottled: attribute.IntValue(0), ibkrotel.AttrResends: attribute.IntValue(1),
			ibkrotel.AttrReconciled: attribute.BoolValue(false), ibkrotel.AttrOutcomeUnknown: attribute.BoolValue(false), ibkrotel.AttrClientInstructionID: cid,
		},
	} {
		a := attrs(spans[i])
		for k, v := range want {
			if a[k] != v {
				t.Errorf("span %d: %s = %v, want %v", i, k, a[k].String(), v.String())
			}
		}
	}
	if spans[0].Status().Code != codes.Error || spans[1].Status().Code == codes.Error {
		t.Errorf("span statuses %v, %v: want the throttled one an error, the resend not", spans[0].Status(), spans[1].Status())
	}
	if w := attrs(spans[1])[ibkrotel.AttrRateLimitWait]; w.Type() != attribute.FLOAT64 || w.AsFloat64() <= 0 {
		t.Errorf("resend's rate-limit wait %v: the 429's Retry-After is waited through the limiter", w.String())
	}
	lookups := tm.spansOf("getClientInstructions")
	if len(lookups) != 1 || lookups[0].Parent().SpanID() != spans[1].SpanContext().SpanID() || attrs(lookups[0])[ibkrotel.AttrStatusCode] != attribute.IntValue(404) {
		t.Errorf("lookup spans %v: want one 404, child of the resend", lookups)
	}
	if tok := tm.spansOf("generateToken"); len(tok) != 1 {
		t.Errorf("%d token spans, want 1", len(tok))
	}

	for _, c := range []struct {
		name, outcome string
		want          int64
	}{
		{"ibkr.client.calls", "", 2},
		{"ibkr.client.calls", ibkrotel.OutcomeOK, 1},
		{"ibkr.client.calls", ibkrotel.OutcomeError, 1},
		{"ibkr.client.retries", "", 1},
		{"ibkr.client.throttled", "", 1},
		{"ibkr.client.outcome_unknown", "", 0},
	} {
		if got := tm.counter(t, c.name, deposit, c.outcome); got != c.want {
			t.Errorf("%s{%s,%q} = %d, want %d", c.name, deposit, c.outcome, got, c.want)
		}
	}
}

// A lost answer recovered by a lookup, then a lost answer that cannot be
// looked up: reconciled, then outcome unknown (span status Error,
// counter).
func TestReconciledAndOutcomeUnknown(t *testing.T) {
	tm := newTelemetry(t)
	client, srv := sandbox.NewClient(t, ibkr.WithObserver(tm.obs))
	if err := srv.AddLinkedACH(ibkrtest.DemoAccountID, "Checking"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: ibkr.MustDecimal("10.00")}

	srv.DropAfterCommit(deposit, 1)
	if _, err := client.DepositACH(ctx, req); err != nil {
		t.Fatal(err)
	}
	spans := tm.spansOf(deposit)
	if len(spans) != 1 || !attrs(spans[0])[ibkrotel.AttrReconciled].AsBool() {
		t.Fatalf("reconciled deposit span: %d spans %v", len(spans), spans)
	}

	srv.DropAfterCommit(deposit, 1)
	srv.FailNext("getClientInstructions", 100, 500)
	_, err := client.DepositACH(ctx, req)
	if !errors.Is(err, ibkr.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
	}
	spans = tm.spansOf(deposit)
	last := spans[len(spans)-1]
	if !attrs(last)[ibkrotel.AttrOutcomeUnknown].AsBool() || last.Status().Code != codes.Error {
		t.Fatalf("unknown-outcome span: %v %v", last.Attributes(), last.Status())
	}
	if got := tm.counter(t, "ibkr.client.outcome_unknown", deposit, ibkrotel.OutcomeUnknown); got != 1 {
		t.Fatalf("outcome_unknown counter %d, want 1", got)
	}
	if got := tm.counter(t, "ibkr.client.calls", deposit, ""); got != 2 {
		t.Fatalf("calls counter %d, want 2", got)
	}
}

// No span carries a secret: not the bank account number, not a token, not
// key material.
func TestSpansCarryNoSecret(t *testing.T) {
	tm := newTelemetry(t)
	client, srv := sandbox.NewClient(t, ibkr.WithObserver(tm.obs))
	srv.FailNext("createBankInstructions", 1, 429)
	_, err := client.LinkBankAccount(context.Background(), ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := srv.IssueToken(ibkrtest.DemoClientID)
	var all strings.Builder
	for _, s := range tm.spans.Ended() {
		all.WriteString(s.Name() + " " + s.Status().Description)
		for _, kv := range s.Attributes() {
			all.WriteString(" " + string(kv.Key) + "=" + kv.Value.String())
		}
		for _, ev := range s.Events() {
			all.WriteString(" " + ev.Name)
			for _, kv := range ev.Attributes {
				all.WriteString(" " + kv.Value.String())
			}
		}
	}
	if all.Len() == 0 {
		t.Fatal("no spans")
	}
	for _, secret := range []string{"000123456789", "6789", "PRIVATE KEY", "Bearer", tok[:16]} {
		if strings.Contains(all.String(), secret) {
			t.Fatalf("spans contain %q:\n%s", secret, all.String())
		}
	}
}
