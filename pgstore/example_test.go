package pgstore_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/pgstore"
)

// Every replica of a service runs this at start-up with the same
// database and IBKR client id.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	if err := pgstore.Migrate(ctx, pool); err != nil { // explicit and versioned; replicas take turns
		log.Fatal(err)
	}
	st, err := pgstore.New(ctx, pool, os.Getenv("IBKR_CLIENT_ID"))
	if err != nil {
		log.Fatal(err)
	}
	c, err := ibkr.New(ibkr.WithStore(st) /* , credentials… */)
	if err != nil {
		log.Fatal(err)
	}
	// Any replica (or all) may reconcile: leases keep them apart and away
	// from requests still in flight.
	go func() {
		for range time.Tick(time.Minute) {
			_, _ = c.ReconcileJournal(ctx, st)
		}
	}()
}
