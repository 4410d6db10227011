package pgstore

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed schema.sql
var schemaV1 string

// SchemaVersion is the schema version this package needs.
const SchemaVersion = 1

// migrations[i] brings the schema from version i to i+1.
var migrations = []string{schemaV1}

// Migrate creates or upgrades the store's tables (see schema.sql) in the
// pool's current schema, up to SchemaVersion. It is explicit: New never
// changes the database. Replicas may call it at once; an advisory lock
// makes them take turns, and applied versions are skipped.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// One migration at a time per database (the key spells "ibkr").
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(1768057714)`); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS ibkr_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM ibkr_schema_migrations`).Scan(&have); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		if have > SchemaVersion {
			return fmt.Errorf("pgstore: the database has schema version %d, newer than this package's %d", have, SchemaVersion)
		}
		for v := have; v < SchemaVersion; v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("pgstore: migrating to version %d: %w", v+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO ibkr_schema_migrations (version) VALUES ($1)`, v+1); err != nil {
				return fmt.Errorf("pgstore: migrate: %w", err)
			}
		}
		return nil
	})
}

// checkSchema fails unless the schema is at SchemaVersion.
func checkSchema(ctx context.Context, pool *pgxpool.Pool) error {
	var have int
	err := pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM ibkr_schema_migrations`).Scan(&have)
	if err != nil {
		return fmt.Errorf("pgstore: no schema (call pgstore.Migrate first): %w", err)
	}
	if have != SchemaVersion {
		return fmt.Errorf("pgstore: schema version %d, want %d (call pgstore.Migrate)", have, SchemaVersion)
	}
	return nil
}
