// The store interface: relationships read at a revision, written atomically, watched as a stream.

import type { Revision } from "../revision/revision.js";
import type { ObjectRef, Relationship, SubjectRef } from "../tuple/relationship.js";
import type { WriteLimits } from "./write-limits.js";

/**
 * RelationshipFilter selects relationships: those that match every field set. Unset fields match
 * anything; `subjectRelation: null` matches only subjects that are objects (no relation), a string
 * only that relation.
 */
export interface RelationshipFilter {
  readonly resourceType?: string;
  /**
   * Relationships whose resource type starts with this prefix do not match: a delete by a filter
   * that names no resource type leaves Latch's own (`latch/`) alone.
   */
  readonly exceptResourceTypePrefix?: string;
  readonly resourceIds?: readonly string[];
  /** Only relationships on resources whose id starts with this prefix. */
  readonly resourceIdPrefix?: string;
  readonly relation?: string;
  /**
   * The relationships of any of these sets `type:id#relation`, exactly (of a set that names
   * subjects, only those): the engine reads every set that one level of its walk needs, of any
   * types and relations, in one query.
   */
  readonly objectRelations?: readonly ObjectRelation[];
  readonly subjectType?: string;
  readonly subjectIds?: readonly string[];
  readonly subjectRelation?: string | null;
}

/**
 * ObjectRelation names the set `type:id#relation`: the relationships of one object and relation;
 * with `subjects`, only those of its relationships whose subject is one of them, exactly (type, id
 * and relation: `user:*` is the wildcard's relationship, not every user's). A set named both
 * with and without subjects is read whole.
 */
export interface ObjectRelation extends ObjectRef {
  readonly relation: string;
  readonly subjects?: readonly SubjectRef[];
}

/** QueryOptions bound a query: at most `limit` rows, in key order, after the row with key `after`. */
export interface QueryOptions {
  readonly limit?: number;
  /** A `relationshipKey` returned earlier; the query resumes after it. */
  readonly after?: string;
}

/**
 * SnapshotReader reads the relationships live at one revision and not expired at `now`. Rows come
 * in `relationshipKey` order, so that paging by cursor is stable.
 */
export interface SnapshotReader {
  readonly revision: Revision;
  readonly now: Date;
  query(filter: RelationshipFilter, options?: QueryOptions): Promise<Relationship[]>;
}

/** UpdateOperation is how a write changes one relationship. */
export type UpdateOperation = "create" | "touch" | "delete";

/** RelationshipUpdate is one change in a write: create (must not exist), touch (upsert) or delete. */
export interface RelationshipUpdate {
  readonly operation: UpdateOperation;
  readonly relationship: Relationship;
}

/** Precondition must hold, checked atomically with the write: some relationship matches, or none does. */
export interface Precondition {
  readonly operation: "must-match" | "must-not-match";
  readonly filter: RelationshipFilter;
}

/** ChangeKind is what happened to a relationship: written (touched or created), deleted, or expired. */
export type ChangeKind = "touch" | "delete" | "expire";

/** ChangeEvent is one entry of the change stream. */
export interface ChangeEvent {
  readonly revision: Revision;
  readonly kind: ChangeKind;
  readonly relationship: Relationship;
}

/**
 * WatchedChange is a change as a watch yields it: `lastInRevision` marks the last event of its
 * revision that the watch yields; after it, a token for the revision resumes the stream exactly.
 */
export interface WatchedChange extends ChangeEvent {
  readonly lastInRevision: boolean;
}

/**
 * GarbageCollection is what one collection did: the oldest revision still readable and watchable
 * afterwards, and how many relationship versions and changelog events it removed.
 */
export interface GarbageCollection {
  readonly oldestRevision: Revision;
  readonly relationshipsRemoved: number;
  readonly changesRemoved: number;
}

/** WatchOptions narrow the change stream. */
export interface WatchOptions {
  /** Only changes to relationships whose resource type is one of these. */
  readonly resourceTypes?: readonly string[];
  /** Stops the stream. */
  readonly signal?: AbortSignal;
}

