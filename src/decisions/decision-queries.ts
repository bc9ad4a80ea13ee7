// Reading the decision log: a page of decisions, newest first, and one decision by its id.

import { param } from "../store/postgres/filter-sql.js";
import type { SqlQueryable } from "../store/postgres/sql-executor.js";
import { decodeCursor, encodeCursor } from "./decision-cursor.js";
import { type DecisionFilter, decisionConditions } from "./decision-filter.js";
import { decisionIdTime } from "./decision-id.js";
import type { DecisionRecord } from "./decision-record.js";
import { readRecords } from "./stored-proof.js";

/** DecisionPage is one page of a listing, and the cursor to the next (undefined after the last). */
export interface DecisionPage {
  readonly records: readonly DecisionRecord[];
  readonly nextCursor?: string;
}

/**
 * listDecisions reads up to pageSize decisions matching filter, newest first (by time, then id),
 * after cursor when given (a CursorError for one this query did not make). Each partition is read
 * backwards along its (decided_at, decision_id) index, so a page costs its rows, not the log's.
 */
export async function listDecisions(
  db: SqlQueryable,
  filter: DecisionFilter,
  pageSize: number,
  cursor?: string,
): Promise<DecisionPage> {
  const params: unknown[] = [];
  const where = decisionConditions(filter, params);
  if (cursor !== undefined) {
    const after = decodeCursor(cursor, filter);
    const time = param(params, after.time.toISOString(), "timestamptz");
    where.push(`(decided_at, decision_id) < (${time}, ${param(params, after.id, "uuid")})`);
  }
  const condition = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
  // One more than a page: whether it comes says whether there is a next page.
  const rows = await db.query(
    `SELECT record::text AS record FROM latch_decisions ${condition}
     ORDER BY decided_at DESC, decision_id DESC LIMIT ${param(params, pageSize + 1, "integer")}`,
    params,
  );
  const records = await readRecords(db, rows.slice(0, pageSize));
  const last = records[records.length - 1];
  return rows.length > pageSize && last !== undefined
    ? { records, nextCursor: encodeCursor(last.decisionId, filter) }
    : { records };
}

/**
 * getDecision reads the decision with id (a UUIDv7, whose time finds its partition), or returns
 * undefined when the log does not hold it.
 */
export async function getDecision(
  db: SqlQueryable,
  id: string,
): Promise<DecisionRecord | undefined> {
  const time = decisionIdTime(id);
  if (time === undefined) return undefined;
  const [row] = await db.query(
    "SELECT record::text AS record FROM latch_decisions WHERE decided_at = $1::timestamptz AND decision_id = $2::uuid",
    [time.toISOString(), id],
  );
  return row === undefined ? undefined : (await readRecords(db, [row]))[0];
}
