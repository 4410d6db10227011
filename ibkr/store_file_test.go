package ibkr_test

import (
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkr/storetest"
)

// The file store passes the store contract.
func TestFileStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ibkr.Store {
		s, err := ibkr.OpenFileStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}, storetest.Config{RatePerSecond: ibkr.DefaultRatePerSecond})
}
