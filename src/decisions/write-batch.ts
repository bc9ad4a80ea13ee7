// One batch of decision records committed: chained to the batch before it, and announced to watchers.

import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { batchHash, HASH_BYTES } from "./chain-hash.js";

/** DECISIONS_CHANNEL is the NOTIFY channel a committed batch announces its seq on. */
export const DECISIONS_CHANNEL = "latch_decisions";

/** BatchRecord is one record ready to write: its text, hash and the columns copied from it. */
export interface BatchRecord {
  readonly decidedAt: string;
  readonly decisionId: string;
  readonly kind: string;
  readonly apiKey: string | null;
  readonly subject: string;
  readonly actors: readonly string[];
  readonly resource: string;
  readonly permission: string;
  readonly result: string | null;
  /** The record's canonical JSON. */
  readonly text: string;
  readonly hash: Buffer;
}

/**
 * INSERT_BATCH writes a batch's records, its batch row and the chain's new head in one statement
 * (one round trip, whatever the batch's size): the records come as one array per column.
 */
const INSERT_BATCH = `WITH records AS (
  INSERT INTO latch_decisions (decided_at, decision_id, batch_seq, position, kind, api_key, subject, actors, resource, permission, result, record)
  SELECT u.decided_at, u.decision_id, $1::bigint, u.ord - 1, u.kind, u.api_key, u.subject,
    ARRAY(SELECT json_array_elements_text(u.actors)), u.resource, u.permission, u.result, u.record
  FROM unnest($2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::json[], $8::text[], $9::text[], $10::text[], $11::json[])
    WITH ORDINALITY AS u(decided_at, decision_id, kind, api_key, subject, actors, resource, permission, result, record, ord)
), batch AS (
  INSERT INTO latch_decision_batches (first_at, seq, last_at, decision_ids, record_hashes, prev_hash, hash)
  VALUES (($2::timestamptz[])[1], $1::bigint, $12::timestamptz, $3::uuid[], $13::bytea, $14::bytea, $15::bytea)
), head AS (
  UPDATE latch_decision_chain SET seq = $1::bigint, hash = $15::bytea
)
SELECT pg_notify('${DECISIONS_CHANNEL}', $1::bigint::text)`;

/**
 * writeBatch commits records (all of one UTC day, in the order given) as the next batch of the
 * chain, and returns its seq. The transaction locks the chain's head first, so that batches from
 * every replica commit one at a time in seq order, each chained to the one before.
 */
export async function writeBatch(
  db: SqlExecutor,
  records: readonly BatchRecord[],
): Promise<number> {
  const hashes = Buffer.concat(
    records.map((r) => r.hash),
    records.length * HASH_BYTES,
  );
  const ids = records.map((r) => r.decisionId);
  return db.transaction(async (tx) => {
    const [head] = await tx.query("SELECT seq, hash FROM latch_decision_chain FOR UPDATE");
    const seq = Number(head?.seq) + 1;
    const hash = batchHash(Buffer.from(head?.hash as Uint8Array), ids, hashes);
    const column = <T>(pick: (r: BatchRecord) => T) => records.map(pick);
    await tx.query(INSERT_BATCH, [
      seq,
      column((r) => r.decidedAt),
      ids,
      column((r) => r.kind),
      column((r) => r.apiKey),
      column((r) => r.subject),
      column((r) => JSON.stringify(r.actors)),
      column((r) => r.resource),
      column((r) => r.permission),
      column((r) => r.result),
      column((r) => r.text),
      records[records.length - 1]!.decidedAt,
      hashes,
      Buffer.from(head?.hash as Uint8Array),
      hash,
    ]);
    return seq;
  });
}

/**
 * batchCommitted says whether the batch that begins with the record of id and time committed:
 * after a write whose outcome is unknown (the connection was lost during its commit), so that a
 * retry neither loses the batch nor writes it twice.
 */
export async function batchCommitted(db: SqlExecutor, first: BatchRecord): Promise<boolean> {
  const rows = await db.query(
    "SELECT 1 FROM latch_decisions WHERE decided_at = $1 AND decision_id = $2",
    [first.decidedAt, first.decisionId],
  );
  return rows.length > 0;
}