/** DeleteOptions add preconditions to a delete by filter, and let a limited one delete part of what matches. */
export interface DeleteOptions {
  /** Checked atomically with the delete, as a write's are: if one fails, nothing is deleted. */
  readonly preconditions?: readonly Precondition[];
  /** With a limit: when more match, delete the first `limit` in key order instead of refusing. */
  readonly partial?: boolean;
}

/** WriteOptions add a condition to a write or an import. */
export interface WriteOptions {
  /**
   * The revision of the schema the caller checked the relationships against: the write rejects
   * with "schema-changed", writing nothing, if another schema has been written since.
   */
  readonly schemaRevision?: Revision;
}

/** RelationshipWriteOptions configure a write of relationships ({@link Store.write}). */
export interface RelationshipWriteOptions extends WriteOptions {
  /**
   * stamp, when set, is given each relationship the write creates or touches and the revision the
   * write takes, and returns the relationship to store in its place, within the same transaction:
   * for a record that names the revision of its own write (an approved access request, its
   * grant's token), so that no second write is needed. It may change only the caveat's context:
   * the key, the expiry and the checks already made of the update stand.
   */
  readonly stamp?: (relationship: Relationship, revision: Revision) => Relationship;
}

/** WriteResult is the revision a write committed at. */
export interface WriteResult {
  readonly revision: Revision;
}

/**
 * RelationshipWriteResult is the revision a write of relationships committed at, and how many of
 * its deletes found a relationship to delete. A write that changes nothing (it only deletes
 * relationships that do not exist, or holds no update) commits no revision: its result names the
 * head, which already reflects everything it asked for.
 */
export interface RelationshipWriteResult extends WriteResult {
  readonly deleted: number;
}

/** ImportResult is the revision an import committed at (the head, for an empty one) and how many relationships it wrote. */
export interface ImportResult {
  readonly revision: Revision;
  readonly imported: number;
}

/**
 * DeleteResult is the revision a delete-by-filter committed at (the head, when it removed
 * nothing) and how many relationships it removed.
 */
export interface DeleteResult {
  readonly revision: Revision;
  readonly deleted: number;
}

/**
 * Store holds relationships with MVCC revisions. Implementations: memory (tests, benchmarks),
 * Postgres and PGlite (the same SQL). Every method is safe to call concurrently.
 */
export interface Store {
  /** storeId identifies this store's data: consistency tokens carry it, and only its own are accepted. */
  readonly storeId: string;
  /** writeLimits bound each write: past them, it is refused before any work. */
  readonly writeLimits: WriteLimits;
  /** headRevision is the newest committed revision. */
  headRevision(): Promise<Revision>;
  /** head reads the newest committed revision and the newest schema write's revision together. */
  head(): Promise<Head>;
  /**
   * oldestRevision is the oldest revision still readable and watchable: garbage collection has
   * removed what older snapshots would need. Reads and watches from before it are refused.
   */
  oldestRevision(): Promise<Revision>;
  /** snapshot reads at `revision`, hiding relationships expired at `now`. */
  snapshot(revision: Revision, now: Date): SnapshotReader;
  /**
   * write applies every update or none, after checking the preconditions; rejects with a
   * StoreError. When the updates change nothing it commits no revision (see
   * {@link RelationshipWriteResult}).
   */
  write(
    updates: readonly RelationshipUpdate[],
    preconditions?: readonly Precondition[],
    options?: RelationshipWriteOptions,
  ): Promise<RelationshipWriteResult>;
  /** readSchema returns the stored schema, or undefined before the first schema write. */
  readSchema(): Promise<StoredSchema | undefined>;
  /**
   * writeSchema stores schema text at a new revision once `check` has approved it. `check` runs
   * inside the write, after every earlier write has committed and before any later one can: what
   * it reads of the live relationships is what the schema commits over, and what it throws
   * rejects the write, which then changes nothing.
   */
  writeSchema(text: string, check: SchemaWriteCheck): Promise<WriteResult>;
  /**
   * importRelationships writes many relationships at one new revision, all or nothing, replacing
   * existing ones (touch), without the per-write update limit; a relationship given twice rejects
   * with "invalid-argument". Watchers see a touch event for each. An import of nothing commits no
   * revision: its result names the head.
   */
  importRelationships(
    relationships: AsyncIterable<Relationship> | Iterable<Relationship>,
    options?: WriteOptions,
  ): Promise<ImportResult>;
  /**
   * deleteMatching deletes the relationships matching a filter (at most `limit`), atomically with
   * the checks of its preconditions; when none matches it commits no revision, and its result
   * names the head.
   */
  deleteMatching(
    filter: RelationshipFilter,
    limit?: number,
    options?: DeleteOptions,
  ): Promise<DeleteResult>;
  /**
   * watch streams changes committed after `after`, in revision order, without gaps or repeats.
   * It rejects with "revision-unavailable" when `after` is beyond the head or before the oldest
   * revision, and when the stream falls so far behind that garbage collection removed events it
   * had not yet read.
   */
  watch(after: Revision, options?: WatchOptions): AsyncIterable<WatchedChange>;
  /**
   * collectGarbage removes the relationship versions deleted or expired before the retention
   * window and the changelog older than it: the newest revision committed before the window
   * becomes the oldest readable one. SQL stores also run it in the background.
   */
  collectGarbage(): Promise<GarbageCollection>;
  close(): Promise<void>;
}

