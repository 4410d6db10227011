package ibkr

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
	_ "time/tzdata" // maintenance windows are in US Eastern time; work without system tz data

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Maintenance groups of IBKR's documented downtime; every operation of the
// spec belongs to at most one.
const (
	// MaintenanceAccounts: account endpoints, daily 18:00-18:01 and
	// Wednesdays 18:00-18:30 US Eastern time.
	MaintenanceAccounts = "accounts"
	// MaintenanceBanking: funds and banking endpoints, daily 23:45-00:30,
	// all Saturday and Sunday before 15:00 US Eastern time.
	MaintenanceBanking = "banking"
)

var eastern = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		// Unreachable: time/tzdata is embedded.
		panic("ibkr: no time zone data for America/New_York: " + err.Error())
	}
	return loc
})

// MaintenanceWindowAt reports whether t lies inside a maintenance window of
// group (MaintenanceAccounts or MaintenanceBanking) and, if so, the
// window's bounds. Adjacent windows are merged: for banking, Friday 23:45
// runs on to Sunday 15:00.
func MaintenanceWindowAt(group string, t time.Time) (start, end time.Time, ok bool) {
	loc := eastern()
	lt := t.In(loc)
	if !inWindowWallClock(group, lt) {
		return time.Time{}, time.Time{}, false // the common case, without building spans
	}
	return windowSpanAt(group, t, lt)
}

// windowSpanAt finds the merged window around t (lt is t in Eastern time).
func windowSpanAt(group string, t, lt time.Time) (start, end time.Time, ok bool) {
	loc := lt.Location()
	var spans []span
	for d := -2; d <= 2; d++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()+d, 0, 0, 0, 0, loc)
		spans = append(spans, windowsOn(group, day)...)
	}
	if len(spans) == 0 {
		return time.Time{}, time.Time{}, false
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	merged := []span{spans[0]}
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if !s.start.After(last.end) {
			if s.end.After(last.end) {
				last.end = s.end
			}
			continue
		}
		merged = append(merged, s)
	}
	for _, s := range merged {
		if !t.Before(s.start) && t.Before(s.end) {
			return s.start, s.end, true
		}
	}
	return time.Time{}, time.Time{}, false
}

type span struct{ start, end time.Time }

// inWindowWallClock reports whether the Eastern wall-clock time lt falls
// in one of the windows windowsOn lists; it decides the same as the spans,
// cheaply, for the check made before every request.
func inWindowWallClock(group string, lt time.Time) bool {
	h, m, wd := lt.Hour(), lt.Minute(), lt.Weekday()
	switch group {
	case MaintenanceAccounts:
		return h == 18 && (m < 1 || (wd == time.Wednesday && m < 30))
	case MaintenanceBanking:
		return wd == time.Saturday || (wd == time.Sunday && h < 15) || (h == 23 && m >= 45) || (h == 0 && m < 30)
	}
	return false
}

// windowsOn lists group's windows that start on the Eastern date of day
// (midnight, Eastern).
func windowsOn(group string, day time.Time) []span {
	loc := day.Location()
	y, m, d := day.Date()
	at := func(dd, h, min int) time.Time { return time.Date(y, m, d+dd, h, min, 0, 0, loc) }
	var out []span
	switch group {
	case MaintenanceAccounts:
		out = append(out, span{at(0, 18, 0), at(0, 18, 1)})
		if day.Weekday() == time.Wednesday {
			out = append(out, span{at(0, 18, 0), at(0, 18, 30)})
		}
	case MaintenanceBanking:
		out = append(out, span{at(0, 23, 45), at(1, 0, 30)})
		switch day.Weekday() {
		case time.Saturday:
			out = append(out, span{at(0, 0, 0), at(1, 0, 0)})
		case time.Sunday:
			out = append(out, span{at(0, 0, 0), at(0, 15, 0)})
		}
	}
	return out
}

// maintenanceGate applies the schedule before a request is sent: it fails
// fast with *MaintenanceError, or waits the window out when configured to.
func (c *Client) maintenanceGate(ctx context.Context, op optable.Operation) error {
	if c.maintOff || op.Maintenance == "" {
		return nil
	}
	for {
		now := c.clock.Now()
		start, end, in := MaintenanceWindowAt(op.Maintenance, now)
		if !in {
			return nil
		}
		merr := &MaintenanceError{CallInfo: CallInfo{OperationID: op.ID}, Group: op.Maintenance, Start: start, End: end}
		if !c.maintWait {
			c.log.LogAttrs(ctx, levelDebug, "ibkr maintenance window", attrOp(op.ID), attrTime("until", end))
			return merr
		}
		c.log.LogAttrs(ctx, levelInfo, "ibkr waiting out maintenance window", attrOp(op.ID), attrTime("until", end))
		if err := c.clock.Sleep(ctx, end.Sub(now)); err != nil {
			return fmt.Errorf("%w (gave up waiting: %w)", merr, err)
		}
	}
}
