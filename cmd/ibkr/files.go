package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// publishFile moves the finished temporary file tmp (created next to dst
// with os.CreateTemp, so never through a symlink) to dst. With replace,
// it renames over dst: a symlink planted at dst is replaced, never
// followed, and no existing file is truncated in place. Without replace,
// it hard-links tmp to dst, which fails if anything (file, symlink,
// directory) appeared at dst meanwhile, so a file created between the
// caller's existence check and now is never clobbered; on file systems
// without hard links it falls back to a last check and a rename. tmp is
// gone afterwards unless an error is returned.
func publishFile(tmp, dst string, replace bool) error {
	if replace {
		return os.Rename(tmp, dst)
	}
	err := os.Link(tmp, dst)
	switch {
	case err == nil:
		return os.Remove(tmp)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s exists (--force replaces it)", dst)
	}
	if _, lerr := os.Lstat(dst); !errors.Is(lerr, fs.ErrNotExist) {
		return fmt.Errorf("%s exists (--force replaces it)", dst)
	}
	return os.Rename(tmp, dst)
}
