package ibkr

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestWaitForAccountOpenSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	reg, err := c.Register(ctx, hybridJane())
	if err != nil {
		t.Fatal(err)
	}
	// Nothing happens while documents are missing.
	_, err = c.WaitForAccountOpen(ctx, reg.AccountID, 2*time.Hour)
	wantErr(t, err, ErrTimeout)
	var te *WaitTimeoutError
	if !errors.As(err, &te) || te.Attempts < 2 {
		t.Fatalf("timeout %+v", err)
	}
	if last, ok := te.Last.(*AccountStatusInfo); !ok || last.State != StateDocumentsRequired {
		t.Fatalf("last seen %#v", te.Last)
	}

	// Once the tasks are done, IBKR reviews and opens the account after
	// a business day; a poll failing meanwhile does not end the wait.
	if err := srv.CompleteTasks(reg.AccountID); err != nil {
		t.Fatal(err)
	}
	srv.FailNext("getAccountsStatus", 1, http.StatusInternalServerError)
	var polls int
	st, err := c.WaitForAccountOpen(ctx, reg.AccountID, 72*time.Hour, func(o *WaiterOptions) {
		o.OnPoll = func(int, any, error) { polls++ }
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusOpen || st.Opened.IsZero() || polls < 2 {
		t.Fatalf("status %+v after %d polls", st, polls)
	}

	// A rejected application ends the wait at once.
	second := hybridJane()
	second.ExternalID = "cust-0002"
	reg2, err := c.Register(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetAccountStatus(reg2.AccountID, ibkrtest.AccountRejected); err != nil {
		t.Fatal(err)
	}
	_, err = c.WaitForAccountOpen(ctx, reg2.AccountID, time.Hour)
	wantErr(t, err, ErrRejected)
	var se *AccountStatusError
	if !errors.As(err, &se) || se.Status != StatusRejected || se.AccountID != reg2.AccountID {
		t.Fatalf("error %v", err)
	}
	// An abandoned one too, without claiming a rejection.
	if _, err := c.UpdateAccount(ctx, AbandonApplication{AccountID: reg.AccountID}); err == nil {
		t.Fatal("abandoned an open account")
	}
	third := hybridJane()
	third.ExternalID = "cust-0003"
	reg3, err := c.Register(ctx, third)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAccount(ctx, AbandonApplication{AccountID: reg3.AccountID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.WaitForAccountOpen(ctx, reg3.AccountID, time.Hour)
	if !errors.As(err, &se) || se.Status != StatusAbandoned || errors.Is(err, ErrRejected) {
		t.Fatalf("abandoned: %v", err)
	}
	_, err = c.WaitForAccountOpen(ctx, "nope", time.Hour)
	wantErr(t, err, ErrInvalidInput)
}
