// The SQL store: every version of every relationship in Postgres or PGlite, a changelog, watchers woken by NOTIFY.

import { type Revision, revision } from "../../revision/revision.js";
import type { Relationship } from "../../tuple/relationship.js";
import { checkPreconditions } from "../check-precondition.js";
import { prepareUpdates } from "../prepare-updates.js";
import { checkLimit, revisionCollected } from "../refusals.js";
import {
  type ChangeEvent,
  type DeleteOptions,
  type DeleteResult,
  type GarbageCollection,
  type Head,
  type ImportResult,
  type Precondition,
  type QueryOptions,
  type RelationshipFilter,
  type RelationshipUpdate,
  type RelationshipWriteOptions,
  type RelationshipWriteResult,
  type SchemaWriteCheck,
  type SnapshotReader,
  type Store,
  type StoredSchema,
  StoreError,
  StoreUnavailableError,
  type WatchedChange,
  type WatchOptions,
  type WriteOptions,
  type WriteResult,
} from "../store.js";
import {
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type StoreOptions,
} from "../store-options.js";
import type { WriteLimits } from "../write-limits.js";
import { importRelationships } from "./bulk-import.js";
import { ChangeFeed, type FeedRead } from "./change-feed.js";
import { CHANGES_CHANNEL, parseNotification } from "./change-notification.js";
import { ChangeSignal } from "./change-signal.js";
import { comparePositions, readChanges, startPosition } from "./changelog-reads.js";
import { nextPendingExpiry } from "./expiry-log.js";
import { ExpiryTimer } from "./expiry-timer.js";
import { disjointBranches, filterConditions, param, snapshotConditions } from "./filter-sql.js";
import { collectGarbageTransaction, readOldest } from "./garbage-collection.js";
import { migrate } from "./migrate.js";
import { SELECT_RELATIONSHIP, toNumber, toRelationship } from "./relationship-row.js";
import { RepeatingTask } from "./repeating-task.js";
import { RetryDelay } from "./retry-delay.js";
import type { SqlExecutor } from "./sql-executor.js";
import { readStoredSchema } from "./stored-schema.js";
import {
  type Commit,
  deleteMatchingTransaction,
  expiryTransaction,
  schemaWriteTransaction,
  writeTransaction,
} from "./write-transactions.js";

/**
 * SqlBackedStore is a store on a SQL database, which it shares with what keeps its own tables
 * there (the decision log). The database is the store's: it closes with the store.
 */
export interface SqlBackedStore extends Store {
  readonly database: SqlExecutor;
}

/** SqlStoreOptions configure {@link createSqlStore}. */
export interface SqlStoreOptions extends StoreOptions {
  /** How often garbage collection runs in the background, in milliseconds, as SpiceDB's `--datastore-gc-interval`; default 3 minutes. */
  readonly gcIntervalMs?: number;
  /** Told what opening does while it takes time (migrating), a line at a time, for a start-up log. */
  readonly progress?: (message: string) => void;
  /**
   * Told what background work failed (`garbage collection`, `logging expiries`, `reading the
   * changelog`), before the store tries it again by itself.
   */
  readonly onBackgroundError?: (work: string, error: unknown) => void;
}

/** ResolvedSqlStoreOptions are SqlStoreOptions with their defaults applied. */
export interface ResolvedSqlStoreOptions extends ResolvedStoreOptions {
  readonly gcIntervalMs: number;
  readonly onBackgroundError?: (work: string, error: unknown) => void;
}

const DEFAULT_GC_INTERVAL_MS = 3 * 60 * 1000;
/** Changelog events a watcher reads per round trip. */
const WATCH_BATCH = 1000;
/**
 * The events the change feed keeps for the watches that follow it: a watch that falls further
 * behind reads the changelog itself until it catches up.
 */
