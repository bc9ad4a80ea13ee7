-- The decision log keeps each distinct proof once a day, and a record refers to it by its hash:
-- a proof is made once per question and revision and shared by every record that answer
-- proves, and it was most of each record's bytes (measured: about 80%), written, sent and hashed
-- again per record.
--
-- A record written from now on holds `"proof":"sha256:<64 hex digits>"` in its text where its
-- proof was: the SHA-256 of the proof's JSON, which a row of this table for the record's day
-- holds. The record's hash covers that reference, and the reference covers the proof's text.
-- Records written before keep their proof inline, and read and verify as they did.

-- One row per proof and day (UTC), written in the transaction of the first batch of that day
-- whose records refer to it. Partitioned like the records, so that retention drops a day's proofs
-- with the day's records and nothing else refers to them.
CREATE TABLE latch_decision_proofs (
  -- The first instant of the day of the records that refer to it.
  day_start timestamptz NOT NULL,
  -- SHA-256 of proof.
  hash bytea NOT NULL,
  -- The proof's JSON, as the record would hold it inline.
  proof text NOT NULL,
  PRIMARY KEY (day_start, hash)
) PARTITION BY RANGE (day_start);

-- The days the log already has partitions for get theirs, with the same bounds.
DO $$
DECLARE
  day record;
BEGIN
  FOR day IN
    SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'latch_decisions'::regclass
  LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF latch_decision_proofs %s',
      replace(day.relname, 'latch_decisions_', 'latch_decision_proofs_'),
      day.bound
    );
  END LOOP;
END
$$;
