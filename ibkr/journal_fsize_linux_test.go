package ibkr

import (
	"os/signal"
	"syscall"
)

// limitFileSize sets RLIMIT_FSIZE for this process and ignores SIGXFSZ,
// so that writing past n fails with EFBIG.
func limitFileSize(n int64) error {
	signal.Ignore(syscall.SIGXFSZ)
	return syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: uint64(n), Max: uint64(n)})
}
