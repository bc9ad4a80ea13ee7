// One batch of decision records committed: chained to the batch before it, and announced to watchers.

import { COPY_NULL, copyField } from "../store/postgres/copy-text.js";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { batchHash, copyHash, HASH_BYTES, writeRecordHash } from "./chain-hash.js";
import type { Day } from "./decision-partitions.js";
import type { Decision } from "./decision-record.js";
import {
  AFTER_TIME,
  AFTER_TRACE_ID,
  BEFORE_ID,
  BEFORE_LATENCY,
  BEFORE_TIME,
  BEFORE_TRACE_ID,
  type QuestionText,
  recordHead,
} from "./record-head.js";
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

/** recordColumns are the columns of a decision's row that filters read, copied from its record. */
export function recordColumns(decision: Decision): RecordColumns {
  return {
    decidedAt: decision.time,
    decisionId: decision.decisionId,
    kind: decision.kind,
    apiKey: decision.apiKey ?? null,
    subject: decision.subject,
    actors: decision.actors,
    resource: decision.resource,
    permission: decision.permission,
    result: decision.result ?? null,
  };
}

/**
 * PreparedRecord is one record ready to write, kept as bytes: its COPY row, and its hash. They
 * are kept as where they are in the slabs they were written to, not as views of them: a Buffer is
 * an object of its own for each record, several times dearer to make than the record's other
 * fields. A row begins with room for its batch_seq and position (see ROW_SLOT_BYTES), known only
 * when its batch is written, so that the rows of a batch are sent to the database where they
 * are, not copied (measured: copying each row and its hash out cost 1.6 µs a record; writing the
 * digits and gathering the hashes costs 0.7 µs).
 */
export interface PreparedRecord {
  readonly decidedAt: string;
  readonly decisionId: string;
  /** The buffer holding, from start to end, the record's COPY row (its UTF-8 bytes, newline included). */
  readonly slab: Buffer;
  readonly start: number;
  readonly end: number;
  /** The buffer holding, from hashAt on, HASH_BYTES of the record's hash. */
  readonly hashSlab: Buffer;
  readonly hashAt: number;
  /** The proof its text refers to, which its batch writes unless the day's proofs hold it. */
  readonly proof: StoredProof | undefined;
}

/**
 * The digits a row has room for: its batch_seq (any bigint) and its position (below MAX_BATCH),
 * each written right-aligned after spaces, which Postgres's integer input skips.
 */
const SEQ_DIGITS = 19;
const POSITION_DIGITS = 5;
/** ROW_SLOT_BYTES is the room at the start of a row for its batch_seq and position, each followed by a tab. */
export const ROW_SLOT_BYTES = SEQ_DIGITS + 1 + POSITION_DIGITS + 1;

/** A row goes on with the record's time (RFC 3339 in UTC, with milliseconds) and id (a UUID), each followed by a tab. */
const TIME_LENGTH = "2026-01-01T00:00:00.000Z".length;
const ID_LENGTH = "00000000-0000-7000-8000-000000000000".length;
const TIME_AT = ROW_SLOT_BYTES;
const ID_AT = TIME_AT + TIME_LENGTH + 1;

/**
 * prepareRecord writes a record (a redacted decision's parts, see recordParts) to the slab: the
 * text refers to its shared proof by the proof's hash (see stored-proof.ts) rather than holding
 * it, and it is hashed over the row's bytes where they are its text (nothing in it needed COPY's
 * escapes: JSON rarely holds a backslash), so that a record's text is never joined into one
 * string nor encoded twice. A record of a question seen before (see sharedQuestion) is written
 * from its question's bytes, encoded once, and its own fields (id, time, latency, trace id: the
 * log's own text, in no need of escapes); any other from its strings, written one after the other
 * into room reserved for the most bytes they could take (three per UTF-16 unit), so that none is
 * measured before it is written.
 */