const FEED_CAPACITY = 4 * WATCH_BATCH;
/** How long a failed attempt to log expiries waits before the next. */
const EXPIRY_RETRY_MS = 1000;
/**
 * Expiries are logged at a random moment this long after them: not at the instant itself, when
 * every replica's timer would fire its write transaction for the same expiry at once (all but one
 * to find nothing left to log), and when the checks made just after the expiry are being answered
 * (from the cache: answers resting on the expiry need no event to stop, their entries end at it).
 */
const EXPIRY_LOG_LAG_MS = { min: 50, max: 150 };

/**
 * createSqlStore migrates the database behind executor and opens a Store on it; the store owns
 * the executor from then on and closes it on close. The same SQL runs on Postgres and PGlite.
 *
 * Writes: each write transaction first increments the one-row revision counter, which serializes
 * writers, so commit order is revision order; then it checks preconditions and applies its
 * updates, and logs its changes in the same transaction. A read at revision R sees the versions
 * created at or before R and not deleted at or before R, hiding those expired at its `now`.
 *
 * Expiry, as the memory store: an expired relationship counts as absent at the head. Expire
 * events are logged at a new revision of their own: by a timer armed for the earliest pending
 * expiry (from start-up, this process's writes and other processes' notifications), and by every
 * write, which first logs the expiries already due.
 *
 * Watch: a watch reads the changelog from its position until it has caught up, then follows the
 * store's change feed, which reads new events once for all the watches of this process, woken by
 * this process's commits and by NOTIFY from every process (including after the listening
 * connection is re-established), so a missed notification delays an event but never loses or
 * repeats it.
 *
 * After close, every method rejects and every watch ends.
 */
export async function createSqlStore(
  executor: SqlExecutor,
  options: SqlStoreOptions = {},
  maintenance: SqlMaintenance = {},
): Promise<SqlBackedStore> {
  const resolved = resolveSqlStoreOptions(options);
  const { from, to } = await migrate(executor);
  if (from !== to) options.progress?.(`migrated the database schema from version ${from} to ${to}`);
  const [row = {}] = await executor.query("SELECT store_id FROM latch_store");
  const store = new SqlStore(executor, String(row.store_id), resolved, maintenance);
  await store.start();
  return store;
}

/** SqlMaintenance is what one database needs after garbage collection, set by its factory. */
export interface SqlMaintenance {
  /** Whether to VACUUM after a collection removed rows: PGlite runs no autovacuum. */
  readonly vacuumAfterCollection?: boolean;
}

/**
 * resolveSqlStoreOptions applies the defaults and throws a RangeError for options that no store
 * can take, before a factory opens a database.
 */
export function resolveSqlStoreOptions(options: SqlStoreOptions): ResolvedSqlStoreOptions {
  const gcIntervalMs = options.gcIntervalMs ?? DEFAULT_GC_INTERVAL_MS;
  if (!Number.isSafeInteger(gcIntervalMs) || gcIntervalMs < 1) {
    throw new RangeError(`gcIntervalMs must be a positive integer, got ${gcIntervalMs}`);
  }
  return {
    ...resolveStoreOptions(options),
    gcIntervalMs,
    ...(options.onBackgroundError === undefined
      ? {}
      : { onBackgroundError: options.onBackgroundError }),
  };
}

class SqlStore implements SqlBackedStore {
  private closing: Promise<void> | undefined;
  /** The newest revision this process knows is committed; reads at or below it need no check. */
  private knownHead = 0;
  /** The oldest revision this process knows is readable; reads below it are refused. */
  private knownOldest = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly changes = new ChangeSignal();
  private readonly expiries = new ExpiryTimer(
    () => this.reported("logging expiries", () => this.logExpiries()),
    EXPIRY_RETRY_MS,
    () => EXPIRY_LOG_LAG_MS.min + Math.random() * (EXPIRY_LOG_LAG_MS.max - EXPIRY_LOG_LAG_MS.min),
  );
  private listening: Promise<() => Promise<void>> | undefined;
  private readonly feed = new ChangeFeed(
    (after, limit) =>
      this.reported("reading the changelog", () => this.run((q) => readChanges(q, after, limit))),
    this.changes,
    WATCH_BATCH,
    FEED_CAPACITY,
  );

