// Verifying the decision log: every batch chained to the one before, every record as it was written.

import type { SqlQueryable, SqlRow } from "../store/postgres/sql-executor.js";
import { batchHash, HASH_BYTES, recordHash } from "./chain-hash.js";
import type { DecisionRecord } from "./decision-record.js";
import { proofKey, proofRowOf, readProofRows, type StoredRecord } from "./stored-proof.js";
import { type RecordColumns, recordColumns } from "./write-batch.js";

/** Batches read per round trip (with their records: up to MAX_BATCH each). */
const BATCH_PAGE = 20;

/** ProblemKind is what verification found wrong with a record (or a batch). */
export type ProblemKind = "changed" | "removed" | "out_of_order" | "inserted";

/** ChainProblem is the first thing verification found wrong. */
export interface ChainProblem {
  readonly kind: ProblemKind;
  /** The batch it is in (or should be in). */
  readonly batch: number;
  /** The record's place in its batch, and its id; absent for a problem of a whole batch. */
  readonly position?: number;
  readonly decisionId?: string;
  /** What was found, for people: `its result column says denied, its record allowed`. */
  readonly detail: string;
}

/** VerifyReport is what {@link verifyChain} checked, and the first problem if there is one. */
export interface VerifyReport {
  readonly batches: number;
  readonly records: number;
  /** The first and last batch checked; absent when there was none. */
  readonly firstBatch?: number;
  readonly lastBatch?: number;
  /** The hash of the last batch checked (hex): noted elsewhere, it shows later that nothing before it was rewritten. */
  readonly lastHash?: string;
  readonly problem?: ChainProblem;
}

interface BatchRow {
  readonly seq: number;
  readonly ids: readonly string[];
  readonly hashes: Buffer;
  readonly prevHash: Buffer;
  readonly hash: Buffer;
}

/**
 * verifyChain checks the log from its start (the batch after the last one retention dropped), or
 * from the first batch holding a record of `since` or later, to its head, and stops at the first
 * problem: a batch missing from the sequence or not chained to the one before (its row or the
 * previous one was changed), a record removed, changed (its text no longer has the hash its batch
 * holds, or a column disagrees with its text), in a place of its batch other than the one it was
 * written in, or in a batch that did not write it, and a proof row a record refers to gone or
 * changed (its text no longer has the hash the record's text names).
 */
export async function verifyChain(db: SqlQueryable, since?: Date): Promise<VerifyReport> {
  const [chain] = await db.query(
    "SELECT seq, hash, dropped_seq, dropped_hash FROM latch_decision_chain",
  );
  const headSeq = Number(chain?.seq);
  let expected = Number(chain?.dropped_seq) + 1;
  let previous = bytes(chain?.dropped_hash);
  if (since !== undefined) {
    const [first] = await db.query(
      "SELECT min(seq) AS seq FROM latch_decision_batches WHERE last_at >= $1::timestamptz",
      [since.toISOString()],
    );
    if (first?.seq === null || first?.seq === undefined) return { batches: 0, records: 0 };
    expected = Math.max(expected, Number(first.seq));
    if (expected - 1 !== Number(chain?.dropped_seq)) {
      const [before] = await db.query(
        "SELECT hash FROM latch_decision_batches WHERE seq = $1::bigint",
        [expected - 1],
      );
      if (before === undefined) return removedBatch(expected - 1, 0, 0);
      previous = bytes(before.hash);
    }
  }
  const firstBatch = expected;
  let records = 0;
  for (;;) {
    const page = (
      await db.query(
        `SELECT seq, decision_ids::text[] AS ids, record_hashes, prev_hash, hash FROM latch_decision_batches
         WHERE seq >= $1::bigint AND seq <= $2::bigint ORDER BY seq LIMIT ${BATCH_PAGE}`,
        [expected, headSeq],
      )
    ).map(batchRow);
    if (page.length === 0) break;
    const rows = await db.query(
      `SELECT batch_seq, position, decided_at, decision_id::text AS decision_id, kind, api_key, subject,
         actors, resource, permission, result, record::text AS record
       FROM latch_decisions WHERE batch_seq BETWEEN $1::bigint AND $2::bigint ORDER BY batch_seq, position`,
      [page[0]!.seq, page[page.length - 1]!.seq],
    );
    const proofs = await readProofRows(
      db,
      rows.map((row) => proofRowOf(storedRecord(row))).filter((r) => r !== undefined),
    );
    for (const batch of page) {
      const checked = { batches: expected - firstBatch, records, firstBatch };
      if (batch.seq !== expected) return removedBatch(expected, checked.batches, records);
      const problem =
        chainProblem(batch, previous) ??
        recordProblem(
          batch,
          rows.filter((row) => Number(row.batch_seq) === batch.seq),
          proofs,
        );
      if (problem !== undefined) return { ...checked, lastBatch: batch.seq, problem };
      records += batch.ids.length;
      previous = batch.hash;
      expected++;
    }
  }
  const report = {
    batches: expected - firstBatch,
    records,
    ...(expected > firstBatch ? { firstBatch, lastBatch: expected - 1 } : {}),
    lastHash: previous.toString("hex"),
  };
  if (expected - 1 < headSeq) {
    return {
      ...report,
      problem: {
        kind: "removed",
        batch: expected,
        detail: `batches ${expected} to ${headSeq} are missing: the log's head says ${headSeq} were written`,
      },
    };
  }
  if (!previous.equals(bytes(chain?.hash)) && expected > firstBatch) {
    return {
      ...report,
      problem: {
        kind: "changed",
        batch: expected - 1,
        detail: "the log's head holds another hash for its last batch: the batch row was changed",
      },
    };
  }
  // Batches may have committed since the head was read: a stray record is one past the newest.
  const [stray] = await db.query(
    `SELECT batch_seq, position, decision_id::text AS decision_id FROM latch_decisions
     WHERE batch_seq > (SELECT seq FROM latch_decision_chain) LIMIT 1`,
  );
  if (stray !== undefined) {
    return {
      ...report,
      problem: {
        kind: "inserted",
        batch: Number(stray.batch_seq),
        position: Number(stray.position),
        decisionId: String(stray.decision_id),
        detail: `it names batch ${stray.batch_seq}, which was never written`,
      },
    };
  }
  return report;
}

