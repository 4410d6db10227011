package ibkr

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// maxJitter makes backoff deterministic: always the ceiling.
func maxJitter(d time.Duration) time.Duration { return d }

// gaps returns the time between consecutive requests.
func gaps(reqs []received) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(reqs); i++ {
		out = append(out, reqs[i].at.Sub(reqs[i-1].at))
	}
	return out
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// failThen answers the first n calls with status, then succeeds.
func failThen(n, status int, retryAfter string) func(http.ResponseWriter, *http.Request, received) {
	calls := 0
	return func(w http.ResponseWriter, r *http.Request, rec received) {
		calls++
		if calls <= n {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			problem(w, status, "", "try later")
			return
		}
		if id := rec.instructionID(); id != "" {
			writeJSON(w, successStatus(rec.op), instructionAnswer(id, "PROCESSED", 1))
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true})
	}
}

func TestRetryScheduleExponential(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: 250 * time.Millisecond, MaxDelay: 8 * time.Second, Jitter: maxJitter}))
	f.handle("listEchoHttps", failThen(3, http.StatusServiceUnavailable, ""))
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests("listEchoHttps")
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second}
	if got := gaps(reqs); !equalDurations(got, want) {
		t.Fatalf("retry gaps %v, want %v", got, want)
	}
}

func TestRetryGivesUpAfterMaxAttempts(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		f := newFake(t)
		c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 3, Jitter: maxJitter}))
		f.handle("getInstructions", failThen(100, status, ""))
		_, err := c.Raw().GetInstructionsWithResponse(bg, NewID(42))
		noteErr(err)
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != status || ae.OperationID != "getInstructions" {
			t.Fatalf("status %d: error %v", status, err)
		}
		if n := len(f.requests("getInstructions")); n != 3 {
			t.Fatalf("status %d: %d attempts, want 3", status, n)
		}
	}
}

func TestNoRetryOnDefiniteErrors(t *testing.T) {
	for _, status := range []int{400, 403, 404, 422, 500} {
		f := newFake(t)
		c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 4, Jitter: maxJitter}))
		f.handle("listEchoHttps", failThen(100, status, ""))
		_, err := c.Raw().ListEchoHttpsWithResponse(bg)
		noteErr(err)
		if err == nil {
			t.Fatalf("status %d: no error", status)
		}
		if n := len(f.requests("listEchoHttps")); n != 1 {
			t.Fatalf("status %d retried (%d attempts)", status, n)
		}
	}
}

func TestRetryJitterBounds(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for n := 1; n <= 8; n++ {
		ceiling := min(time.Second, 100*time.Millisecond<<(n-1))
		for i := 0; i < 200; i++ {
			if d := p.backoff(n); d < 0 || d > ceiling {
				t.Fatalf("retry %d: backoff %v outside [0, %v]", n, d, ceiling)
			}
		}
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{Jitter: maxJitter}))
	f.handle("listEchoHttps", failThen(1, http.StatusServiceUnavailable, "7"))
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	if got := gaps(f.requests("listEchoHttps")); !equalDurations(got, []time.Duration{7 * time.Second}) {
		t.Fatalf("gaps %v, want [7s]", got)
	}
	// An HTTP-date Retry-After.
	f2 := newFake(t)
	c2 := f2.newClient(WithRetryPolicy(RetryPolicy{Jitter: maxJitter}))
	f2.handle("listEchoHttps", failThen(1, http.StatusTooManyRequests, harnessStart.Add(12*time.Second).Format(http.TimeFormat)))
	if _, err := c2.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	if got := gaps(f2.requests("listEchoHttps")); !equalDurations(got, []time.Duration{12 * time.Second}) {
		t.Fatalf("gaps %v, want [12s]", got)
	}
}

func TestRetryAfterTooLongEndsRetries(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{MaxRetryAfter: time.Minute}))
	f.handle("listEchoHttps", failThen(1, http.StatusTooManyRequests, "120"))
	_, err := c.Raw().ListEchoHttpsWithResponse(bg)
	wantErr(t, err, ErrRateLimited)
	var ae *APIError
	if !errors.As(err, &ae) || ae.RetryAfter != 2*time.Minute {
		t.Fatalf("error %#v", err)
	}
	if n := len(f.requests("listEchoHttps")); n != 1 {
		t.Fatalf("%d attempts", n)
	}
}

