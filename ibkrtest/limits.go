package ibkrtest

import (
	"sync"
	"time"
	_ "time/tzdata" // US Eastern must resolve on machines without zoneinfo

	"golang.org/x/time/rate"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

var (
	etOnce sync.Once
	etLoc  *time.Location
)

// eastern returns America/New_York (IBKR's schedules are in US Eastern).
func eastern() *time.Location {
	etOnce.Do(func() {
		loc, err := time.LoadLocation("America/New_York")
		if err != nil {
			loc = time.FixedZone("ET", -5*3600)
		}
		etLoc = loc
	})
	return etLoc
}

// inWindow reports whether t falls in a downtime window of group.
func inWindow(group string, t time.Time) bool {
	lt := t.In(eastern())
	h, m, wd := lt.Hour(), lt.Minute(), lt.Weekday()
	switch group {
	case optable.MaintenanceAccounts:
		if h == 18 && m < 1 {
			return true
		}
		return wd == time.Wednesday && h == 18 && m < 30
	case optable.MaintenanceBanking:
		if wd == time.Saturday || (wd == time.Sunday && h < 15) {
			return true
		}
		return (h == 23 && m >= 45) || (h == 0 && m < 30)
	}
	return false
}

// inMaintenance reports whether now is inside a window of group and, if
// so, when the (merged) window ends.
func inMaintenance(group string, now time.Time) (bool, time.Time) {
	if !inWindow(group, now) {
		return false, time.Time{}
	}
	t := now.Truncate(time.Minute)
	for i := 0; i < 3*24*60; i++ {
		t = t.Add(time.Minute)
		if !inWindow(group, t) {
			return true, t
		}
	}
	return true, t
}

// InMaintenance reports whether the operation would be refused at the
// sandbox's current time because of a downtime window (regardless of
// whether windows are switched on).
func (s *Sandbox) InMaintenance(operationID string) bool {
	op, ok := optable.ByID(operationID)
	if !ok || op.Maintenance == "" {
		return false
	}
	in, _ := inMaintenance(op.Maintenance, s.clk.Now())
	return in
}

// SetMaintenance switches the downtime windows on or off.
func (s *Sandbox) SetMaintenance(on bool) { s.maintenance.Store(on) }

// SetRateLimit changes the per-endpoint rate limit and resets every
// endpoint's allowance; perSecond <= 0 switches limiting off.
func (s *Sandbox) SetRateLimit(perSecond float64, burst int) {
	s.limMu.Lock()
	defer s.limMu.Unlock()
	if perSecond <= 0 {
		s.rateLim = rate.Inf
	} else {
		s.rateLim = rate.Limit(perSecond)
	}
	s.rateB = burst
	s.limiters = map[string]*rate.Limiter{}
}

// allow takes one request from the endpoint's allowance, on the sandbox
// clock. When refused it says how long until the next one is allowed. The
// time is read again under the lock, so concurrent requests reach the
// limiter in time order (a request that read the clock earlier but takes
// the lock later would otherwise be charged in the past).
func (s *Sandbox) allow(opID string, now time.Time) (bool, time.Duration) {
	s.limMu.Lock()
	defer s.limMu.Unlock()
	if t := s.clk.Now(); t.After(now) {
		now = t
	}
	if s.rateLim == rate.Inf {
		return true, 0
	}
	lim := s.limiters[opID]
	if lim == nil {
		lim = rate.NewLimiter(s.rateLim, max(s.rateB, 1))
		s.limiters[opID] = lim
	}
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}
