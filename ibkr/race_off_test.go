//go:build !race

package ibkr

// raceDetector reports a test binary built with -race (see race_on_test.go).
const raceDetector = false
