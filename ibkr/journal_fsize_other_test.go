//go:build !linux

package ibkr

import "errors"

func limitFileSize(int64) error { return errors.New("not supported here") }
