//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ibkr

import (
	"errors"
	"os"
	"runtime"
)

// oNoFollow is not available here; symbolic links are refused by an
// Lstat before opening (refuseSymlink).
const oNoFollow = 0

var errWouldBlock = errors.New("file is locked")

func lockFile(*os.File) error {
	return errors.New("file locking is not supported on " + runtime.GOOS + "; use another InstructionIDAllocator")
}

func tryLockFile(f *os.File) error { return lockFile(f) }

func unlockFile(*os.File) {}

func syncDir(string) error { return nil }
