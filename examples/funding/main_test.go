package main

import (
	"context"
	"strings"
	"testing"
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
	if err := run(context.Background(), new(strings.Builder), "12.345.6"); err == nil {
		t.Fatal("bad amount accepted")
	}
}