export function prepareRecord(record: RecordText): PreparedRecord {
  const { decision } = record;
  const proof = record.proof === undefined ? undefined : storedProof(record.proof);
  const { question } = record;
  const row =
    question === undefined ? undefined : questionRow(question, proof?.reference ?? "", record.tail);
  const hashAt = reserveHash();
  const start =
    row?.template !== undefined && hasOwnFieldsOfTemplate(decision)
      ? writeFromTemplate(decision, row.template, hashAt)
      : writeRecordText(record, proof, row, hashAt);
  return {
    decidedAt: decision.time,
    decisionId: decision.decisionId,
    slab: slab.buffer,
    start,
    end: slab.used,
    hashSlab: hashSlab.buffer,
    hashAt,
    proof,
  };
}

/** hasOwnFieldsOfTemplate says whether a decision's own fields have the lengths and form writeFromTemplate writes (as callDecision makes them). */
function hasOwnFieldsOfTemplate(d: Decision): boolean {
  return (
    d.time.length === TIME_LENGTH &&
    d.decisionId.length === ID_LENGTH &&
    Number.isSafeInteger(d.latencyUs)
  );
}

/**
 * writeFromTemplate writes a record whose question's bytes are template, its hash at hashAt, and
 * returns where it starts: its own fields around them, ASCII all, its time and id each written
 * once and copied.
 * (Typed arrays' own set and copyWithin, and a plain view to hash: Buffer's copy and subarray
 * cost more than the rest of a record, through the argument checks and views they make.)
 */
function writeFromTemplate(d: Decision, template: QuestionBytes, hashAt: number): number {
  const traceLength =
    d.traceId === undefined ? 0 : BEFORE_TRACE_ID.length + d.traceId.length + AFTER_TRACE_ID.length;
  const { columns, beforeId, beforeTime, beforeLatency, rest } = template;
  // The time, the id and a tab each, the template around the id again, the time again, the latency, a newline.
  const start = reserveRecord(
    ID_AT + 2 * ID_LENGTH + 1 + template.length + TIME_LENGTH + MAX_DIGITS + traceLength + 1,
  );
  const buffer = slab.buffer;
  const timeAt = start + TIME_AT;
  const idAt = start + ID_AT;
  writeAscii(buffer, timeAt, d.time);
  buffer[timeAt + TIME_LENGTH] = TAB;
  writeAscii(buffer, idAt, d.decisionId);
  buffer[idAt + ID_LENGTH] = TAB;
  let at = setPart(buffer, idAt + ID_LENGTH + 1, columns);
  const textStart = at;
  at = setPart(buffer, at, beforeId);
  buffer.copyWithin(at, idAt, idAt + ID_LENGTH);
  at = setPart(buffer, at + ID_LENGTH, beforeTime);
  buffer.copyWithin(at, timeAt, timeAt + TIME_LENGTH);
  at = setPart(buffer, at + TIME_LENGTH, beforeLatency);
  at = writeDigits(buffer, at, d.latencyUs);
  if (d.traceId !== undefined) {
    at = writeAscii(buffer, at, BEFORE_TRACE_ID);
    at = writeAscii(buffer, at, d.traceId);
    at = writeAscii(buffer, at, AFTER_TRACE_ID);
  }
  at = setPart(buffer, at, rest);
  writeRecordHash(
    new Uint8Array(buffer.buffer, buffer.byteOffset + textStart, at - textStart),
    hashSlab.buffer,
    hashAt,
  );
  buffer[at++] = NEWLINE;
  slab.used = at;
  return start;
}

/** setPart writes part into buffer at `at`, and returns where it ends. */
function setPart(buffer: Buffer, at: number, part: Uint8Array): number {
  buffer.set(part, at);
  return at + part.length;
}

/**
 * writeRecordText writes a record from its strings (its question's row, if any), its hash at
 * hashAt, and returns where it starts.
 */