  private readonly collector: RepeatingTask;

  constructor(
    private readonly executor: SqlExecutor,
    readonly storeId: string,
    private readonly options: ResolvedSqlStoreOptions,
    private readonly maintenance: SqlMaintenance,
  ) {
    // A failed collection is retried at the next interval; reads and writes do not depend on it.
    this.collector = new RepeatingTask(
      () => this.reported("garbage collection", () => this.collectGarbage()),
      options.gcIntervalMs,
    );
  }

  /** reported runs background work, telling onBackgroundError of a failure before its retry. */
  private reported<T>(work: string, run: () => Promise<T>): Promise<T> {
    return run().catch((error: unknown) => {
      this.options.onBackgroundError?.(work, error);
      throw error;
    });
  }

  get database(): SqlExecutor {
    return this.executor;
  }

  get writeLimits(): WriteLimits {
    return this.options;
  }

  async start(): Promise<void> {
    this.expiries.arm(await this.run(nextPendingExpiry));
    this.knownOldest = await this.run(readOldest);
    this.collector.start();
  }

  async oldestRevision(): Promise<Revision> {
    const oldest = await this.run(readOldest);
    this.knownOldest = Math.max(this.knownOldest, oldest);
    return revision(oldest);
  }

  async collectGarbage(): Promise<GarbageCollection> {
    const { retentionMs } = this.options;
    const collected = await this.run((db) =>
      db.transaction((tx) => collectGarbageTransaction(tx, retentionMs)),
    );
    this.knownOldest = Math.max(this.knownOldest, collected.oldestRevision);
    const removed = collected.relationshipsRemoved + collected.changesRemoved;
    if (removed > 0 && this.maintenance.vacuumAfterCollection) {
      await this.run((db) => db.exec("VACUUM ANALYZE latch_relationships, latch_changelog"));
    }
    return collected;
  }

  async headRevision(): Promise<Revision> {
    return (await this.head()).revision;
  }

  async head(): Promise<Head> {
    const [row = {}] = await this.run((q) =>
      q.query("SELECT revision, schema_revision FROM latch_revision"),
    );
    const head = toNumber(row, "revision");
    this.knownHead = Math.max(this.knownHead, head);
    return { revision: revision(head), schemaRevision: revision(toNumber(row, "schema_revision")) };
  }

  async readSchema(): Promise<StoredSchema | undefined> {
    return this.run(readStoredSchema);
  }

  async writeSchema(text: string, check: SchemaWriteCheck): Promise<WriteResult> {
    const now = new Date();
    const commit = await this.run((db) =>
      db.transaction((tx) => schemaWriteTransaction(tx, text, check, now)),
    );
    this.committed(commit);
    return { revision: revision(commit.revision) };
  }

  snapshot(at: Revision, now: Date): SnapshotReader {
    return {
      revision: at,
      now,
      query: (filter, options) => this.query(at, now, filter, options),
    };
  }

  async write(
    updates: readonly RelationshipUpdate[],
    preconditions: readonly Precondition[] = [],
    options: RelationshipWriteOptions = {},
  ): Promise<RelationshipWriteResult> {
    this.assertOpen();
    const now = new Date();
    const prepared = prepareUpdates(updates, this.options.maxUpdatesPerWrite, now.getTime());
    checkPreconditions(preconditions, this.options.maxPreconditionsPerWrite);
    const commit = await this.run((db) =>
      db.transaction((tx) => writeTransaction(tx, prepared, preconditions, now, options)),
    );
    this.committed(commit);
    return { revision: revision(commit.revision), deleted: commit.deleted };
  }

  async importRelationships(
    relationships: AsyncIterable<Relationship> | Iterable<Relationship>,
    options: WriteOptions = {},
  ): Promise<ImportResult> {
    const imported = await this.run((db) => importRelationships(db, relationships, options));
    this.knownHead = Math.max(this.knownHead, imported.revision);
    this.changes.wake();
    return imported;
  }

