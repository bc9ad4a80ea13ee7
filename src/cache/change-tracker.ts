// Follows the change stream and remembers when each set `type:id#relation` (or suspension) last changed.

import { readsBySubject } from "../agents/suspension-leg.js";
import { type Revision, revision } from "../revision/revision.js";
import { RevisionWaiters } from "../revision/revision-waiters.js";
import { type ChangeKind, type Store, StoreError, type WatchedChange } from "../store/store.js";
import type { Relationship } from "../tuple/relationship.js";
import { objectRelationKey, relationshipKey } from "../tuple/relationship-key.js";

/** ChangeTrackerOptions configure {@link ChangeTracker}. */
export interface ChangeTrackerOptions {
  /** The most sets remembered; the oldest changes are forgotten past it (default 100,000). */
  readonly maxTrackedSets?: number;
  /** Called with the error that ended the stream, before the tracker starts it again. */
  readonly onStreamError?: (error: unknown) => void;
  /**
   * How long a revision the store committed may stay unapplied before the tracker is stale
   * (see {@link ChangeTracker.observeHead}); default {@link DEFAULT_MAX_CHANGE_LAG_MS}.
   */
  readonly maxLagMs?: number;
}

/** DEFAULT_MAX_CHANGE_LAG_MS is how long a committed revision may go unapplied by default. */
export const DEFAULT_MAX_CHANGE_LAG_MS = 10_000;

/** ChangeLag is a revision the store committed that the tracker has not applied for too long. */
export interface ChangeLag {
  readonly revision: Revision;
  /** The revision the tracker has applied. */
  readonly applied: Revision;
  /** How long the revision has gone unapplied, in ms. */
  readonly forMs: number;
}

/** ObservedLag is how far the tracker is behind the store's head, whether or not for too long. */
export interface ObservedLag {
  /** The head revision minus the applied one. */
  readonly revisions: number;
  /** How long the oldest revision beyond the applied one has gone unapplied, in ms (0 when none). */
  readonly forMs: number;
}

const DEFAULT_MAX_TRACKED_SETS = 100_000;
/** How long observeHead's stream may take to show a change it has not applied. */
const PROBE_MS = 500;
const RESTART_DELAY_MS = 100;

/** SetChanges is what the tracker knows of one set's changes. */
interface SetChanges {
  /** The revision of its last change of any kind. */
  readonly revision: number;
  /** The revision of its last touch or delete. */
  readonly written: number;
  /** The latest expiry (epoch ms) among its expire events. */
  readonly latestExpiry: number;
}

/**
 * ChangeTracker follows a store's change stream from a revision on and keeps, for each set
 * `type:id#relation`, the revision of its last change (touch, delete or expiry), in a bounded map;
 * and so for each relationship, by its key, of the relations that checks read by subject (see
 * readsBySubject). A result computed at revision C that read sets S is still exact at the
 * tracker's applied revision if no set of S changed after C, not counting the expiries it
 * reflects already (those due by the time it was evaluated at). Forgotten changes raise a
 * horizon: results computed before it can no longer be vouched for.
 *
 * Only revisions the stream reports advance `appliedRevision`: a revision with no change (a
 * schema write, a delete of nothing) is reached with the next one that has changes.
 */
export class ChangeTracker {
  private applied: number;
  private horizon: number;
  /** Changes per set, in the order of their last change (oldest first). */
  private readonly lastChange = new Map<string, SetChanges>();
  private readonly maxTrackedSets: number;
  private readonly stop = new AbortController();
  private readonly waiters = new RevisionWaiters();
  /** The oldest head seen beyond the applied revision, and when it was first seen. */
  private behind: { readonly revision: number; readonly since: number } | undefined;
  private lagging: ChangeLag | undefined;
  private observed: ObservedLag = { revisions: 0, forMs: 0 };

  constructor(
    private readonly store: Store,
    from: Revision,
    private readonly options: ChangeTrackerOptions = {},
  ) {
    this.applied = from;
    this.horizon = from;
    this.maxTrackedSets = options.maxTrackedSets ?? DEFAULT_MAX_TRACKED_SETS;
    void this.follow();
  }

  /**
   * stale says whether the stream lags: a revision the store committed has gone unapplied for
   * longer than the maximum lag, as {@link observeHead} last found. Reads that would use the
   * applied revision then read the store's head without the cache instead of ever older data.
   */
  get stale(): boolean {
    return this.lagging !== undefined;
  }

