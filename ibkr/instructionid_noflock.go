//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ibkr

import (
	"errors"
	"os"
	"runtime"
)

func lockFile(*os.File) error {
	return errors.New("file locking is not supported on " + runtime.GOOS + "; use another InstructionIDAllocator")
}

func unlockFile(*os.File) {}

func syncDir(string) error { return nil }
