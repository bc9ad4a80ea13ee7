// Streaming export: every relationship live at one revision, in key order, in pages, resumable by cursor.

import type { Relationship } from "../../tuple/relationship.js";
import { StoreError } from "../store.js";
import { param, snapshotConditions } from "./filter-sql.js";
import { SELECT_RELATIONSHIP, toNumber, toRelationship } from "./relationship-row.js";
import type { SqlQueryable } from "./sql-executor.js";

/** ExportOptions configure {@link exportRelationships}. */
export interface ExportOptions {
  /** The revision to read at: the export is the state at it, however long the export takes. */
  readonly revision: number;
  /** The evaluation time: relationships expired at it are left out. */
  readonly now: Date;
  /** A cursor from an earlier export at the same revision: the export resumes after it. */
  readonly after?: string;
  /** Relationships per round trip; default 1,000. */
  readonly pageSize?: number;
}

/** ExportedRelationship is one relationship of an export and the cursor that resumes after it. */
export interface ExportedRelationship {
  readonly relationship: Relationship;
  /** The relationship's key (`rel_key`); pass it as `after` to resume after this relationship. */
  readonly cursor: string;
}

/** DEFAULT_EXPORT_PAGE is the default number of relationships per page. */
export const DEFAULT_EXPORT_PAGE = 1_000;

/**
 * exportRelationships yields every relationship live at revision (and not expired at now), once,
 * in key order, reading pages of `rel_key > cursor ORDER BY rel_key LIMIT pageSize`: each page is
 * a statement of its own, so no transaction stays open, and an export cut short resumes from the
 * last cursor it yielded. A revision past the head rejects with "revision-unavailable".
 */
export async function* exportRelationships(
  executor: SqlQueryable,
  options: ExportOptions,
): AsyncGenerator<ExportedRelationship> {
  const { revision: at, now } = options;
  const pageSize = options.pageSize ?? DEFAULT_EXPORT_PAGE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  }
  const [head = {}] = await executor.query("SELECT revision FROM latch_revision");
  if (at > toNumber(head, "revision")) {
    throw new StoreError(
      "revision-unavailable",
      `cannot export at revision ${at}: the head revision is ${toNumber(head, "revision")}`,
    );
  }
  let after = options.after;
  for (;;) {
    const params: unknown[] = [];
    const where = snapshotConditions(at, now, params);
    if (after !== undefined) where.push(`rel_key > ${param(params, after)}`);
    const rows = await executor.query(
      `SELECT ${SELECT_RELATIONSHIP}, rel_key FROM latch_relationships
      WHERE ${where.join(" AND ")} ORDER BY rel_key LIMIT ${param(params, pageSize)}`,
      params,
    );
    for (const row of rows) {
      const cursor = row.rel_key;
      if (typeof cursor !== "string") throw new Error("expected text in column rel_key");
      yield { relationship: toRelationship(row), cursor };
      after = cursor;
    }
    if (rows.length < pageSize) return;
  }
}