  /**
   * deleteMatching deletes, at a new revision, every relationship that matches filter at the head
   * and has not expired. With a limit, when more than `limit` match it deletes nothing and rejects
   * with "too-many-updates", as SpiceDB does when `optional_allow_partial_deletions` is false;
   * with `partial`, it deletes the first `limit` in key order.
   */
  async deleteMatching(
    filter: RelationshipFilter,
    limit?: number,
    options: DeleteOptions = {},
  ): Promise<DeleteResult> {
    this.assertOpen();
    checkLimit(limit);
    checkPreconditions(options.preconditions ?? [], this.options.maxPreconditionsPerWrite);
    const now = new Date();
    const commit = await this.run((db) =>
      db.transaction((tx) => deleteMatchingTransaction(tx, filter, limit, now, options)),
    );
    this.committed(commit);
    return { revision: revision(commit.revision), deleted: commit.deleted };
  }

  watch(after: Revision, options: WatchOptions = {}): AsyncIterable<WatchedChange> {
    return this.follow(after, options);
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async query(
    at: Revision,
    now: Date,
    filter: RelationshipFilter,
    options: QueryOptions = {},
  ): Promise<Relationship[]> {
    this.assertOpen();
    if (at > this.knownHead) {
      const head = await this.headRevision();
      if (at > head) {
        throw new StoreError(
          "revision-unavailable",
          `cannot read at revision ${at}: the head revision is ${head}`,
        );
      }
    }
    if (at < this.knownOldest) throw revisionCollected("read at", at, this.knownOldest);
    const { after, limit } = options;
    checkLimit(limit);
    const params: unknown[] = [];
    const shared = snapshotConditions(at, now, params);
    if (after !== undefined) shared.push(`rel_key > ${param(params, after)}`);
    const branches = disjointBranches(filter).map((branch) =>
      [...shared, ...filterConditions(branch, params)].join(" AND "),
    );
    const bound = limit === undefined ? "" : ` LIMIT ${param(params, limit)}`;
    const from = "FROM latch_relationships WHERE";
    const sql =
      branches.length === 1
        ? `SELECT ${SELECT_RELATIONSHIP} ${from} ${branches[0]} ORDER BY rel_key${bound}`
        : `${branches.map((where) => `(SELECT rel_key, ${SELECT_RELATIONSHIP} ${from} ${where})`).join(" UNION ALL ")} ORDER BY rel_key${bound}`;
    const rows = await this.run((q) => q.query(sql, params));
    return rows.map(toRelationship);
  }

  private async *follow(after: Revision, options: WatchOptions): AsyncGenerator<WatchedChange> {
    const { signal } = options;
    const types = options.resourceTypes === undefined ? undefined : new Set(options.resourceTypes);
    this.assertOpen();
    const retry = new RetryDelay();
    let start: Awaited<ReturnType<typeof startPosition>> | undefined;
    while (start === undefined) {
      try {
        await this.listen();
        start = await this.run((q) => startPosition(q, after));
      } catch (error) {
        if (this.closing !== undefined || signal?.aborted) return;
        if (error instanceof StoreError) throw error;
        // A lost connection delays the start of the stream; it does not end it.
        await retry.wait(signal);
      }
    }
    if (after > start.head) {
      throw new StoreError(
        "revision-unavailable",
        `cannot watch after revision ${after}: the head revision is ${start.head}`,
      );
    }
    if (after < start.oldest) throw revisionCollected("watch after", after, start.oldest);
    let position = start.position;
    /** The last matching event read, yielded once it is known whether it ends its revision. */
    let held: ChangeEvent | undefined;
    let joined = false;
    retry.reset();
    try {
      for (;;) {
        if (this.closing !== undefined || signal?.aborted) return;
        const generation = this.feed.generation;
        // From the feed when it holds the events after the position, else from the changelog.
        let read: FeedRead | undefined = this.feed.readAfter(position, WATCH_BATCH);
        if (read === undefined) {
          let fromLog: Awaited<ReturnType<typeof readChanges>>;
          try {
            fromLog = await this.reported("reading the changelog", () =>
              this.run((q) => readChanges(q, position, WATCH_BATCH)),
            );
            retry.reset();
          } catch {
            if (this.closing !== undefined) return;
            // The position is durable: a lost connection or a restarting server only delays the
            // stream, which resumes where it was, with no gap and no repeat.
            await retry.wait(signal);
            continue;
          }
          if (position.revision < fromLog.oldest) {
            // Events after the position may be gone (a caught-up watch that saw only empty writes
            // is refused too: it cannot be told apart without them).
            throw new StoreError(
              "revision-unavailable",
              `the watch fell behind the retention window: it had read up to revision ${position.revision}, the oldest available is ${fromLog.oldest}`,
            );
          }
          read = { ...fromLog, caughtUp: fromLog.through !== undefined };
        }
        for (const entry of read.entries) {
          position = entry.position;
          if (this.closing !== undefined || signal?.aborted) return;
          const { event } = entry;
          if (types !== undefined && !types.has(event.relationship.resource.type)) continue;
          // The previous match is the last of its revision if this one is of a later revision.
          if (held !== undefined)
            yield { ...held, lastInRevision: held.revision !== event.revision };
          held = event;
        }
        // Revisions commit whole: the held event is the last of its revision once everything up
        // to a later position has been read, or once the batch went on to a later revision.
        const { through } = read;
        if (held !== undefined && (through !== undefined || held.revision < position.revision)) {
          yield { ...held, lastInRevision: true };
          held = undefined;
        }
        if (through !== undefined && comparePositions(through, position) > 0) position = through;
        if (!read.caughtUp) continue;
        if (!joined) {
          this.feed.join(position);
          joined = true;
        }
        await this.feed.wait(generation, signal);
      }
    } finally {
      if (joined) this.feed.leave();
    }
  }

  /** listen subscribes this store to other processes' commits, once, on the first watch. */
  private async listen(): Promise<void> {
    this.assertOpen();
    this.listening ??= this.track(
      this.executor.listen(CHANGES_CHANNEL, (payload) => this.onNotify(payload)),
    );
    try {
      await this.listening;
    } catch (error) {
      this.listening = undefined;
      throw error;
    }
  }

  private onNotify(payload: string | undefined): void {
    if (this.closing !== undefined) return;
    if (payload === undefined) {
      // Notifications may have been missed: expiries written meanwhile need arming too.
      this.run(nextPendingExpiry).then(
        (next) => this.expiries.arm(next),
        () => {},
      );
    } else {
      const { revision: at = 0, expiry } = parseNotification(payload);
      this.knownHead = Math.max(this.knownHead, at);
      this.expiries.arm(expiry);
    }
    this.changes.wake();
  }

  /** logExpiries logs the expiries due now at a new revision; it returns the next pending expiry. */
  private async logExpiries(): Promise<number | undefined> {
    const logged = await this.run((db) => db.transaction(expiryTransaction));
    if (logged > 0) this.changes.wake();
    return this.run(nextPendingExpiry);
  }

  private committed({ revision: at, expiry }: Commit): void {
    this.knownHead = Math.max(this.knownHead, at);
    this.expiries.arm(expiry);
    this.changes.wake();
  }

  /** run runs fn on the executor while the store is open; close waits for it. */
  private run<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.track(fn(this.executor));
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const forget = () => this.pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  private async shutDown(): Promise<void> {
    this.expiries.close();
    this.collector.stop();
    this.feed.stop();
    this.changes.wake();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    const stop = await this.listening?.catch(() => undefined);
    await stop?.();
    await this.executor.close();
  }

  private assertOpen(): void {
    if (this.closing !== undefined) {
      throw new StoreUnavailableError("the store is closed: the server is shutting down");
    }
  }
}
