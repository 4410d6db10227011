package ibkr_test

import (
	"context"
	"fmt"
	"os"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// A single process keeps its exactly-once state in a directory: ids,
// journal (with leases) and rate budget.
func ExampleOpenFileStore() {
	dir, _ := os.MkdirTemp("", "ibkr-store")
	defer os.RemoveAll(dir)
	st, err := ibkr.OpenFileStore(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	// A second process (or a second open) is refused.
	if _, err := ibkr.OpenFileStore(dir); err != nil {
		fmt.Println("second open refused")
	}
	ctx := context.Background()
	id, _ := st.Next(ctx)
	_ = st.Begin(ctx, ibkr.JournalEntry{ClientInstructionID: id, Operation: "createExternalCashTransfers", InstructionType: "DEPOSIT",
		Amount: ibkr.MustDecimal("500.00"), Currency: "USD"})
	open, _ := st.Entries(ctx, ibkr.JournalOpen)
	fmt.Println(len(open), "open entry") // pass st to a client: ibkr.New(..., ibkr.WithStore(st))
	// Output:
	// second open refused
	// 1 open entry
}
