-- ibkr-go pgstore schema, version 1. Migrate applies it (in the pool's
-- current schema, i.e. its search_path); it is kept here for review and
-- for DBAs who apply migrations themselves. Every table is keyed by the
-- IBKR OAuth client id, so one database can serve several.

-- Applied migrations.
CREATE TABLE IF NOT EXISTS ibkr_schema_migrations (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- The clientInstructionId high-water mark per IBKR client id.
CREATE TABLE ibkr_ids (
    client_id text PRIMARY KEY,
    last      numeric(20,0) NOT NULL
);

-- The journal of money-moving requests, one row per clientInstructionId.
-- state NULL: begun, no outcome yet (in flight, or its sender died).
CREATE TABLE ibkr_journal (
    client_id             text          NOT NULL,
    client_instruction_id numeric(20,0) NOT NULL,
    seq                   bigserial     NOT NULL,
    operation             text          NOT NULL,
    instruction_type      text          NOT NULL DEFAULT '',
    account_id            text          NOT NULL DEFAULT '',
    amount                numeric,
    currency              text          NOT NULL DEFAULT '',
    summary               text          NOT NULL DEFAULT '',
    body                  text,
    begun_at              timestamptz   NOT NULL,
    state                 text CHECK (state IN ('accepted', 'rejected', 'not_sent', 'unknown')),
    status                text          NOT NULL DEFAULT '',
    instruction_id        numeric(20,0),
    code                  text          NOT NULL DEFAULT '',
    message               text          NOT NULL DEFAULT '',
    finished_at           timestamptz,
    lease_owner           text,
    lease_until           timestamptz,
    PRIMARY KEY (client_id, client_instruction_id)
);
CREATE INDEX ibkr_journal_pending ON ibkr_journal (client_id, seq)
    WHERE state IS NULL OR state = 'unknown';
CREATE INDEX ibkr_journal_settled ON ibkr_journal (client_id, finished_at)
    WHERE state IS NOT NULL AND state <> 'unknown';

-- The shared rate budget: per endpoint, the theoretical arrival time of
-- the next request (GCRA). UNLOGGED: after a database crash the budget
-- simply starts afresh.
CREATE UNLOGGED TABLE ibkr_rate (
    client_id text        NOT NULL,
    endpoint  text        NOT NULL,
    tat       timestamptz NOT NULL,
    PRIMARY KEY (client_id, endpoint)
);
