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

// microDepositsPath is the control endpoint of "ibkr sandbox" that tells
// the micro-deposit amounts it sent for an ACH instruction (by IBKR's
// instructionId): what a customer would read off a bank statement. It is
// not part of IBKR's API and only "ibkr sandbox" serves it.
const microDepositsPath = "/ibkrtest/v1/micro-deposits/"

// microDepositsJSON is the control endpoint's answer.
type microDepositsJSON struct {
	InstructionID string `json:"instructionId"`
	Amount1       string `json:"amount1"`
	Amount2       string `json:"amount2"`
	Currency      string `json:"currency"`
}

// withControl serves the control endpoint in front of the sandbox.
func withControl(sb *ibkrtest.Sandbox, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, microDepositsPath)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = io.WriteString(w, `{"error":"GET only"}`+"\n")
			return
		}
		id, err := ibkr.ParseID(rest)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"the path ends with an instructionId, a whole number"}`+"\n")
			return
		}
		a1, a2, ok := sb.MicroDeposits(id)
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"no micro-deposits were sent for this instruction (yet)"}`+"\n")
			return
		}
		_ = json.NewEncoder(w).Encode(microDepositsJSON{InstructionID: id.String(), Amount1: a1.String(), Amount2: a2.String(), Currency: "USD"})
	})
}

// fetchMicroDeposits asks an "ibkr sandbox" at base for the amounts it
// sent; ok is false for any other host or answer.
func fetchMicroDeposits(ctx context.Context, base string, id ibkr.ID) (a1, a2 ibkr.Decimal, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+microDepositsPath+id.String(), nil)
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
	var got microDepositsJSON
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
func announceMicroDeposits(sb *ibkrtest.Sandbox, seen int, report func(id ibkr.ID, a1, a2 ibkr.Decimal)) int {
	notes := sb.Notifications()
	for _, n := range notes[min(seen, len(notes)):] {
		if n.Kind != "instruction" || n.Status != "PENDING_VERIFICATION" {
			continue
		}
		id, err := ibkr.ParseID(n.ID)
		if err != nil {
			continue
		}
		if a1, a2, ok := sb.MicroDeposits(id); ok {
			report(id, a1, a2)
		}
	}
	return len(notes)
}
