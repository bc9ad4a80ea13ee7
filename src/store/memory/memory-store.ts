// The in-memory store: MVCC row versions, indexed reads at any revision, a change log with expiries.

import { generateStoreId } from "../../revision/consistency-token.js";
import { type Revision, revision } from "../../revision/revision.js";
import { formatRelationship } from "../../tuple/format-relationship.js";
import type { Relationship } from "../../tuple/relationship.js";
import { checkPrecondition, checkPreconditions } from "../check-precondition.js";
import { type PreparedUpdate, prepareUpdates } from "../prepare-updates.js";
import { checkLimit, revisionCollected, schemaChanged } from "../refusals.js";
import { relationshipShape, shapeSelects } from "../relationship-shape.js";
import {
  type ChangeEvent,
  type DeleteOptions,
  type DeleteResult,
  type GarbageCollection,
  type Head,
  type ImportResult,
  type LiveRelationships,
  type Precondition,
  type QueryOptions,
  type RelationshipFilter,
  type RelationshipShape,
  type RelationshipUpdate,
  type RelationshipWriteOptions,
  type RelationshipWriteResult,
  type SchemaWriteCheck,
  type ShapeFilter,
  type SnapshotReader,
  type Store,
  type StoredSchema,
  StoreError,
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
import { touchChangesNothing } from "../unchanged-touch.js";
import type { WriteLimits } from "../write-limits.js";
import { ChangeLog } from "./change-log.js";
import { CommitTimes } from "./commit-times.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { isLiveAtHead, isVisible, type Row } from "./row.js";
import { RowIndex } from "./row-index.js";

/**
 * createMemoryStore makes a Store that keeps every version of every relationship in memory, for
 * tests and benchmarks. Writes are checked and applied synchronously, so concurrent writes serialize
 * and get consecutive revisions. Past revisions stay readable until {@link Store.collectGarbage}
 * is called (the memory store runs no background collection).
 *
 * Expiry: a relationship whose `expiresAt` is at or before a read's `now` is hidden, and at the
 * head it counts as absent (it may be created again; deleting it is a no-op). When live
 * relationships' expiry passes, their "expire" events are logged at a new revision of their own,
 * so that every revision's events are complete once it exists and a watch after revision R
 * (a token) resumes exactly.
 *
 * After close, every method rejects and every watch ends.
 */
export function createMemoryStore(options: StoreOptions = {}): Store {
  return new MemoryStore(resolveStoreOptions(options));
}

class MemoryStore implements Store {
  readonly storeId = generateStoreId();
  private headRev = 0;
  private oldest = 0;
  private schema: StoredSchema | undefined;
  private closed = false;
  private readonly index = new RowIndex();
  /** The newest row of each relationship key, live or deleted. */
  private readonly newest = new Map<string, Row>();
  private readonly log = new ChangeLog();
  private readonly expiries = new ExpiryQueue((rows) => this.expire(rows));
  private readonly commitTimes = new CommitTimes();
  /**
   * The schema write in progress (the last of those queued), until it ends: its check awaits,
   * and writes wait for it, so that none commits between the check and the schema.
   */
  private schemaWrite: Promise<void> | undefined;

  constructor(private readonly options: ResolvedStoreOptions) {}

  get writeLimits(): WriteLimits {
    return this.options;
  }

  async headRevision(): Promise<Revision> {
    this.assertOpen();
    return revision(this.headRev);
  }

  async head(): Promise<Head> {
    this.assertOpen();
    return {
      revision: revision(this.headRev),
      schemaRevision: this.schema?.revision ?? revision(0),
    };
  }

  async readSchema(): Promise<StoredSchema | undefined> {
    this.assertOpen();
    return this.schema;
  }

  async writeSchema(text: string, check: SchemaWriteCheck): Promise<WriteResult> {
    this.assertOpen();
    const written = (this.schemaWrite ?? Promise.resolve()).then(async () => {
      this.assertOpen();
      const nowMs = Date.now();
      await check(this.schema, this.liveRelationships(nowMs));
      const at = revision(this.headRev + 1);
      this.schema = { text, revision: at };
      this.commit(at, [], nowMs);
      return { revision: at };
    });
    const ended = (): void => {
      if (this.schemaWrite === settled) this.schemaWrite = undefined;
    };
    const settled: Promise<void> = written.then(ended, ended);
    this.schemaWrite = settled;
    return written;
  }

  async oldestRevision(): Promise<Revision> {
    this.assertOpen();
    return revision(this.oldest);
  }

  snapshot(at: Revision, now: Date): SnapshotReader {
    return {
      revision: at,
      now,
      query: async (filter, options) => this.query(at, now, filter, options),
    };
  }

  async write(
    updates: readonly RelationshipUpdate[],
    preconditions: readonly Precondition[] = [],
    options: RelationshipWriteOptions = {},
  ): Promise<RelationshipWriteResult> {
    this.assertOpen();
    if (this.schemaWrite !== undefined) await this.schemaWritten();
    this.checkSchemaRevision(options);
    const nowMs = Date.now();
    const prepared = prepareUpdates(updates, this.options.maxUpdatesPerWrite, nowMs);
    checkPreconditions(preconditions, this.options.maxPreconditionsPerWrite);
    return this.apply(prepared, preconditions, nowMs, options.stamp);
  }

  async importRelationships(
    relationships: AsyncIterable<Relationship> | Iterable<Relationship>,
    options: WriteOptions = {},
  ): Promise<ImportResult> {
    this.assertOpen();
    const updates: RelationshipUpdate[] = [];
    for await (const relationship of relationships)
      updates.push({ operation: "touch", relationship });
    if (this.schemaWrite !== undefined) await this.schemaWritten();
    this.checkSchemaRevision(options);
    const nowMs = Date.now();
    const prepared = prepareUpdates(updates, Math.max(updates.length, 1), nowMs);
    // An import of nothing changes nothing: apply commits no revision and answers the head.
    const { revision: at } = this.apply(prepared, [], nowMs);
    return { revision: at, imported: prepared.length };
  }

  /**
   * apply checks the preconditions and applies prepared updates at the next revision, each created
   * or touched relationship as stamp makes it of the revision; when they change nothing it
   * commits no revision and returns the head.
   */
  private apply(
    prepared: readonly PreparedUpdate[],
    preconditions: readonly Precondition[],
    nowMs: number,
    stamp?: RelationshipWriteOptions["stamp"],
  ): RelationshipWriteResult {
    this.checkAtHead(preconditions, nowMs);
    for (const { operation, key, relationship } of prepared) {
      const newest = this.newest.get(key);
      if (operation === "create" && newest !== undefined && isLiveAtHead(newest, nowMs)) {
        throw new StoreError(
          "already-exists",
          `cannot create ${formatRelationship(relationship)}: the relationship already exists`,
        );
      }
    }
    // An expired relationship is already gone for readers: deleting it changes nothing; nor does
    // a touch that would store what is live (a stamped one stores what its revision makes of it).
    const changes = prepared.filter(({ operation, key, relationship }) => {
      if (operation === "delete") return this.isLive(key, nowMs);
      if (operation === "create" || stamp !== undefined) return true;
      const newest = this.newest.get(key);
      return !(
        newest !== undefined &&
        isLiveAtHead(newest, nowMs) &&
        touchChangesNothing(newest.relationship, relationship)
      );
    });
    if (changes.length === 0) return { revision: revision(this.headRev), deleted: 0 };
    const at = revision(this.headRev + 1);
    const events: ChangeEvent[] = [];
    let deleted = 0;
    for (const { operation, key, relationship } of changes) {
      const newest = this.newest.get(key);
      if (newest !== undefined && newest.deletedRev === undefined) {
        newest.deletedRev = at;
        if (operation === "delete") {
          deleted++;
          events.push({ revision: at, kind: "delete", relationship: newest.relationship });
        }
      }
      if (operation !== "delete") {
        const stored = stamp === undefined ? relationship : stamp(relationship, at);
        this.addRow(key, stored, at);
        events.push({ revision: at, kind: "touch", relationship: stored });
      }
    }
    this.commit(at, events, nowMs);
    return { revision: at, deleted };
  }

  /** checkAtHead throws unless every precondition holds at the head as of nowMs. */
  private checkAtHead(preconditions: readonly Precondition[], nowMs: number): void {
    const firstMatch = (filter: RelationshipFilter) =>
      this.index.select(filter, { accept: (row) => isLiveAtHead(row, nowMs), limit: 1 })[0]
        ?.relationship;
    for (const precondition of preconditions) checkPrecondition(precondition, firstMatch);
  }

  /** isLive says whether the relationship with key is live at the head and not expired at nowMs. */
  private isLive(key: string, nowMs: number): boolean {
    const newest = this.newest.get(key);
    return newest !== undefined && isLiveAtHead(newest, nowMs);
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
    const { preconditions = [], partial = false } = options;
    checkPreconditions(preconditions, this.options.maxPreconditionsPerWrite);
    if (this.schemaWrite !== undefined) await this.schemaWritten();
    const nowMs = Date.now();
    this.checkAtHead(preconditions, nowMs);
    let rows = this.liveRows(filter, nowMs);
    if (limit !== undefined && rows.length > limit && partial) rows = rows.slice(0, limit);
    if (limit !== undefined && rows.length > limit) {
      throw new StoreError(
        "too-many-updates",
        `${rows.length} relationships match the filter, more than the limit of ${limit}; nothing was deleted`,
      );
    }
    if (rows.length === 0) return { revision: revision(this.headRev), deleted: 0 };
    const at = revision(this.headRev + 1);
    const events: ChangeEvent[] = rows.map((row) => {
      row.deletedRev = at;
      return { revision: at, kind: "delete", relationship: row.relationship };
    });
    this.commit(at, events, Date.now());
    return { revision: at, deleted: rows.length };
  }

  watch(after: Revision, options: WatchOptions = {}): AsyncIterable<WatchedChange> {
    const { closed, headRev: head, oldest, log } = this;
    const position = log.positionAfter(after);
    return (async function* () {
      if (closed) throw closedError();
      if (after > head) {
        throw new StoreError(
          "revision-unavailable",
          `cannot watch after revision ${after}: the head revision is ${head}`,
        );
      }
      if (after < oldest) throw revisionCollected("watch after", after, oldest);
      yield* log.follow(position, options);
    })();
  }

  /**
   * collectGarbage makes the newest revision committed before the retention window the oldest
   * readable one, and drops the row versions no read from it on can see: those deleted at or
   * before it, and those expired before the window.
   */
  async collectGarbage(): Promise<GarbageCollection> {
    this.assertOpen();
    const horizonMs = Date.now() - this.options.retentionMs;
    const cutoff = this.commitTimes.newestAtOrBefore(horizonMs);
    if (cutoff === undefined || cutoff <= this.oldest) {
      return { oldestRevision: revision(this.oldest), relationshipsRemoved: 0, changesRemoved: 0 };
    }
    this.oldest = cutoff;
    this.commitTimes.dropBefore(cutoff);
    const changesRemoved = this.log.dropBefore(cutoff);
    const relationshipsRemoved = this.index.prune(
      (row) =>
        (row.deletedRev !== undefined && row.deletedRev <= cutoff) || row.expiresAtMs <= horizonMs,
    );
    for (const [key, row] of this.newest) {
      if (row.deletedRev !== undefined && row.deletedRev <= cutoff) this.newest.delete(key);
    }
    return { oldestRevision: revision(cutoff), relationshipsRemoved, changesRemoved };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.log.close();
    this.expiries.close();
  }

  private query(
    at: Revision,
    now: Date,
    filter: RelationshipFilter,
    options: QueryOptions = {},
  ): Relationship[] {
    this.assertOpen();
    if (at > this.headRev) {
      throw new StoreError(
        "revision-unavailable",
        `cannot read at revision ${at}: the head revision is ${this.headRev}`,
      );
    }
    if (at < this.oldest) throw revisionCollected("read at", at, this.oldest);
    const { after, limit } = options;
    checkLimit(limit);
    const nowMs = now.getTime();
    const accept = (row: Row) => isVisible(row, at, nowMs);
    const rows = this.index.select(filter, { accept, after, limit });
    const result: Relationship[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) result[i] = rows[i]!.relationship;
    return result;
  }

  /** liveRows are the head rows that match filter and have not expired at nowMs, in key order. */
  private liveRows(filter: RelationshipFilter, nowMs: number): Row[] {
    return this.index.select(filter, { accept: (row) => isLiveAtHead(row, nowMs) });
  }

  private addRow(key: string, relationship: Relationship, at: Revision): void {
    const row: Row = {
      relationship,
      key,
      createdRev: at,
      deletedRev: undefined,
      expiresAtMs: relationship.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
    };
    this.newest.set(key, row);
    this.index.add(row);
    if (relationship.expiresAt !== undefined) this.expiries.add(row);
  }

  private commit(at: Revision, events: readonly ChangeEvent[], nowMs: number): void {
    this.headRev = at;
    this.commitTimes.add(at, nowMs);
    this.log.append(events);
  }

  private expire(rows: readonly Row[]): void {
    const at = revision(this.headRev + 1);
    const events: ChangeEvent[] = [];
    for (const row of rows) {
      // A row deleted or replaced before its expiry has already had its last event.
      if (row.deletedRev === undefined) {
        events.push({ revision: at, kind: "expire", relationship: row.relationship });
      }
    }
    if (events.length > 0) this.commit(at, events, Date.now());
  }

  /**
   * schemaWritten waits until no schema write is in progress. Callers skip it when none is: a
   * write then applies in the call itself, as callers that do not await it expect.
   */
  private async schemaWritten(): Promise<void> {
    while (this.schemaWrite !== undefined) await this.schemaWrite;
    this.assertOpen();
  }

  /** liveRelationships reads the rows live at the head and not expired at nowMs. */
  private liveRelationships(nowMs: number): LiveRelationships {
    const select = (filter: ShapeFilter, limit: number) =>
      this.index.select(
        {
          resourceType: filter.resourceType,
          ...(filter.relation === undefined ? {} : { relation: filter.relation }),
        },
        {
          accept: (row) => isLiveAtHead(row, nowMs) && shapeSelects(filter, row.relationship),
          limit,
        },
      );
    return {
      find: async (filter, limit) => select(filter, limit).map((row) => row.relationship),
      count: async (filter, cap) => select(filter, cap).length,
      shapes: async () => {
        const shapes = new Map<string, RelationshipShape>();
        for (const row of this.newest.values()) {
          if (!isLiveAtHead(row, nowMs)) continue;
          const shape = relationshipShape(row.relationship);
          shapes.set(JSON.stringify(shape), shape);
        }
        return [...shapes.values()];
      },
    };
  }

  private checkSchemaRevision({ schemaRevision }: WriteOptions): void {
    const current = this.schema?.revision ?? 0;
    if (schemaRevision !== undefined && schemaRevision !== current) {
      throw schemaChanged(schemaRevision, current);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}

function closedError(): Error {
  return new Error("the memory store is closed");
}
