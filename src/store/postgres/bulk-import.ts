// Bulk import: many relationships written at one new revision, in large batches, in one transaction.

import { type Revision, revision } from "../../revision/revision.js";
import type { Relationship } from "../../tuple/relationship.js";
import { prepareUpdates } from "../prepare-updates.js";
import { StoreError } from "../store.js";
import { CHANGES_CHANNEL, formatNotification } from "./change-notification.js";
import { logDueExpiries } from "./expiry-log.js";
import type { SqlExecutor, SqlQueryable } from "./sql-executor.js";
import { insertVersions, nextRevision, retireVersions } from "./write-statements.js";

/** ImportOptions configure {@link importRelationships}. */
export interface ImportOptions {
  /** Relationships per INSERT statement; default 5,000. */
  readonly batchSize?: number;
}

/** ImportResult is the revision an import committed at and how many relationships it wrote. */
export interface ImportResult {
  readonly revision: Revision;
  readonly imported: number;
}

/** DEFAULT_IMPORT_BATCH is the default number of relationships per statement. */
export const DEFAULT_IMPORT_BATCH = 5_000;

/**
 * importRelationships writes relationships (touch: an existing relationship is replaced) at one
 * new revision, in one transaction: all or nothing. Each is validated as a write validates it; a
 * relationship given twice is an "invalid-argument" error. Rows go in as multi-row
 * `INSERT … SELECT FROM unnest(…)` statements of batchSize rows (no COPY: PGlite has none through
 * this interface, and `pg-copy-streams` is not a dependency), each with its touch events in the
 * changelog, so watchers see the import. After the commit, it runs ANALYZE on the table.
 */
export async function importRelationships(
  executor: SqlExecutor,
  relationships: AsyncIterable<Relationship> | Iterable<Relationship>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const now = new Date();
  const result = await executor.transaction(async (tx) => {
    const at = await nextRevision(tx);
    await logDueExpiries(tx, at - 1, now, formatNotification({ revision: at }));
    // Writers hold the counter's lock: with no live relationship now, none can need retiring.
    const [live] = await tx.query(
      "SELECT EXISTS (SELECT 1 FROM latch_relationships WHERE deleted_rev IS NULL) AS live",
    );
    const importer = new BatchImporter(tx, at, now, live?.live !== false);
    let batch: Relationship[] = [];
    for await (const relationship of relationships) {
      batch.push(relationship);
      if (batch.length >= batchSize) {
        await importer.write(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await importer.write(batch);
    const payload = formatNotification({ revision: at, expiry: importer.expiry });
    await tx.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, payload]);
    return { revision: revision(at), imported: importer.imported };
  });
  await executor.exec("ANALYZE latch_relationships");
  return result;
}

/** BatchImporter writes the batches of one import at revision `at`, numbering their events. */
class BatchImporter {
  imported = 0;
  expiry: number | undefined;
  private readonly seen = new Set<string>();

  constructor(
    private readonly tx: SqlQueryable,
    private readonly at: number,
    private readonly now: Date,
    /** Whether relationships may exist already, whose versions a batch must retire first. */
    private readonly replacing: boolean,
  ) {}

  async write(batch: readonly Relationship[]): Promise<void> {
    const updates = batch.map((relationship) => ({ operation: "touch" as const, relationship }));
    const prepared = prepareUpdates(updates, batch.length, this.now.getTime());
    for (const { key, relationship } of prepared) {
      if (this.seen.has(key)) {
        throw new StoreError("invalid-argument", `an import holds ${key} more than once`);
      }
      this.seen.add(key);
      const ms = relationship.expiresAt?.getTime();
      if (ms !== undefined && (this.expiry === undefined || ms < this.expiry)) this.expiry = ms;
    }
    if (this.replacing) await retireVersions(this.tx, this.at, prepared, this.now);
    const first = this.imported + 1;
    await insertVersions(
      this.tx,
      this.at,
      prepared.map(({ relationship }, i) => ({ position: first + i, relationship })),
    );
    this.imported += prepared.length;
  }
}