  /**
   * observeHead tells the tracker the store's head revision, read at `now` (epoch ms): a revision
   * beyond the applied one that stays unapplied for the maximum lag makes the tracker stale, until
   * the stream applies it, once a stream of the store's own shows a change after the applied
   * revision (a revision without relationship changes, such as a schema write, never reaches the
   * stream, and proves nothing). It resolves to the lag while stale. (A stream that stops without
   * an error, its notifications lost, is noticed so, not only one that fails.)
   */
  async observeHead(head: Revision, now: number): Promise<ChangeLag | undefined> {
    if (this.applied >= head) {
      this.behind = undefined;
    } else if (this.behind === undefined || this.applied >= this.behind.revision) {
      this.behind = { revision: head, since: now };
    }
    const behind = this.behind;
    const forMs = behind === undefined ? 0 : now - behind.since;
    this.observed = { revisions: Math.max(0, head - this.applied), forMs };
    const overdue =
      behind !== undefined && forMs >= (this.options.maxLagMs ?? DEFAULT_MAX_CHANGE_LAG_MS);
    const applied = revision(this.applied);
    this.lagging =
      overdue && (await this.changeShowsAfter(applied))
        ? { revision: revision(behind.revision), applied, forMs }
        : undefined;
    return this.lagging;
  }

  /**
   * changeShowsAfter says whether a new stream of the store shows a change after revision `after`
   * within PROBE_MS: proof that changes are committed that the tracker has not applied. A slow
   * store only delays the proof to a later observation.
   */
  private async changeShowsAfter(after: Revision): Promise<boolean> {
    const probe = AbortSignal.any([this.stop.signal, AbortSignal.timeout(PROBE_MS)]);
    try {
      for await (const _ of this.store.watch(after, { signal: probe })) return true;
    } catch {
      // Timed out, stopped, or the store did not answer (readiness hears of that itself).
    }
    return false;
  }

  /**
   * observedLag is how far the tracker was behind the head at the last {@link observeHead}, stale
   * or not: for the metrics.
   */
  get observedLag(): ObservedLag {
    return this.observed;
  }

  /** appliedRevision is the newest revision whose changes have all been applied. */
  get appliedRevision(): Revision {
    return revision(this.applied);
  }

  /**
   * unchangedSince says whether none of sets changed after revision `since`, as far as the
   * changes applied so far tell. With `asOf` (epoch ms), for a result evaluated as of that time,
   * the expiries it already reflects (of relationships expired by then) do not count as changes.
   */
  unchangedSince(sets: Iterable<string>, since: number, asOf?: number): boolean {
    if (since < this.horizon) return false;
    for (const set of sets) {
      const changes = this.lastChange.get(set);
      if (changes === undefined || changes.revision <= since) continue;
      // Something changed after `since`: a write, or expiries, which asOf may already reflect.
      const reflected = asOf !== undefined && changes.latestExpiry <= asOf;
      if (changes.written > since || !reflected) return false;
    }
    return true;
  }

  /** waitFor resolves true once revision is applied, or false after timeoutMs. */
  waitFor(target: number, timeoutMs: number): Promise<boolean> {
    if (this.applied >= target) return Promise.resolve(true);
    return this.waiters.waitFor(target, timeoutMs);
  }

  /** close stops following the stream. */
  close(): void {
    this.stop.abort();
  }

  private async follow(): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        for await (const change of this.store.watch(revision(this.applied), {
          signal: this.stop.signal,
        })) {
          this.record(change);
          if (change.lastInRevision) this.advance(change.revision);
        }
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.options.onStreamError?.(error);
        await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
        if (error instanceof StoreError && error.code === "revision-unavailable") {
          // The changes after `applied` are gone: vouch for nothing computed before the head.
          await this.restartAtHead().catch(() => {});
        }
        // Otherwise the stream resumes after the last revision applied in full: nothing is missed.
      }
    }
  }

  private async restartAtHead(): Promise<void> {
    const head = await this.store.headRevision();
    this.horizon = Math.max(this.horizon, head);
    this.advance(Math.max(this.applied, head));
  }

  private record({ kind, revision: at, relationship }: WatchedChange): void {
    const { resource, relation } = relationship;
    this.recordSet(objectRelationKey(resource.type, resource.id, relation), kind, at, relationship);
    // Checks of these read the relationships of their subject only, and name them by key.
    if (readsBySubject(resource.type, relation)) {
      this.recordSet(relationshipKey(relationship), kind, at, relationship);
    }
  }

  private recordSet(set: string, kind: ChangeKind, at: number, { expiresAt }: Relationship): void {
    const before = this.lastChange.get(set);
    this.lastChange.delete(set);
    this.lastChange.set(set, {
      revision: at,
      written: kind === "expire" ? (before?.written ?? 0) : at,
      latestExpiry:
        kind === "expire"
          ? Math.max(before?.latestExpiry ?? 0, expiresAt?.getTime() ?? Number.POSITIVE_INFINITY)
          : (before?.latestExpiry ?? 0),
    });
    if (this.lastChange.size > this.maxTrackedSets) {
      const [oldest, changes] = this.lastChange.entries().next().value as [string, SetChanges];
      this.lastChange.delete(oldest);
      this.horizon = Math.max(this.horizon, changes.revision);
    }
  }

  private advance(at: number): void {
    this.applied = at;
    this.waiters.applied(at);
  }
}
