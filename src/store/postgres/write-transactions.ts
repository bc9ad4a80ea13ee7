// The store's write transactions, statement by statement: a write, a delete by filter, logging expiries.

import { revision as toRevision } from "../../revision/revision.js";
import { formatRelationship } from "../../tuple/format-relationship.js";
import type { Relationship } from "../../tuple/relationship.js";
import { checkPrecondition } from "../check-precondition.js";
import type { PreparedUpdate } from "../prepare-updates.js";
import {
  type DeleteOptions,
  type Precondition,
  type RelationshipFilter,
  type RelationshipWriteOptions,
  type SchemaWriteCheck,
  StoreError,
  type WriteOptions,
} from "../store.js";
import { formatNotification } from "./change-notification.js";
import { liveRelationshipsIn } from "./live-shape-reads.js";
import type { SqlQueryable } from "./sql-executor.js";
import { readStoredSchema, storeSchema } from "./stored-schema.js";
import {
  checkSchemaRevision,
  logExpiriesAtNewRevision,
  takeWriteRevision,
} from "./write-revision.js";
import {
  deleteMatchingVersions,
  firstLiveMatch,
  insertVersions,
  lockHead,
  retireVersions,
  type UpdateEffects,
  updateEffects,
} from "./write-statements.js";

/** Commit is what a committed write tells the store: its revision and the earliest expiry it wrote. */
export interface Commit {
  readonly revision: number;
  readonly expiry?: number;
}

/**
 * writeTransaction applies updates in tx at the next revision, once the preconditions hold at the
 * head as of now, and logs them (each created or touched relationship as options.stamp makes it of
 * the revision); first it logs the expiries already due, at the previous revision.
 * It rejects with a StoreError when a precondition fails or a create finds its relationship. A
 * touch that would store what is live writes and logs nothing (see updateEffects). A write that
 * changes nothing (deletes of what is not live, touches of what is stored as they would store it)
 * takes no revision: it returns the head's.
 */
export async function writeTransaction(
  tx: SqlQueryable,
  updates: readonly PreparedUpdate[],
  preconditions: readonly Precondition[],
  now: Date,
  options: RelationshipWriteOptions = {},
): Promise<Commit & { readonly deleted: number }> {
  const written = updates.flatMap(({ operation, relationship }, i) =>
    operation === "delete" ? [] : [{ position: i + 1, relationship }],
  );
  const expiry = earliestExpiry(written.map((w) => w.relationship));
  const notification = (revision: number) => formatNotification({ revision, expiry });
  const { stamp } = options;
  let at: number;
  let unchanged: ReadonlySet<number> = new Set();
  // A stamped write stores what the revision makes of it: never what is there already.
  if (written.length === 0 || stamp === undefined) {
    // The head is locked first (as taking a revision would lock it), so that a write that would
    // change nothing (deletes of what is not live, touches of what is stored) ends without one;
    // under the lock, no other write changes what the effects were read from.
    const head = await lockHead(tx);
    await checkBeforeWrite(tx, preconditions, now, options);
    // Creates change what they write, or fail: only deletes and touches need reading first
    // (and a write of nothing changes nothing).
    const effects =
      updates.length > 0 && updates.every((u) => u.operation === "create")
        ? CREATES_CHANGE
        : await updateEffects(tx, updates, now);
    if (!effects.changes) return { revision: head, deleted: 0 };
    unchanged = effects.unchanged;
    at = await takeWriteRevision(tx, now, notification);
  } else {
    at = await takeWriteRevision(tx, now, notification);
    await checkBeforeWrite(tx, preconditions, now, options);
  }
  const { conflict, deleted } = await retireVersions(tx, at, updates, now, unchanged);
  if (conflict !== undefined) {
    const text = formatRelationship(updates[conflict - 1]!.relationship);
    throw new StoreError(
      "already-exists",
      `cannot create ${text}: the relationship already exists`,
    );
  }
  const changed = written.filter((w) => !unchanged.has(w.position));
  if (changed.length > 0) {
    const stored =
      stamp === undefined
        ? changed
        : changed.map((w) => ({ ...w, relationship: stamp(w.relationship, toRevision(at)) }));
    await insertVersions(tx, at, stored);
  }
  return expiry === undefined ? { revision: at, deleted } : { revision: at, expiry, deleted };
}

/** CREATES_CHANGE is what a write of creates only does: change each relationship it names. */
const CREATES_CHANGE: UpdateEffects = { changes: true, unchanged: new Set() };

/** checkBeforeWrite checks, under the head's lock, the schema the write expects and its preconditions. */
async function checkBeforeWrite(
  tx: SqlQueryable,
  preconditions: readonly Precondition[],
  now: Date,
  options: WriteOptions,
): Promise<void> {
  await checkSchemaRevision(tx, options);
  for (const precondition of preconditions) {
    const match = await firstLiveMatch(tx, precondition.filter, now);
    checkPrecondition(precondition, () => match);
  }
}

/**
 * deleteMatchingTransaction deletes in tx, at the next revision, the relationships that match
 * filter at the head and have not expired at now, once its preconditions hold there, and returns
 * how many; past limit it rejects with "too-many-updates" (the transaction rolls back: nothing is
 * deleted), unless `partial` asks for the first `limit` in key order. When none matches it takes
 * no revision: it returns the head's.
 */
export async function deleteMatchingTransaction(
  tx: SqlQueryable,
  filter: RelationshipFilter,
  limit: number | undefined,
  now: Date,
  { preconditions = [], partial = false }: DeleteOptions = {},
): Promise<Commit & { readonly deleted: number }> {
  const head = await lockHead(tx);
  await checkBeforeWrite(tx, preconditions, now, {});
  if ((await firstLiveMatch(tx, filter, now)) === undefined) return { revision: head, deleted: 0 };
  const at = await takeWriteRevision(tx, now, (revision) => formatNotification({ revision }));
  const deleted = await deleteMatchingVersions(tx, at, filter, now, partial ? limit : undefined);
  if (limit !== undefined && deleted > limit) {
    throw new StoreError(
      "too-many-updates",
      `${deleted} relationships match the filter, more than the limit of ${limit}; nothing was deleted`,
    );
  }
  return { revision: at, deleted };
}

/**
 * expiryTransaction logs the expiries due now at a new revision (none when nothing is due); it
 * returns how many it logged.
 */
export async function expiryTransaction(tx: SqlQueryable): Promise<number> {
  return logExpiriesAtNewRevision(tx, new Date(), (revision) => formatNotification({ revision }));
}

function earliestExpiry(rels: readonly Relationship[]): number | undefined {
  let earliest: number | undefined;
  for (const { expiresAt } of rels) {
    const ms = expiresAt?.getTime();
    if (ms !== undefined && (earliest === undefined || ms < earliest)) earliest = ms;
  }
  return earliest;
}

/**
 * schemaWriteTransaction stores text as the schema at the next revision, once check has approved
 * it over the schema it replaces and the relationships live at the head as of now; writers are
 * serialized by the revision counter, so none can commit between the check and the schema.
 */
export async function schemaWriteTransaction(
  tx: SqlQueryable,
  text: string,
  check: SchemaWriteCheck,
  now: Date,
): Promise<Commit> {
  const at = await takeWriteRevision(tx, now, (revision) => formatNotification({ revision }));
  await check(await readStoredSchema(tx), liveRelationshipsIn(tx, now));
  await storeSchema(tx, text, at);
  return { revision: at };
}
