package ibkr

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// hugeStatus streams a well-formed account-status answer of about n bytes
// (a description padded with n spaces), without a Content-Length unless
// withLength.
func hugeStatus(n int, withLength bool) func(w http.ResponseWriter, r *http.Request, rec received) {
	return func(w http.ResponseWriter, r *http.Request, rec received) {
		head := `{"accountId":"U1234567","status":"O","description":"`
		tail := `"}`
		w.Header().Set("Content-Type", "application/json")
		if withLength {
			w.Header().Set("Content-Length", strconv.Itoa(len(head)+n+len(tail)))
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, head)
		chunk := bytes.Repeat([]byte{' '}, 64<<10)
		for left := n; left > 0; left -= len(chunk) {
			if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, tail)
	}
}

func wantTooLarge(t *testing.T, err error, op string) {
	t.Helper()
	var tl *ResponseTooLargeError
	if !errors.Is(err, ErrResponseTooLarge) || !errors.As(err, &tl) || tl.OperationID != op {
		t.Fatalf("error %T %v, want a *ResponseTooLargeError of %s", err, err, op)
	}
}

// A 2xx answer larger than its class's limit is a typed error, through the
// facade and Raw() alike, and is not read whole: a 128 MiB answer costs a
// fraction of itself in allocations.
func TestResponseBodiesAreBounded(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	ctx := context.Background()
	f.handle("getAccountsStatus", hugeStatus(128<<20, false))

	_, err := c.AccountStatus(ctx, "U1234567")
	wantTooLarge(t, err, "getAccountsStatus")

	// Not read whole: with a 1 MiB limit, the refused 128 MiB answer costs
	// a few MiB of allocations, server side included (main read it all:
	// 397 MiB allocated).
	tight := f.newClient(WithResponseLimits(ResponseLimits{JSON: 1 << 20}))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = tight.AccountStatus(ctx, "U1234567")
	runtime.ReadMemStats(&after)
	wantTooLarge(t, err, "getAccountsStatus")
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a refused 128 MiB answer (1 MiB limit) allocated %.1f MiB", float64(alloc)/(1<<20))
	if alloc > 48<<20 {
		t.Errorf("a refused 128 MiB answer allocated %d MiB", alloc>>20)
	}

	_, err = c.Raw().GetAccountsStatusWithResponse(ctx, "U1234567")
	wantTooLarge(t, err, "getAccountsStatus")

	// A declared Content-Length over the limit fails before reading.
	f.handle("getAccountsStatus", hugeStatus(int(DefaultResponseLimits.JSON), true))
	_, err = c.AccountStatus(ctx, "U1234567")
	wantTooLarge(t, err, "getAccountsStatus")

	// The limit is configurable; an answer under it passes.
	small := f.newClient(WithResponseLimits(ResponseLimits{JSON: 4 << 10}))
	f.handle("getAccountsStatus", hugeStatus(8<<10, false))
	_, err = small.AccountStatus(ctx, "U1234567")
	wantTooLarge(t, err, "getAccountsStatus")
	f.handle("getAccountsStatus", hugeStatus(1<<10, false))
	if st, err := small.AccountStatus(ctx, "U1234567"); err != nil || st.AccountID != "U1234567" {
		t.Fatalf("answer under the limit: %+v %v", st, err)
	}
}

// The token endpoint's answer is bounded too, and so is the access token
// the client would send as a header with every call.
func TestTokenAnswerIsBounded(t *testing.T) {
	for name, tc := range map[string]struct {
		token string
		check func(t *testing.T, err error)
	}{
		"128 KiB answer": {strings.Repeat("a", 128<<10), func(t *testing.T, err error) { wantTooLarge(t, err, "generateToken") }},
		"9 KiB token": {strings.Repeat("a", 9<<10), func(t *testing.T, err error) {
			var ae *APIError
			if !errors.As(err, &ae) || !strings.Contains(ae.Message, "access_token") {
				t.Fatalf("error %v, want an *APIError about the access_token", err)
			}
		}},
		"token with a newline": {"abc\r\nX-Evil: 1", func(t *testing.T, err error) {
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v, want an *APIError", err)
			}
		}},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.tokenFn = func(w http.ResponseWriter, r *http.Request) bool {
				writeJSON(w, http.StatusOK, map[string]any{"access_token": tc.token, "token_type": "Bearer", "expires_in": 3600})
				return true
			}
			c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			_, err := c.AccountStatus(context.Background(), "U1234567")
			tc.check(t, err)
			if n := len(f.requests("")); n != 0 {
				t.Fatalf("%d API requests went out with the refused token", n)
			}
		})
	}
}

// Statements stream under the document limit, which is separate from (and
// far above) the JSON one.
func TestDocumentLimitIsItsOwn(t *testing.T) {
	f := newFake(t)
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 64<<10)...)
	f.handle("createStatements", func(w http.ResponseWriter, r *http.Request, rec received) {
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write(pdf)
	})
	req := StatementRequest{AccountID: "U1234567", Range: DailyStatement(harnessStart.AddDate(0, 0, -1)), RawPDF: true}
	c := f.newClient(WithResponseLimits(ResponseLimits{JSON: 1 << 10}))
	var buf bytes.Buffer
	if _, err := c.Statement(context.Background(), &buf, req); err != nil || !bytes.Equal(buf.Bytes(), pdf) {
		t.Fatalf("statement under the document limit: %v (%d bytes)", err, buf.Len())
	}
	c = f.newClient(WithResponseLimits(ResponseLimits{Document: 32 << 10}))
	_, err := c.Statement(context.Background(), io.Discard, req)
	wantTooLarge(t, err, "createStatements")
}

// Raw() path values "." and ".." would be resolved away and reach another
// endpoint (GET /accounts/./status became the account list): they are
// refused before anything is sent, naming the path.
func TestRawRefusesDotPathValues(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	ctx := context.Background()
	calls := map[string]func(v string) error{
		"GetAccountsStatus":  func(v string) error { _, err := c.Raw().GetAccountsStatusWithResponse(ctx, v); return err },
		"GetAccountsTasks":   func(v string) error { _, err := c.Raw().GetAccountsTasksWithResponse(ctx, v, nil); return err },
		"GetAccountsDetails": func(v string) error { _, err := c.Raw().GetAccountsDetailsWithResponse(ctx, v); return err },
	}
	for name, call := range calls {
		for _, v := range []string{".", ".."} {
			err := call(v)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != "path" || !errors.Is(err, ErrInvalidInput) {
				t.Errorf("%s(%q): %v, want an *InputError naming the path", name, v, err)
			}
		}
	}
	if n := len(f.requests("")) + int(f.tokenCount.Load()); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
	// A real value goes through.
	if _, err := c.Raw().GetAccountsStatusWithResponse(ctx, "U1234567"); errors.Is(err, ErrInvalidInput) {
		t.Fatalf("a valid Raw call refused: %v", err)
	}
	if len(f.requests("getAccountsStatus")) != 1 {
		t.Fatal("the valid Raw call was not sent")
	}
}
