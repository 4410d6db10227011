package ibkr_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Callback notifications end to end: the sandbox, like IBKR, POSTs every
// status change to the callback URL. IBKR does not authenticate callbacks,
// so the client's handler confirms each one with a query before the
// application sees it (ev.Confirmed), drops repeats, and feeds a Notifier
// that wakes the waiter waiting for the account (the waiter's own poll
// still decides).
func ExampleClient_NewCallbackHandler() {
	var handler http.Handler // set once the client exists
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer cb.Close()

	sb, err := ibkrtest.StartServer(ibkrtest.WithCallbackURL(cb.URL))
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	c, err := sandbox.Client(sb)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	notifier := ibkr.NewNotifier(func(ctx context.Context, ev ibkr.CallbackEvent) error {
		fmt.Println("callback:", ev.Kind, ev.AccountID, ev.AccountStatus, "confirmed:", ev.Confirmed)
		return nil
	})
	handler = c.NewCallbackHandler(notifier.Notify, ibkr.WithCallbackDeduper(ibkr.NewCallbackDeduper(0)))

	reg, err := c.Register(ctx, ibkr.HybridRegistration{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Country: "USA"})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = sb.CompleteTasks(reg.AccountID) // as if the documents had been sent

	st, err := c.WaitForAccountOpen(ctx, reg.AccountID, 72*time.Hour, func(o *ibkr.WaiterOptions) { o.Notifier = notifier })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("waiter:", st.AccountID, st.Status)
	// Output:
	// callback: ACCOUNT_STATUS U1000001 open (O) confirmed: true
	// waiter: U1000001 open (O)
}
