package flex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

const testToken = "528191644107458877539776"

// fakeFlex is a minimal Flex service for the client's unit tests (the
// sandbox, ibkrtest, is tested against in sandbox_test.go).
type fakeFlex struct {
	t        *testing.T
	clk      *clock.Fake
	srv      *httptest.Server
	requests atomic.Int32
	notReady int32 // GetStatement answers 1019 this many times
	sendCode int   // SendRequest answers this code when set
	getCode  int   // GetStatement answers this code when set
	url      string
	body     string // the statement
	mu       sync.Mutex
	times    []time.Time
	agents   []string
	throttle bool // answer 1018 above 1/s or 10/min
	polls    atomic.Int32
}

func newFakeFlex(t *testing.T) *fakeFlex {
	f := &fakeFlex{t: t, clk: clock.NewFake(time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC)), body: twoAccounts, throttle: true}
	f.clk.SetAutoAdvance(true)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeFlex) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, err := New(testToken, append([]Option{WithBaseURL(f.srv.URL + "/AccountManagement/FlexWebService"), WithClock(f.clk)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func envelopeXML(status, ref, u string, code int, msg string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<FlexStatementResponse timestamp='05 March, 2026 09:15 AM EST'>\n<Status>%s</Status>\n", status)
	if ref != "" {
		fmt.Fprintf(&b, "<ReferenceCode>%s</ReferenceCode>\n<Url>%s</Url>\n", ref, u)
	}
	if code != 0 {
		fmt.Fprintf(&b, "<ErrorCode>%d</ErrorCode>\n<ErrorMessage>%s</ErrorMessage>\n", code, msg)
	}
	return b.String() + "</FlexStatementResponse>\n"
}

func (f *fakeFlex) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	now := f.clk.Now()
	q := r.URL.Query()
	f.mu.Lock()
	f.agents = append(f.agents, r.Header.Get("User-Agent"))
	limited := false
	if f.throttle {
		n := len(f.times)
		if n > 0 && now.Sub(f.times[n-1]) < time.Second {
			limited = true
		}
		if n >= 10 && now.Sub(f.times[n-10]) < time.Minute {
			limited = true
		}
	}
	f.times = append(f.times, now)
	f.mu.Unlock()
	if q.Get("v") != "3" || q.Get("t") != testToken {
		f.t.Errorf("request %s without v=3 or the token", r.URL.Path)
	}
	w.Header().Set("Content-Type", "text/xml;charset=ISO-8859-1")
	if limited {
		io.WriteString(w, envelopeXML("Fail", "", "", 1018, "Too many requests have been made from this token. Please try again shortly."))
		return
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/SendRequest"):
		if f.sendCode != 0 {
			io.WriteString(w, envelopeXML("Fail", "", "", f.sendCode, "injected"))
			return
		}
		u := f.url
		if u == "" {
			u = f.srv.URL + "/AccountManagement/FlexWebService/GetStatement"
		}
		io.WriteString(w, envelopeXML("Success", "1234567890", u, 0, ""))
	case strings.HasSuffix(r.URL.Path, "/GetStatement"):
		if q.Get("q") != "1234567890" {
			io.WriteString(w, envelopeXML("Fail", "", "", 1017, "Reference code is invalid."))
			return
		}
		if f.getCode != 0 {
			io.WriteString(w, envelopeXML("Fail", "", "", f.getCode, "injected"))
			return
		}
		if f.polls.Add(1) <= f.notReady {
			io.WriteString(w, envelopeXML("Warn", "", "", 1019, "Statement generation in progress. Please try again shortly."))
			return
		}
		io.WriteString(w, f.body)
	default:
		http.NotFound(w, r)
	}
}

func TestStatementPollsUntilReady(t *testing.T) {
	f := newFakeFlex(t)
	f.notReady = 3
	c := f.client(t)
	rep, err := c.Fetch(context.Background(), "123456")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Statements) != 2 {
		t.Fatalf("%d statements", len(rep.Statements))
	}
	if got := f.requests.Load(); got != 5 {
		t.Errorf("%d requests, want 1 SendRequest + 4 GetStatement", got)
	}
	for _, ua := range f.agents {
		if ua != DefaultUserAgent {
			t.Errorf("User-Agent %q", ua)
		}
	}
}

func TestEveryErrorCodeIsTyped(t *testing.T) {
	cases := []struct {
		code    int
		classes []error
	}{
		{1001, []error{ErrRetryLater}}, {1003, []error{ErrNoStatement}}, {1004, []error{ErrRetryLater}},
		{1005, []error{ErrRetryLater}}, {1006, []error{ErrRetryLater}}, {1007, []error{ErrRetryLater}},
		{1008, []error{ErrRetryLater}}, {1009, []error{ErrRetryLater}}, {1010, []error{ErrQueryInvalid}},
		{1011, []error{ErrAuth, ErrServiceDisabled}}, {1012, []error{ErrAuth, ErrTokenExpired}},
		{1013, []error{ErrAuth, ErrIPRestricted}}, {1014, []error{ErrQueryInvalid}},
		{1015, []error{ErrAuth, ErrTokenInvalid}}, {1016, []error{ErrQueryInvalid}},
		{1017, []error{ErrReferenceInvalid}}, {1018, []error{ErrThrottled}},
		{1019, []error{ErrRetryLater, ErrNotReady}}, {1020, []error{ErrQueryInvalid}},
		{1021, []error{ErrRetryLater}}, {1025, []error{ErrLockedOut}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			f := newFakeFlex(t)
			f.sendCode = tc.code
			_, err := f.client(t).Fetch(context.Background(), "123456")
			var se *ServiceError
			if !errors.As(err, &se) || se.Code != tc.code || se.Endpoint != "SendRequest" {
				t.Fatalf("err = %v", err)
			}
			for _, cl := range tc.classes {
				if !errors.Is(err, cl) {
					t.Errorf("%v is not %v", err, cl)
				}
			}
			if se.Hint() == "" || !strings.Contains(err.Error(), se.Hint()) {
				t.Errorf("no hint in %q", err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Error("the token is in the error")
			}
			want := int32(1)
			if se.Retryable() || tc.code == 1018 {
				want = 2 // one more attempt, then give up
			}
			if got := f.requests.Load(); got != want {
				t.Errorf("%d SendRequests, want %d", got, want)
			}
		})
	}
}

func TestGetStatementErrorStopsPolling(t *testing.T) {
	f := newFakeFlex(t)
	f.getCode = 1012
	_, err := f.client(t).Fetch(context.Background(), "123456")
	if !errors.Is(err, ErrTokenExpired) || !errors.Is(err, ErrAuth) || f.polls.Load() != 0 || f.requests.Load() != 2 {
		t.Fatalf("err = %v after %d requests", err, f.requests.Load())
	}
}

func TestMaxWait(t *testing.T) {
	f := newFakeFlex(t)
	f.notReady = 1 << 30
	start := f.clk.Now()
	_, err := f.client(t).Fetch(context.Background(), "123456", MaxWait(2*time.Minute))
	var te *TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrNotReady) || te.Polls < 3 {
		t.Fatalf("err = %v", err)
	}
	if waited := f.clk.Now().Sub(start); waited > 2*time.Minute+2*time.Second {
		t.Errorf("waited %v", waited)
	}
}

