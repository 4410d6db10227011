package ibkr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// et builds a US Eastern wall-clock time.
func et(y int, m time.Month, d, h, min, sec int) time.Time {
	return time.Date(y, m, d, h, min, sec, 0, eastern())
}

func TestMaintenanceWindowEdges(t *testing.T) {
	// 2025-01-14 is a Tuesday in EST (UTC-5); 2025-07-15 a Tuesday in EDT
	// (UTC-4). Each case is checked in both seasons by shifting the date.
	type tc struct {
		name       string
		group      string
		day        int // offset in days from the Tuesday
		h, m, s    int
		in         bool
		endDay     int
		endH, endM int
	}
	cases := []tc{
		{"accounts before daily", MaintenanceAccounts, 0, 17, 59, 59, false, 0, 0, 0},
		{"accounts daily start", MaintenanceAccounts, 0, 18, 0, 0, true, 0, 18, 1},
		{"accounts daily last second", MaintenanceAccounts, 0, 18, 0, 59, true, 0, 18, 1},
		{"accounts daily end", MaintenanceAccounts, 0, 18, 1, 0, false, 0, 0, 0},
		{"accounts Wednesday start", MaintenanceAccounts, 1, 18, 0, 0, true, 1, 18, 30},
		{"accounts Wednesday 18:01", MaintenanceAccounts, 1, 18, 1, 0, true, 1, 18, 30},
		{"accounts Wednesday last second", MaintenanceAccounts, 1, 18, 29, 59, true, 1, 18, 30},
		{"accounts Wednesday end", MaintenanceAccounts, 1, 18, 30, 0, false, 0, 0, 0},
		{"accounts Saturday noon", MaintenanceAccounts, 4, 12, 0, 0, false, 0, 0, 0},
		{"banking before nightly", MaintenanceBanking, 0, 23, 44, 59, false, 0, 0, 0},
		{"banking nightly start", MaintenanceBanking, 0, 23, 45, 0, true, 1, 0, 30},
		{"banking after midnight", MaintenanceBanking, 1, 0, 29, 59, true, 1, 0, 30},
		{"banking nightly end", MaintenanceBanking, 1, 0, 30, 0, false, 0, 0, 0},
		{"banking Friday night runs into the weekend", MaintenanceBanking, 3, 23, 45, 0, true, 5, 15, 0},
		{"banking Friday before", MaintenanceBanking, 3, 23, 44, 59, false, 0, 0, 0},
		{"banking Saturday 00:00", MaintenanceBanking, 4, 0, 0, 0, true, 5, 15, 0},
		{"banking Saturday noon", MaintenanceBanking, 4, 12, 0, 0, true, 5, 15, 0},
		{"banking Sunday last second", MaintenanceBanking, 5, 14, 59, 59, true, 5, 15, 0},
		{"banking Sunday 15:00", MaintenanceBanking, 5, 15, 0, 0, false, 0, 0, 0},
		{"banking Sunday night", MaintenanceBanking, 5, 23, 45, 0, true, 6, 0, 30},
		{"banking Monday noon", MaintenanceBanking, 6, 12, 0, 0, false, 0, 0, 0},
		{"no group", "", 4, 12, 0, 0, false, 0, 0, 0},
	}
	for _, season := range []struct {
		name   string
		y      int
		m      time.Month
		d      int
		offset int // hours from UTC
	}{{"EST", 2025, time.January, 14, -5}, {"EDT", 2025, time.July, 15, -4}} {
		for _, c := range cases {
			t.Run(season.name+"/"+c.name, func(t *testing.T) {
				at := et(season.y, season.m, season.d+c.day, c.h, c.m, c.s)
				if _, off := at.Zone(); off != season.offset*3600 {
					t.Fatalf("zone offset %d, want %dh", off, season.offset)
				}
				_, end, in := MaintenanceWindowAt(c.group, at)
				if in != c.in {
					t.Fatalf("%v (%v UTC): in=%v, want %v", at, at.UTC(), in, c.in)
				}
				if in {
					want := et(season.y, season.m, season.d+c.endDay, c.endH, c.endM, 0)
					if !end.Equal(want) {
						t.Fatalf("ends %v, want %v", end, want)
					}
				}
				// The same instant in UTC gives the same answer.
				if _, _, in2 := MaintenanceWindowAt(c.group, at.UTC()); in2 != in {
					t.Fatal("answer depends on the time's location")
				}
			})
		}
	}
}

