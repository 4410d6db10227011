package main

import (
	"context"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// clock is the wall clock the app signs with: time.Now unless a test set
// app.now (to simulate a machine whose clock is off).
func (a *app) clock() ibkr.Clock {
	if a.now == nil {
		return clock.Real{}
	}
	return offsetClock{now: a.now}
}

type offsetClock struct{ now func() time.Time }

func (c offsetClock) Now() time.Time { return c.now() }

func (c offsetClock) Sleep(ctx context.Context, d time.Duration) error {
	return clock.Real{}.Sleep(ctx, d)
}