func TestContextCancelStopsPolling(t *testing.T) {
	f := newFakeFlex(t)
	f.notReady = 1 << 30
	ctx, cancel := context.WithCancel(context.Background())
	c := f.client(t)
	go func() {
		for f.polls.Load() < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Fetch(ctx, "123456", MaxWait(1000*time.Hour))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestURLFromAnswer(t *testing.T) {
	f := newFakeFlex(t)
	c := f.client(t)
	for in, want := range map[string]string{
		"": c.getURL,
		"https://gdcdyn.interactivebrokers.com/AccountManagement/FlexWebService/GetStatement?x=1": "https://gdcdyn.interactivebrokers.com/AccountManagement/FlexWebService/GetStatement",
		"https://evil.example.com/AccountManagement/FlexWebService/GetStatement":                  c.getURL,
		"http://gdcdyn.interactivebrokers.com/AccountManagement/FlexWebService/GetStatement":      c.getURL,
		"https://interactivebrokers.com.evil.example/GetStatement":                                c.getURL,
		"https://gdcdyn.interactivebrokers.com/somewhere/else":                                    c.getURL,
		f.srv.URL + "/other/GetStatement":                                                         f.srv.URL + "/other/GetStatement",
	} {
		if got := c.statementURL(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	// A foreign Url in the answer is ignored: the statement still comes
	// from the configured host.
	f.url = "https://evil.example.com/GetStatement"
	if _, err := c.Fetch(context.Background(), "123456"); err != nil {
		t.Fatal(err)
	}
}

func TestRedirectsOnlyToAllowedHosts(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the token was sent to another host: %s", r.URL.Path)
	}))
	defer other.Close()
	f := newFakeFlex(t)
	redir := httptest.NewServer(http.RedirectHandler(other.URL+"/GetStatement", http.StatusFound))
	defer redir.Close()
	c, err := New(testToken, WithBaseURL(redir.URL), WithClock(f.clk))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Fetch(context.Background(), "123456")
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v", err)
	}
}

