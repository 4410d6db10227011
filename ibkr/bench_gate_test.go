package ibkr

import (
	"testing"
	"time"
)

// The wall-clock shortcut MaintenanceWindowAt takes before every request
// must decide exactly as the window spans do: every minute (alternately on
// the minute and a nanosecond before it) of a week and a day from the
// Monday before each 2025 DST change, and of a plain week.
func TestMaintenanceShortcutAgreesWithSpans(t *testing.T) {
	loc := eastern()
	starts := []time.Time{
		time.Date(2025, 3, 3, 0, 0, 0, 0, loc),   // spring forward on 9 March
		time.Date(2025, 10, 27, 0, 0, 0, 0, loc), // fall back on 2 November
		time.Date(2025, 6, 2, 0, 0, 0, 0, loc),
	}
	for _, group := range []string{MaintenanceAccounts, MaintenanceBanking} {
		for _, s := range starts {
			for m := 0; m < 8*24*60; m++ {
				at := s.Add(time.Duration(m)*time.Minute - time.Nanosecond*time.Duration(m%2))
				lt := at.In(loc)
				_, _, slow := windowSpanAt(group, at, lt)
				if fast := inWindowWallClock(group, lt); fast != slow {
					t.Fatalf("%s at %s: shortcut says %v, spans say %v", group, lt.Format(time.RFC3339Nano), fast, slow)
				}
			}
		}
	}
}

// BenchmarkMaintenanceGate is the schedule check made before every
// request, outside a window (the common case).
func BenchmarkMaintenanceGate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, in := MaintenanceWindowAt(MaintenanceBanking, harnessStart); in {
			b.Fatal("in a window")
		}
	}
}
