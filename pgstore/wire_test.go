package pgstore

import (
	"context"
	"testing"

	"github.com/ibkrweb/ibkr-go/wire"
)

// wire.Decimal and wire.ID go in and out of NUMERIC, text and BIGINT
// columns exactly, through pgx's own protocol.
func TestWireTypesThroughPgx(t *testing.T) {
	pool, _ := testSchema(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE money (amount NUMERIC(38,18), amount_text TEXT, id NUMERIC(20,0), small BIGINT)`); err != nil {
		t.Fatal(err)
	}
	amounts := []string{"500.00", "-0.000000000000000001", "9223372036854775807", "12.30"}
	ids := []string{"1", "18446744073709551615", "99999999999999999999", "1733000000000000123"}
	for i := range amounts {
		a, id := wire.MustDecimal(amounts[i]), wire.MustID(ids[i])
		if _, err := pool.Exec(ctx, `INSERT INTO money VALUES ($1, $2, $3, $4)`, a, a, id, int64(i+1)); err != nil {
			t.Fatalf("insert %s/%s: %v", a, id, err)
		}
		var ga, gt wire.Decimal
		var gid, gsmall wire.ID
		err := pool.QueryRow(ctx, `SELECT amount, amount_text, id, small FROM money WHERE id = $1`, id).Scan(&ga, &gt, &gid, &gsmall)
		if err != nil {
			t.Fatalf("select %s: %v", id, err)
		}
		if !ga.Equal(a) || gt != a || gid != id || gsmall != wire.NewID(uint64(i+1)) {
			t.Errorf("round trip: got %s %s %s %s, want %s %s %s %d", ga, gt, gid, gsmall, a, a, id, i+1)
		}
	}
	// Arithmetic in the database stays exact and reads back exactly.
	var sum wire.Decimal
	if err := pool.QueryRow(ctx, `SELECT sum(amount) FROM money WHERE amount BETWEEN 1 AND 1000`).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if !sum.Equal(wire.MustDecimal("512.30")) {
		t.Errorf("sum = %s, want 512.30", sum)
	}
}
