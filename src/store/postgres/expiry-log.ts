// Logs expiries into the changelog: the expire events that SpiceDB never reports.

import { CHANGES_CHANNEL } from "./change-notification.js";
import { RELATIONSHIP_COLUMNS, toNumber } from "./relationship-row.js";
import type { SqlQueryable } from "./sql-executor.js";

/**
 * logDueExpiries writes an expire event at revision `at` (a new revision, under the counter's
 * lock) for each newest version that has expired by now and whose expiry is not logged yet, in
 * expiry order (ties in key order); then it notifies watchers with payload. It returns how many
 * it logged.
 */
export async function logDueExpiries(
  tx: SqlQueryable,
  at: number,
  now: Date,
  payload: string,
): Promise<number> {
  const [row] = await tx.query(
    `WITH due AS (
      UPDATE latch_relationships SET expiry_logged = true
      WHERE expires_at <= $2::timestamptz AND deleted_rev IS NULL AND NOT expiry_logged
      RETURNING rel_key, ${RELATIONSHIP_COLUMNS}
    ), logged AS (
      INSERT INTO latch_changelog (revision, seq, kind, ${RELATIONSHIP_COLUMNS})
      SELECT $1::bigint, row_number() OVER (ORDER BY expires_at, rel_key COLLATE "C"),
        'expire', ${RELATIONSHIP_COLUMNS}
      FROM due
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM logged) AS logged, pg_notify($3, $4) AS notified`,
    [at, now.toISOString(), CHANGES_CHANNEL, payload],
  );
  return toNumber(row ?? {}, "logged");
}

/** hasDueExpiries says whether some newest version has expired by now with its expiry not logged. */
export async function hasDueExpiries(q: SqlQueryable, now: Date): Promise<boolean> {
  const [row] = await q.query(
    `SELECT EXISTS (SELECT 1 FROM latch_relationships
      WHERE expires_at <= $1::timestamptz AND deleted_rev IS NULL AND NOT expiry_logged) AS due`,
    [now.toISOString()],
  );
  return row?.due === true;
}

/** nextPendingExpiry is the earliest expiry, in epoch milliseconds, not logged yet, if any. */
export async function nextPendingExpiry(q: SqlQueryable): Promise<number | undefined> {
  const [row] = await q.query(
    `SELECT (extract(epoch FROM min(expires_at)) * 1000)::float8 AS ms FROM latch_relationships
    WHERE expires_at IS NOT NULL AND deleted_rev IS NULL AND NOT expiry_logged`,
  );
  const ms = row?.ms;
  return ms === null || ms === undefined ? undefined : Number(ms);
}
