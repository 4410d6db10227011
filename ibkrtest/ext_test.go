package ibkrtest_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// The state added for login messages, trade confirmations and recorded
// maintenance requests survives SaveState/LoadState, and the controls
// refuse unknown accounts.
func TestExtensionStateRoundTrip(t *testing.T) {
	a, err := ibkrtest.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.AddLoginMessage(ibkrtest.DemoAccountID, "W8INFO", "expired", 5001); err != nil {
		t.Fatal(err)
	}
	if err := a.AddTradeConfirmation(ibkrtest.DemoAccountID, a.Now().Add(-24*time.Hour), "BOT 1 X"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddLoginMessage("U9999999", "W8INFO", "x"); err == nil {
		t.Fatal("login message for an unknown account")
	}
	if _, err := a.AddLoginMessage(ibkrtest.DemoAccountID, "", "x"); err == nil {
		t.Fatal("login message without a type")
	}
	if err := a.AddTradeConfirmation("U9999999", a.Now()); err == nil {
		t.Fatal("trade confirmation for an unknown account")
	}
	var buf bytes.Buffer
	if err := a.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"loginMessages"`, `"tradeConfirmations"`, `W8INFO`, `BOT 1 X`} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Fatalf("saved state lacks %s", want)
		}
	}
	b, err := ibkrtest.NewHandler(ibkrtest.WithoutDemoAccount())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := b.SaveState(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatal("state changed across save and load")
	}
	if len(b.MaintenanceRequests()) != 0 {
		t.Fatal("maintenance requests out of nowhere")
	}
}
