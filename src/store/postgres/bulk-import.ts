// Bulk import: many relationships written at one new revision, by COPY, in one transaction.

import { type Revision, revision } from "../../revision/revision.js";
import type { Relationship } from "../../tuple/relationship.js";
import { type PreparedUpdate, prepareUpdates } from "../prepare-updates.js";
import { StoreError, type WriteOptions } from "../store.js";
import { CHANGES_CHANNEL, formatNotification } from "./change-notification.js";
import { deferIndexes } from "./copy-deferred-indexes.js";
import { CopyChunks, copyRow } from "./copy-text.js";
import { RELATIONSHIP_COLUMNS, relationshipArrays, toNumber } from "./relationship-row.js";
import type { SqlExecutor, SqlQueryable } from "./sql-executor.js";
import { checkSchemaRevision, takeWriteRevision } from "./write-revision.js";
import { retireVersions } from "./write-statements.js";

/** ImportOptions configure {@link importRelationships}. */
export interface ImportOptions extends WriteOptions {
  /** Relationships per COPY (and per INSERT from it); default 5,000. */
  readonly batchSize?: number;
}

/** ImportResult is the revision an import committed at and how many relationships it wrote. */
export interface ImportResult {
  readonly revision: Revision;
  readonly imported: number;
}

/** DEFAULT_IMPORT_BATCH is the default number of relationships per COPY. */
export const DEFAULT_IMPORT_BATCH = 5_000;

const CHANGELOG_COPY = `latch_changelog (revision, seq, kind, ${RELATIONSHIP_COLUMNS})`;

/**
 * importRelationships writes relationships (touch: an existing relationship is replaced) at one
 * new revision, in one transaction: all or nothing. Each is validated as a write validates it; a
 * relationship given twice is an "invalid-argument" error. Each batch of batchSize goes into the
 * changelog by one COPY, as touch events (so watchers see the import), and from there into the
 * relationships by one INSERT, which the database runs while the next batch is validated. Into
 * an empty table (a new store), the indexes that only serve reads are built after the load
 * ({@link deferIndexes}), and reads of the store wait for the commit instead of finding nothing.
 * After the commit, it runs ANALYZE on the table. An import of nothing takes no revision: it
 * returns the head's.
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
  const all = await nonEmpty(relationships);
  if (all === undefined) {
    // An import of nothing changes nothing: no revision, the head's token.
    const [row = {}] = await executor.query("SELECT revision FROM latch_revision");
    return { revision: revision(toNumber(row, "revision")), imported: 0 };
  }
  const now = new Date();
  const result = await executor.transaction(async (tx) => {
    const at = await takeWriteRevision(tx, now, (revision) => formatNotification({ revision }));
    await checkSchemaRevision(tx, options);
    // Writers hold the counter's lock: with no live relationship now, none can need retiring.
    const [table = {}] = await tx.query(
      `SELECT EXISTS (SELECT 1 FROM latch_relationships) AS versions,
        EXISTS (SELECT 1 FROM latch_relationships WHERE deleted_rev IS NULL) AS live`,
    );
    // An empty table (a new store) has nothing a reader could find before the import commits:
    // its read indexes are built once, after the load, while readers wait for the commit.
    const buildIndexes =
      table.versions === false ? await deferIndexes(tx, "latch_relationships") : undefined;
    const importer = new BatchImporter(tx, at, now, table.live !== false);
    await importer.writeAll(all, batchSize);
    await buildIndexes?.();
    const payload = formatNotification({ revision: at, expiry: importer.expiry });
    await tx.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, payload]);
    return { revision: revision(at), imported: importer.imported };
  });
  await executor.exec("ANALYZE latch_relationships");
  return result;
}

/**
 * nonEmpty reads the first of items: undefined when there is none, else an iterable of every item,
 * the first included, that ends the source when it ends early.
 */
