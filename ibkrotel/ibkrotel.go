// Package ibkrotel reports the calls of an ibkr.Client to OpenTelemetry: a
// span per call and counters of calls, retries, 429 answers and unknown
// outcomes. It is optional and kept apart from package ibkr, which logs
// through log/slog only and depends on no telemetry library: a program
// that does not import ibkrotel does not link OpenTelemetry.
//
//	obs, err := ibkrotel.New() // the global TracerProvider and MeterProvider
//	client, err := ibkr.New(..., ibkr.WithObserver(obs))
//
// Every span is named after the spec's operationId (e.g.
// "createExternalCashTransfers") and carries
//
//	ibkr.operation_id            the operationId
//	http.response.status_code    the status of the last answer, if one came
//	ibkr.attempts                HTTP requests sent for the call
//	ibkr.retries                 retries of a read-only call
//	ibkr.resends                 resends of a state-changing call with its same id
//	ibkr.throttled               429 answers received during the call
//	ibkr.rate_limit_wait         seconds spent waiting for the client's own rate limiter
//	ibkr.reconciled              the answer was recovered by looking the id up
//	ibkr.outcome_unknown         the call may or may not have taken effect
//	ibkr.client_instruction_id   the call's clientInstructionId, if it has one
//
// and an error status with the error's message when the call failed (the
// package's errors carry no secrets). Nothing else is recorded: no
// header, body, token, key, account number or amount.
//
// The counters, with the attributes ibkr.operation_id and ibkr.outcome
// (ok, error, outcome_unknown):
//
//	ibkr.client.calls            calls made
//	ibkr.client.retries          requests sent again: a call's HTTP requests beyond its first, or its
//	                             retries plus resends if more (a resend after a 429 or a lost answer
//	                             is a call of its own, resuming the first with the same id)
//	ibkr.client.throttled        429 answers
//	ibkr.client.outcome_unknown  calls whose outcome is unknown (ErrOutcomeUnknown)
package ibkrotel

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/ibkrweb/ibkr-go/ibkrotel"

// Attribute keys of spans and counters.
const (
	AttrOperationID         = attribute.Key("ibkr.operation_id")
	AttrStatusCode          = attribute.Key("http.response.status_code")
	AttrAttempts            = attribute.Key("ibkr.attempts")
	AttrRetries             = attribute.Key("ibkr.retries")
	AttrResends             = attribute.Key("ibkr.resends")
	AttrThrottled           = attribute.Key("ibkr.throttled")
	AttrRateLimitWait       = attribute.Key("ibkr.rate_limit_wait")
	AttrReconciled          = attribute.Key("ibkr.reconciled")
	AttrOutcomeUnknown      = attribute.Key("ibkr.outcome_unknown")
	AttrClientInstructionID = attribute.Key("ibkr.client_instruction_id")
	AttrOutcome             = attribute.Key("ibkr.outcome")
)

// Outcomes, the values of AttrOutcome.
const (
	OutcomeOK      = "ok"
	OutcomeError   = "error"
	OutcomeUnknown = "outcome_unknown"
)

// Option configures an Observer.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider sets the TracerProvider (otel.GetTracerProvider() by
// default).
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets the MeterProvider (otel.GetMeterProvider() by
// default).
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// Observer is an ibkr.CallObserver that traces and counts calls; pass it
// to ibkr.WithObserver. It is safe for concurrent use and may serve
// several clients.
type Observer struct {
	tracer    trace.Tracer
	calls     metric.Int64Counter
	retries   metric.Int64Counter
	throttled metric.Int64Counter
	unknown   metric.Int64Counter
}

var _ ibkr.CallObserver = (*Observer)(nil)

// New builds an Observer on the given (or the global) providers.
func New(opts ...Option) (*Observer, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	meter := c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(ibkr.Version))
	o := &Observer{tracer: c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(ibkr.Version))}
	var err error
	if o.calls, err = meter.Int64Counter("ibkr.client.calls", metric.WithUnit("{call}"),
		metric.WithDescription("Calls made by the IBKR client")); err != nil {
		return nil, err
	}
	if o.retries, err = meter.Int64Counter("ibkr.client.retries", metric.WithUnit("{request}"),
		metric.WithDescription("Requests sent again: retries of read-only calls and resends of state-changing ones")); err != nil {
		return nil, err
	}
	if o.throttled, err = meter.Int64Counter("ibkr.client.throttled", metric.WithUnit("{response}"),
		metric.WithDescription("429 Too Many Requests answers received")); err != nil {
		return nil, err
	}
	if o.unknown, err = meter.Int64Counter("ibkr.client.outcome_unknown", metric.WithUnit("{call}"),
		metric.WithDescription("State-changing calls whose outcome is unknown (ErrOutcomeUnknown)")); err != nil {
		return nil, err
	}
	return o, nil
}

// CallStart starts the call's span.
func (o *Observer) CallStart(ctx context.Context, operationID string) context.Context {
	ctx, _ = o.tracer.Start(ctx, operationID,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(AttrOperationID.String(operationID)))
	return ctx
}

// CallEnd records the call's facts on its span, ends it, and counts.
func (o *Observer) CallEnd(ctx context.Context, ev ibkr.CallEvent) {
	outcome := OutcomeOK
	switch {
	case ev.OutcomeUnknown:
		outcome = OutcomeUnknown
	case ev.Err != nil:
		outcome = OutcomeError
	}
	span := trace.SpanFromContext(ctx)
	if span.IsRecording() {
		attrs := []attribute.KeyValue{
			AttrAttempts.Int(ev.Attempts),
			AttrRetries.Int(ev.Retries),
			AttrResends.Int(ev.Resends),
			AttrThrottled.Int(ev.Throttled),
			AttrRateLimitWait.Float64(ev.RateLimitWait.Seconds()),
			AttrReconciled.Bool(ev.Reconciled),
			AttrOutcomeUnknown.Bool(ev.OutcomeUnknown),
		}
		if ev.StatusCode != 0 {
			attrs = append(attrs, AttrStatusCode.Int(ev.StatusCode))
		}
		if !ev.ClientInstructionID.IsZero() {
			attrs = append(attrs, AttrClientInstructionID.String(ev.ClientInstructionID.String()))
		}
		span.SetAttributes(attrs...)
		if ev.Err != nil {
			span.SetStatus(codes.Error, ev.Err.Error())
		}
	}
	span.End()

	set := metric.WithAttributeSet(attribute.NewSet(AttrOperationID.String(ev.OperationID), AttrOutcome.String(outcome)))
	o.calls.Add(ctx, 1, set)
	if n := max(ev.Attempts-1, ev.Retries+ev.Resends); n > 0 {
		o.retries.Add(ctx, int64(n), set)
	}
	if ev.Throttled > 0 {
		o.throttled.Add(ctx, int64(ev.Throttled), set)
	}
	if ev.OutcomeUnknown {
		o.unknown.Add(ctx, 1, set)
	}
}
