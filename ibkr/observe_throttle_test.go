package ibkr

import (
	"net/http"
	"testing"
)

// CallEvent.Throttled counts the 429 answers of a call (ibkrotel's tests
// cover a deposit against the sandbox).
func TestObserverCountsThrottledAnswers(t *testing.T) {
	f := newFake(t)
	rec := &recorder{}
	c := f.newClient(WithObserver(rec), WithRetryPolicy(RetryPolicy{Jitter: maxJitter}))

	f.handle("listEchoHttps", failThen(2, http.StatusTooManyRequests, "1"))
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	if ev := rec.byOp("listEchoHttps"); len(ev) != 1 || ev[0].Throttled != 2 || ev[0].Attempts != 3 || ev[0].StatusCode != 200 {
		t.Fatalf("read events %+v", ev)
	}

	if tok := rec.byOp("generateToken"); len(tok) != 1 || tok[0].Throttled != 0 {
		t.Fatalf("token events %+v", tok)
	}
}
