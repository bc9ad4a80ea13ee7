// One batch of decision records committed: chained to the batch before it, and announced to watchers.

import { CopyChunks, copyRow } from "../store/postgres/copy-text.js";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { batchHash, HASH_BYTES, recordHash } from "./chain-hash.js";

/** DECISIONS_CHANNEL is the NOTIFY channel a committed batch announces its seq on. */
export const DECISIONS_CHANNEL = "latch_decisions";

/** RecordColumns are the columns copied from a record, for the filters. */
export interface RecordColumns {
  readonly decidedAt: string;
  readonly decisionId: string;
  readonly kind: string;
  readonly apiKey: string | null;
  readonly subject: string;
  readonly actors: readonly string[];
  readonly resource: string;
  readonly permission: string;
  readonly result: string | null;
}

/** PreparedRecord is one record ready to write: its text and the columns copied from it. */
export interface PreparedRecord extends RecordColumns {
  /** The record's JSON text, as stored and hashed. */
  readonly text: string;
}

/** The columns COPY fills, in the order copyRow writes them. */
const COPY_TARGET =
  "latch_decisions (decided_at, decision_id, batch_seq, position, kind, api_key, subject, actors, resource, permission, result, record)";

/** CLOSE_BATCH writes the batch row and the chain's new head, and announces the batch, in one statement. */
const CLOSE_BATCH = `WITH batch AS (
  INSERT INTO latch_decision_batches (first_at, seq, last_at, decision_ids, record_hashes, prev_hash, hash)
  VALUES ($2::timestamptz, $1::bigint, $3::timestamptz, $4::uuid[], $5::bytea, $6::bytea, $7::bytea)
), head AS (
  UPDATE latch_decision_chain SET seq = $1::bigint, hash = $7::bytea
)
SELECT pg_notify('${DECISIONS_CHANNEL}', $1::bigint::text)`;

/**
 * writeBatch commits records (all of one UTC day, in the order given) as the next batch of the
 * chain, and returns its seq: the records by COPY, then the batch row and the chain's head in one
 * statement. The transaction locks the head first, so that batches from every replica commit one
 * at a time in seq order, each chained to the one before.
 */
export async function writeBatch(
  db: SqlExecutor,
  records: readonly PreparedRecord[],
): Promise<number> {
  const hashes = Buffer.concat(
    records.map((r) => recordHash(r.text)),
    records.length * HASH_BYTES,
  );
  const ids = records.map((r) => r.decisionId);
  return db.transaction(async (tx) => {
    const [head] = await tx.query("SELECT seq, hash FROM latch_decision_chain FOR UPDATE");
    const seq = Number(head?.seq) + 1;
    const previous = Buffer.from(head?.hash as Uint8Array);
    const batchSeq = String(seq);
    const rows = new CopyChunks();
    records.forEach((r, position) => {
      rows.add(
        copyRow([
          r.decidedAt,
          r.decisionId,
          batchSeq,
          String(position),
          r.kind,
          r.apiKey,
          r.subject,
          arrayLiteral(r.actors),
          r.resource,
          r.permission,
          r.result,
          r.text,
        ]),
      );
    });
    await tx.copyFrom!(COPY_TARGET, rows.done());
    await tx.query(CLOSE_BATCH, [
      seq,
      records[0]!.decidedAt,
      records[records.length - 1]!.decidedAt,
      ids,
      hashes,
      previous,
      batchHash(previous, ids, hashes),
    ]);
    return seq;
  });
}

/** arrayLiteral writes a text[] value, each element quoted (with `"` and `\\` escaped). */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

/**
 * batchCommitted says whether the batch that begins with the record of id and time committed:
 * after a write whose outcome is unknown (the connection was lost during its commit), so that a
 * retry neither loses the batch nor writes it twice.
 */
export async function batchCommitted(db: SqlExecutor, first: RecordColumns): Promise<boolean> {
  const rows = await db.query(
    "SELECT 1 FROM latch_decisions WHERE decided_at = $1 AND decision_id = $2",
    [first.decidedAt, first.decisionId],
  );
  return rows.length > 0;
}