func TestMaintenanceAcrossDSTChanges(t *testing.T) {
	// Sunday 9 March 2025: clocks go forward at 02:00; the Sunday window
	// still ends at 15:00 EDT (19:00 UTC).
	_, end, in := MaintenanceWindowAt(MaintenanceBanking, time.Date(2025, 3, 9, 6, 30, 0, 0, time.UTC)) // 01:30 EST
	if !in || !end.Equal(time.Date(2025, 3, 9, 19, 0, 0, 0, time.UTC)) {
		t.Fatalf("spring forward: in=%v end=%v", in, end.UTC())
	}
	// Sunday 2 November 2025: clocks go back; 15:00 EST is 20:00 UTC.
	_, end, in = MaintenanceWindowAt(MaintenanceBanking, time.Date(2025, 11, 2, 19, 59, 59, 0, time.UTC))
	if !in || !end.Equal(time.Date(2025, 11, 2, 20, 0, 0, 0, time.UTC)) {
		t.Fatalf("fall back: in=%v end=%v", in, end.UTC())
	}
	// Accounts: 18:00 EDT is 22:00 UTC, 18:00 EST is 23:00 UTC.
	if _, _, in := MaintenanceWindowAt(MaintenanceAccounts, time.Date(2025, 7, 15, 22, 0, 30, 0, time.UTC)); !in {
		t.Fatal("18:00:30 EDT not in the accounts window")
	}
	if _, _, in := MaintenanceWindowAt(MaintenanceAccounts, time.Date(2025, 1, 14, 22, 0, 30, 0, time.UTC)); in {
		t.Fatal("17:00:30 EST in the accounts window")
	}
	if _, _, in := MaintenanceWindowAt(MaintenanceAccounts, time.Date(2025, 1, 14, 23, 0, 30, 0, time.UTC)); !in {
		t.Fatal("18:00:30 EST not in the accounts window")
	}
}

func TestMaintenanceFailsFast(t *testing.T) {
	f := newFake(t)
	sat := et(2025, time.March, 15, 12, 0, 0)
	f.clk.Set(sat)
	c := f.newClient()
	_, err := deposit(c, bg, "0")
	wantErr(t, err, ErrMaintenance)
	var me *MaintenanceError
	if !errors.As(err, &me) || !me.End.Equal(et(2025, time.March, 16, 15, 0, 0)) || me.Group != MaintenanceBanking {
		t.Fatalf("error %#v", err)
	}
	if !strings.Contains(err.Error(), "2025-03-16 15:00 EDT") {
		t.Fatalf("the error must say when the window ends: %v", err)
	}
	if f.tokenCount.Load() != 0 || len(f.requests("")) != 0 {
		t.Fatal("a request was sent during maintenance")
	}
	// Endpoints outside the group are not affected.
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	// Nor with the schedule turned off.
	c2 := f.newClient(WithoutMaintenanceWindows())
	if _, err := deposit(c2, bg, "0"); err != nil {
		t.Fatal(err)
	}
}

func TestMaintenanceWaits(t *testing.T) {
	f := newFake(t)
	start := et(2025, time.March, 12, 18, 10, 0) // Wednesday, accounts window until 18:30
	f.clk.Set(start)
	c := f.newClient(WithMaintenance(true))
	if _, err := c.Raw().ListAccountsWithResponse(bg, nil); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests("listAccounts")
	if len(reqs) != 1 || !reqs[0].at.Equal(et(2025, time.March, 12, 18, 30, 0)) {
		t.Fatalf("sent at %v, want at the window's end", reqs[0].at)
	}
}
