-- The decision log: every decision answered, appended in batches, each batch chained to the one
-- before it by a SHA-256, in tables partitioned by day (UTC) so that retention drops whole days.
--
-- The partitions themselves are made by the writer, a day or two ahead (see
-- src/decisions/decision-partitions.ts), and dropped by retention: this migration makes only the
-- partitioned parents and the chain's head.

-- One row per decision. `record` is the whole record as JSON (the text whose SHA-256 its
-- batch holds, and what GetDecision and export return); the columns beside it are copies of its
-- fields for the filters, which verification checks against the record.
CREATE TABLE latch_decisions (
  -- The decision's time, in milliseconds: the time in its id (a UUIDv7).
  decided_at timestamptz NOT NULL,
  decision_id uuid NOT NULL,
  -- The batch that wrote it, and its place in the batch (from 0).
  batch_seq bigint NOT NULL,
  position integer NOT NULL,
  -- `check`, `lookup_resources` or `lookup_subjects`.
  kind text COLLATE "C" NOT NULL,
  -- The API key's name; NULL in development mode (no key configured).
  api_key text COLLATE "C",
  -- `user:alice`, `group:eng#member`; for LookupSubjects the subject type asked for (`user`).
  subject text COLLATE "C" NOT NULL,
  -- The agents acting for the subject, nearest first; empty for a plain check.
  actors text[] COLLATE "C" NOT NULL,
  -- `document:plan`; for LookupResources the resource type asked for (`document`).
  resource text COLLATE "C" NOT NULL,
  permission text COLLATE "C" NOT NULL,
  -- `allowed`, `denied` or `conditional`; NULL for lookups.
  result text COLLATE "C",
  -- json, not jsonb: the text comes back exactly as written, which its hash needs.
  record json NOT NULL,
  UNIQUE (decided_at, decision_id)
) PARTITION BY RANGE (decided_at);

-- Filters that name a subject or a resource (or a type: a range of the same index), newest first.
CREATE INDEX latch_decisions_subject ON latch_decisions (subject, decided_at);
CREATE INDEX latch_decisions_resource ON latch_decisions (resource, decided_at);
CREATE INDEX latch_decisions_actors ON latch_decisions USING gin (actors);
-- Verification and WatchDecisions read in batch order.
CREATE INDEX latch_decisions_batch ON latch_decisions (batch_seq, position);

-- One row per batch, in the day partition of its records (a batch never spans two days). Its hash
-- is SHA-256(prev_hash || for each record: its id's 16 bytes || SHA-256 of its record text), and
-- prev_hash is the hash of the batch before it in seq order: changing, removing or reordering a
-- record, or a batch, breaks the chain from there on.
CREATE TABLE latch_decision_batches (
  first_at timestamptz NOT NULL,
  seq bigint NOT NULL,
  last_at timestamptz NOT NULL,
  decision_ids uuid[] NOT NULL,
  record_hashes bytea NOT NULL,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL,
  UNIQUE (seq, first_at)
) PARTITION BY RANGE (first_at);

-- Where a watch or a verification from a time starts: the first batch holding a record of then.
CREATE INDEX latch_decision_batches_last_at ON latch_decision_batches (last_at);

-- The head of the chain. Every batch's transaction locks this row first, so that batches from
-- every replica commit one at a time, in seq order: seq order is commit order (WatchDecisions
-- follows it), and each batch chains to the one committed before it.
CREATE TABLE latch_decision_chain (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- The newest batch and its hash (0 and 32 zero bytes before the first).
  seq bigint NOT NULL,
  hash bytea NOT NULL,
  -- Retention's mark: the newest batch it dropped, and that batch's hash, which the oldest batch
  -- kept chains to. Verification starts here.
  dropped_seq bigint NOT NULL,
  dropped_hash bytea NOT NULL
);

INSERT INTO latch_decision_chain (singleton, seq, hash, dropped_seq, dropped_hash)
VALUES (true, 0, decode(repeat('00', 32), 'hex'), 0, decode(repeat('00', 32), 'hex'));