async function nonEmpty<T>(
  items: AsyncIterable<T> | Iterable<T>,
): Promise<AsyncIterable<T> | undefined> {
  const iterator =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  const first = await iterator.next();
  if (first.done === true) return undefined;
  return (async function* () {
    try {
      yield first.value;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  })();
}

/**
 * BatchImporter writes the batches of one import at revision `at`, numbering their events. The
 * changelog is the staging table: a batch is copied into it, then inserted from it into the
 * relationships, and that INSERT, the costly statement (it updates the indexes), is left running
 * while the next batch is read, validated and encoded: the database and JavaScript work at once.
 */
class BatchImporter {
  imported = 0;
  expiry: number | undefined;
  /** The INSERT of the last batch written, left running while the next one is prepared. */
  private inserted: Promise<void> = Promise.resolve();
  private readonly copyFrom: NonNullable<SqlQueryable["copyFrom"]>;

  constructor(
    private readonly tx: SqlQueryable,
    private readonly at: number,
    private readonly now: Date,
    /** Whether relationships may exist already, whose versions a batch must retire first. */
    private readonly replacing: boolean,
  ) {
    const { copyFrom } = tx;
    if (copyFrom === undefined) throw new Error("bulk import needs a transaction that can COPY");
    this.copyFrom = copyFrom;
  }

  /** writeAll writes relationships in batches of batchSize, and resolves once all are inserted. */
  async writeAll(
    relationships: AsyncIterable<Relationship> | Iterable<Relationship>,
    batchSize: number,
  ): Promise<void> {
    try {
      let batch: Relationship[] = [];
      for await (const relationship of relationships) {
        batch.push(relationship);
        if (batch.length >= batchSize) {
          await this.write(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await this.write(batch);
      await this.inserted;
    } catch (error) {
      // The transaction rolls back; the INSERT still running must end first, its outcome moot.
      await this.inserted.catch(() => {});
      throw error;
    }
  }

  private async write(batch: readonly Relationship[]): Promise<void> {
    const prepared = this.prepare(batch);
    const first = this.imported + 1;
    const rows = changelogRows(this.at, first, prepared);
    this.imported += prepared.length;
    await this.inserted;
    if (this.replacing) await retireVersions(this.tx, this.at, prepared, this.now);
    await this.copyFrom(CHANGELOG_COPY, rows);
    this.inserted = this.insert(first, this.imported);
    // Awaited by the next write or the caller; until then, a failure must not go unhandled.
    this.inserted.catch(() => {});
  }

  private prepare(batch: readonly Relationship[]): PreparedUpdate[] {
    const updates = batch.map((relationship) => ({ operation: "touch" as const, relationship }));
    // A key twice in one batch fails here; in two batches, at the second one's INSERT.
    const prepared = prepareUpdates(updates, batch.length, this.now.getTime());
    for (const { relationship } of prepared) {
      const ms = relationship.expiresAt?.getTime();
      if (ms !== undefined && (this.expiry === undefined || ms < this.expiry)) this.expiry = ms;
    }
    return prepared;
  }

  /**
   * insert adds a version, created at `at`, for each event at positions first to last. The
   * versions of an earlier batch are live, or retired at `at` when this batch replaced them, so
   * a key given twice breaks a unique index (the live key, or the key and revision): the database
   * finds it, and the import holds no set of every key so far.
   */
  private async insert(first: number, last: number): Promise<void> {
    try {
      await this.tx.query(
        `INSERT INTO latch_relationships (${RELATIONSHIP_COLUMNS}, created_rev)
        SELECT ${RELATIONSHIP_COLUMNS}, revision FROM latch_changelog
        WHERE revision = $1::bigint AND seq BETWEEN $2::int AND $3::int`,
        [this.at, first, last],
      );
    } catch (error) {
      const key = duplicateKey(error);
      if (key === undefined) throw error;
      throw new StoreError("invalid-argument", `an import holds ${key} more than once`);
    }
  }
}

const UNIQUE_VIOLATION = "23505";
/** The detail of a unique violation: `Key (rel_key[, created_rev])=(key[, revision]) already exists.` */
const DUPLICATE_DETAIL = /^Key \(rel_key(?:, created_rev)?\)=\((.+?)(?:, \d+)?\) already exists/;

/** duplicateKey is the key a unique violation names (any key, if it names none), else undefined. */
function duplicateKey(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, detail } = error as { readonly code?: unknown; readonly detail?: unknown };
  if (code !== UNIQUE_VIOLATION) return undefined;
  const key = typeof detail === "string" ? DUPLICATE_DETAIL.exec(detail)?.[1] : undefined;
  return key ?? "a relationship";
}

/** changelogRows writes the touch events of prepared, at positions from first, as COPY rows. */
function changelogRows(
  at: number,
  first: number,
  prepared: readonly PreparedUpdate[],
): readonly string[] {
  // The very column values a write binds as parameters, so both store a relationship alike.
  const columns = relationshipArrays(prepared.map((update) => update.relationship));
  // One array for every row: only the position and the relationship's columns change.
  const values: (string | null)[] = [String(at), "", "touch", ...columns.map(() => null)];
  const rows = new CopyChunks();
  for (let i = 0; i < prepared.length; i++) {
    values[1] = String(first + i);
    columns.forEach((column, c) => {
      values[3 + c] = copyValue(column[i]);
    });
    rows.add(copyRow(values));
  }
  return rows.done();
}

function copyValue(value: unknown): string | null {
  if (value === null || typeof value === "string") return value;
  throw new TypeError(`cannot COPY a ${typeof value} as text`);
}