function removedBatch(seq: number, batches: number, records: number): VerifyReport {
  return {
    batches,
    records,
    problem: { kind: "removed", batch: seq, detail: `batch ${seq} is missing, with its records` },
  };
}

/** chainProblem checks that batch chains to previous, and that its hash covers its row. */
function chainProblem(batch: BatchRow, previous: Buffer): ChainProblem | undefined {
  if (!batch.prevHash.equals(previous)) {
    return {
      kind: "changed",
      batch: batch.seq,
      detail: `batch ${batch.seq} does not chain to batch ${batch.seq - 1}: one of their rows was changed`,
    };
  }
  if (
    batch.hashes.length !== batch.ids.length * HASH_BYTES ||
    !batchHash(previous, batch.ids, batch.hashes).equals(batch.hash)
  ) {
    return {
      kind: "changed",
      batch: batch.seq,
      detail: `batch ${batch.seq}'s row was changed: its hash does not cover its record ids and hashes`,
    };
  }
  return undefined;
}

/**
 * recordProblem compares a batch's rows with the ids and hashes it wrote, and the proofs they
 * refer to (of proofs, by proofKey) with their hashes; the first problem by position wins.
 */
function recordProblem(
  batch: BatchRow,
  rows: readonly SqlRow[],
  proofs: ReadonlyMap<string, string>,
): ChainProblem | undefined {
  const problems: ChainProblem[] = [];
  const found = (kind: ProblemKind, position: number, decisionId: string, detail: string) =>
    problems.push({ kind, batch: batch.seq, position, decisionId, detail });
  const byId = new Map(rows.map((row) => [String(row.decision_id), row]));
  batch.ids.forEach((id, i) => {
    const row = byId.get(id);
    if (row === undefined) {
      found("removed", i, id, `batch ${batch.seq} wrote it at position ${i}, and it is gone`);
      return;
    }
    if (Number(row.position) !== i) {
      found("out_of_order", i, id, `it is at position ${row.position}, written at position ${i}`);
      return;
    }
    const text = String(row.record);
    if (!recordHash(text).equals(batch.hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))) {
      found("changed", i, id, "its record is not the text that was written (its hash differs)");
      return;
    }
    const record = JSON.parse(text) as StoredRecord;
    const column = columnMismatch(row, recordColumns(record as DecisionRecord));
    if (column !== undefined) {
      found("changed", i, id, column);
      return;
    }
    const proofRow = proofRowOf(record);
    if (proofRow === undefined) return;
    const proof = proofs.get(proofKey(proofRow));
    if (proof === undefined) {
      found("removed", i, id, `its proof (${record.proof}) is gone from its day's proofs`);
    } else if (recordHash(proof).toString("hex") !== proofRow.hash) {
      found("changed", i, id, `its proof (${record.proof}) was changed: its text has another hash`);
    }
  });
  const written = new Set(batch.ids);
  for (const row of rows) {
    const id = String(row.decision_id);
    if (!written.has(id) || rows.filter((r) => String(r.decision_id) === id).length > 1) {
      found("inserted", Number(row.position), id, `batch ${batch.seq} did not write it here`);
    }
  }
  return problems.sort((a, b) => (a.position ?? 0) - (b.position ?? 0))[0];
}

/** columnMismatch names a column whose value is not the one its record's text gives, if any. */
function columnMismatch(row: SqlRow, expected: RecordColumns): string | undefined {
  const actual: Record<string, unknown> = {
    decided_at: new Date(row.decided_at as string | Date).toISOString(),
    kind: row.kind,
    api_key: row.api_key,
    subject: row.subject,
    actors: JSON.stringify(row.actors),
    resource: row.resource,
    permission: row.permission,
    result: row.result,
  };
  const wanted: Record<string, unknown> = {
    decided_at: expected.decidedAt,
    kind: expected.kind,
    api_key: expected.apiKey,
    subject: expected.subject,
    actors: JSON.stringify(expected.actors),
    resource: expected.resource,
    permission: expected.permission,
    result: expected.result,
  };
  const column = Object.keys(wanted).find((key) => actual[key] !== wanted[key]);
  if (column === undefined) return undefined;
  return `its ${column} column says ${JSON.stringify(actual[column])}, its record ${JSON.stringify(wanted[column])}`;
}

/** storedRecord reads a row's record text, or an empty record for one that is not JSON (reported as changed). */
function storedRecord(row: SqlRow): StoredRecord {
  try {
    const record: unknown = JSON.parse(String(row.record));
    if (typeof record === "object" && record !== null) return record as StoredRecord;
  } catch {}
  return {} as StoredRecord;
}

function batchRow(row: SqlRow): BatchRow {
  return {
    seq: Number(row.seq),
    ids: (row.ids as string[]) ?? [],
    hashes: bytes(row.record_hashes),
    prevHash: bytes(row.prev_hash),
    hash: bytes(row.hash),
  };
}

/** bytes reads a bytea value: a Buffer from pg, a Uint8Array from PGlite. */
function bytes(value: unknown): Buffer {
  return Buffer.from(value as Uint8Array);
}
