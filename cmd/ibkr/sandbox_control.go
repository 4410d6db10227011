package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// fetchMicroDeposits asks an "ibkr sandbox" at base for the amounts it
// sent; ok is false for any other host or answer.
func fetchMicroDeposits(ctx context.Context, base string, id ibkr.InstructionID) (a1, a2 ibkr.Decimal, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+ibkrtest.MicroDepositsPath+id.String(), nil)
	if err != nil {
		return a1, a2, false
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return a1, a2, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return a1, a2, false
	}
	var got ibkrtest.MicroDepositsView
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&got); err != nil || got.InstructionID != id.String() {
		return a1, a2, false
	}
	a1, err1 := ibkr.ParseDecimal(got.Amount1)
	a2, err2 := ibkr.ParseDecimal(got.Amount2)
	if err1 != nil || err2 != nil || ibkr.ValidateMicroDepositAmount("amount1", a1) != nil || ibkr.ValidateMicroDepositAmount("amount2", a2) != nil {
		return ibkr.Decimal{}, ibkr.Decimal{}, false
	}
	return a1, a2, true
}

// announceMicroDeposits reports every micro-deposit pair the sandbox sends
// (new PENDING_VERIFICATION notifications since the last call), through
// report; seen is the number of notifications already looked at.
func announceMicroDeposits(sb *ibkrtest.Sandbox, seen int, report func(id ibkr.InstructionID, a1, a2 ibkr.Decimal)) int {
	notes := sb.Notifications()
	for _, n := range notes[min(seen, len(notes)):] {
		if n.Kind != "instruction" || n.Status != "PENDING_VERIFICATION" {
			continue
		}
		id, err := ibkr.ParseID(n.ID)
		if err != nil {
			continue
		}
		if a1, a2, ok := sb.MicroDeposits(ibkr.InstructionID{ID: id}); ok {
			report(ibkr.InstructionID{ID: id}, a1, a2)
		}
	}
	return len(notes)
}
