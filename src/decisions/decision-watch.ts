// WatchDecisions: the records of each batch as it commits, in commit order, from now or from a time.

import type { ChangeSignal } from "../store/postgres/change-signal.js";
import { param } from "../store/postgres/filter-sql.js";
import { RetryDelay } from "../store/postgres/retry-delay.js";
import type { SqlQueryable } from "../store/postgres/sql-executor.js";
import { StoreUnavailableError } from "../store/store.js";
import { type DecisionFilter, decisionConditions } from "./decision-filter.js";
import type { DecisionRecord } from "./decision-record.js";
import { readRecords, recordsWithoutProofs } from "./stored-proof.js";

/** Records one read returns at most. */
const READ_LIMIT = 1000;
/**
 * How long a caught-up watch waits for a wake-up before it reads anyway: a commit of another
 * replica whose notification was lost (its connection was down) is seen this late at worst.
 */
const POLL_MS = 1000;
const END_OF_BATCH = 2 ** 31 - 1;

/** DecisionPosition is the last record a reader has passed: a batch and a place in it. */
export interface DecisionPosition {
  readonly seq: number;
  readonly position: number;
}

/** DecisionBatch is one read of {@link tailDecisions}: records, and the position after them. */
export interface DecisionBatch {
  readonly records: readonly DecisionRecord[];
  readonly through: DecisionPosition;
  /** The time of the last record, for a reader that resumes by time. */
  readonly lastAt?: string;
}

/**
 * RecordSelection is what a tail reads: the records from `since` on (see {@link watchDecisions}),
 * that meet every SQL condition `conditions` appends (its values pushed to params).
 */
export interface RecordSelection {
  readonly since?: Date;
  conditions(params: unknown[]): string[];
}

/** filterSelection selects what a DecisionFilter matches. */
export function filterSelection(filter: DecisionFilter): RecordSelection {
  return {
    ...(filter.since === undefined ? {} : { since: filter.since }),
    conditions: (params) => decisionConditions(filter, params),
  };
}

/**
 * watchDecisions yields the records matching filter as their batches commit, a read at a time, in
 * batch order (commit order, every replica's batches included), until signal aborts. With
 * `filter.since` it starts at the first batch holding a record of that time or later, and yields
 * only records from then on; without, from the next batch. See {@link tailDecisions}.
 */
export async function* watchDecisions(
  db: SqlQueryable,
  wake: ChangeSignal,
  filter: DecisionFilter,
  signal: AbortSignal,
): AsyncGenerator<readonly DecisionRecord[]> {
  for await (const batch of tailDecisions(
    db,
    wake,
    undefined,
    filterSelection(filter),
    true,
    signal,
  )) {
    if (batch.records.length > 0) yield batch.records;
  }
}

/**
 * tailDecisions yields the records of selection after `from` (or, without it, as
 * {@link watchDecisions} starts), a read at a time, in batch order, each read with the position
 * it reached, until signal aborts; a read that found nothing selected yields no records but the
 * position it passed (for a reader that keeps its place). It is woken by wake (this process's
 * commits and other replicas' notifications) and reads at least every POLL_MS; a database that
 * does not answer delays it, and it goes on from where it was. Records come with their proofs
 * when withProofs says so, else without (a read of the proofs' rows saved).
 */
export async function* tailDecisions(
  db: SqlQueryable,
  wake: ChangeSignal,
  from: DecisionPosition | undefined,
  selection: RecordSelection,
  withProofs: boolean,
  signal: AbortSignal,
): AsyncGenerator<DecisionBatch> {
  const retry = new RetryDelay();
  let at = from;
  while (!signal.aborted) {
    const generation = wake.generation;
    let rows: Awaited<ReturnType<SqlQueryable["query"]>>;
    let head: number;
    let records: DecisionRecord[];
    try {
      at ??= await startPosition(db, selection.since);
      head = Number((await db.query("SELECT seq FROM latch_decision_chain"))[0]?.seq);
      rows = await readAfter(db, at, head, selection);
      records = withProofs ? await readRecords(db, rows) : recordsWithoutProofs(rows);
      retry.reset();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      await retry.wait(signal);
      continue;
    }
    const last = rows[rows.length - 1];
    const full = rows.length === READ_LIMIT && last !== undefined;
    const through = full
      ? { seq: Number(last.batch_seq), position: Number(last.position) }
      : { seq: Math.max(head, at.seq), position: END_OF_BATCH };
    if (rows.length > 0 || through.seq > at.seq) {
      yield { records, through, lastAt: records[records.length - 1]?.time };
    }
    at = through;
    if (full) continue;
    await wake.wait(generation, signal, POLL_MS);
  }
}

/**
 * startPosition is where a tail from `since` starts: before the first batch holding a record of
 * that time or later, else (none yet, or no since) after the head. One statement, so one
 * snapshot: read apart, a batch committed between the two reads would be neither that first
 * batch nor after the head read, and its records would be skipped.
 */
async function startPosition(db: SqlQueryable, since: Date | undefined): Promise<DecisionPosition> {
  const params: unknown[] = [];
  const first =
    since === undefined
      ? "NULL"
      : `(SELECT min(seq) - 1 FROM latch_decision_batches WHERE last_at >= ${param(params, since.toISOString(), "timestamptz")})`;
  const [row] = await db.query(
    `SELECT COALESCE(${first}, (SELECT seq FROM latch_decision_chain)) AS seq`,
    params,
  );
  return { seq: Number(row?.seq), position: END_OF_BATCH };
}

function readAfter(
  db: SqlQueryable,
  at: DecisionPosition,
  head: number,
  selection: RecordSelection,
) {
  const params: unknown[] = [];
  const where = [
    `(batch_seq, position) > (${param(params, at.seq, "bigint")}, ${param(params, at.position, "integer")})`,
    `batch_seq <= ${param(params, head, "bigint")}`,
    ...selection.conditions(params),
  ];
  return db.query(
    `SELECT batch_seq, position, record::text AS record FROM latch_decisions
     WHERE ${where.join(" AND ")} ORDER BY batch_seq, position LIMIT ${READ_LIMIT}`,
    params,
  );
}
