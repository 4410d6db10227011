package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, "500.00"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"linked bank account", ": PENDING",
		"verification: PENDING_VERIFICATION",
		"micro-deposits confirmed: PROCESSED",
		"deposit: PROCESSED (",
		"status lookups by the tracker)",
		"balance of U1234567: 500.00 USD (withdrawable 500.00)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "000123456789") {
		t.Error("output shows the bank account number")
	}
}

func TestRunRefusesBadAmount(t *testing.T) {
	for _, amount := range []string{"12.345.6", "1.234", "-5.00"} {
		var out strings.Builder
		err := run(context.Background(), &out, amount)
		if err == nil {
			t.Fatalf("amount %q accepted", amount)
		}
		if out.Len() != 0 {
			t.Fatalf("amount %q: refused only after doing something:\n%s", amount, out.String())
		}
		var in *ibkr.InputError
		if amount != "12.345.6" && !errors.As(err, &in) {
			t.Fatalf("amount %q: %v is not an *ibkr.InputError", amount, err)
		}
	}
}