function writeRecordText(
  record: RecordText,
  proof: StoredProof | undefined,
  row: QuestionRow | undefined,
  hashAt: number,
): number {
  const { decision, question } = record;
  const asked = row?.fields ?? askedFields(recordColumns(decision));
  const fields = `${decision.time}\t${decision.decisionId}\t${asked}`;
  const text = recordHead(decision, question);
  const head = copyJsonField(text);
  const tail = copyJsonField(record.tail);
  // ASCII, nothing to escape.
  const reference = proof?.reference ?? "";
  const start = reserveRecord(
    ROW_SLOT_BYTES +
      UTF8_PER_UNIT * (fields.length + head.length + tail.length) +
      reference.length +
      1,
  );
  const { buffer } = slab;
  const textAt = start + ROW_SLOT_BYTES + buffer.write(fields, start + ROW_SLOT_BYTES);
  let end = textAt + buffer.write(head, textAt);
  end += buffer.write(reference, end, "latin1");
  end += buffer.write(tail, end);
  writeRecordHash(
    head === text && tail === record.tail
      ? buffer.subarray(textAt, end)
      : `${text}${reference}${record.tail}`,
    hashSlab.buffer,
    hashAt,
  );
  buffer[end++] = NEWLINE;
  slab.used = end;
  return start;
}

/** The most UTF-8 bytes one UTF-16 code unit of a string takes. */
const UTF8_PER_UNIT = 3;
const NEWLINE = 0x0a;
const TAB = 0x09;
/** The most digits of a safe integer, with a sign. */
const MAX_DIGITS = 17;

