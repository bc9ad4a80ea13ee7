// The statements of a write transaction: take the next revision, check, retire versions, insert versions.

import type { Relationship } from "../../tuple/relationship.js";
import type { PreparedUpdate } from "../prepare-updates.js";
import type { RelationshipFilter } from "../store.js";
import { filterConditions, liveConditions, param } from "./filter-sql.js";
import {
  RELATIONSHIP_COLUMNS,
  relationshipArrays,
  SELECT_RELATIONSHIP,
  toNumber,
  toRelationship,
  unnestRelationships,
} from "./relationship-row.js";
import type { SqlQueryable } from "./sql-executor.js";

/**
 * nextRevision increments the revision counter, records when the new revision committed (for
 * garbage collection), and returns it. The row stays locked until the transaction ends, so writers
 * run one at a time, in revision order; it (or {@link lockHead}) must be the transaction's first
 * statement, so that every later one reads what earlier writers committed.
 */
export async function nextRevision(tx: SqlQueryable): Promise<number> {
  const [row] = await tx.query(
    `WITH next AS (UPDATE latch_revision SET revision = revision + 1 RETURNING revision)
    INSERT INTO latch_commits (revision, committed_at) SELECT revision, now() FROM next
    RETURNING revision`,
  );
  return toNumber(row ?? {}, "revision");
}

/** lockHead locks the revision counter, as {@link nextRevision} does, without a new revision. */
export async function lockHead(tx: SqlQueryable): Promise<number> {
  const [row] = await tx.query("SELECT revision FROM latch_revision FOR UPDATE");
  return toNumber(row ?? {}, "revision");
}

/** firstLiveMatch finds the first newest version, in key order, that matches filter and has not expired at now. */
export async function firstLiveMatch(
  tx: SqlQueryable,
  filter: RelationshipFilter,
  now: Date,
): Promise<Relationship | undefined> {
  const params: unknown[] = [];
  const where = [...liveConditions(now, params), ...filterConditions(filter, params)];
  const [row] = await tx.query(
    `SELECT ${SELECT_RELATIONSHIP} FROM latch_relationships WHERE ${where.join(" AND ")}
    ORDER BY rel_key LIMIT 1`,
    params,
  );
  return row === undefined ? undefined : toRelationship(row);
}

/** UPDATES is a write's updates as rows `u`, from the parameters {@link updateParams} lays out. */
const UPDATES = `unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::timestamptz[])
  AS u(rel_key, operation, seq, caveat_name, caveat_context, expires_at)`;

/** LIVE_AT_NOW is true of a version `r` not expired at now, $1. */
const LIVE_AT_NOW = "(r.expires_at IS NULL OR r.expires_at > $1::timestamptz)";

/** updateParams are now and the arrays of {@link UPDATES}; update i has position i + 1. */
function updateParams(updates: readonly PreparedUpdate[], now: Date): unknown[] {
  const [, , , , , , caveatNames, contexts, expiries] = relationshipArrays(
    updates.map((update) => update.relationship),
  );
  return [
    now.toISOString(),
    updates.map((update) => update.key),
    updates.map((update) => update.operation),
    updates.map((_, i) => i + 1),
    caveatNames,
    contexts,
    expiries,
  ];
}

/** UpdateEffects says what a write's updates would do to what is live at the head. */
export interface UpdateEffects {
  /** Whether any would change it: a create, a delete of a live relationship, another touch. */
  readonly changes: boolean;
  /**
   * The positions of the touches whose relationship is live and stored as they would store it
   * (the same caveat, context and expiry, as touchChangesNothing compares): no change.
   */
  readonly unchanged: ReadonlySet<number>;
}

/**
 * updateEffects reads, for each update, the live version of its relationship at the head as of
 * now (one index probe each), and says what the updates would change.
 */
export async function updateEffects(
  tx: SqlQueryable,
  updates: readonly PreparedUpdate[],
  now: Date,
): Promise<UpdateEffects> {
  const rows = await tx.query(
    `SELECT u.seq, u.operation, r.rel_key IS NOT NULL AS live,
       r.rel_key IS NOT NULL AND r.caveat_name IS NOT DISTINCT FROM u.caveat_name
         AND r.caveat_context::text IS NOT DISTINCT FROM u.caveat_context
         AND r.expires_at IS NOT DISTINCT FROM u.expires_at AS stored
     FROM ${UPDATES}
     LEFT JOIN LATERAL (
       SELECT r.rel_key, r.caveat_name, r.caveat_context, r.expires_at FROM latch_relationships AS r
       WHERE r.rel_key = u.rel_key AND r.deleted_rev IS NULL AND ${LIVE_AT_NOW} LIMIT 1
     ) AS r ON true`,
    updateParams(updates, now),
  );
  const unchanged = new Set<number>();
  let changes = false;
  for (const row of rows) {
    if (row.operation === "touch" && row.stored === true) unchanged.add(toNumber(row, "seq"));
    else if (row.operation !== "delete" || row.live === true) changes = true;
  }
  return { changes, unchanged };
}

