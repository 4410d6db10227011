//go:build race

package ibkr

// raceDetector reports a test binary built with -race, whose allocation
// counts run about twice those of a normal build (sync.Pool drops items,
// instrumentation allocates).
const raceDetector = true
