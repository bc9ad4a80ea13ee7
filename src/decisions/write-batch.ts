// One batch of decision records committed: chained to the batch before it, and announced to watchers.

import { COPY_NULL, copyField } from "../store/postgres/copy-text.js";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { batchHash, HASH_BYTES, writeRecordHash } from "./chain-hash.js";
import type { Day } from "./decision-partitions.js";
import type { QuestionText } from "./record-head.js";
import type { RecordText } from "./redaction.js";
import { insertProofs, type StoredProof, storedProof } from "./stored-proof.js";

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

/**
 * PreparedRecord is one record ready to write, kept as bytes: its hash, then its COPY row from
 * `decided_at` on (batch_seq and position are known only when its batch is written). Bytes live
 * outside the JavaScript heap, so a record waiting up to a flush interval for its batch costs the
 * garbage collector almost nothing to keep, where its text, columns and objects cost every young
 * collection a copy (measured: most of the decision log's cost on a hot check). They are kept as
 * where they are in the slab they were written to, not as a view of it: a Buffer is an object of
 * its own for each record, several times dearer to make than the record's other fields.
 */
export interface PreparedRecord {
  readonly decidedAt: string;
  readonly decisionId: string;
  /** The buffer holding, from start to end, HASH_BYTES of the record's hash, then its COPY row's UTF-8 bytes. */
  readonly slab: Buffer;
  readonly start: number;
  readonly end: number;
  /** The proof its text refers to, which its batch writes unless the day's proofs hold it. */
  readonly proof: StoredProof | undefined;
}

/**
 * prepareRecord makes the record of columns (a decision's, see recordColumns) and its text: the
 * text refers to its shared proof by the proof's hash (see stored-proof.ts) rather than holding
 * it, and when nothing in the text needed COPY's escapes (JSON rarely holds a backslash), its
 * hash is taken over the row's bytes, so that a record's text is never joined into one string
 * nor encoded twice. Its parts are written one after the other into room reserved for the most
 * bytes they could take (three per UTF-16 unit), so that none is measured before it is written.
 */
export function prepareRecord(columns: RecordColumns, record: RecordText): PreparedRecord {
  const proof = record.proof === undefined ? undefined : storedProof(record.proof);
  const { question } = record;
  const asked = question === undefined ? undefined : questionRow(columns, question);
  const fields = `${columns.decidedAt}\t${columns.decisionId}\t${asked?.fields ?? askedFields(columns)}`;
  // A question's text says whether its records' heads need escapes: their own fields never do.
  const head = asked?.plainHead === true ? record.head : copyJsonField(record.head);
  const tail = copyJsonField(record.tail);
  // ASCII, nothing to escape.
  const reference = proof?.reference ?? "";
  const start = reserveRecord(
    HASH_BYTES + UTF8_PER_UNIT * (fields.length + head.length + tail.length) + reference.length + 1,
  );
  const { buffer } = slab;
  const textAt = start + HASH_BYTES + buffer.write(fields, start + HASH_BYTES);
  let end = textAt + buffer.write(head, textAt);
  end += buffer.write(reference, end, "latin1");
  end += buffer.write(tail, end);
  buffer[end++] = NEWLINE;
  slab.used = end;
  const text =
    head === record.head && tail === record.tail
      ? buffer.subarray(textAt, end - 1)
      : `${record.head}${reference}${record.tail}`;
  writeRecordHash(text, buffer, start);
  return {
    decidedAt: columns.decidedAt,
    decisionId: columns.decisionId,
    slab: buffer,
    start,
    end,
    proof,
  };
}

/** The most UTF-8 bytes one UTF-16 code unit of a string takes. */
const UTF8_PER_UNIT = 3;
const NEWLINE = 0x0a;

/**
 * QuestionRow is what the rows of a question's records share: the COPY fields of their columns
 * after the id (each followed by a tab), and whether their heads are free of backslashes, which
 * COPY escapes (a record's own fields, its id, time, latency and trace id, never hold one).
 */
interface QuestionRow {
  readonly fields: string;
  readonly plainHead: boolean;
}

const questionRows = new WeakMap<QuestionText, QuestionRow>();

/**
 * questionRow is the row a question's records share, made with the first of them and kept with
 * the question's text (one object for all of them, see sharedQuestion). The time, id, kind and
 * result in a row are the log's own text, never in need of an escape.
 */
function questionRow(c: RecordColumns, question: QuestionText): QuestionRow {
  let row = questionRows.get(question);
  if (row === undefined) {
    const plainHead = !question.between.includes("\\") && !question.asked.includes("\\");
    row = { fields: askedFields(c), plainHead };
    questionRows.set(question, row);
  }
  return row;
}

/** askedFields are the COPY fields of a record's columns after its id, each followed by a tab. */
function askedFields(c: RecordColumns): string {
  const apiKey = c.apiKey === null ? COPY_NULL : copyField(c.apiKey);
  const actors = c.actors.length === 0 ? NO_ACTORS : copyField(arrayLiteral(c.actors));
  const result = c.result ?? COPY_NULL;
  return `${c.kind}\t${apiKey}\t${copyField(c.subject)}\t${actors}\t${copyField(c.resource)}\t${copyField(c.permission)}\t${result}\t`;
}

