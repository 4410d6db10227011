// Package pgstore keeps ibkr-go's exactly-once state in PostgreSQL (through
// github.com/jackc/pgx/v5), so that several replicas of a service share
// one truth: the clientInstructionId allocator, the journal of
// money-moving requests, the leases that let exactly one replica reconcile
// a pending request, and the per-endpoint rate budget. Programs that do
// not import this package do not link pgx.
package pgstore
