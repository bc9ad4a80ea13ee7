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

/**
 * UPDATES is a CTE `u` of a write's updates, from the parameters {@link updateParams} lays out
 * from $2 on: key, operation, position, and the caveat, context and expiry each would store.
 */
const UPDATES = `u AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::timestamptz[])
    AS u(rel_key, operation, seq, caveat_name, caveat_context, expires_at)
)`;

/** LIVE_AT_NOW is true of a version `r` not expired at now, $1. */
const LIVE_AT_NOW = "(r.expires_at IS NULL OR r.expires_at > $1::timestamptz)";

/**
 * STORES_ALREADY is true of a touch `u` whose relationship's live version `r` holds what it would
 * store: the same caveat, context (canonical JSON, as written) and expiry (touchChangesNothing
 * compares the same).
 */
const STORES_ALREADY = `u.operation = 'touch' AND r.deleted_rev IS NULL AND ${LIVE_AT_NOW}
  AND r.caveat_name IS NOT DISTINCT FROM u.caveat_name
  AND r.caveat_context::text IS NOT DISTINCT FROM u.caveat_context
  AND r.expires_at IS NOT DISTINCT FROM u.expires_at`;

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

/**
 * changesAnything says whether updates would change what is live at the head as of now: a create,
 * a delete of a live relationship, or a touch of one not stored as it would store it.
 */
export async function changesAnything(
  tx: SqlQueryable,
  updates: readonly PreparedUpdate[],
  now: Date,
): Promise<boolean> {
  const [row] = await tx.query(
    `WITH ${UPDATES}
    SELECT EXISTS (
      SELECT 1 FROM u LEFT JOIN latch_relationships AS r
        ON r.rel_key = u.rel_key AND r.deleted_rev IS NULL AND ${LIVE_AT_NOW}
      WHERE u.operation = 'create' OR (u.operation = 'delete' AND r.rel_key IS NOT NULL)
        OR (u.operation = 'touch' AND (r.rel_key IS NULL OR NOT (${STORES_ALREADY})))
    ) AS changes`,
    updateParams(updates, now),
  );
  return row?.changes === true;
}

/**
 * retireVersions ends, at revision `at`, the newest version of every relationship that updates
 * touch, create or delete (a delete skips a version already expired at now: it is gone for
 * readers), and logs a delete event, at its update's position, for each deleted one. With
 * keepUnchanged, a touch that would store what is live keeps its version, and its position is
 * among those returned as unchanged: it writes no version and logs no event. It returns how many
 * deletes found a relationship, and the position of the first create whose relationship was
 * live, if any: the write must fail. Update i has position i + 1, the sequence of its event in
 * the changelog.
 */
export async function retireVersions(
  tx: SqlQueryable,
  at: number,
  updates: readonly PreparedUpdate[],
  now: Date,
  keepUnchanged = false,
): Promise<{
  readonly conflict: number | undefined;
  readonly deleted: number;
  readonly unchanged: ReadonlySet<number>;
}> {
  const [row = {}] = await tx.query(
    `WITH ${UPDATES}, unchanged AS (
      SELECT u.seq FROM latch_relationships AS r JOIN u ON r.rel_key = u.rel_key
      WHERE $9::boolean AND ${STORES_ALREADY}
    ), retired AS (
      UPDATE latch_relationships AS r SET deleted_rev = $8::bigint
      FROM u
      WHERE r.rel_key = u.rel_key AND r.deleted_rev IS NULL
        AND (u.operation <> 'delete' OR ${LIVE_AT_NOW})
        AND u.seq NOT IN (SELECT seq FROM unchanged)
      RETURNING u.operation, u.seq, ${LIVE_AT_NOW} AS live, ${prefixed("r", RELATIONSHIP_COLUMNS)}
    ), logged AS (
      INSERT INTO latch_changelog (revision, seq, kind, ${RELATIONSHIP_COLUMNS})
      SELECT $8::bigint, seq, 'delete', ${RELATIONSHIP_COLUMNS} FROM retired
      WHERE operation = 'delete'
      RETURNING 1
    )
    SELECT (SELECT seq FROM retired WHERE operation = 'create' AND live ORDER BY seq LIMIT 1) AS conflict,
      (SELECT count(*) FROM retired WHERE operation = 'delete') AS deleted,
      (SELECT COALESCE(array_agg(seq), '{}') FROM unchanged) AS unchanged`,
    [...updateParams(updates, now), at, keepUnchanged],
  );
  return {
    conflict: row.conflict === null ? undefined : toNumber(row, "conflict"),
    deleted: toNumber(row, "deleted"),
    unchanged: new Set(((row.unchanged ?? []) as unknown[]).map(Number)),
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