func TestBadInputSendsNothing(t *testing.T) {
	f := newFakeFlex(t)
	base := WithBaseURL(f.srv.URL)
	for _, tc := range []struct {
		name  string
		token string
		opts  []Option
		query string
		req   []RequestOption
		field string
	}{
		{"empty token", "", nil, "123456", nil, "token"},
		{"token with space", "5281916441 07458877539776", nil, "123456", nil, "token"},
		{"token too long", strings.Repeat("1", 65), nil, "123456", nil, "token"},
		{"query 5 digits", testToken, nil, "12345", nil, "queryID"},
		{"query 8 digits", testToken, nil, "12345678", nil, "queryID"},
		{"query name", testToken, nil, "Balances", nil, "queryID"},
		{"http not loopback", testToken, []Option{WithBaseURL("http://ndcdyn.interactivebrokers.com/AccountManagement/FlexWebService")}, "123456", nil, "baseURL"},
		{"ftp", testToken, []Option{WithBaseURL("ftp://127.0.0.1/x")}, "123456", nil, "baseURL"},
		{"relative", testToken, []Option{WithBaseURL("/AccountManagement")}, "123456", nil, "baseURL"},
		{"inverted range", testToken, nil, "123456", []RequestOption{DateRange(Date{2026, 3, 5}, Date{2026, 3, 4})}, "dateRange"},
		{"range over 365 days", testToken, nil, "123456", []RequestOption{DateRange(Date{2025, 1, 1}, Date{2026, 1, 2})}, "dateRange"},
		{"half a range", testToken, nil, "123456", []RequestOption{DateRange(Date{2025, 1, 1}, Date{})}, "dateRange"},
		{"period and range", testToken, nil, "123456", []RequestOption{Period(5), DateRange(Date{2026, 1, 1}, Date{2026, 1, 2})}, "period"},
		{"period 366", testToken, nil, "123456", []RequestOption{Period(366)}, "period"},
		{"zero max wait", testToken, nil, "123456", []RequestOption{MaxWait(0)}, "maxWait"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.token, append([]Option{base, WithClock(f.clk)}, tc.opts...)...)
			if err == nil {
				_, err = c.Fetch(context.Background(), tc.query, tc.req...)
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tc.field || !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("err = %v, want an InputError on %s", err, tc.field)
			}
			if tc.token != "" && strings.Contains(err.Error(), tc.token) {
				t.Errorf("the token is in the error: %v", err)
			}
		})
	}
	if n := f.requests.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	// A 365-day range and loopback http are fine.
	if _, err := New(testToken, WithBaseURL("http://localhost:1/x")); err != nil {
		t.Error(err)
	}
	c := f.client(t)
	if _, err := c.request("1234567", []RequestOption{DateRange(Date{2025, 1, 1}, Date{2026, 1, 1})}); err != nil {
		t.Error(err)
	}
}

