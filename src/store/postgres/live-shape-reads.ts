// What a schema write reads of the live relationships: indexed probes by shape, or every distinct shape.

import type { LiveRelationships, RelationshipShape, ShapeFilter } from "../store.js";
import { liveConditions, param } from "./filter-sql.js";
import { NO_RELATION, SELECT_RELATIONSHIP, toNumber, toRelationship } from "./relationship-row.js";
import type { SqlQueryable } from "./sql-executor.js";

/**
 * SHAPE_ORDER is the order of the `latch_relationships_shape` index (migration 0004), which holds
 * only the newest versions. Every probe selects a prefix of it and asks for its order: with a
 * limit, the planner then walks the index instead of scanning the table for the first match,
 * which it would misjudge for a shape whose versions are all deleted, or all in one place.
 */
const SHAPE_ORDER =
  "resource_type, relation, subject_type, subject_relation, (subject_id <> '*'), caveat_name, expires_at";

/**
 * liveRelationshipsIn reads, in tx, the newest versions not expired at now. A probe for a shape
 * the store lacks reads no relationship.
 */
export function liveRelationshipsIn(tx: SqlQueryable, now: Date): LiveRelationships {
  const select = (what: string, filter: ShapeFilter, limit: number, params: unknown[]) => {
    const where = shapeConditions(filter, now, params);
    return `SELECT ${what} FROM latch_relationships WHERE ${where.join(" AND ")}
      ORDER BY ${SHAPE_ORDER} LIMIT ${param(params, limit, "bigint")}`;
  };
  return {
    async find(filter, limit) {
      const params: unknown[] = [];
      const rows = await tx.query(select(SELECT_RELATIONSHIP, filter, limit, params), params);
      return rows.map(toRelationship);
    },
    async count(filter, cap) {
      const params: unknown[] = [];
      const [row = {}] = await tx.query(
        `SELECT count(*) AS found FROM (${select("1", filter, cap, params)}) AS capped`,
        params,
      );
      return toNumber(row, "found");
    },
    shapes: () => liveShapes(tx, now),
  };
}

/**
 * shapeConditions select the newest versions filter selects that have not expired at now, in
 * the terms of the shape index: equality on its leading columns (`IS TRUE` and `IS FALSE` match
 * its boolean column, where the planner would rewrite `= false`), then the expiry.
 */
function shapeConditions(filter: ShapeFilter, now: Date, params: unknown[]): string[] {
  const where = [`resource_type = ${param(params, filter.resourceType)}`];
  if (filter.relation !== undefined) where.push(`relation = ${param(params, filter.relation)}`);
  if (!("subjectType" in filter)) return [...where, ...liveConditions(now, params)];
  const { subjectType, subjectRelation, wildcard, caveat, expiring } = filter;
  where.push(
    "deleted_rev IS NULL",
    `subject_type = ${param(params, subjectType)}`,
    `subject_relation = ${param(params, subjectRelation ?? NO_RELATION)}`,
    `(subject_id <> '*') IS ${wildcard ? "FALSE" : "TRUE"}`,
    caveat === undefined ? "caveat_name IS NULL" : `caveat_name = ${param(params, caveat)}`,
    expiring
      ? `expires_at > ${param(params, now.toISOString(), "timestamptz")}`
      : "expires_at IS NULL",
  );
  return where;
}

/** liveShapes lists the distinct shapes of the newest versions not expired at now. */
async function liveShapes(tx: SqlQueryable, now: Date): Promise<RelationshipShape[]> {
  const params: unknown[] = [];
  const rows = await tx.query(
    `SELECT DISTINCT resource_type, relation, subject_type, subject_relation,
      subject_id = '*' AS wildcard, caveat_name, expires_at IS NOT NULL AS expiring
    FROM latch_relationships WHERE ${liveConditions(now, params).join(" AND ")}`,
    params,
  );
  return rows.map((row) => ({
    resourceType: String(row.resource_type),
    relation: String(row.relation),
    subjectType: String(row.subject_type),
    ...(row.subject_relation === NO_RELATION
      ? {}
      : { subjectRelation: String(row.subject_relation) }),
    wildcard: row.wildcard === true,
    ...(row.caveat_name === null ? {} : { caveat: String(row.caveat_name) }),
    expiring: row.expiring === true,
  }));
}