/** writeAscii writes text (ASCII) into buffer at `at`, and returns where it ends. */
function writeAscii(buffer: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buffer[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** writeDigits writes a safe integer in decimal, as JSON does, into buffer at `at`, and returns where it ends. */
function writeDigits(buffer: Buffer, at: number, value: number): number {
  const magnitude = Math.abs(value);
  const digits = decimalDigits(magnitude);
  const first = value < 0 ? at + 1 : at;
  if (value < 0) buffer[at] = MINUS;
  let rest = magnitude;
  for (let i = first + digits - 1; i >= first; i--) {
    buffer[i] = ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return first + digits;
}

/** decimalDigits is how many digits a non-negative integer has in decimal. */
function decimalDigits(magnitude: number): number {
  let digits = 1;
  for (let rest = magnitude; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

const ZERO = 0x30;
const MINUS = 0x2d;

/**
 * QuestionRow is what the rows of a question's records share, with the proof reference and tail
 * they were made for: the COPY fields of their columns after the id (each followed by a tab), and
 * when their text needs no COPY escapes (no backslash), its bytes around each record's own fields.
 */
interface QuestionRow {
  readonly fields: string;
  readonly reference: string;
  readonly tail: string;
  readonly template: QuestionBytes | undefined;
}

/**
 * QuestionBytes are a question's row around its records' own fields, encoded: its columns, and
 * its text before the id, before the time, before the latency, and after the trace id (if any)
 * with the reference and tail; and how many bytes they are together.
 */
interface QuestionBytes {
  readonly columns: Uint8Array;
  readonly beforeId: Uint8Array;
  readonly beforeTime: Uint8Array;
  readonly beforeLatency: Uint8Array;
  readonly rest: Uint8Array;
  readonly length: number;
}

const questionRows = new WeakMap<QuestionText, QuestionRow>();

/**
 * questionRow is the row a question's records share, made with the first of them and kept with
 * the question's text (one object for all of them, see sharedQuestion), for records with this
 * proof reference and tail (as they all are but for a change of redaction). The time, id, kind
 * and result in a row are the log's own text, never in need of an escape.
 */
function questionRow(question: QuestionText, reference: string, tail: string): QuestionRow {
  const known = questionRows.get(question);
  if (known !== undefined && known.reference === reference && known.tail === tail) return known;
  const fields = askedFields(recordColumns(question.decision));
  const plain = ![question.between, question.asked, tail].some((part) => part.includes("\\"));
  const row = {
    fields,
    reference,
    tail,
    template: plain
      ? questionBytes(
          fields,
          `${AFTER_TIME}${question.between}${BEFORE_LATENCY}`,
          `${question.asked}${reference}${tail}`,
        )
      : undefined,
  };
  questionRows.set(question, row);
  return row;
}

/** questionBytes encodes a question row's parts (see QuestionBytes), given as text. */
function questionBytes(columns: string, beforeLatency: string, rest: string): QuestionBytes {
  const parts = [columns, BEFORE_ID, BEFORE_TIME, beforeLatency, rest].map(
    (part) => new Uint8Array(Buffer.from(part)),
  );
  return {
    columns: parts[0]!,
    beforeId: parts[1]!,
    beforeTime: parts[2]!,
    beforeLatency: parts[3]!,
    rest: parts[4]!,
    length: parts.reduce((total, part) => total + part.length, 0),
  };
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

/** HASH_SLAB_BYTES is the size of the buffers records' hashes are cut from (as many as a record slab holds rows of 128 bytes). */
const HASH_SLAB_BYTES = (RECORD_SLAB_BYTES / 128) * HASH_BYTES;

/** The buffer records' hashes are being cut from, and how much of it they took. */
const hashSlab = { buffer: Buffer.allocUnsafeSlow(HASH_SLAB_BYTES), used: 0 };

/** reserveHash takes room in the hash slab for a record's hash (a new slab when this one is full) and returns where. */
function reserveHash(): number {
  if (hashSlab.used + HASH_BYTES > hashSlab.buffer.length) {
    hashSlab.buffer = Buffer.allocUnsafeSlow(HASH_SLAB_BYTES);
    hashSlab.used = 0;
  }
  const at = hashSlab.used;
  hashSlab.used += HASH_BYTES;
  return at;
}

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
  const hashes = recordHashes(records);
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

/** recordHashes are the hashes of records, back to back, as the batch row stores them. */
function recordHashes(records: readonly PreparedRecord[]): Buffer {
  const hashes = Buffer.allocUnsafe(records.length * HASH_BYTES);
  records.forEach((r, i) => {
    copyHash(r.hashSlab, r.hashAt, hashes, i * HASH_BYTES);
  });
  return hashes;
}

/**
 * copyData is the COPY data of a batch, its rows where they were prepared: each one's batch seq
 * and position written into the room at its start, and the rows that follow one another in a
 * slab sent as one chunk (most of a batch's are).
 */
function copyData(seq: number, records: readonly PreparedRecord[]): Uint8Array[] {
  if (records.length >= 10 ** POSITION_DIGITS) {
    throw new RangeError(`a batch holds at most ${10 ** POSITION_DIGITS - 1} records`);
  }
  const chunks: Uint8Array[] = [];
  let run: PreparedRecord | undefined;
  let runEnd = 0;
  records.forEach((r, position) => {
    writeRightAligned(r.slab, r.start, SEQ_DIGITS, seq);
    writeRightAligned(r.slab, r.start + SEQ_DIGITS + 1, POSITION_DIGITS, position);
    if (run !== undefined && r.slab === run.slab && r.start === runEnd) {
      runEnd = r.end;
      return;
    }
    if (run !== undefined) chunks.push(slabPart(run.slab, run.start, runEnd));
    run = r;
    runEnd = r.end;
  });
  if (run !== undefined) chunks.push(slabPart(run.slab, run.start, runEnd));
  return chunks;
}

/** slabPart is a view of a slab from start to end. */
function slabPart(buffer: Buffer, start: number, end: number): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset + start, end - start);
}

const SPACE = 0x20;

/**
 * writeRightAligned writes a non-negative safe integer in decimal into the width bytes of buffer
 * from `at`, spaces before it, then a tab.
 */
function writeRightAligned(buffer: Buffer, at: number, width: number, value: number): void {
  const digits = decimalDigits(value);
  if (digits > width) throw new RangeError(`${value} has more than ${width} digits`);
  for (let i = at; i < at + width - digits; i++) buffer[i] = SPACE;
  writeDigits(buffer, at + width - digits, value);
  buffer[at + width] = TAB;
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
