package main

import (
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// clock is the clock the app signs and waits with: the wall clock unless
// a test set app.clk (a machine whose clock is off, or a fake clock shared
// with a sandbox).
func (a *app) clock() ibkr.Clock {
	if a.clk == nil {
		return clock.Real{}
	}
	return a.clk
}

// eastern is US Eastern time, where IBKR keeps its schedules (the ibkr
// package embeds the zone data).
func eastern() *time.Location {
	if loc, err := time.LoadLocation("America/New_York"); err == nil {
		return loc
	}
	return time.UTC
}
