-- The store's identity and retention: what consistency tokens are bound to, and what garbage
-- collection has removed.

-- One row: the store id that tokens carry (a token from another store is refused) and the oldest
-- revision still readable and watchable. Garbage collection locks this row, so that one replica
-- at a time collects.
CREATE TABLE latch_store (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  store_id text NOT NULL CHECK (store_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  oldest_revision bigint NOT NULL DEFAULT 0
);

INSERT INTO latch_store (singleton, store_id)
VALUES (true, replace(gen_random_uuid()::text, '-', ''));

-- When each revision committed (the database's clock): garbage collection keeps the newest
-- revision committed before the retention window and everything after it.
CREATE TABLE latch_commits (
  revision bigint PRIMARY KEY,
  committed_at timestamptz NOT NULL
);

-- A database written before this migration: its revisions count as committed now.
INSERT INTO latch_commits (revision, committed_at)
SELECT revision, now() FROM latch_revision WHERE revision > 0;

-- The versions garbage collection removes: retired ones, and expired ones already logged.
CREATE INDEX latch_relationships_retired ON latch_relationships (deleted_rev)
  WHERE deleted_rev IS NOT NULL;

CREATE INDEX latch_relationships_expired ON latch_relationships (expires_at)
  WHERE expires_at IS NOT NULL AND expiry_logged;