func TestRetryBudgetBoundsAnOutage(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 4, Budget: 3, BudgetRatio: 0.5, Jitter: maxJitter}))
	f.handle("listEchoHttps", failThen(1000, http.StatusServiceUnavailable, ""))
	for i := 0; i < 5; i++ {
		_, err := c.Raw().ListEchoHttpsWithResponse(bg)
		wantErr(t, err, ErrServer)
	}
	// 3 retries for the whole client: 5 calls + 3 = 8 requests, not 20.
	if n := len(f.requests("listEchoHttps")); n != 8 {
		t.Fatalf("%d requests during the outage, want 8", n)
	}
	// Successes earn the budget back: 2 successes × 0.5 = one retry.
	f.handle("listEchoHttps", failThen(0, 0, ""))
	for i := 0; i < 2; i++ {
		if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
			t.Fatal(err)
		}
	}
	f.handle("listEchoHttps", failThen(1000, http.StatusServiceUnavailable, ""))
	before := len(f.requests("listEchoHttps"))
	_, err := c.Raw().ListEchoHttpsWithResponse(bg)
	wantErr(t, err, ErrServer)
	if n := len(f.requests("listEchoHttps")) - before; n != 2 {
		t.Fatalf("%d requests after earning one retry, want 2", n)
	}
}

func TestRetrySleepHonoursContext(t *testing.T) {
	f := newFake(t)
	f.clk.SetAutoAdvance(false)
	c := f.newClient(WithRetryPolicy(RetryPolicy{Jitter: maxJitter}))
	f.handle("listEchoHttps", failThen(100, http.StatusServiceUnavailable, "30"))
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() {
		_, err := c.Raw().ListEchoHttpsWithResponse(ctx)
		done <- err
	}()
	spinUntil(t, "the retry to sleep", func() bool { return f.clk.Sleepers() > 0 })
	cancel()
	err := <-done
	wantErr(t, err, context.Canceled)
	wantErr(t, err, ErrServer)
	if n := len(f.requests("listEchoHttps")); n != 1 {
		t.Fatalf("%d attempts", n)
	}
}

func TestRetriesTakeRateLimitTokens(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRateLimit(2, 1), WithRetryPolicy(RetryPolicy{Jitter: func(time.Duration) time.Duration { return 0 }}))
	f.handle("listEchoHttps", failThen(2, http.StatusBadGateway, ""))
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	// Zero backoff, but each retry waits for the limiter: 2/s.
	want := []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}
	if got := gaps(f.requests("listEchoHttps")); !equalDurations(got, want) {
		t.Fatalf("gaps %v, want %v", got, want)
	}
}

func TestNetworkErrorsRetriedForReads(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{Jitter: maxJitter}))
	calls := 0
	f.handle("getInstructionSets", func(w http.ResponseWriter, r *http.Request, rec received) {
		calls++
		if calls == 1 {
			dropConnection(w)
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true})
	})
	if _, err := c.Raw().GetInstructionSetsWithResponse(bg, NewID(7)); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("%d calls", calls)
	}
}

func TestRetriedQueryGetsFreshInstructionID(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{Jitter: maxJitter}))
	f.handle("createInstructionsQuery", failThen(2, http.StatusServiceUnavailable, ""))
	id, err := c.NewInstructionID(bg)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"instructionType":"QUERY_RECENT_INSTRUCTIONS","instruction":{"clientInstructionId":` + id.String() + `,"accountId":"U1","transactionHistory":{"daysToGoBack":3}}}`
	if _, err := c.Raw().CreateInstructionsQueryWithBodyWithResponse(bg, "application/json", jsonReader(body)); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests("createInstructionsQuery")
	if len(reqs) != 3 {
		t.Fatalf("%d attempts", len(reqs))
	}
	seen := map[string]bool{}
	for i, r := range reqs {
		got := r.instructionID()
		if seen[got] || got == "" {
			t.Fatalf("attempt %d reused id %q", i, got)
		}
		seen[got] = true
	}
	if reqs[0].instructionID() != id.String() {
		t.Fatalf("first attempt id %s, want the caller's %s", reqs[0].instructionID(), id)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := harnessStart
	cases := map[string]time.Duration{
		"":   0,
		"0":  0,
		"-5": 0,
		"3":  3 * time.Second,
		"x":  0,
		now.Add(90 * time.Second).Format(http.TimeFormat):  90 * time.Second,
		now.Add(-90 * time.Second).Format(http.TimeFormat): 0,
		"99999999999": 24 * time.Hour,
	}
	for in, want := range cases {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}