/**
 * retireVersions ends, at revision `at`, the newest version of every relationship that updates
 * touch, create or delete (a delete skips a version already expired at now: it is gone for
 * readers), but the touches at the positions `unchanged` lists (see updateEffects), and logs a
 * delete event, at its update's position, for each deleted one. It returns how many deletes found
 * a relationship, and the position of the first create whose relationship was live, if any: the
 * write must fail. Update i has position i + 1, the sequence of its event in the changelog.
 */
export async function retireVersions(
  tx: SqlQueryable,
  at: number,
  updates: readonly PreparedUpdate[],
  now: Date,
  unchanged: ReadonlySet<number> = new Set(),
): Promise<{ readonly conflict: number | undefined; readonly deleted: number }> {
  const [row = {}] = await tx.query(
    `WITH retired AS (
      UPDATE latch_relationships AS r SET deleted_rev = $8::bigint
      FROM ${UPDATES}
      WHERE r.rel_key = u.rel_key AND r.deleted_rev IS NULL
        AND (u.operation <> 'delete' OR ${LIVE_AT_NOW})
        AND NOT (u.seq = ANY($9::int[]))
      RETURNING u.operation, u.seq, ${LIVE_AT_NOW} AS live, ${prefixed("r", RELATIONSHIP_COLUMNS)}
    ), logged AS (
      INSERT INTO latch_changelog (revision, seq, kind, ${RELATIONSHIP_COLUMNS})
      SELECT $8::bigint, seq, 'delete', ${RELATIONSHIP_COLUMNS} FROM retired
      WHERE operation = 'delete'
      RETURNING 1
    )
    SELECT (SELECT seq FROM retired WHERE operation = 'create' AND live ORDER BY seq LIMIT 1) AS conflict,
      (SELECT count(*) FROM retired WHERE operation = 'delete') AS deleted`,
    [...updateParams(updates, now), at, [...unchanged]],
  );
  return {
    conflict: row.conflict === null ? undefined : toNumber(row, "conflict"),
    deleted: toNumber(row, "deleted"),
  };
}

/**
 * insertVersions adds a version created at revision `at` for each relationship, and logs a touch
 * event for each at its position (see {@link retireVersions}).
 */
export async function insertVersions(
  tx: SqlQueryable,
  at: number,
  written: readonly { readonly position: number; readonly relationship: Relationship }[],
): Promise<void> {
  await tx.query(
    `WITH written AS (
      SELECT * FROM unnest($2::int[], ${unnestRelationships(3)})
        AS w(seq, ${RELATIONSHIP_COLUMNS})
    ), inserted AS (
      INSERT INTO latch_relationships (${RELATIONSHIP_COLUMNS}, created_rev)
      SELECT ${RELATIONSHIP_COLUMNS}, $1::bigint FROM written
      RETURNING 1
    )
    INSERT INTO latch_changelog (revision, seq, kind, ${RELATIONSHIP_COLUMNS})
    SELECT $1::bigint, seq, 'touch', ${RELATIONSHIP_COLUMNS} FROM written`,
    [at, written.map((w) => w.position), ...relationshipArrays(written.map((w) => w.relationship))],
  );
}

/**
 * deleteMatchingVersions ends, at revision `at`, the newest version of every relationship that
 * matches filter and has not expired at now (only the first `first` of them in key order, when
 * given), logs their delete events in key order, and returns how many it deleted.
 */
export async function deleteMatchingVersions(
  tx: SqlQueryable,
  at: number,
  filter: RelationshipFilter,
  now: Date,
  first?: number,
): Promise<number> {
  const params: unknown[] = [at];
  const where = [...liveConditions(now, params), ...filterConditions(filter, params)];
  if (first !== undefined) {
    // One live version per key: the keys of the first matches name exactly those versions.
    where.push(
      `rel_key IN (SELECT rel_key FROM latch_relationships WHERE ${where.join(" AND ")}
        ORDER BY rel_key COLLATE "C" LIMIT ${param(params, first, "bigint")})`,
    );
  }
  const [row] = await tx.query(
    `WITH deleted AS (
      UPDATE latch_relationships SET deleted_rev = $1::bigint
      WHERE ${where.join(" AND ")}
      RETURNING rel_key, ${RELATIONSHIP_COLUMNS}
    ), logged AS (
      INSERT INTO latch_changelog (revision, seq, kind, ${RELATIONSHIP_COLUMNS})
      SELECT $1::bigint, row_number() OVER (ORDER BY rel_key COLLATE "C"), 'delete',
        ${RELATIONSHIP_COLUMNS}
      FROM deleted
      RETURNING 1
    )
    SELECT count(*) AS deleted FROM logged`,
    params,
  );
  return toNumber(row ?? {}, "deleted");
}

function prefixed(alias: string, columns: string): string {
  return columns
    .split(", ")
    .map((column) => `${alias}.${column}`)
    .join(", ");
}
