// The revision a write transaction commits at, after the expiries already due get one of their own.

import { schemaChanged } from "../refusals.js";
import type { WriteOptions } from "../store.js";
import { hasDueExpiries, logDueExpiries } from "./expiry-log.js";
import { toNumber } from "./relationship-row.js";
import type { SqlQueryable } from "./sql-executor.js";
import { lockHead, nextRevision } from "./write-statements.js";

/**
 * takeWriteRevision starts a write transaction: the expiries due by now are logged first, at a
 * revision of their own, so that they come before the write in the change stream and every
 * revision's events are complete once it commits (a token then resumes a watch exactly); then it
 * takes the write's revision. notification is the NOTIFY payload for a revision.
 */
export async function takeWriteRevision(
  tx: SqlQueryable,
  now: Date,
  notification: (revision: number) => string,
): Promise<number> {
  const first = await nextRevision(tx);
  const logged = await logDueExpiries(tx, first, now, notification(first));
  return logged === 0 ? first : nextRevision(tx);
}

/**
 * logExpiriesAtNewRevision logs the expiries due by now at a new revision, and returns how many;
 * with none due it takes no revision.
 */
export async function logExpiriesAtNewRevision(
  tx: SqlQueryable,
  now: Date,
  notification: (revision: number) => string,
): Promise<number> {
  await lockHead(tx);
  if (!(await hasDueExpiries(tx, now))) return 0;
  const at = await nextRevision(tx);
  return logDueExpiries(tx, at, now, notification(at));
}

/**
 * checkSchemaRevision rejects with "schema-changed" unless the newest schema write is the one
 * options name; it runs after the revision is taken, under the counter's lock, so no schema write
 * can come between the check and the commit.
 */
export async function checkSchemaRevision(tx: SqlQueryable, options: WriteOptions): Promise<void> {
  const expected = options.schemaRevision;
  if (expected === undefined) return;
  const [row = {}] = await tx.query("SELECT schema_revision FROM latch_revision");
  const current = toNumber(row, "schema_revision");
  if (current !== expected) throw schemaChanged(expected, current);
}
