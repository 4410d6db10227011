package clock

import (
	"context"
	"testing"
	"time"
)

func TestFakeSleepWakesOnAdvance(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f := NewFake(start)
	done := make(chan error, 1)
	go func() { done <- f.Sleep(context.Background(), 10*time.Second) }()
	for f.Sleepers() == 0 {
		time.Sleep(time.Millisecond)
	}
	f.Advance(9 * time.Second)
	select {
	case <-done:
		t.Fatal("woke before its deadline")
	default:
	}
	f.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	if got := f.Now().Sub(start); got != 10*time.Second {
		t.Fatalf("elapsed %v, want 10s", got)
	}
}

func TestFakeAutoAdvanceAndCancel(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	f.SetAutoAdvance(true)
	if err := f.Sleep(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if f.Now() != time.Unix(60, 0) || f.Slept() != time.Minute {
		t.Fatalf("now %v slept %v", f.Now(), f.Slept())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestFakeAdvanceToNext(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	if f.AdvanceToNext() {
		t.Fatal("no sleeper, yet advanced")
	}
	done := make(chan struct{})
	go func() { _ = f.Sleep(context.Background(), 5*time.Second); close(done) }()
	for f.Sleepers() == 0 {
		time.Sleep(time.Millisecond)
	}
	if !f.AdvanceToNext() {
		t.Fatal("did not advance")
	}
	<-done
	if f.Now() != time.Unix(5, 0) {
		t.Fatalf("now %v", f.Now())
	}
}

// Concurrent sleepers on an auto-advancing clock wake in deadline order
// and the clock ends at the latest deadline, not at the sum of the sleeps.
func TestFakeAutoAdvanceConcurrentSleepers(t *testing.T) {
	start := time.Unix(0, 0)
	f := NewFake(start)
	const n = 20
	done := make(chan struct{})
	for i := 1; i <= n; i++ {
		go func() {
			d := time.Duration(i) * time.Second
			_ = f.Sleep(context.Background(), d)
			if got := f.Now().Sub(start); got < d {
				t.Errorf("slept %v, woke at %v", d, got)
			}
			done <- struct{}{}
		}()
	}
	for f.Sleepers() < n {
		time.Sleep(time.Millisecond)
	}
	f.SetAutoAdvance(true)
	for range n {
		<-done
	}
	if got := f.Now().Sub(start); got != n*time.Second {
		t.Fatalf("clock at %v after sleeps of 1..%d s, want %v", got, n, n*time.Second)
	}
}