/** StoredSchema is the schema text a store holds, as written, and the revision that wrote it. */
export interface StoredSchema {
  readonly text: string;
  readonly revision: Revision;
}

/** Head is the newest committed revision and the revision of the newest schema write (0: none). */
export interface Head {
  readonly revision: Revision;
  readonly schemaRevision: Revision;
}

/**
 * RelationshipShape is what a schema must allow for a live relationship to stay valid: its
 * resource type and relation, its kind of subject, its caveat and whether it expires.
 */
export interface RelationshipShape {
  readonly resourceType: string;
  readonly relation: string;
  readonly subjectType: string;
  /** The subject set's relation, undefined for a subject that is an object. */
  readonly subjectRelation?: string;
  readonly wildcard: boolean;
  readonly caveat?: string;
  readonly expiring: boolean;
}

/**
 * ShapeFilter selects relationships by what a schema allows: those on a resource type, those of
 * one of its relations, or those of one relation with exactly one shape.
 */
export type ShapeFilter =
  | { readonly resourceType: string; readonly relation?: string }
  | RelationshipShape;

/**
 * LiveRelationships reads, inside a schema write, the relationships live at the head and not
 * expired. find and count read only what their filter selects (by an index, on the SQL stores);
 * shapes reads every relationship.
 */
export interface LiveRelationships {
  /** find returns up to limit of the live relationships that filter selects. */
  find(filter: ShapeFilter, limit: number): Promise<Relationship[]>;
  /** count counts the live relationships that filter selects, up to cap. */
  count(filter: ShapeFilter, cap: number): Promise<number>;
  /** shapes lists the distinct shapes of the live relationships, reading every one. */
  shapes(): Promise<RelationshipShape[]>;
}

/**
 * SchemaWriteCheck approves a schema write from inside it, given the schema it replaces
 * (undefined for the first) and the live relationships; it throws to refuse the write.
 */
export type SchemaWriteCheck = (
  previous: StoredSchema | undefined,
  live: LiveRelationships,
) => Promise<void>;

/** StoreErrorCode classifies write failures for the API's status codes. */
export type StoreErrorCode =
  | "already-exists"
  | "precondition-failed"
  | "too-many-updates"
  | "too-many-preconditions"
  | "invalid-argument"
  | "revision-unavailable"
  | "schema-changed";

/** StoreError is a write or read the store refused, with a code and a message naming the cause. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

/**
 * StoreUnavailableError is a call the store could not serve because its database cannot be
 * reached right now: a connection refused or lost, a server starting up, shutting down or in
 * recovery, no pooled connection free in time, or the store closing. Retrying later may succeed;
 * a write that failed so may have committed all the same, if the connection was lost during its
 * commit. The message says what happened without the database's address; the driver's error is
 * the cause.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "StoreUnavailableError";
  }

  /**
   * detail is the message with the driver's own words (which may name the database's address),
   * for the operator's log rather than for clients.
   */
  get detail(): string {
    const { cause } = this;
    return cause instanceof Error && cause.message !== this.message
      ? `${this.message} (${cause.message})`
      : this.message;
  }
}