func TestTransportErrorsHideTheToken(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	c, err := New(testToken, WithBaseURL(u))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Fetch(context.Background(), "123456")
	if err == nil {
		t.Fatal("no error")
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, testToken) {
			t.Fatalf("the token is in %q", s)
		}
	}
}

func TestAnswersThatAreNotFlex(t *testing.T) {
	for name, tc := range map[string]struct {
		status int
		body   string
		want   error
	}{
		"html 404": {404, "<html><body>404 Page Not Found</body></html>", ErrBadResponse},
		"html 200": {200, "<!DOCTYPE html><html></html>", ErrBadResponse},
		"csv":      {200, "\"BOF\",\"U1\"\n", ErrNotXML},
		"empty":    {200, "", ErrBadResponse},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeFlex(t)
			mux := http.NewServeMux()
			mux.HandleFunc("/x/SendRequest", func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, envelopeXML("Success", "1234567890", "", 0, ""))
			})
			mux.HandleFunc("/x/GetStatement", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			c, err := New(testToken, WithBaseURL(srv.URL+"/x"), WithClock(f.clk))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Fetch(context.Background(), "123456")
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestStatementSizeBound(t *testing.T) {
	f := newFakeFlex(t)
	c := f.client(t, WithMaxStatementBytes(100))
	_, err := c.Fetch(context.Background(), "123456")
	if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
}

// TestThrottleBurst: 20 concurrent callers on one token (two clients, so
// the limit is shared) never trip the fake's 1/s and 10/min check.
func TestThrottleBurst(t *testing.T) {
	f := newFakeFlex(t)
	f.notReady = 5
	c1, c2 := f.client(t), f.client(t)
	for _, err := range RunConcurrently(20, func(i int) error {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		_, err := c.Fetch(context.Background(), "123456", MaxWait(2*time.Hour))
		return err
	}) {
		if err != nil {
			t.Error(err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 1; i < len(f.times); i++ {
		if d := f.times[i].Sub(f.times[i-1]); d < time.Second {
			t.Fatalf("requests %d and %d %v apart", i-1, i, d)
		}
		if i >= 10 && f.times[i].Sub(f.times[i-10]) < time.Minute {
			t.Fatalf("11 requests within a minute at %d", i)
		}
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	f := newFakeFlex(t)
	var logs strings.Builder
	c := f.client(t, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if _, err := c.Fetch(context.Background(), "123456"); err != nil {
		t.Fatal(err)
	}
	f.sendCode = 1015
	_, err := c.Fetch(context.Background(), "123456")
	var js strings.Builder
	slog.New(slog.NewJSONHandler(&js, nil)).Info("client", "c", c)
	slog.New(slog.NewTextHandler(&js, nil)).Info("client", "c", c)
	b, _ := json.Marshal(c)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprint(*c), logs.String(), js.String(), string(b),
		err.Error(), fmt.Sprintf("%+v %#v", err, err)} {
		if strings.Contains(s, testToken) {
			t.Fatalf("the token is in %q", s)
		}
	}
	if !strings.Contains(logs.String(), "flex: GetStatement") {
		t.Errorf("debug log %q", logs.String())
	}
}

// RunConcurrently calls fn(0) to fn(n-1) at once and returns their
// errors (exported for the sandbox tests of package flex_test).
func RunConcurrently(n int, fn func(i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	return errs
}
