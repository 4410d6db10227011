package ibkr

import (
	"errors"
	"slices"
	"testing"
)

var allStatuses = []AccountStatus{
	StatusAbandoned, StatusNew, StatusOpen, StatusClosed,
	StatusPending, StatusRejected, StatusReopenPending, StatusMigrationPending,
}

func TestAccountStatusTransitions(t *testing.T) {
	// IBKR's documented table of status changes.
	documented := map[[2]AccountStatus]bool{}
	for _, p := range []string{
		"NP", "NR", "PR", "AP", "OC", "EO",
		"NO", "NA", "PA", "AO", "CO", "QR",
		"PO", "AN", "AR", "CE", "QO",
	} {
		documented[[2]AccountStatus{AccountStatus(p[:1]), AccountStatus(p[1:])}] = true
	}
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			want := documented[[2]AccountStatus{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	if CanTransition("Z", StatusOpen) || CanTransition(StatusOpen, "Z") {
		t.Error("unknown statuses must not transition")
	}
	next := StatusClosed.Transitions()
	slices.Sort(next)
	if !slices.Equal(next, []AccountStatus{StatusReopenPending, StatusOpen}) {
		t.Errorf("C.Transitions() = %v", next)
	}
	next[0] = StatusRejected // must not alias the table
	if CanTransition(StatusClosed, StatusRejected) {
		t.Error("Transitions() exposed the internal table")
	}
}

func TestAccountStatusPredicates(t *testing.T) {
	tests := []struct {
		s                       AccountStatus
		open, pending, terminal bool
		text                    string
	}{
		{StatusAbandoned, false, false, false, "abandoned (A)"},
		{StatusNew, false, true, false, "new (N)"},
		{StatusOpen, true, false, false, "open (O)"},
		{StatusClosed, false, false, false, "closed (C)"},
		{StatusPending, false, true, false, "pending (P)"},
		{StatusRejected, false, false, true, "rejected (R)"},
		{StatusReopenPending, false, true, false, "reopen pending (E)"},
		{StatusMigrationPending, false, true, false, "migration pending (Q)"},
		{"W", false, false, false, "W"},
	}
	for _, tt := range tests {
		if got := tt.s.Open(); got != tt.open {
			t.Errorf("%s.Open() = %v", tt.s, got)
		}
		if got := tt.s.Pending(); got != tt.pending {
			t.Errorf("%s.Pending() = %v", tt.s, got)
		}
		if got := tt.s.Terminal(); got != tt.terminal {
			t.Errorf("%s.Terminal() = %v", tt.s, got)
		}
		if got := tt.s.String(); got != tt.text {
			t.Errorf("String() = %q, want %q", got, tt.text)
		}
	}
}

func TestParseAccountStatus(t *testing.T) {
	for _, s := range allStatuses {
		got, err := ParseAccountStatus(string(s))
		if err != nil || got != s {
			t.Errorf("ParseAccountStatus(%s) = %v, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "o", "W", "OPEN", "AN"} {
		_, err := ParseAccountStatus(bad)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "status" || !errors.Is(err, ErrAccountStatus) {
			t.Errorf("ParseAccountStatus(%q) = %v", bad, err)
		}
	}
}