const NO_ACTORS = "{}";

/**
 * copyJsonField writes JSON text as a COPY field: JSON escapes every control character, so of
 * the characters COPY takes for an escape or a separator only the backslash can be there (and
 * looking for one character is many times cheaper than matching a character class).
 */
function copyJsonField(json: string): string {
  return json.includes("\\") ? json.replaceAll("\\", "\\\\") : json;
}

/**
 * RECORD_SLAB_BYTES is the size of the buffers prepared records are cut from: a record written
 * soon after the one before it shares its buffer, where Node's own pool (8 KiB) would make a new
 * buffer every few records, each for the garbage collector to track and free.
 */
const RECORD_SLAB_BYTES = 256 * 1024;

/** The buffer records are being cut from, and how much of it they took. */
const slab = { buffer: Buffer.allocUnsafeSlow(RECORD_SLAB_BYTES), used: 0 };

/**
 * reserveRecord makes room in the slab for a record of at most size bytes (a new slab when the
 * rest of this one is too small) and returns where it starts; the record takes what it writes.
 */
function reserveRecord(size: number): number {
  if (slab.used + size > slab.buffer.length) {
    slab.buffer = Buffer.allocUnsafeSlow(Math.max(RECORD_SLAB_BYTES, size));
    slab.used = 0;
  }
  return slab.used;
}

/** The columns COPY fills, in the order a batch writes them: batch_seq and position, then a prepared row. */
const COPY_TARGET =
  "latch_decisions (batch_seq, position, decided_at, decision_id, kind, api_key, subject, actors, resource, permission, result, record)";

/** CLOSE_BATCH writes the batch row and the chain's new head, and announces the batch, in one statement. */
const CLOSE_BATCH = `WITH batch AS (
  INSERT INTO latch_decision_batches (first_at, seq, last_at, decision_ids, record_hashes, prev_hash, hash)
  VALUES ($2::timestamptz, $1::bigint, $3::timestamptz, $4::uuid[], $5::bytea, $6::bytea, $7::bytea)
), head AS (
  UPDATE latch_decision_chain SET seq = $1::bigint, hash = $7::bytea
)
SELECT pg_notify('${DECISIONS_CHANNEL}', $1::bigint::text)`;

/**
 * writeBatch commits records (all of day, in the order given) as the next batch of the chain, and
 * returns its seq: the proofs they refer to that the day's proofs may not hold yet, the records by
 * COPY, then the batch row and the chain's head in one statement. The transaction locks the head
 * first, so that batches from every replica commit one at a time in seq order, each chained to the
 * one before.
 */
export async function writeBatch(
  db: SqlExecutor,
  day: Day,
  records: readonly PreparedRecord[],
  proofs: readonly StoredProof[],
): Promise<number> {
  const hashes = Buffer.allocUnsafe(records.length * HASH_BYTES);
  records.forEach((r, i) => {
    r.slab.copy(hashes, i * HASH_BYTES, r.start, r.start + HASH_BYTES);
  });
  const ids = records.map((r) => r.decisionId);
  // An array literal, not the array: pg would quote and escape each id (UUIDs need neither).
  const idList = `{${ids.join(",")}}`;
  return db.transaction(async (tx) => {
    const [head] = await tx.query("SELECT seq, hash FROM latch_decision_chain FOR UPDATE");
    const seq = Number(head?.seq) + 1;
    const previous = Buffer.from(head?.hash as Uint8Array);
    await insertProofs(tx, day, proofs);
    await tx.copyFrom!(COPY_TARGET, copyData(seq, records));
    await tx.query(CLOSE_BATCH, [
      seq,
      records[0]!.decidedAt,
      records[records.length - 1]!.decidedAt,
      idList,
      hashes,
      previous,
      batchHash(previous, ids, hashes),
    ]);
    return seq;
  });
}

/** COPY_CHUNK_BYTES is the size of the buffers a batch's COPY data is written into. */
const COPY_CHUNK_BYTES = 64 * 1024;

/** copyData is the COPY data of a batch: each prepared row after its batch seq and position. */
function copyData(seq: number, records: readonly PreparedRecord[]): Buffer[] {
  const chunks: Buffer[] = [];
  let chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  let used = 0;
  records.forEach((r, position) => {
    const prefix = `${seq}\t${position}\t`;
    const needed = prefix.length + r.end - r.start - HASH_BYTES;
    if (used + needed > chunk.length) {
      chunks.push(chunk.subarray(0, used));
      chunk = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, needed));
      used = 0;
    }
    used += chunk.write(prefix, used, "latin1");
    used += r.slab.copy(chunk, used, r.start + HASH_BYTES, r.end);
  });
  chunks.push(chunk.subarray(0, used));
  return chunks;
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
export async function batchCommitted(db: SqlExecutor, first: PreparedRecord): Promise<boolean> {
  const rows = await db.query(
    "SELECT 1 FROM latch_decisions WHERE decided_at = $1 AND decision_id = $2",
    [first.decidedAt, first.decisionId],
  );
  return rows.length > 0;
}
