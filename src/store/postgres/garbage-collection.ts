// The garbage collection transaction: what the retention window no longer needs, removed in one go.

import { revision } from "../../revision/revision.js";
import type { GarbageCollection } from "../store.js";
import { toNumber } from "./relationship-row.js";
import type { SqlQueryable } from "./sql-executor.js";

/**
 * collectGarbageTransaction removes in tx what no read or watch from the new oldest revision
 * needs: the newest revision committed before the retention window (on the database's clock)
 * becomes the oldest; versions retired at or before it go, as do versions expired before the
 * window whose expire event is logged; the changelog and commit times before it go.
 *
 * It locks the latch_store row, skipping the work when another replica holds it: one collector
 * at a time, and never waiting behind one. Writers take other locks, so they are not blocked.
 */
export async function collectGarbageTransaction(
  tx: SqlQueryable,
  retentionMs: number,
): Promise<GarbageCollection> {
  const [locked] = await tx.query("SELECT oldest_revision FROM latch_store FOR UPDATE SKIP LOCKED");
  const unchanged = (oldest: number): GarbageCollection => ({
    oldestRevision: revision(oldest),
    relationshipsRemoved: 0,
    changesRemoved: 0,
  });
  if (locked === undefined) return unchanged(await readOldest(tx));
  const oldest = toNumber(locked, "oldest_revision");
  const horizon = "now() - $1::bigint * interval '1 millisecond'";
  const [found = {}] = await tx.query(
    `SELECT coalesce(max(revision), 0) AS cutoff FROM latch_commits WHERE committed_at <= ${horizon}`,
    [retentionMs],
  );
  const cutoff = toNumber(found, "cutoff");
  if (cutoff <= oldest) return unchanged(oldest);
  const [relationships = {}] = await tx.query(
    `WITH gone AS (
      DELETE FROM latch_relationships
      WHERE deleted_rev <= $2::bigint
        OR (expiry_logged AND expires_at IS NOT NULL AND expires_at <= ${horizon})
      RETURNING 1)
    SELECT count(*) AS removed FROM gone`,
    [retentionMs, cutoff],
  );
  const [changes = {}] = await tx.query(
    `WITH gone AS (DELETE FROM latch_changelog WHERE revision < $1::bigint RETURNING 1)
    SELECT count(*) AS removed FROM gone`,
    [cutoff],
  );
  await tx.query("DELETE FROM latch_commits WHERE revision < $1::bigint", [cutoff]);
  await tx.query("UPDATE latch_store SET oldest_revision = $1::bigint", [cutoff]);
  return {
    oldestRevision: revision(cutoff),
    relationshipsRemoved: toNumber(relationships, "removed"),
    changesRemoved: toNumber(changes, "removed"),
  };
}

/** readOldest reads the oldest revision still readable. */
export async function readOldest(q: SqlQueryable): Promise<number> {
  const [row = {}] = await q.query("SELECT oldest_revision FROM latch_store");
  return toNumber(row, "oldest_revision");
}
