// Consistency modes: which revision a read runs at, and whether through the cache, chosen from the
// request, the store's state and the revision the cache has caught up with.

import { decodeToken } from "./consistency-token.js";
import type { Revision } from "./revision.js";

/** Consistency is a read's freshness requirement, one of the four SpiceDB modes. */
export type Consistency =
  /** Any recent revision will do: the one the cache has caught up with, else the head. */
  | { kind: "minimize-latency" }
  /** At least as fresh as the write that returned token. */
  | { kind: "at-least-as-fresh"; token: string }
  /** Exactly the snapshot token names, while it is still retained. */
  | { kind: "at-exact-snapshot"; token: string }
  /** The store's head revision. */
  | { kind: "fully-consistent" };

/** ConsistencyErrorCode classifies why a read's revision could not be chosen. */
export type ConsistencyErrorCode =
  /** The token names a revision beyond the store's head: forged, or from a restored store. */
  | "future-revision"
  /** The token's snapshot has been garbage-collected. */
  | "revision-gone";

/** ConsistencyError is a valid token whose revision cannot be served; TokenError covers bad ones. */
export class ConsistencyError extends Error {
  constructor(
    readonly code: ConsistencyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ConsistencyError";
  }
}

/** RevisionSource is the part of a store resolveConsistency needs. */
export interface RevisionSource {
  storeId: string;
  headRevision(): Promise<Revision>;
  oldestRevision(): Promise<Revision>;
}

/**
 * AppliedRevisions is the revision the cache has caught up with (a change tracker's): every change
 * up to it is reflected in what the cache serves.
 */
export interface AppliedRevisions {
  readonly appliedRevision: Revision;
  /** Whether the applied revision lags the store by too long to be read (see ChangeTracker.stale). */
  readonly stale: boolean;
  /** waitFor resolves true once revision is applied, or false after timeoutMs. */
  waitFor(revision: Revision, timeoutMs: number): Promise<boolean>;
}

/** ReadRevision is where a read runs: a revision, and whether it may use the cache. */
export interface ReadRevision {
  readonly revision: Revision;
  readonly cached: boolean;
}

/**
 * How long `at-least-as-fresh(T)` waits for the cache to reach T before it reads the store's head
 * without the cache.
 */
const FRESHNESS_WAIT_MS = 50;

/**
 * chooseReadRevision returns where a read with this consistency runs, given the revision the cache
 * has applied; it throws as {@link resolveConsistency} does.
 *
 * - `minimize-latency` reads at the applied revision, through the cache, with no round trip to the
 *   store: every change this replica has applied is reflected; but while the applied revision is
 *   stale it reads the head without the cache.
 * - `at-least-as-fresh(T)` waits briefly for the cache to reach T and then does the same;
 *   otherwise it reads the head without the cache.
 * - `fully-consistent` reads the head, `at-exact-snapshot(T)` reads T, both without the cache.
 */
export async function chooseReadRevision(
  consistency: Consistency,
  source: RevisionSource,
  applied: AppliedRevisions,
): Promise<ReadRevision> {
  if (consistency.kind === "minimize-latency") {
    if (applied.stale) return { revision: await source.headRevision(), cached: false };
    return { revision: applied.appliedRevision, cached: true };
  }
  const revision = await resolveConsistency(consistency, source);
  if (
    consistency.kind === "at-least-as-fresh" &&
    (await applied.waitFor(decodeToken(consistency.token, source.storeId), FRESHNESS_WAIT_MS))
  ) {
    // The cache has applied every change up to the token's revision, or later.
    return { revision: applied.appliedRevision, cached: true };
  }
  return { revision, cached: false };
}

/**
 * resolveConsistency returns the revision a read with this consistency runs at, from the store
 * alone (no cache: `minimize-latency` reads the head). It throws a
 * TokenError for a bad or foreign token and a ConsistencyError for a revision beyond the head or
 * already garbage-collected.
 */
export async function resolveConsistency(
  consistency: Consistency,
  source: RevisionSource,
): Promise<Revision> {
  switch (consistency.kind) {
    case "minimize-latency":
    case "fully-consistent":
      return source.headRevision();
    case "at-least-as-fresh": {
      const wanted = decodeToken(consistency.token, source.storeId);
      const head = await source.headRevision();
      checkNotFuture(wanted, head);
      return head; // head >= wanted, so this is max(wanted, head)
    }
    case "at-exact-snapshot": {
      const wanted = decodeToken(consistency.token, source.storeId);
      checkNotFuture(wanted, await source.headRevision());
      const oldest = await source.oldestRevision();
      if (wanted < oldest) {
        throw new ConsistencyError(
          "revision-gone",
          `revision ${wanted} has been garbage-collected: the oldest available revision is ${oldest}`,
        );
      }
      return wanted;
    }
    default:
      return unknownKind(consistency);
  }
}

function checkNotFuture(wanted: Revision, head: Revision): void {
  if (wanted > head) {
    throw new ConsistencyError(
      "future-revision",
      `token is from the future: revision ${wanted} is beyond this store's head ${head}`,
    );
  }
}

function unknownKind(consistency: never): never {
  const kind = (consistency as { kind?: unknown }).kind;
  throw new TypeError(`unknown consistency kind ${JSON.stringify(kind)}`);
}
